# SPDX-License-Identifier: GPL-2.0-or-later
"""Bundle checking, channel allocation and byte encoding.

Bundle.close() validates the set of operations (one CS0, one CS1 group,
channel rules of ISA-NOTES 3.5) and picks channels for operations written
without one.  Bundle.encode() produces the bytes for a given address and
symbol values (called on every layout pass; `final` enables range checks).
"""

import struct

from .errors import fail
from .expr import evaluate
from . import isa
from .literals import allocate_literals, literal_size

M64 = (1 << 64) - 1


def _is_io_mas(tree):
    """True for a constant MAS whose mode bits are 6 (I/O page access)."""
    return tree[0] == 'num' and tree[1] & 7 == 6


class Bundle:
    def __init__(self, loc):
        self.loc = loc
        self.ops = []
        self.min_words = 2

    def add(self, op):
        self.ops.append(op)

    # -- checks and channel allocation -----------------------------------

    def close(self, iset):
        self.iset = iset
        counts = {}
        for op in self.ops:
            if op.kind == 'cs0':
                counts.setdefault('cs0', []).append(op.name)
            if op.kind in ('ct', 'call') or op.name == 'ibranch':
                counts.setdefault('ct', []).append(op.name)
        for key, names in counts.items():
            if len(names) > 1:
                what = 'control transfer' if key == 'ct' else 'CS0'
                fail('only one %s operation per bundle (%s)' %
                     (what, ', '.join(names)), self.loc)
        self._cs1_group()
        self._assign_channels()
        self._check_ct()

    def _cs1_group(self):
        names = [op.name for op in self.ops if op.kind == 'cs1' or
                 op.kind == 'call']
        if any(op.kind == 'als' and op.mas is not None for op in self.ops):
            names.append('mas')
        kinds = set()
        for n in names:
            if n in ('setwd', 'setbn', 'setbp'):
                kinds.add('setr')
            elif n in ('flushr', 'flushc'):
                kinds.add('flush')
            else:
                kinds.add(n)
        if len(kinds) > 1 or len(names) != len(set(names)):
            fail('only one CS1 syllable per bundle: %s cannot be combined' %
                 ', '.join(names), self.loc)

    def _check_ct(self):
        for op in self.ops:
            if op.kind == 'ct' or op.kind == 'call':
                disp = [o for o in self.ops if o.kind == 'cs0' and
                        o.name not in ('disp', 'sdisp', 'ldisp', 'return')]
                if disp:
                    fail('%s cannot share the bundle with %s' %
                         (op.name, disp[0].name), self.loc)

    def _assign_channels(self):
        als = [op for op in self.ops if op.kind == 'als']
        used = {}
        for op in als:
            if op.ch is not None:
                if op.ch in used:
                    fail('channel %d used twice (%s and %s)' %
                         (op.ch, used[op.ch].name, op.name), op.loc)
                used[op.ch] = op
        free = [op for op in als if op.ch is None]
        if not self._search(free, 0, used):
            if len(als) > 6:
                fail('more than 6 ALS operations in one bundle', self.loc)
            fail('no legal channel assignment for this bundle', self.loc)
        for op in als:
            self._check_op_channel(op, used)

    def _allowed(self, op):
        chans = op.info.chans
        if op.mas is not None:
            io = _is_io_mas(op.mas)
            chans = [c for c in chans if c in (isa.IO_CH if io
                                               else isa.MAS_CH)]
        return chans

    def _search(self, free, i, used):
        if i == len(free):
            return self._mirror_ok(used)
        op = free[i]
        for ch in self._allowed(op):
            if ch in used:
                continue
            used[ch] = op
            op.ch = ch
            if self._search(free, i + 1, used):
                return True
            del used[ch]
            op.ch = None
        return False

    @staticmethod
    def _mirror_ok(used):
        def fmt(ch):
            return used[ch].info.fmt if ch in used else None
        if fmt(2) == 'store' and fmt(3) == 'load':
            return False
        if fmt(5) == 'store' and fmt(0) == 'load':
            return False
        return True

    def _check_op_channel(self, op, used):
        if not self._mirror_ok(used):
            fail('a store on channel 2/5 cannot share the bundle with a load'
                 ' on channel 3/0', self.loc)
        if op.mas is not None and op.ch not in isa.MAS_CH:
            fail('mas= needs channel 0, 2, 3 or 5', op.loc)
        if op.mas is not None and _is_io_mas(op.mas) and \
                op.ch not in isa.IO_CH:
            fail('I/O accesses (MAS 6) need channel 2 or 5', op.loc)

    # -- encoding ----------------------------------------------------------

    def encode(self, addr, resolve, final):
        enc = _Encoder(self, addr, resolve, final)
        words = enc.run()
        if len(words) < self.min_words:
            words = enc.pad_to(self.min_words)
        self.min_words = len(words)
        return struct.pack('<%dI' % len(words), *words)


class _Encoder:
    def __init__(self, bundle, addr, resolve, final):
        self.b = bundle
        self.addr = addr
        self.resolve = resolve
        self.final = final
        self.loc = bundle.loc

    def val(self, tree, loc):
        if self.final:
            return evaluate(tree, self.resolve, self.addr, loc)

        def lenient(name):
            v = self.resolve(name)
            return 0 if v is None else v
        try:
            return evaluate(tree, lenient, self.addr, loc)
        except Exception:
            return 0

    def check(self, cond, msg, loc):
        if self.final and not cond:
            fail(msg, loc)

    def field(self, tree, bits, name, loc):
        v = self.val(tree, loc)
        self.check(0 <= v < (1 << bits), '%s=%d out of range (0..%d)' %
                   (name, v, (1 << bits) - 1), loc)
        return v & ((1 << bits) - 1)

    # src operands
    def src1(self, a, op):
        if a[0] == 'reg':
            return a[1]
        if a[0] == 'expr':
            v = self.val(a[1], op.loc)
            self.check(0 <= v <= 31, 'src1 immediate %d out of range '
                       '(0..31; literals go in src2)' % v, op.loc)
            return 0xC0 | (v & 31)
        fail('bad src1 operand for %s (literals only go in src2)' %
             op.name, op.loc)

    def src2(self, a, op, lits):
        if a[0] == 'reg':
            return a[1]
        if a[0] == 'lit':
            bits, slot, half = a[1], a[2], a[3]
            v = self.val(a[4], op.loc)
            want = (slot, half) if bits == 16 else slot
            lits.append((op, bits, v & M64, want))
            return None
        if a[0] == 'expr':
            v = self.val(a[1], op.loc)
            if 0 <= v <= 15:
                return 0xC0 | v
            width = op.info.width
            minsize = 32 if op.info.fmt in ('load', 'store') else 16
            bits = literal_size(v, width, minsize)
            lits.append((op, bits, v & ((1 << width) - 1), None))
            return None
        fail('bad src2 operand for %s' % op.name, op.loc)

    def dst(self, a, op):
        if a[0] == 'reg':
            return a[1]
        if a[0] == 'dst':
            return a[1]
        if a[0] == 'ctpr' and op.info.fmt == 'mov':
            return 0xD0 | a[1]
        fail('bad destination for %s' % op.name, op.loc)

    def als_fields(self, op, lits):
        """Returns (src1, src2-or-None, low byte)."""
        info = op.info
        a = op.args
        if info.fmt in ('alu', 'load'):
            return self.src1(a[0], op), self.src2(a[1], op, lits), \
                self.dst(a[2], op)
        if info.fmt == 'store':
            return self.src1(a[0], op), self.src2(a[1], op, lits), a[2][1]
        if info.fmt == 'cmp':
            if a[2][0] != 'pred':
                fail('%s writes a %%predN' % op.name, op.loc)
            return self.src1(a[0], op), self.src2(a[1], op, lits), \
                (info.cmp << 5) | a[2][1]
        if info.fmt == 'mov':
            return 0xC0, self.src2(a[0], op, lits), self.dst(a[1], op)
        if info.fmt == 'rw':
            if a[1][0] not in ('state', 'ctpr'):
                fail('%s writes a state register' % op.name, op.loc)
            sr = a[1][1] if a[1][0] == 'state' else 0x14 + a[1][1]
            return 0xC0, self.src2(a[0], op, lits), sr
        if a[0][0] not in ('state', 'ctpr'):
            fail('%s reads a state register' % op.name, op.loc)
        sr = a[0][1] if a[0][0] == 'state' else 0x14 + a[0][1]
        return sr, 0xC0, self.dst(a[1], op)

    def run(self):
        b = self.b
        ops = b.ops
        st = {'als': {}, 'ales': {}, 'cs0': None, 'cs1': None, 'ss': 0,
              'ss_used': False, 'hs': 0, 'setwd': None}
        lits = []
        pending = {}
        for op in ops:
            if op.kind == 'als':
                s1, s2, low = self.als_fields(op, lits)
                pending[op.ch] = [op, s1, s2, low]
                if op.info.ales is not None:
                    st['ales'][op.ch] = op.info.ales
        self.control(ops, st)
        requests = [(bits, v, want) for (_, bits, v, want) in lits]
        bytes2, lts = allocate_literals(requests, st['setwd'] is not None,
                                        self.loc)
        for (op, _, _, _), byte in zip(lits, bytes2):
            pending[op.ch][2] = byte
        if st['setwd'] is not None:
            lts = lts if lts else [0]
            lts[0] = st['setwd']
        for ch, (op, s1, s2, low) in pending.items():
            st['als'][ch] = ((1 << 31) if op.sm else 0) | \
                (op.info.opc << 24) | (s1 << 16) | (s2 << 8) | low
        pls = self.plu(ops)
        cds = self.cds(ops)
        return self.pack(st, lts, pls, cds)

    def pad_to(self, n):
        words = self.last
        f2 = self.f2_end
        return words[:f2] + [0] * (n - len(words)) + words[f2:]

    def pack(self, st, lts, pls, cds):
        iset = self.b.iset
        hs = st['hs']
        f1 = [0]
        if st['ss_used']:
            hs |= 1 << 12
            f1.append(st['ss'])
        for ch in range(6):
            if ch in st['als']:
                hs |= 1 << (26 + ch)
                f1.append(st['als'][ch])
        if st['cs0'] is not None:
            hs |= 1 << 14
            f1.append(st['cs0'])
        ales = st['ales']
        for ch in ales:
            hs |= 1 << (20 + ch)
        if (2 in ales or 5 in ales) and iset >= 4:
            f1.append(((ales.get(2, 0)) << 16) | ales.get(5, 0))
        if st['cs1'] is not None:
            hs |= 1 << 15
            f1.append(st['cs1'])
        halves = [ales[ch] for ch in (0, 1, 3, 4) if ch in ales]
        hw = []
        for i in range(0, len(halves), 2):
            hi = halves[i]
            lo = halves[i + 1] if i + 1 < len(halves) else 0
            hw.append((hi << 16) | lo)
        tail = list(reversed(lts)) + list(reversed(pls)) + \
            list(reversed(cds))
        total = len(f1) + len(hw) + len(tail)
        gap = total & 1
        if total + gap < 2:
            gap = 2 - total
        nwords = total + gap
        if nwords > 16:
            fail('bundle too long (%d bytes, max 64)' % (nwords * 4),
                 self.loc)
        hs |= len(cds) << 16
        hs |= len(pls) << 18
        hs |= ((nwords // 2) - 1) << 4
        hs |= len(f1) - 1
        f1[0] = hs
        words = f1 + hw + [0] * gap + tail
        self.last = words
        self.f2_end = len(f1) + len(hw)
        return words

    def control(self, ops, st):
        cs1 = None
        mas = {}
        for op in ops:
            k = op.kind
            if k == 'als' and op.mas is not None:
                mas[op.ch] = self.field(op.mas, 7, 'mas', op.loc)
            elif k == 'cs0':
                st['cs0'] = self.cs0(op, st)
            elif k == 'ct':
                self.set_ct(st, op.ctpr, op.cond)
            elif k == 'call':
                self.set_ct(st, op.ctpr, op.cond)
                cs1 = 0x50000000 | self.field(op.wbs, 7, 'wbs', op.loc)
            elif k == 'hs':
                if op.name == 'loop_mode':
                    st['hs'] |= 1 << 10
                else:
                    st['hs'] |= self.field(op.value, 3, 'nop', op.loc) << 7
            elif k == 'ss':
                self.ss_op(op, st)
        cs1 = self.cs1_setr(ops, st, cs1)
        if mas:
            cs1 = 0x60000000
            for ch, shift in ((0, 21), (2, 14), (3, 7), (5, 0)):
                cs1 |= mas.get(ch, 0) << shift
        st['cs1'] = cs1

    def cs1_setr(self, ops, st, cs1):
        by = {op.name: op for op in ops if op.kind == 'cs1'}
        if 'setwd' in by or 'setbn' in by or 'setbp' in by:
            cs1 = 0 if 'setwd' in by else 0x40000000
            if 'setwd' in by:
                kv = by['setwd'].kv
                loc = by['setwd'].loc
                wsz = self.field(kv['wsz'], 7, 'wsz', loc)
                nfx = self.field(kv.get('nfx', ('num', 0)), 1, 'nfx', loc)
                dbl = self.field(kv.get('dbl', ('num', 0)), 1, 'dbl', loc)
                st['setwd'] = (wsz << 5) | (nfx << 4) | (dbl << 3)
            if 'setbn' in by:
                kv = by['setbn'].kv
                loc = by['setbn'].loc
                cs1 |= 1 << 26
                cs1 |= self.field(kv.get('rbs', ('num', 0)), 6, 'rbs', loc)
                cs1 |= self.field(kv.get('rsz', ('num', 0)), 6, 'rsz',
                                  loc) << 6
                cs1 |= self.field(kv.get('rcur', ('num', 0)), 6, 'rcur',
                                  loc) << 12
            if 'setbp' in by:
                kv = by['setbp'].kv
                cs1 |= 1 << 27
                cs1 |= self.field(kv.get('psz', ('num', 0)), 5, 'psz',
                                  by['setbp'].loc) << 18
        if 'wait' in by:
            cs1 = 0x30000000
            names = ('all_c', 'all_e', 'st_c', 'ld_c', 'fl_c', 'ma_c',
                     'trap', 'sas', 'sal')
            kv = by['wait'].kv
            for bit, n in enumerate(names):
                if n in kv:
                    cs1 |= self.field(kv[n], 1, n, by['wait'].loc) << bit
        if 'flushr' in by or 'flushc' in by:
            cs1 = 0x70000000 | (1 if 'flushr' in by else 0) | \
                (2 if 'flushc' in by else 0)
        return cs1

    def set_ct(self, st, ctpr, cond):
        ctype, psrc = cond
        st['ss_used'] = True
        st['ss'] |= (ctpr << 10) | (ctype << 5) | psrc

    def ss_op(self, op, st):
        st['ss_used'] = True
        if op.name == 'ipd':
            st['ss'] |= self.field(op.value, 2, 'ipd', op.loc) << 30
            return
        bits = {'alcf': 17, 'alct': 16, 'abnf': 22, 'abnt': 21,
                'abpf': 19, 'abpt': 18, 'abgi': 24, 'abgd': 23}
        for key, tree in op.kv.items():
            st['ss'] |= self.field(tree, 1, key, op.loc) << bits[key]

    def disp(self, tree, op):
        target = self.val(tree, op.loc)
        delta = target - self.addr
        self.check(delta % 8 == 0, 'branch target %#x is not 8-byte '
                   'aligned' % target, op.loc)
        self.check(-(1 << 30) <= delta < (1 << 30),
                   'branch target out of range', op.loc)
        return (delta >> 3) & 0x0FFFFFFF

    def cs0(self, op, st):
        n = op.name
        if n == 'disp':
            return (op.ctpr << 30) | self.disp(op.target, op)
        if n == 'ldisp':
            return (op.ctpr << 30) | (1 << 28) | self.disp(op.target, op)
        if n == 'sdisp':
            v = self.val(op.target, op.loc)
            self.check(0 <= v < (1 << 28), 'sdisp entry out of range',
                       op.loc)
            return (op.ctpr << 30) | (2 << 28) | (v & 0x0FFFFFFF)
        if n == 'return':
            return 0xF0000000
        if n == 'ibranch':
            self.set_ct(st, 0, op.cond)
            return self.disp(op.target, op)
        return 0x30000000 | {'done': 0, 'hret': 3, 'glaunch': 4}[n]

    def plu(self, ops):
        pls = {}

        def get(i):
            return pls.setdefault(i, {'elp': [None, None], 'clp': None,
                                      'wb': None})
        for op in ops:
            if op.kind != 'pls':
                continue
            a = op.args
            if op.name == 'pass' and a[1][0] == 'lpred':
                if a[0][0] == 'npred':
                    fail('pass %predN, @pK cannot negate', op.loc)
                slot = get(a[1][1] // 2)
                if slot['elp'][a[1][1] % 2] is not None:
                    fail('@p%d loaded twice' % a[1][1], op.loc)
                slot['elp'][a[1][1] % 2] = 0x60 | a[0][1]
            elif op.name != 'pass':
                slot = get(a[2][1] - 4)
                if slot['clp'] is not None:
                    fail('@p%d computed twice' % a[2][1], op.loc)
                code = {'andp': 0, 'landp': 1, 'movep': 3}[op.name]
                slot['clp'] = (code, a[0], a[1])
        for op in ops:
            if op.kind == 'pls' and op.name == 'pass' and \
                    a_is_wb(op.args):
                src, dst = op.args
                if src[1] >= 4:
                    slot = get(src[1] - 4)
                    if slot['clp'] is None:
                        fail('@p%d is not computed in this bundle' % src[1],
                             op.loc)
                else:
                    slot = None
                    for i in range(3):
                        s = pls.get(i)
                        if s is None or s['clp'] is None:
                            slot = get(i)
                            slot['clp'] = (0, src, src)
                            break
                    if slot is None:
                        fail('no free PLS for pass @p%d' % src[1], op.loc)
                if slot['wb'] is not None:
                    fail('two write-backs of one local predicate', op.loc)
                slot['wb'] = dst[1] if not src[2] else None
                if src[2]:
                    fail('pass ~@pN, %predN is not encodable', op.loc)
        if not pls:
            return []
        out = []
        for i in range(max(pls) + 1):
            s = pls.get(i, {'elp': [None, None], 'clp': None, 'wb': None})
            if i == 2 and s['elp'] != [None, None]:
                fail('PLS2 has no ELP (@p4/@p5 only come from PLS0/1)',
                     self.loc)
            w = ((s['elp'][0] or 0) << 24) | ((s['elp'][1] or 0) << 16)
            if s['clp'] is not None:
                code, x, y = s['clp']
                w |= (code << 14) | (int(x[2]) << 13) | (x[1] << 10) | \
                    (int(y[2]) << 9) | (y[1] << 6)
            if s['wb'] is not None:
                w |= (1 << 5) | s['wb']
            out.append(w)
        return out

    def cds(self, ops):
        entries = {}
        order = []
        for op in ops:
            if op.kind != 'als' or op.cond is None:
                continue
            kind, n, neg = op.cond
            src = (0x60 if kind == 'pred' else 0x40) | n
            mrgc = op.info.name in ('merges', 'merged')
            key = (mrgc, op.ch // 3, src)
            if key not in entries:
                entries[key] = 0
                order.append(key)
            k = op.ch % 3
            entries[key] |= (1 << (10 + k)) | (int(neg) << (7 + k))
        for op in ops:
            if op.kind == 'als' and op.info.name in ('merges', 'merged') \
                    and op.cond is None:
                fail('%s needs a condition (? %%predN)' % op.name, op.loc)
        if len(order) > 6:
            fail('too many conditions in one bundle', self.loc)
        halves = [(int(m) << 15) | (c << 14) | entries[(m, c, s)] | s
                  for (m, c, s) in order]
        out = []
        for i in range(0, len(halves), 2):
            lo = halves[i]
            hi = halves[i + 1] if i + 1 < len(halves) else 0
            out.append(lo | (hi << 16))
        return out


def a_is_wb(args):
    return args[0][0] == 'lpred' and args[1][0] == 'pred'
