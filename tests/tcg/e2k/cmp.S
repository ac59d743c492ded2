/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integer compares into predicates: cmp{o,b,e,be,s,p,l,le}{sb,db} and
 * cmpand{e,s,p,le}{sb,db} on channels 0, 1, 3, 4, predicates %pred0..29,
 * each checked with a conditional ibranch on %predN / ~%predN.
 */
#include "rt.S"

    START
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmposb,0 %dr0, %dr1, %pred0
        nop 2
    }
        CHECKP(%pred0, 0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmposb,1 %dr0, %dr1, %pred1
        nop 2
    }
        CHECKP(%pred1, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmposb,3 %dr0, %dr1, %pred2
        nop 2
    }
        CHECKP(%pred2, 0)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmposb,4 %dr0, %dr1, %pred3
        nop 2
    }
        CHECKP(%pred3, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmposb,0 %dr0, %dr1, %pred4
        nop 2
    }
        CHECKP(%pred4, 0)
    {
        addd,0 0, 0x7fffffffffffffff, %dr0
        addd,1 0, 0xffffffffffffffff, %dr1
    }
    {
        cmposb,1 %dr0, %dr1, %pred5
        nop 2
    }
        CHECKP(%pred5, 0)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmposb,3 %dr0, %dr1, %pred6
        nop 2
    }
        CHECKP(%pred6, 1)
    {
        addd,0 0, 0x7fffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmposb,4 %dr0, %dr1, %pred7
        nop 2
    }
        CHECKP(%pred7, 1)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x100000003, %dr1
    }
    {
        cmposb,0 %dr0, %dr1, %pred8
        nop 2
    }
        CHECKP(%pred8, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpodb,1 %dr0, %dr1, %pred9
        nop 2
    }
        CHECKP(%pred9, 0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpodb,3 %dr0, %dr1, %pred10
        nop 2
    }
        CHECKP(%pred10, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpodb,4 %dr0, %dr1, %pred11
        nop 2
    }
        CHECKP(%pred11, 0)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpodb,0 %dr0, %dr1, %pred12
        nop 2
    }
        CHECKP(%pred12, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpodb,1 %dr0, %dr1, %pred13
        nop 2
    }
        CHECKP(%pred13, 1)
    {
        addd,0 0, 0x7fffffffffffffff, %dr0
        addd,1 0, 0xffffffffffffffff, %dr1
    }
    {
        cmpodb,3 %dr0, %dr1, %pred14
        nop 2
    }
        CHECKP(%pred14, 1)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpodb,4 %dr0, %dr1, %pred15
        nop 2
    }
        CHECKP(%pred15, 0)
    {
        addd,0 0, 0x7fffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpodb,0 %dr0, %dr1, %pred16
        nop 2
    }
        CHECKP(%pred16, 0)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x100000003, %dr1
    }
    {
        cmpodb,1 %dr0, %dr1, %pred17
        nop 2
    }
        CHECKP(%pred17, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpbsb,3 %dr0, %dr1, %pred18
        nop 2
    }
        CHECKP(%pred18, 1)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpbsb,4 %dr0, %dr1, %pred19
        nop 2
    }
        CHECKP(%pred19, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpbsb,0 %dr0, %dr1, %pred20
        nop 2
    }
        CHECKP(%pred20, 0)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpbsb,1 %dr0, %dr1, %pred21
        nop 2
    }
        CHECKP(%pred21, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpbsb,3 %dr0, %dr1, %pred22
        nop 2
    }
        CHECKP(%pred22, 1)
    {
        addd,0 0, 0x7fffffffffffffff, %dr0
        addd,1 0, 0xffffffffffffffff, %dr1
    }
    {
        cmpbsb,4 %dr0, %dr1, %pred23
        nop 2
    }
        CHECKP(%pred23, 0)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpbsb,0 %dr0, %dr1, %pred24
        nop 2
    }
        CHECKP(%pred24, 0)
    {
        addd,0 0, 0x7fffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpbsb,1 %dr0, %dr1, %pred25
        nop 2
    }
        CHECKP(%pred25, 1)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x100000003, %dr1
    }
    {
        cmpbsb,3 %dr0, %dr1, %pred26
        nop 2
    }
        CHECKP(%pred26, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpbdb,4 %dr0, %dr1, %pred27
        nop 2
    }
        CHECKP(%pred27, 1)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpbdb,0 %dr0, %dr1, %pred28
        nop 2
    }
        CHECKP(%pred28, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpbdb,1 %dr0, %dr1, %pred29
        nop 2
    }
        CHECKP(%pred29, 0)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpbdb,3 %dr0, %dr1, %pred0
        nop 2
    }
        CHECKP(%pred0, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpbdb,4 %dr0, %dr1, %pred1
        nop 2
    }
        CHECKP(%pred1, 0)
    {
        addd,0 0, 0x7fffffffffffffff, %dr0
        addd,1 0, 0xffffffffffffffff, %dr1
    }
    {
        cmpbdb,0 %dr0, %dr1, %pred2
        nop 2
    }
        CHECKP(%pred2, 1)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpbdb,1 %dr0, %dr1, %pred3
        nop 2
    }
        CHECKP(%pred3, 0)
    {
        addd,0 0, 0x7fffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpbdb,3 %dr0, %dr1, %pred4
        nop 2
    }
        CHECKP(%pred4, 1)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x100000003, %dr1
    }
    {
        cmpbdb,4 %dr0, %dr1, %pred5
        nop 2
    }
        CHECKP(%pred5, 1)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpesb,0 %dr0, %dr1, %pred6
        nop 2
    }
        CHECKP(%pred6, 0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpesb,1 %dr0, %dr1, %pred7
        nop 2
    }
        CHECKP(%pred7, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpesb,3 %dr0, %dr1, %pred8
        nop 2
    }
        CHECKP(%pred8, 1)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpesb,4 %dr0, %dr1, %pred9
        nop 2
    }
        CHECKP(%pred9, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpesb,0 %dr0, %dr1, %pred10
        nop 2
    }
        CHECKP(%pred10, 0)
    {
        addd,0 0, 0x7fffffffffffffff, %dr0
        addd,1 0, 0xffffffffffffffff, %dr1
    }
    {
        cmpesb,1 %dr0, %dr1, %pred11
        nop 2
    }
        CHECKP(%pred11, 1)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpesb,3 %dr0, %dr1, %pred12
        nop 2
    }
        CHECKP(%pred12, 0)
    {
        addd,0 0, 0x7fffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpesb,4 %dr0, %dr1, %pred13
        nop 2
    }
        CHECKP(%pred13, 0)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x100000003, %dr1
    }
    {
        cmpesb,0 %dr0, %dr1, %pred14
        nop 2
    }
        CHECKP(%pred14, 1)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpedb,1 %dr0, %dr1, %pred15
        nop 2
    }
        CHECKP(%pred15, 0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpedb,3 %dr0, %dr1, %pred16
        nop 2
    }
        CHECKP(%pred16, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpedb,4 %dr0, %dr1, %pred17
        nop 2
    }
        CHECKP(%pred17, 1)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpedb,0 %dr0, %dr1, %pred18
        nop 2
    }
        CHECKP(%pred18, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpedb,1 %dr0, %dr1, %pred19
        nop 2
    }
        CHECKP(%pred19, 0)
    {
        addd,0 0, 0x7fffffffffffffff, %dr0
        addd,1 0, 0xffffffffffffffff, %dr1
    }
    {
        cmpedb,3 %dr0, %dr1, %pred20
        nop 2
    }
        CHECKP(%pred20, 0)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpedb,4 %dr0, %dr1, %pred21
        nop 2
    }
        CHECKP(%pred21, 0)
    {
        addd,0 0, 0x7fffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpedb,0 %dr0, %dr1, %pred22
        nop 2
    }
        CHECKP(%pred22, 0)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x100000003, %dr1
    }
    {
        cmpedb,1 %dr0, %dr1, %pred23
        nop 2
    }
        CHECKP(%pred23, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpbesb,3 %dr0, %dr1, %pred24
        nop 2
    }
        CHECKP(%pred24, 1)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpbesb,4 %dr0, %dr1, %pred25
        nop 2
    }
        CHECKP(%pred25, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpbesb,0 %dr0, %dr1, %pred26
        nop 2
    }
        CHECKP(%pred26, 1)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpbesb,1 %dr0, %dr1, %pred27
        nop 2
    }
        CHECKP(%pred27, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpbesb,3 %dr0, %dr1, %pred28
        nop 2
    }
        CHECKP(%pred28, 1)
    {
        addd,0 0, 0x7fffffffffffffff, %dr0
        addd,1 0, 0xffffffffffffffff, %dr1
    }
    {
        cmpbesb,4 %dr0, %dr1, %pred29
        nop 2
    }
        CHECKP(%pred29, 1)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpbesb,0 %dr0, %dr1, %pred0
        nop 2
    }
        CHECKP(%pred0, 0)
    {
        addd,0 0, 0x7fffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpbesb,1 %dr0, %dr1, %pred1
        nop 2
    }
        CHECKP(%pred1, 1)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x100000003, %dr1
    }
    {
        cmpbesb,3 %dr0, %dr1, %pred2
        nop 2
    }
        CHECKP(%pred2, 1)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpbedb,4 %dr0, %dr1, %pred3
        nop 2
    }
        CHECKP(%pred3, 1)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpbedb,0 %dr0, %dr1, %pred4
        nop 2
    }
        CHECKP(%pred4, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpbedb,1 %dr0, %dr1, %pred5
        nop 2
    }
        CHECKP(%pred5, 1)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpbedb,3 %dr0, %dr1, %pred6
        nop 2
    }
        CHECKP(%pred6, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpbedb,4 %dr0, %dr1, %pred7
        nop 2
    }
        CHECKP(%pred7, 0)
    {
        addd,0 0, 0x7fffffffffffffff, %dr0
        addd,1 0, 0xffffffffffffffff, %dr1
    }
    {
        cmpbedb,0 %dr0, %dr1, %pred8
        nop 2
    }
        CHECKP(%pred8, 1)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpbedb,1 %dr0, %dr1, %pred9
        nop 2
    }
        CHECKP(%pred9, 0)
    {
        addd,0 0, 0x7fffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpbedb,3 %dr0, %dr1, %pred10
        nop 2
    }
        CHECKP(%pred10, 1)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x100000003, %dr1
    }
    {
        cmpbedb,4 %dr0, %dr1, %pred11
        nop 2
    }
        CHECKP(%pred11, 1)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpssb,0 %dr0, %dr1, %pred12
        nop 2
    }
        CHECKP(%pred12, 1)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpssb,1 %dr0, %dr1, %pred13
        nop 2
    }
        CHECKP(%pred13, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpssb,3 %dr0, %dr1, %pred14
        nop 2
    }
        CHECKP(%pred14, 0)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpssb,4 %dr0, %dr1, %pred15
        nop 2
    }
        CHECKP(%pred15, 1)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpssb,0 %dr0, %dr1, %pred16
        nop 2
    }
        CHECKP(%pred16, 1)
    {
        addd,0 0, 0x7fffffffffffffff, %dr0
        addd,1 0, 0xffffffffffffffff, %dr1
    }
    {
        cmpssb,1 %dr0, %dr1, %pred17
        nop 2
    }
        CHECKP(%pred17, 0)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpssb,3 %dr0, %dr1, %pred18
        nop 2
    }
        CHECKP(%pred18, 0)
    {
        addd,0 0, 0x7fffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpssb,4 %dr0, %dr1, %pred19
        nop 2
    }
        CHECKP(%pred19, 1)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x100000003, %dr1
    }
    {
        cmpssb,0 %dr0, %dr1, %pred20
        nop 2
    }
        CHECKP(%pred20, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpsdb,1 %dr0, %dr1, %pred21
        nop 2
    }
        CHECKP(%pred21, 1)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpsdb,3 %dr0, %dr1, %pred22
        nop 2
    }
        CHECKP(%pred22, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpsdb,4 %dr0, %dr1, %pred23
        nop 2
    }
        CHECKP(%pred23, 0)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpsdb,0 %dr0, %dr1, %pred24
        nop 2
    }
        CHECKP(%pred24, 1)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpsdb,1 %dr0, %dr1, %pred25
        nop 2
    }
        CHECKP(%pred25, 0)
    {
        addd,0 0, 0x7fffffffffffffff, %dr0
        addd,1 0, 0xffffffffffffffff, %dr1
    }
    {
        cmpsdb,3 %dr0, %dr1, %pred26
        nop 2
    }
        CHECKP(%pred26, 1)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpsdb,4 %dr0, %dr1, %pred27
        nop 2
    }
        CHECKP(%pred27, 0)
    {
        addd,0 0, 0x7fffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpsdb,0 %dr0, %dr1, %pred28
        nop 2
    }
        CHECKP(%pred28, 1)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x100000003, %dr1
    }
    {
        cmpsdb,1 %dr0, %dr1, %pred29
        nop 2
    }
        CHECKP(%pred29, 1)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmppsb,3 %dr0, %dr1, %pred0
        nop 2
    }
        CHECKP(%pred0, 0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmppsb,4 %dr0, %dr1, %pred1
        nop 2
    }
        CHECKP(%pred1, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmppsb,0 %dr0, %dr1, %pred2
        nop 2
    }
        CHECKP(%pred2, 1)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmppsb,1 %dr0, %dr1, %pred3
        nop 2
    }
        CHECKP(%pred3, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmppsb,3 %dr0, %dr1, %pred4
        nop 2
    }
        CHECKP(%pred4, 1)
    {
        addd,0 0, 0x7fffffffffffffff, %dr0
        addd,1 0, 0xffffffffffffffff, %dr1
    }
    {
        cmppsb,4 %dr0, %dr1, %pred5
        nop 2
    }
        CHECKP(%pred5, 1)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmppsb,0 %dr0, %dr1, %pred6
        nop 2
    }
        CHECKP(%pred6, 1)
    {
        addd,0 0, 0x7fffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmppsb,1 %dr0, %dr1, %pred7
        nop 2
    }
        CHECKP(%pred7, 1)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x100000003, %dr1
    }
    {
        cmppsb,3 %dr0, %dr1, %pred8
        nop 2
    }
        CHECKP(%pred8, 1)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmppdb,4 %dr0, %dr1, %pred9
        nop 2
    }
        CHECKP(%pred9, 0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmppdb,0 %dr0, %dr1, %pred10
        nop 2
    }
        CHECKP(%pred10, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmppdb,1 %dr0, %dr1, %pred11
        nop 2
    }
        CHECKP(%pred11, 1)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmppdb,3 %dr0, %dr1, %pred12
        nop 2
    }
        CHECKP(%pred12, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmppdb,4 %dr0, %dr1, %pred13
        nop 2
    }
        CHECKP(%pred13, 1)
    {
        addd,0 0, 0x7fffffffffffffff, %dr0
        addd,1 0, 0xffffffffffffffff, %dr1
    }
    {
        cmppdb,0 %dr0, %dr1, %pred14
        nop 2
    }
        CHECKP(%pred14, 1)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmppdb,1 %dr0, %dr1, %pred15
        nop 2
    }
        CHECKP(%pred15, 1)
    {
        addd,0 0, 0x7fffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmppdb,3 %dr0, %dr1, %pred16
        nop 2
    }
        CHECKP(%pred16, 1)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x100000003, %dr1
    }
    {
        cmppdb,4 %dr0, %dr1, %pred17
        nop 2
    }
        CHECKP(%pred17, 1)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmplsb,0 %dr0, %dr1, %pred18
        nop 2
    }
        CHECKP(%pred18, 1)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmplsb,1 %dr0, %dr1, %pred19
        nop 2
    }
        CHECKP(%pred19, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmplsb,3 %dr0, %dr1, %pred20
        nop 2
    }
        CHECKP(%pred20, 0)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmplsb,4 %dr0, %dr1, %pred21
        nop 2
    }
        CHECKP(%pred21, 1)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmplsb,0 %dr0, %dr1, %pred22
        nop 2
    }
        CHECKP(%pred22, 1)
    {
        addd,0 0, 0x7fffffffffffffff, %dr0
        addd,1 0, 0xffffffffffffffff, %dr1
    }
    {
        cmplsb,1 %dr0, %dr1, %pred23
        nop 2
    }
        CHECKP(%pred23, 0)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmplsb,3 %dr0, %dr1, %pred24
        nop 2
    }
        CHECKP(%pred24, 1)
    {
        addd,0 0, 0x7fffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmplsb,4 %dr0, %dr1, %pred25
        nop 2
    }
        CHECKP(%pred25, 0)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x100000003, %dr1
    }
    {
        cmplsb,0 %dr0, %dr1, %pred26
        nop 2
    }
        CHECKP(%pred26, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpldb,1 %dr0, %dr1, %pred27
        nop 2
    }
        CHECKP(%pred27, 1)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpldb,3 %dr0, %dr1, %pred28
        nop 2
    }
        CHECKP(%pred28, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpldb,4 %dr0, %dr1, %pred29
        nop 2
    }
        CHECKP(%pred29, 0)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpldb,0 %dr0, %dr1, %pred0
        nop 2
    }
        CHECKP(%pred0, 1)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpldb,1 %dr0, %dr1, %pred1
        nop 2
    }
        CHECKP(%pred1, 1)
    {
        addd,0 0, 0x7fffffffffffffff, %dr0
        addd,1 0, 0xffffffffffffffff, %dr1
    }
    {
        cmpldb,3 %dr0, %dr1, %pred2
        nop 2
    }
        CHECKP(%pred2, 0)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpldb,4 %dr0, %dr1, %pred3
        nop 2
    }
        CHECKP(%pred3, 0)
    {
        addd,0 0, 0x7fffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpldb,0 %dr0, %dr1, %pred4
        nop 2
    }
        CHECKP(%pred4, 1)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x100000003, %dr1
    }
    {
        cmpldb,1 %dr0, %dr1, %pred5
        nop 2
    }
        CHECKP(%pred5, 1)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmplesb,3 %dr0, %dr1, %pred6
        nop 2
    }
        CHECKP(%pred6, 1)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmplesb,4 %dr0, %dr1, %pred7
        nop 2
    }
        CHECKP(%pred7, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmplesb,0 %dr0, %dr1, %pred8
        nop 2
    }
        CHECKP(%pred8, 1)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmplesb,1 %dr0, %dr1, %pred9
        nop 2
    }
        CHECKP(%pred9, 1)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmplesb,3 %dr0, %dr1, %pred10
        nop 2
    }
        CHECKP(%pred10, 1)
    {
        addd,0 0, 0x7fffffffffffffff, %dr0
        addd,1 0, 0xffffffffffffffff, %dr1
    }
    {
        cmplesb,4 %dr0, %dr1, %pred11
        nop 2
    }
        CHECKP(%pred11, 1)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmplesb,0 %dr0, %dr1, %pred12
        nop 2
    }
        CHECKP(%pred12, 1)
    {
        addd,0 0, 0x7fffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmplesb,1 %dr0, %dr1, %pred13
        nop 2
    }
        CHECKP(%pred13, 0)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x100000003, %dr1
    }
    {
        cmplesb,3 %dr0, %dr1, %pred14
        nop 2
    }
        CHECKP(%pred14, 1)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpledb,4 %dr0, %dr1, %pred15
        nop 2
    }
        CHECKP(%pred15, 1)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpledb,0 %dr0, %dr1, %pred16
        nop 2
    }
        CHECKP(%pred16, 0)
    {
        addd,0 0, 0x5, %dr0
        addd,1 0, 0x5, %dr1
    }
    {
        cmpledb,1 %dr0, %dr1, %pred17
        nop 2
    }
        CHECKP(%pred17, 1)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpledb,3 %dr0, %dr1, %pred18
        nop 2
    }
        CHECKP(%pred18, 1)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpledb,4 %dr0, %dr1, %pred19
        nop 2
    }
        CHECKP(%pred19, 1)
    {
        addd,0 0, 0x7fffffffffffffff, %dr0
        addd,1 0, 0xffffffffffffffff, %dr1
    }
    {
        cmpledb,0 %dr0, %dr1, %pred20
        nop 2
    }
        CHECKP(%pred20, 0)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpledb,1 %dr0, %dr1, %pred21
        nop 2
    }
        CHECKP(%pred21, 0)
    {
        addd,0 0, 0x7fffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpledb,3 %dr0, %dr1, %pred22
        nop 2
    }
        CHECKP(%pred22, 1)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x100000003, %dr1
    }
    {
        cmpledb,4 %dr0, %dr1, %pred23
        nop 2
    }
        CHECKP(%pred23, 1)
    {
        addd,0 0, 0xf0, %dr0
        addd,1 0, 0xf, %dr1
    }
    {
        cmpandesb,0 %dr0, %dr1, %pred24
        nop 2
    }
        CHECKP(%pred24, 1)
    {
        addd,0 0, 0xf0, %dr0
        addd,1 0, 0x10, %dr1
    }
    {
        cmpandesb,1 %dr0, %dr1, %pred25
        nop 2
    }
        CHECKP(%pred25, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x8000000000000001, %dr1
    }
    {
        cmpandesb,3 %dr0, %dr1, %pred26
        nop 2
    }
        CHECKP(%pred26, 1)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpandesb,4 %dr0, %dr1, %pred27
        nop 2
    }
        CHECKP(%pred27, 0)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpandesb,0 %dr0, %dr1, %pred28
        nop 2
    }
        CHECKP(%pred28, 0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpandesb,1 %dr0, %dr1, %pred29
        nop 2
    }
        CHECKP(%pred29, 0)
    {
        addd,0 0, 0x0, %dr0
        addd,1 0, 0x0, %dr1
    }
    {
        cmpandesb,3 %dr0, %dr1, %pred0
        nop 2
    }
        CHECKP(%pred0, 1)
    {
        addd,0 0, 0xf0, %dr0
        addd,1 0, 0xf, %dr1
    }
    {
        cmpandedb,4 %dr0, %dr1, %pred1
        nop 2
    }
        CHECKP(%pred1, 1)
    {
        addd,0 0, 0xf0, %dr0
        addd,1 0, 0x10, %dr1
    }
    {
        cmpandedb,0 %dr0, %dr1, %pred2
        nop 2
    }
        CHECKP(%pred2, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x8000000000000001, %dr1
    }
    {
        cmpandedb,1 %dr0, %dr1, %pred3
        nop 2
    }
        CHECKP(%pred3, 0)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpandedb,3 %dr0, %dr1, %pred4
        nop 2
    }
        CHECKP(%pred4, 0)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpandedb,4 %dr0, %dr1, %pred5
        nop 2
    }
        CHECKP(%pred5, 0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpandedb,0 %dr0, %dr1, %pred6
        nop 2
    }
        CHECKP(%pred6, 0)
    {
        addd,0 0, 0x0, %dr0
        addd,1 0, 0x0, %dr1
    }
    {
        cmpandedb,1 %dr0, %dr1, %pred7
        nop 2
    }
        CHECKP(%pred7, 1)
    {
        addd,0 0, 0xf0, %dr0
        addd,1 0, 0xf, %dr1
    }
    {
        cmpandssb,3 %dr0, %dr1, %pred8
        nop 2
    }
        CHECKP(%pred8, 0)
    {
        addd,0 0, 0xf0, %dr0
        addd,1 0, 0x10, %dr1
    }
    {
        cmpandssb,4 %dr0, %dr1, %pred9
        nop 2
    }
        CHECKP(%pred9, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x8000000000000001, %dr1
    }
    {
        cmpandssb,0 %dr0, %dr1, %pred10
        nop 2
    }
        CHECKP(%pred10, 0)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpandssb,1 %dr0, %dr1, %pred11
        nop 2
    }
        CHECKP(%pred11, 1)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpandssb,3 %dr0, %dr1, %pred12
        nop 2
    }
        CHECKP(%pred12, 0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpandssb,4 %dr0, %dr1, %pred13
        nop 2
    }
        CHECKP(%pred13, 0)
    {
        addd,0 0, 0x0, %dr0
        addd,1 0, 0x0, %dr1
    }
    {
        cmpandssb,0 %dr0, %dr1, %pred14
        nop 2
    }
        CHECKP(%pred14, 0)
    {
        addd,0 0, 0xf0, %dr0
        addd,1 0, 0xf, %dr1
    }
    {
        cmpandsdb,1 %dr0, %dr1, %pred15
        nop 2
    }
        CHECKP(%pred15, 0)
    {
        addd,0 0, 0xf0, %dr0
        addd,1 0, 0x10, %dr1
    }
    {
        cmpandsdb,3 %dr0, %dr1, %pred16
        nop 2
    }
        CHECKP(%pred16, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x8000000000000001, %dr1
    }
    {
        cmpandsdb,4 %dr0, %dr1, %pred17
        nop 2
    }
        CHECKP(%pred17, 1)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpandsdb,0 %dr0, %dr1, %pred18
        nop 2
    }
        CHECKP(%pred18, 0)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpandsdb,1 %dr0, %dr1, %pred19
        nop 2
    }
        CHECKP(%pred19, 0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpandsdb,3 %dr0, %dr1, %pred20
        nop 2
    }
        CHECKP(%pred20, 0)
    {
        addd,0 0, 0x0, %dr0
        addd,1 0, 0x0, %dr1
    }
    {
        cmpandsdb,4 %dr0, %dr1, %pred21
        nop 2
    }
        CHECKP(%pred21, 0)
    {
        addd,0 0, 0xf0, %dr0
        addd,1 0, 0xf, %dr1
    }
    {
        cmpandpsb,0 %dr0, %dr1, %pred22
        nop 2
    }
        CHECKP(%pred22, 1)
    {
        addd,0 0, 0xf0, %dr0
        addd,1 0, 0x10, %dr1
    }
    {
        cmpandpsb,1 %dr0, %dr1, %pred23
        nop 2
    }
        CHECKP(%pred23, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x8000000000000001, %dr1
    }
    {
        cmpandpsb,3 %dr0, %dr1, %pred24
        nop 2
    }
        CHECKP(%pred24, 1)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpandpsb,4 %dr0, %dr1, %pred25
        nop 2
    }
        CHECKP(%pred25, 1)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpandpsb,0 %dr0, %dr1, %pred26
        nop 2
    }
        CHECKP(%pred26, 0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpandpsb,1 %dr0, %dr1, %pred27
        nop 2
    }
        CHECKP(%pred27, 0)
    {
        addd,0 0, 0x0, %dr0
        addd,1 0, 0x0, %dr1
    }
    {
        cmpandpsb,3 %dr0, %dr1, %pred28
        nop 2
    }
        CHECKP(%pred28, 1)
    {
        addd,0 0, 0xf0, %dr0
        addd,1 0, 0xf, %dr1
    }
    {
        cmpandpdb,4 %dr0, %dr1, %pred29
        nop 2
    }
        CHECKP(%pred29, 1)
    {
        addd,0 0, 0xf0, %dr0
        addd,1 0, 0x10, %dr1
    }
    {
        cmpandpdb,0 %dr0, %dr1, %pred0
        nop 2
    }
        CHECKP(%pred0, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x8000000000000001, %dr1
    }
    {
        cmpandpdb,1 %dr0, %dr1, %pred1
        nop 2
    }
        CHECKP(%pred1, 1)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpandpdb,3 %dr0, %dr1, %pred2
        nop 2
    }
        CHECKP(%pred2, 1)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpandpdb,4 %dr0, %dr1, %pred3
        nop 2
    }
        CHECKP(%pred3, 0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpandpdb,0 %dr0, %dr1, %pred4
        nop 2
    }
        CHECKP(%pred4, 0)
    {
        addd,0 0, 0x0, %dr0
        addd,1 0, 0x0, %dr1
    }
    {
        cmpandpdb,1 %dr0, %dr1, %pred5
        nop 2
    }
        CHECKP(%pred5, 1)
    {
        addd,0 0, 0xf0, %dr0
        addd,1 0, 0xf, %dr1
    }
    {
        cmpandlesb,3 %dr0, %dr1, %pred6
        nop 2
    }
        CHECKP(%pred6, 1)
    {
        addd,0 0, 0xf0, %dr0
        addd,1 0, 0x10, %dr1
    }
    {
        cmpandlesb,4 %dr0, %dr1, %pred7
        nop 2
    }
        CHECKP(%pred7, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x8000000000000001, %dr1
    }
    {
        cmpandlesb,0 %dr0, %dr1, %pred8
        nop 2
    }
        CHECKP(%pred8, 1)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpandlesb,1 %dr0, %dr1, %pred9
        nop 2
    }
        CHECKP(%pred9, 1)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpandlesb,3 %dr0, %dr1, %pred10
        nop 2
    }
        CHECKP(%pred10, 0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpandlesb,4 %dr0, %dr1, %pred11
        nop 2
    }
        CHECKP(%pred11, 0)
    {
        addd,0 0, 0x0, %dr0
        addd,1 0, 0x0, %dr1
    }
    {
        cmpandlesb,0 %dr0, %dr1, %pred12
        nop 2
    }
        CHECKP(%pred12, 1)
    {
        addd,0 0, 0xf0, %dr0
        addd,1 0, 0xf, %dr1
    }
    {
        cmpandledb,1 %dr0, %dr1, %pred13
        nop 2
    }
        CHECKP(%pred13, 1)
    {
        addd,0 0, 0xf0, %dr0
        addd,1 0, 0x10, %dr1
    }
    {
        cmpandledb,3 %dr0, %dr1, %pred14
        nop 2
    }
        CHECKP(%pred14, 0)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x8000000000000001, %dr1
    }
    {
        cmpandledb,4 %dr0, %dr1, %pred15
        nop 2
    }
        CHECKP(%pred15, 1)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
    {
        cmpandledb,0 %dr0, %dr1, %pred16
        nop 2
    }
        CHECKP(%pred16, 0)
    {
        addd,0 0, 0x3, %dr0
        addd,1 0, 0x1, %dr1
    }
    {
        cmpandledb,1 %dr0, %dr1, %pred17
        nop 2
    }
        CHECKP(%pred17, 0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x7, %dr1
    }
    {
        cmpandledb,3 %dr0, %dr1, %pred18
        nop 2
    }
        CHECKP(%pred18, 0)
    {
        addd,0 0, 0x0, %dr0
        addd,1 0, 0x0, %dr1
    }
    {
        cmpandledb,4 %dr0, %dr1, %pred19
        nop 2
    }
        CHECKP(%pred19, 1)
    PASS
