# SPDX-License-Identifier: GPL-2.0-or-later
"""Operand parsing for E2K operations.

An operand becomes a tuple: ('reg', byte), ('pred', n), ('pcnt', n),
('ctpr', n), ('state', num), ('dst', byte) for %empty/%tst/..., ('expr',
tree), ('lit', bits, slot, half, tree) for `_f16s,_lts0lo X`,
('mem', a, b, mas) for `[ a + b ] mas`, ('kv', key, tree), ('lpred', n,
neg) for `@pN`, ('npred', n) for `~%predN`.
"""

import re

from .errors import fail
from .expr import Tok, parse_expr, split_top
from .isa import STATE_REGS

_REG_RE = re.compile(r'%(d?)(r|g)([0-9]+)$')
_SPECIAL_DST = {'empty': 0xDF, 'tst': 0xCD, 'tc': 0xCE, 'tcd': 0xCF}
_LIT_RE = re.compile(r'_lts([0-3])(lo|hi)?$')
LIT_FORMS = {'_f16s': 16, '_f32s': 32, '_f64': 64}


def parse_reg_tokens(toks, loc):
    """Register operand starting at toks[0]; returns (operand, used)."""
    name = toks[0].text
    if name in ('%b', '%db'):
        if (len(toks) < 4 or not toks[1].is_op('[') or
                toks[2].kind != 'num' or not toks[3].is_op(']')):
            fail('bad based register, expected %s[N]' % name, loc)
        n = toks[2].value
        if n > 127:
            fail('based register %s[%d] out of range' % (name, n), loc)
        return ('reg', n), 4
    m = _REG_RE.match(name)
    if m:
        n = int(m.group(3))
        if m.group(2) == 'r':
            if n > 63:
                fail('register %s out of range (max 63)' % name, loc)
            return ('reg', 0x80 + n), 1
        if n > 31:
            fail('register %s out of range (max 31)' % name, loc)
        return ('reg', 0xE0 + n), 1
    low = name[1:]
    m = re.match(r'(pred|pcnt|ctpr)([0-9]+)$', low)
    if m:
        n = int(m.group(2))
        kind = m.group(1)
        if kind == 'ctpr':
            if not 1 <= n <= 3:
                fail('%s: only %%ctpr1..%%ctpr3 exist' % name, loc)
        elif n > 31:
            fail('%s out of range (max 31)' % name, loc)
        return (kind, n), 1
    if low in _SPECIAL_DST:
        return ('dst', _SPECIAL_DST[low]), 1
    if low in STATE_REGS:
        return ('state', STATE_REGS[low]), 1
    fail('unknown register %s' % name, loc)


def _split_mem(inner, loc):
    """Split `[ ... ]` contents into (src1, src2) operands."""
    if not inner:
        fail('empty memory operand', loc)
    if inner[0].kind == 'reg':
        a, used = parse_reg_tokens(inner, loc)
        rest = inner[used:]
        if not rest:
            return a, ('expr', ('num', 0))
        if rest[0].is_op('+'):
            rest = rest[1:]
        elif not rest[0].is_op('-'):
            fail('expected + after register in memory operand', loc)
        if rest and rest[0].kind == 'reg':
            b, used = parse_reg_tokens(rest, loc)
            if used != len(rest):
                fail('junk after register in memory operand', loc)
            return a, b
        return a, _value(rest, loc)
    # Constant part first: `[ X + %reg ]` or `[ A + B ]` or `[ X ]`.
    depth = 0
    for i, t in enumerate(inner):
        if t.kind == 'op' and t.text in '([':
            depth += 1
        elif t.kind == 'op' and t.text in ')]':
            depth -= 1
        elif depth == 0 and t.is_op('+') and i > 0:
            tail = inner[i + 1:]
            if tail and tail[0].kind == 'reg':
                b, used = parse_reg_tokens(tail, loc)
                if used != len(tail):
                    fail('junk after register in memory operand', loc)
                return ('expr', parse_expr(inner[:i], loc)), b
            if i == 1 and inner[0].kind == 'num' and inner[0].value < 32:
                return (('expr', ('num', inner[0].value)),
                        _value(tail, loc))
            break
    return ('expr', ('num', 0)), _value(inner, loc)


def _value(toks, loc):
    """An expression or an explicit literal form inside brackets."""
    if toks and toks[0].kind == 'id' and toks[0].text in LIT_FORMS:
        return parse_operand(toks, loc)
    return ('expr', parse_expr(toks, loc))


def parse_operand(toks, loc):
    if not toks:
        fail('missing operand', loc)
    t = toks[0]
    if t.kind == 'id' and t.text in LIT_FORMS:
        bits = LIT_FORMS[t.text]
        if len(toks) < 3 or not toks[1].is_op(',') or toks[2].kind != 'id':
            fail('expected %s,_ltsN value' % t.text, loc)
        m = _LIT_RE.match(toks[2].text)
        if not m:
            fail('bad literal slot %s' % toks[2].text, loc)
        slot = int(m.group(1))
        half = m.group(2)
        if bits == 16 and (half is None or slot > 1):
            fail('_f16s needs _lts0lo/_lts0hi/_lts1lo/_lts1hi', loc)
        if bits != 16 and half is not None:
            fail('%s takes a whole _ltsN' % t.text, loc)
        if bits == 64 and slot > 2:
            fail('_f64 needs _lts0.._lts2', loc)
        return ('lit', bits, slot, half, parse_expr(toks[3:], loc))
    if t.is_op('['):
        depth = 0
        for i, u in enumerate(toks):
            if u.is_op('['):
                depth += 1
            elif u.is_op(']'):
                depth -= 1
                if depth == 0:
                    break
        else:
            fail("missing ']' in memory operand", loc)
        a, b = _split_mem(toks[1:i], loc)
        rest = toks[i + 1:]
        mas = None
        if rest:
            if (len(rest) > 2 and rest[0].kind == 'id' and
                    rest[0].text == 'mas' and rest[1].is_op('=')):
                rest = rest[2:]
            mas = parse_expr(rest, loc)
        return ('mem', a, b, mas)
    if t.kind == 'reg':
        op, used = parse_reg_tokens(toks, loc)
        if used != len(toks):
            fail('junk after register %s' % t.text, loc)
        return op
    if t.is_op('~') or t.is_op('!'):
        if len(toks) == 2 and toks[1].kind == 'lpred':
            return ('lpred', int(toks[1].text[2:]), True)
        if len(toks) == 2 and toks[1].kind == 'reg':
            op, _ = parse_reg_tokens(toks[1:], loc)
            if op[0] == 'pred':
                return ('npred', op[1])
    if t.kind == 'lpred':
        if len(toks) != 1:
            fail('junk after %s' % t.text, loc)
        return ('lpred', int(t.text[2:]), False)
    if t.kind == 'id' and len(toks) > 1 and toks[1].is_op('='):
        return ('kv', t.text, parse_expr(toks[2:], loc))
    return ('expr', parse_expr(toks, loc))


def parse_operands(toks, loc):
    """Split at top-level commas, re-joining `_f16s,_ltsX` pairs."""
    parts = split_top(toks)
    out = []
    i = 0
    while i < len(parts):
        p = parts[i]
        if (len(p) == 1 and p[0].kind == 'id' and p[0].text in LIT_FORMS
                and i + 1 < len(parts)):
            p = p + [Tok('op', ',')] + parts[i + 1]
            i += 1
        out.append(parse_operand(p, loc))
        i += 1
    return out
