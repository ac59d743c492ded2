# SPDX-License-Identifier: GPL-2.0-or-later
"""Literal syllables LTS0..3: size choice and slot allocation.

A src2 operand that does not fit the 4-bit immediate becomes a literal of
16, 32 or 64 bits (the smallest that reproduces the operand after sign
extension to the operation's width).  16-bit halves exist only in LTS0 and
LTS1; a 64-bit literal takes LTSn (low word) and LTSn+1 (high word).
src2 encodings: 0xD0+n low half, 0xD4+n high half, 0xD8+n word,
0xDC+n pair (ISA-NOTES 2.2).
"""

from .errors import fail

M64 = (1 << 64) - 1


def _sext(v, bits):
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def literal_size(value, width, minsize=16):
    """Smallest literal size (16/32/64) that yields `value` at `width`."""
    mask = (1 << width) - 1
    v = value & mask
    for bits in (16, 32, 64):
        if bits < minsize:
            continue
        if bits >= width or (_sext(v, bits) & mask) == v:
            return bits
    return 64


class _Slots:
    def __init__(self, reserve0):
        # Each word: None (free), ('w', value), ('h', lo, hi) or 'res'.
        self.words = ['res' if reserve0 else None, None, None, None]

    def copy(self):
        s = _Slots(False)
        s.words = list(self.words)
        return s

    def put16(self, half16, want=None):
        """Place a 16-bit value; want = (slot, 'lo'|'hi') or None."""
        cands = []
        if want is not None:
            cands = [want]
        else:
            for n in (0, 1):
                w = self.words[n]
                if isinstance(w, tuple) and w[0] == 'h':
                    if w[1] == half16:
                        return 0xD0 + n
                    if w[2] == half16:
                        return 0xD4 + n
            for n in (0, 1):
                w = self.words[n]
                if isinstance(w, tuple) and w[0] == 'h' and w[2] is None:
                    cands.append((n, 'hi'))
            for n in (0, 1):
                if self.words[n] is None:
                    cands.append((n, 'lo'))
        for n, half in cands:
            w = self.words[n]
            if w is None:
                w = ('h', None, None)
            if not (isinstance(w, tuple) and w[0] == 'h'):
                continue
            idx = 1 if half == 'lo' else 2
            if w[idx] is not None and w[idx] != half16:
                continue
            w = list(w)
            w[idx] = half16
            self.words[n] = tuple(w)
            return (0xD0 if half == 'lo' else 0xD4) + n
        return None

    def put32(self, word, want=None):
        rng = [want] if want is not None else range(4)
        if want is None:
            for n in range(4):
                if self.words[n] == ('w', word):
                    return 0xD8 + n
        for n in rng:
            w = self.words[n]
            if w is None or (want is not None and w == ('w', word)):
                self.words[n] = ('w', word)
                return 0xD8 + n
        return None

    def put64(self, value, want=None):
        lo, hi = value & 0xFFFFFFFF, (value >> 32) & 0xFFFFFFFF
        rng = [want] if want is not None else range(3)
        for n in rng:
            a, b = self.words[n], self.words[n + 1]
            if want is None and a == ('w', lo) and b == ('w', hi):
                return 0xDC + n
            if (a is None or a == ('w', lo)) and (b is None or b == ('w', hi)):
                self.words[n] = ('w', lo)
                self.words[n + 1] = ('w', hi)
                return 0xDC + n
        return None

    def put(self, bits, value, want=None):
        if bits == 16:
            return self.put16(value & 0xFFFF, want)
        if bits == 32:
            return self.put32(value & 0xFFFFFFFF, want)
        return self.put64(value & M64, want)

    def encoded(self):
        """LTS words (index order) up to the highest one used."""
        out = []
        for w in self.words:
            if w is None or w == 'res':
                out.append(0)
            elif w[0] == 'w':
                out.append(w[1])
            else:
                out.append((w[1] or 0) | ((w[2] or 0) << 16))
        n = 4
        while n > 0 and self.words[n - 1] in (None, 'res'):
            n -= 1
        if self.words[0] == 'res' and n == 0:
            n = 1
        return out[:n]


def allocate_literals(requests, reserve0, loc):
    """requests: list of (bits, value, want) with bits fixed (explicit forms)
    when want is given.  Returns (list of src2 bytes, LTS word list, used0).
    LTS0 is kept free when reserve0 (setwd parameters live there)."""
    slots = _Slots(reserve0)
    result = [None] * len(requests)
    for i, (bits, value, want) in enumerate(requests):
        if want is None:
            continue
        if want == (0, 'lo') or want == (0, 'hi') or want == 0:
            if reserve0:
                fail('LTS0 is used by setwd in this bundle', loc)
        b = slots.put(bits, value, want)
        if b is None:
            fail('literal slot conflict in bundle', loc)
        result[i] = b
    auto = [i for i, r in enumerate(requests) if r[2] is None]
    orders = [
        sorted(auto, key=lambda i: (-requests[i][0], -requests[i][1])),
        sorted(auto, key=lambda i: (requests[i][0], -requests[i][1])),
    ]
    for order in orders:
        trial = slots.copy()
        got = list(result)
        ok = True
        for i in order:
            bits, value = requests[i][0], requests[i][1]
            b = None
            while b is None and bits <= 64:
                b = trial.put(bits, value)
                if b is None:
                    bits *= 2
            if b is None:
                ok = False
                break
            got[i] = b
        if ok:
            return got, trial.encoded()
    fail('too many literals for one bundle (LTS0..LTS3)', loc)
