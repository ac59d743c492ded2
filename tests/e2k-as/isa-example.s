; SPDX-License-Identifier: GPL-2.0-or-later
; The example firmware of ISA-NOTES 6.2 (";" comments as written there);
; isa-example.golden holds the expected encoding from ISA-NOTES 6.3.
; ---- main, loaded at 0x100000000 -------------------------------------------
start:
  { setwd wsz=0x8, nfx=0x1                  ; 16-register window
    setbn rsz=0x3, rbs=0x4, rcur=0x0 }      ; %b[0..7] = %r8..%r15
  rwd,0 0x0001000000000000, %psp.hi         ; PS size 64 KiB, index 0
  rwd,0 0x1800000000020000, %psp.lo         ; PS base 0x20000, RW
  rwd,0 0x0001000000000000, %pcsp.hi        ; PCS size 64 KiB
  rwd,0 0x1800000000030000, %pcsp.lo        ; PCS base 0x30000, RW
  { addd,0 0x0, hello, %dr8                 ; argument -> callee %r0
    disp %ctpr1, puts }
  call %ctpr1, wbs=0x4
  addd,0 0x0, 0x1010001f0, %dr0             ; ATA data port (I/O area + 0x1F0)
  { addd,0 0x0, 0xe0, %dr1                  ; LBA mode, drive 0
    addd,1 0x0, 0x1, %dr2                   ; one sector
    addd,3 0x0, 0x0, %dr3
    addd,4 0x0, 0x20, %dr4 }                ; READ SECTORS
  stb,2 %r1, [ %dr0 + 0x6 ], mas=0x6        ; port 0x1F6
  stb,2 %r2, [ %dr0 + 0x2 ], mas=0x6        ; port 0x1F2
  stb,2 %r3, [ %dr0 + 0x3 ], mas=0x6        ; LBA 7..0
  stb,2 %r3, [ %dr0 + 0x4 ], mas=0x6        ; LBA 15..8
  stb,2 %r3, [ %dr0 + 0x5 ], mas=0x6        ; LBA 23..16
  { stb,2 %r4, [ %dr0 + 0x7 ], mas=0x6      ; command
    disp %ctpr1, poll }
poll:
  ldb,2 [ %dr0 + 0x7 ], %dr5, mas=0x6       ; status
  andd,0 %dr5, 0x88, %dr6                   ; BSY | DRQ
  cmpedb,0 %dr6, 0x8, %pred0                ; ready when BSY=0, DRQ=1
  ct %ctpr1 ? ~%pred0
  { addd,0 0x0, 0x10000, %dr7               ; buffer
    addd,1 0x0, 0x100, %dr6                 ; 256 words
    disp %ctpr1, rdloop }
rdloop:
  { subd,0 %dr6, 0x1, %dr6
    ldh,2 [ %dr0 + 0x0 ], %dr5, mas=0x6 }   ; 16-bit data port
  { addd,0 %dr7, 0x2, %dr7
    cmpedb,1 %dr6, 0x0, %pred0
    sth,2 %r5, [ %dr7 + 0x0 ] }             ; reads the old %dr7 (2.4)
  ct %ctpr1 ? ~%pred0
  { addd,0 0x0, 0x10000, %dr8               ; puts(sector)
    stb,2 %r3, [ 0x0 + 0x10008 ]            ; NUL after 8 bytes
    disp %ctpr1, puts }
  call %ctpr1, wbs=0x4
halt:
  .word 0x00008001, 0x60000000              ; LMS-style halt (5.9)
spin:
  ibranch spin
; ---- puts(%r0 = NUL-terminated string) -------------------------------------
puts:
  { setwd wsz=0x4, nfx=0x1                  ; 8 registers = psize
    disp %ctpr1, ploop }
  { addd,0 0x0, 0x101000300, %dr2           ; lmscon data port
    disp %ctpr2, pdone }
ploop:
  ldb,0 [ %dr0 + 0x0 ], %dr1
  { cmpedb,0 %dr1, 0x0, %pred0
    addd,1 %dr0, 0x1, %dr0 }
  ct %ctpr2 ? %pred0
  { stb,2 %r1, [ %dr2 + 0x0 ], mas=0x6
    ct %ctpr1 }
pdone:
  return %ctpr3
  ct %ctpr3
  .align 8
hello:
  .ascii "HELLO\r\n\0"
