# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit tests of scripts/e2k-as.py: encodings, channels, literals, macros,
local labels, ELF output, error messages and the disassembler round trip.

Expected words come from ISA-NOTES (6.3 golden listing and the verified
one-liners); the checks run the real command line in a subprocess.
"""

import contextlib
import glob
import io
import os
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
AS = os.path.join(SRC, 'scripts', 'e2k-as.py')
TCG = os.path.join(SRC, 'tests', 'tcg', 'e2k')
ORIGIN = 0x100000000

sys.path.insert(0, os.path.join(SRC, 'scripts'))
from e2k_asm import cli as e2k_cli  # noqa: E402


def disas_path():
    p = os.environ.get('E2K_DISAS')
    if p and os.path.exists(p):
        return p
    p = os.path.join(SRC, 'build', 'e2k-disas')
    return p if os.path.exists(p) else None


class AsmCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def run_as(self, args, separate=False):
        """Run the assembler; in-process unless `separate` (then the real
        command line in a child process)."""
        if separate:
            return subprocess.run([sys.executable, AS] + args,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = e2k_cli.main(list(args))
            except SystemExit as e:
                rc = e.code
        return subprocess.CompletedProcess(args, rc, out.getvalue(),
                                           err.getvalue())

    def assemble(self, text, flat=True, origin=0, name='t.s', extra=(),
                 separate=False):
        src = self.path(name)
        with open(src, 'w') as f:
            f.write(text)
        out = self.path('out.bin')
        args = ['-o', out] + list(extra)
        if flat:
            args += ['--flat', '--origin', hex(origin)]
        res = self.run_as(args + [src], separate)
        self.assertEqual(res.returncode, 0, res.stderr)
        with open(out, 'rb') as f:
            return f.read()

    def fails(self, text, name='bad.s', separate=False):
        src = self.path(name)
        with open(src, 'w') as f:
            f.write(text)
        res = self.run_as(['--flat', '-o', self.path('x.bin'), src],
                          separate)
        self.assertNotEqual(res.returncode, 0)
        self.assertNotIn('Traceback', res.stderr)
        return res.stderr


def bundles(img):
    """Split an image of bundles into lists of 32-bit words."""
    out = []
    pos = 0
    while pos < len(img):
        hs = struct.unpack_from('<I', img, pos)[0]
        n = ((hs >> 4) & 7) + 1
        out.append(list(struct.unpack_from('<%dI' % (2 * n), img, pos)))
        pos += 8 * n
    return out


def elf_sections(img):
    """{name: (addr, file offset, size)} from an ELF64 image."""
    shoff = struct.unpack_from('<Q', img, 40)[0]
    shnum, shstrndx = struct.unpack_from('<HH', img, 60)
    str_off = struct.unpack_from('<Q', img, shoff + 64 * shstrndx + 24)[0]
    out = {}
    for i in range(1, shnum):
        name, _, _, addr, off, size = struct.unpack_from(
            '<IIQQQQ', img, shoff + 64 * i)
        end = img.index(b'\0', str_off + name)
        out[img[str_off + name:end].decode()] = (addr, off, size)
    return out


def channels(hs):
    return [i for i in range(6) if hs & (1 << (26 + i))]


class GoldenTest(AsmCase):
    def test_isa_example(self):
        with open(os.path.join(HERE, 'isa-example.s')) as f:
            img = self.assemble(f.read(), origin=ORIGIN, separate=True)
        with open(os.path.join(HERE, 'isa-example.golden')) as f:
            golden = f.readlines()
        rows = 0
        for line in golden:
            parts = line.split()
            off = int(parts[0], 16) - ORIGIN
            if '"' in line:
                lit = line[line.index('"') + 1:line.rindex('"')]
                data = lit.encode().decode('unicode_escape').encode('latin1')
                self.assertEqual(img[off:off + len(data)], data)
                continue
            words = [int(w, 16) for w in parts[1:] if len(w) == 8]
            got = struct.unpack_from('<%dI' % len(words), img, off)
            self.assertEqual(['%08x' % w for w in got],
                             ['%08x' % w for w in words],
                             'bundle at %#x' % (off + ORIGIN))
            rows += 1
        self.assertEqual(rows, 35)

    def test_one_liners(self):
        cases = [
            ('nop 4', [0x00000200, 0]),
            ('udivs,5 %r0,%r1,%r2', [0x80000001, 0x40808182]),
            ('muls,0 %r0,%r1,%r2', [0x04100011, 0x20808182, 0x01c00000, 0]),
            ('rrd,0 %lsr, %dr4', [0x04100011, 0x3f83c084, 0x01c00000, 0]),
            ('sxt,0 0x6,%r1,%dr2', [0x04000001, 0x0cc68182]),
            ('ldd,2 0x0, 0x1234, %dr0, mas=0x6',
             [0x10008012, 0x67c0d880, 0x60018000, 0x00001234]),
            ('movtd,0 %dr2, %ctpr1', [0x04000001, 0x61c082d1]),
            ('cmpedb,0 %dr6, 0x8, %pred0', [0x04000001, 0x2186c840]),
            ('{ pass %pred0, @p0; pass %pred1, @p1; andp @p0, @p1, @p4; '
             'pass @p4, %pred2 }', [0x00040000, 0x60610062]),
            ('ct %ctpr2 ? %pred0', [0x00001001, 0x00000840]),
            ('return %ctpr3', [0x00004001, 0xf0000000]),
            ('setbn rbs=4, rsz=3, rcur=0', [0x00008001, 0x440000c4]),
            ('faddd,3 %dr0, %dr1, %dr2', [0x20000001, 0x31808182]),
            ('sdivx %dr0, %r1, %r2', [0x80000001, 0x46808182]),
        ]
        for text, words in cases:
            with self.subTest(text=text):
                self.assertEqual(bundles(self.assemble(text + '\n')),
                                 [words])

    def test_cds_conditions(self):
        b = bundles(self.assemble('addd,0 0x0, 0x1, %dr0 ? %pred0\n'
                                  'addd,3 0x0, 0x1, %dr0 ? ~%pred3\n'))
        self.assertEqual(b[0][0], 0x04010011)
        self.assertEqual(b[0][-1], 0x00000460)
        self.assertEqual(b[1][-1] & 0xffff, 0x44e3)
        b = bundles(self.assemble('{ addd,0 0,1,%r0 ? %pred5\n'
                                  '  addd,1 0,1,%r1 ? ~%pred5 }\n'))
        # One RLP entry: channels 0 and 1, channel 1 negated.
        self.assertEqual(b[0][-1], 0x0c00 | 0x0100 | 0x65)


class ChannelTest(AsmCase):
    def chans(self, text):
        return [channels(b[0]) for b in bundles(self.assemble(text))]

    def test_auto_channels(self):
        self.assertEqual(self.chans('{ addd 0,1,%r0; addd 0,2,%r1; '
                                    'addd 0,3,%r2 }\n'), [[0, 1, 2]])
        self.assertEqual(self.chans('udivs %r0, %r1, %r2\n'), [[5]])
        self.assertEqual(self.chans('rrd %lsr, %dr4\n'), [[0]])
        self.assertEqual(self.chans('{ addd,0 0,1,%r0; muld %r1,%r2,%r3 }'
                                    '\n'), [[0, 1]])
        self.assertEqual(self.chans('stb %r1, [ %dr2 ]\n'), [[2]])
        self.assertEqual(self.chans('ldb [ %dr2 ], %r1, mas=7\n'), [[0]])
        # MAS 6 (I/O) accesses only work on channels 2 and 5.
        self.assertEqual(self.chans('ldb [ %dr2 ], %r1, mas=6\n'), [[2]])
        self.assertEqual(self.chans('{ ldb,2 [%dr2], %r1, mas=6\n'
                                    '  ldb [ %dr2 ], %r3, mas=0x6 }\n'),
                         [[2, 5]])
        self.assertEqual(self.chans('{ muld %dr1, %dr2, %dr3\n'
                                    '  muld %dr1, %dr2, %dr4\n'
                                    '  addd 0, 1, %dr5 }\n'), [[0, 1, 2]])

    def test_mirrored_store_load(self):
        # store on 5 forbids a load on 0; the load must go elsewhere.
        self.assertEqual(self.chans('{ stb,5 %r1, [ %dr2 ]; '
                                    'ldb [ %dr3 ], %r4 }\n'), [[2, 5]])
        self.assertEqual(self.chans('{ stb,2 %r1, [ %dr2 ]; '
                                    'ldb,5 [ %dr3 ], %r4; ldb [%dr3], %r5 }'
                                    '\n'), [[0, 2, 5]])
        err = self.fails('{ stb,5 %r1, [ %dr2 ]\n ldb,0 [ %dr3 ], %r4 }\n')
        self.assertIn('bad.s:1: error:', err)

    def test_channel_errors(self):
        self.assertIn('cannot use channel 2',
                      self.fails('muls,2 %r0, %r1, %r2\n'))
        self.assertIn('need channel 2 or 5',
                      self.fails('ldb,0 [ %dr0 ], %r1, mas=0x6\n'))
        self.assertIn('only for loads and stores',
                      self.fails('addd,0 0, 1, %r1, mas=0x7\n'))
        self.assertIn('channel 0 used twice',
                      self.fails('{ addd,0 0,1,%r0; addd,0 0,1,%r1 }\n'))
        self.assertIn('no legal channel',
                      self.fails('{ udivs %r0,%r1,%r2; udivd %r0,%r1,%r2 }'
                                 '\n'))
        seven = '; '.join('addd 0,1,%%r%d' % i for i in range(7))
        self.assertIn('more than 6', self.fails('{ %s }\n' % seven))


class LiteralTest(AsmCase):
    def enc(self, text):
        return bundles(self.assemble(text + '\n'))[0]

    def test_sizes(self):
        w = self.enc('addd,0 0, 0x7fff, %dr1')
        self.assertEqual((w[1] >> 8) & 0xff, 0xd0)
        self.assertEqual(w[-1], 0x7fff)
        w = self.enc('addd,0 0, -1, %dr1')
        self.assertEqual((w[1] >> 8) & 0xff, 0xd0)
        self.assertEqual(w[-1], 0xffff)
        w = self.enc('addd,0 0, 0x8000, %dr1')
        self.assertEqual((w[1] >> 8) & 0xff, 0xd8)
        self.assertEqual(w[-1], 0x8000)
        w = self.enc('addd,0 0, 0x80000000, %dr1')
        self.assertEqual((w[1] >> 8) & 0xff, 0xdc)
        self.assertEqual(w[-2:], [0, 0x80000000])
        w = self.enc('adds,0 0, 0x80000000, %r1')
        self.assertEqual((w[1] >> 8) & 0xff, 0xd8)
        w = self.enc('addd,0 0, 15, %dr1')
        self.assertEqual(w, [0x04000001, 0x11c0cf81])
        w = self.enc('addd,0 0x1f, 0, %dr1')
        self.assertEqual(w[1], 0x11dfc081)

    def test_explicit_forms(self):
        w = self.enc('addd,0 0, _f16s,_lts1hi 0x1234, %dr1')
        self.assertEqual((w[1] >> 8) & 0xff, 0xd5)
        self.assertEqual(w[-2:], [0x12340000, 0])
        w = self.enc('addd,0 0, _f32s,_lts2 5, %dr1')
        self.assertEqual((w[1] >> 8) & 0xff, 0xda)
        self.assertEqual(w[-3:], [5, 0, 0])
        w = self.enc('addd,0 0, _f64,_lts1 0x1122334455667788, %dr1')
        self.assertEqual((w[1] >> 8) & 0xff, 0xdd)
        self.assertEqual(w[-3:], [0x11223344, 0x55667788, 0])

    def test_packing_and_sharing(self):
        w = self.enc('{ addd,0 0, 0x100, %dr1; addd,1 0, 0x200, %dr2; '
                     'addd,2 0, 0x100, %dr3 }')
        self.assertEqual([(x >> 8) & 0xff for x in w[1:4]],
                         [0xd4, 0xd0, 0xd4])
        self.assertEqual(w[-1], 0x01000200)
        # setwd owns LTS0: the literal moves to LTS1.
        w = self.enc('{ setwd wsz=4, nfx=1; addd,0 0, 0x100, %dr1 }')
        self.assertEqual((w[1] >> 8) & 0xff, 0xd1)
        self.assertEqual(w[-1], 0x90)

    def test_too_many(self):
        text = '{ ' + '; '.join('addd,%d 0, 0x%x, %%dr1' %
                                (i, 0x1111111111 * (i + 1))
                                for i in range(3)) + ' }\n'
        self.assertIn('too many literals', self.fails(text))


class SourceTest(AsmCase):
    def test_gas_dialect_file(self):
        src = os.path.join(HERE, 'gas-dialect.S')
        out = self.path('g.elf')
        res = self.run_as(['--map', '-o', out, src])
        self.assertEqual(res.returncode, 0, res.stderr)
        syms = dict(reversed(line.split()) for line in
                    res.stdout.splitlines())
        self.assertEqual(int(syms['_start'], 16), 0x10000)
        scratch = int(syms['scratch'], 16)
        self.assertEqual(int(syms['sym1'], 16), scratch + 4)
        self.assertEqual(int(syms['sym2'], 16), 2 * (scratch + 4))

    def test_mcst_source_forms(self):
        # Forms seen in MCST boot code: a section named "text", values in
        # brackets, UL suffixes, a bare MAS after the brackets.
        img = self.assemble(
            '#define BASE 0x0000000110000000UL\n'
            '.section "text"\n'
            'addd 0, [size_sym], %r8\n'
            'addd,1 0x10, BASE, %dr0\n'
            'ldw,2 [%dr0] 6, %r0\n'
            'std %r0, [0x0] 71\n'
            'andd %r4, (~(0xfff)),%r4\n'
            'setwd wsz=0x10+4\n'
            'size_sym = 0x1234\n', name='m.S')
        b = bundles(img)
        self.assertEqual(b[0][1:], [0x11c0d088, 0, 0x1234])
        self.assertEqual(b[1][-2:], [0x1, 0x10000000])
        self.assertEqual(b[2][1:3], [0x6680c080, 0x60018000])
        self.assertEqual(b[3][2], 0x60000000 | (0x47 << 14))
        self.assertEqual(b[4][-1], 0xf000)
        self.assertEqual(b[5][-1], 0x14 << 5)

    def test_mcst_library_forms(self):
        # `$` symbols, .ignore, `op,sm` without a channel, a MAS
        # expression after the brackets, address-first `stX [ a ], %d`.
        img = self.assemble(
            '.section ".text", "ax"\n.global $f\n.type $f,@function\n$f:\n'
            '.ignore ld_st_style\n{\n nop\n'
            ' ldb,sm [ %dr1 + 0x8 ] (0x3 | 0x40), %empty ? ~ %pred3\n'
            ' stw,2 [ %dr0 + %dr6 ], %db[10] ? ~ %pred6\n}\n'
            '.size $f, . - $f\n')
        w = bundles(img)[0]
        self.assertEqual(channels(w[0]), [0, 2])
        self.assertEqual(w[1], 0xe481c8df)            # ldb,0,sm ... %empty
        self.assertEqual(w[2], 0x2680860a)            # stw,2 data %b[10]
        self.assertEqual(w[3], 0x60000000 | (0x43 << 21))

    def test_macros_and_local_labels(self):
        img = self.assemble(
            '.macro put v=3, r=%r1\n addd,0 0, \\v, \\r\n.endm\n'
            'put\nput 5\nput r=%r2, v=7\n'
            '1: ibranch 1f\n ibranch 1b\n1: ibranch 1b\n'
            '.rept 2\n nop 1\n.endr\n')
        b = bundles(img)
        self.assertEqual(b[0][1], 0x11c0c381)
        self.assertEqual(b[1][1], 0x11c0c581)
        self.assertEqual(b[2][1], 0x11c0c782)
        # ibranch disp (units of 8 bytes) relative to the bundle.
        self.assertEqual([x[2] for x in b[3:6]], [4, 0x0ffffffe, 0])
        self.assertEqual([x[0] for x in b[6:8]], [0x80, 0x80])

    def test_macro_params_after_semicolon(self):
        img = self.assemble('.macro two op, a\n \\op \\a ; \\op \\a\n.endm\n'
                            'two nop, 3\n')
        self.assertEqual([b[0] for b in bundles(img)], [0x180, 0x180])

    def test_cpp_iset_and_defines(self):
        text = ('#if __iset__ >= 5\n addd,0 0, 5, %r0\n#else\n'
                ' addd,0 0, 3, %r0\n#endif\n addd,0 0, VAL, %r1\n')
        img = self.assemble(text, name='c.S', extra=['-DVAL=9'])
        self.assertEqual(bundles(img)[0][1], 0x11c0c380)
        self.assertEqual(bundles(img)[1][1], 0x11c0c981)
        img = self.assemble(text, name='c.S',
                            extra=['-DVAL=9', '-mcpu=elbrus-v5'])
        self.assertEqual(bundles(img)[0][1], 0x11c0c580)

    def test_comments_and_conditionals(self):
        img = self.assemble('/* a\n multi-line */ nop 1 // tail\n'
                            '# hash line\n'
                            'nop 2 ; a comment that is not code\n'
                            'nop 3 ; nop 4\n'
                            '.if 1 + 1 == 2\n nop 5\n.else\n nop 6\n.endif\n'
                            '.ifdef nosuch\n nop 7\n.endif\n'
                            '.irp n, 1, 2\n nop \\n\n.endr\n'
                            '.macro v first, rest:vararg\n .byte \\rest\n'
                            ' .exitm\n .byte 99\n.endm\n'
                            '.data\n v 1, 2, 3\n')
        b = bundles(img[:56])
        self.assertEqual([x[0] >> 7 for x in b], [1, 2, 3, 4, 5, 1, 2])
        self.assertEqual(img[64:], bytes([2, 3]))   # .data 16-aligned

    def test_data_directives(self):
        img = self.assemble('.data\nx: .byte 1, 2\n .hword 0x304\n'
                            ' .word 0x5060708\n .quad x\n'
                            ' .ascii "ab"\n .asciz "c"\n .fill 2, 2, 0x99\n'
                            ' .align 4\n .zero 1\n')
        self.assertEqual(img, bytes([1, 2, 4, 3, 8, 7, 6, 5]) +
                         bytes(8) + b'abc\0' + b'\x99\0\x99\0' + bytes(1))

    def test_comm_and_incbin(self):
        with open(self.path('blob'), 'wb') as f:
            f.write(b'0123456789')
        img = self.assemble('.data\n.incbin "blob", 2, 3\n'
                            '.comm buf, 32, 16\n.lcomm small, 4\n'
                            '.balign 8\n.quad buf, small\n')
        self.assertEqual(img[:3], b'234')
        buf, small = struct.unpack_from('<QQ', img, 8)
        self.assertEqual(buf % 16, 0)
        self.assertEqual(small, buf + 32)
        self.assertGreaterEqual(buf, 24)

    def test_sections_push_pop(self):
        img = self.assemble('.text\n nop 1\n.pushsection .rodata\n'
                            's: .asciz "hi"\n.popsection\n'
                            ' addd,0 0, s, %r0\n')
        b = bundles(img[:24])
        # .rodata follows .text at the next 16-byte boundary.
        self.assertEqual(b[1][-1], 0x20)
        self.assertEqual(img[0x20:0x23], b'hi\0')


class ElfTest(AsmCase):
    def test_two_files(self):
        a = self.path('a.s')
        b = self.path('b.s')
        with open(a, 'w') as f:
            f.write('.text\n.global _start\n_start:\n disp %ctpr1, func\n'
                    ' call %ctpr1, wbs=4\n addd,0 0, value, %r0\n')
        with open(b, 'w') as f:
            f.write('.text\n.global func\nfunc:\n return %ctpr3\n'
                    ' ct %ctpr3\n.data\n.globl value\nvalue: .quad func\n')
        out = self.path('p.elf')
        res = self.run_as(['-o', out, a, b], separate=True)
        self.assertEqual(res.returncode, 0, res.stderr)
        with open(out, 'rb') as f:
            img = f.read()
        self.assertEqual(img[:4], b'\x7fELF')
        self.assertEqual(img[4:6], b'\x02\x01')
        etype, machine = struct.unpack_from('<HH', img, 16)
        self.assertEqual((etype, machine), (2, 175))
        entry, phoff = struct.unpack_from('<QQ', img, 24)
        phnum = struct.unpack_from('<H', img, 56)[0]
        self.assertEqual(phnum, 2)
        _, flags, off, vaddr, _, filesz, _, _ = \
            struct.unpack_from('<IIQQQQQQ', img, phoff)
        self.assertEqual(entry, vaddr)
        text = img[off:off + filesz]
        b = bundles(text)
        func = vaddr + sum(4 * len(x) for x in b[:3])
        self.assertEqual(func, vaddr + 40)
        self.assertEqual(b[0][1], 0x40000000 | 5)       # disp to func
        _, flags, doff, dvaddr, _, _, _, _ = \
            struct.unpack_from('<IIQQQQQQ', img, phoff + 56)
        self.assertEqual(flags, 6)
        self.assertEqual(struct.unpack_from('<Q', img, doff)[0], func)
        self.assertEqual(b[2][-1], dvaddr)               # value's address

    def test_rodata_after_odd_text(self):
        # .text of 24 bytes: .rodata starts 8 bytes of padding later.
        a = self.path('a.s')
        with open(a, 'w') as f:
            f.write('_start: nop 1\n addd,0 0, s, %r0\n'
                    '.section .rodata\ns: .asciz "xyz"\n'
                    '.data\nd: .quad s\n')
        out = self.path('p.elf')
        res = self.run_as(['-o', out, a])
        self.assertEqual(res.returncode, 0, res.stderr)
        with open(out, 'rb') as f:
            img = f.read()
        secs = elf_sections(img)
        addr, off, size = secs['.rodata']
        self.assertEqual(img[off:off + size], b'xyz\0')
        self.assertEqual(addr % 16, 0)
        daddr, doff, _ = secs['.data']
        self.assertEqual(struct.unpack_from('<Q', img, doff)[0], addr)
        self.assertEqual(daddr % 0x1000, doff % 0x1000)
        taddr, toff, tsize = secs['.text']
        self.assertEqual(tsize, 24)
        self.assertEqual(bundles(img[toff:toff + tsize])[1][-1], addr)

    def test_duplicate_global(self):
        a = self.path('a.s')
        with open(a, 'w') as f:
            f.write('.global x\nx: nop 1\n')
        res = self.run_as(['-o', self.path('o'), a, a])
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('defined in both', res.stderr)


class ErrorTest(AsmCase):
    def test_messages(self):
        cases = [
            ('nop 1\nfoo %r1\n', 'bad.s:2: error: unknown operation `foo`'),
            ('addd,0 0, 1, %r99\n', 'bad.s:1: error: register %r99'),
            ('addd,0 0, nowhere, %r1\n', 'undefined symbol `nowhere`'),
            ('.data\n.byte 1\n.text\n.byte 1\nnop 1\n', 'not 8-byte aligned'),
            ('{ nop 1\n', "bad.s:1: error: missing '}'"),
            ('.bogus 1\n', 'unknown directive .bogus'),
            ('addd,7 0, 1, %r1\n', 'channel 7 does not exist'),
            ('addd,0 40, 1, %r1\n', 'src1 immediate 40 out of range'),
            ('{ call %ctpr1, wbs=4; stb,2 %r1, [%dr0], mas=6 }\n',
             'only one CS1'),
            ('{ ct %ctpr1; ct %ctpr2 }\n', 'only one control transfer'),
            ('ibranch 1b\n', 'no previous definition of local label 1'),
            ('x: nop 1\nx: nop 1\n', 'bad.s:2: error: symbol `x` is already'),
            ('setwd wsz=200\n', 'wsz=200 out of range'),
            ('.macro m a\n.endm\nm 1, 2\n', 'too many arguments'),
        ]
        for text, msg in cases:
            with self.subTest(text=text):
                self.assertIn(msg, self.fails(text))

    def test_cpp_error_and_line_numbers(self):
        err = self.fails('#include "missing.h"\n', name='bad.S',
                         separate=True)
        self.assertIn('preprocessor failed', err)
        err = self.fails('\n\n#define X 1\n\nnop 1\nbadop\n', name='bad.S')
        self.assertIn('bad.S:6: error:', err)


class RoundTripTest(AsmCase):
    """assemble -> e2k-disas -> assemble gives identical .text bytes."""

    def sources(self):
        out = [os.path.join(HERE, 'isa-example.s')]
        out += sorted(glob.glob(os.path.join(TCG, '*.S')))
        return out

    def test_round_trip(self):
        disas = disas_path()
        if disas is None:
            self.skipTest('build/e2k-disas does not exist yet')
        with open(os.path.join(HERE, 'isa-example.s')) as f:
            ex = self.assemble(f.read(), origin=ORIGIN)
        # Code of the ISA example, without the raw halt words and string.
        self.one(disas, ex[:0x1b8], ORIGIN, 'isa-example')
        self.one(disas, ex[0x1c0:0x238], ORIGIN + 0x1c0, 'isa-example')
        for src in sorted(glob.glob(os.path.join(TCG, '*.S'))):
            with open(src) as f:
                if 'round-trip: no' in f.read():
                    continue        # holds a deliberately illegal bundle
            for rt in ('-DRT_USER', '-DRT_SYS'):
                with self.subTest(src=os.path.basename(src), rt=rt):
                    addr, text = self.elf_text(src, rt)
                    self.one(disas, text, addr, src)

    def elf_text(self, src, rt):
        out = self.path('rt.elf')
        base = ['--base', hex(ORIGIN)] if rt == '-DRT_SYS' else []
        res = self.run_as(['-I', os.path.join(TCG, 'include'), rt,
                           '-o', out, src] + base)
        self.assertEqual(res.returncode, 0, res.stderr)
        with open(out, 'rb') as f:
            img = f.read()
        addr, off, size = elf_sections(img)['.text']
        return addr, img[off:off + size]

    def one(self, disas, code, origin, what):
        binf = self.path('code.bin')
        with open(binf, 'wb') as f:
            f.write(code)
        res = subprocess.run([disas, '--origin', hex(origin), binf],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        self.assertEqual(res.returncode, 0, res.stderr)
        asm = self.path('dis.s')
        with open(asm, 'w') as f:
            f.write(res.stdout)
        out = self.path('again.bin')
        res2 = self.run_as(['--flat', '--origin', hex(origin), '-o', out,
                            asm])
        self.assertEqual(res2.returncode, 0, '%s: %s\n--- disassembly:\n%s'
                         % (what, res2.stderr, res.stdout))
        with open(out, 'rb') as f:
            again = f.read()
        self.assertEqual(again.hex(), code.hex(),
                         '%s: round trip differs; disassembly:\n%s'
                         % (what, res.stdout))


if __name__ == '__main__':
    unittest.main()
