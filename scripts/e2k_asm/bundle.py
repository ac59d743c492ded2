# SPDX-License-Identifier: GPL-2.0-or-later
"""Parsing of one E2K operation statement into an Op.

parse_op() turns `mnemonic[,ch[,sm]] operands [? cond]` into an Op: ALS
operations keep their operand tuples (operands.py), control operations
(setwd, disp, ct, call, nop, PLU ops...) their fields.  pack.py combines
the Ops of a bundle and encodes them.
"""

from .errors import fail
from .expr import tokenize, split_top
from .operands import parse_operands, parse_reg_tokens
from . import isa


class Op:
    """A parsed operation.  kind: als, cs0, ct, call, cs1, hs, ss, pls."""

    def __init__(self, kind, name, loc):
        self.kind = kind
        self.name = name
        self.loc = loc
        self.info = None
        self.ch = None          # explicit channel, later the assigned one
        self.sm = False
        self.args = []
        self.cond = None        # ('pred', n, neg) / ('pcnt', n, neg) / ct
        self.mas = None


def _parse_cond(toks, loc):
    """Condition after `?`: returns (type, psrc) for CT or an RLP tuple."""
    parts = split_top(toks, '||')
    conj = None
    if len(parts) == 2:
        conj = '||'
    else:
        parts = split_top(toks, '&&')
        if len(parts) == 2:
            conj = '&&'
        elif len(parts) != 1:
            fail('bad condition', loc)
    pred = None
    loop = None
    for p in parts:
        neg = False
        while p and (p[0].is_op('~') or p[0].is_op('!')):
            neg = not neg
            p = p[1:]
        if len(p) == 1 and p[0].kind == 'hash':
            if p[0].text not in ('#LOOP_END', '#NOT_LOOP_END'):
                fail('unknown condition %s' % p[0].text, loc)
            loop = p[0].text
            if neg:
                loop = '#LOOP_END' if loop != '#LOOP_END' else \
                    '#NOT_LOOP_END'
            continue
        if not p or p[0].kind != 'reg':
            fail('bad condition', loc)
        op, used = parse_reg_tokens(p, loc)
        if used != len(p) or op[0] not in ('pred', 'pcnt'):
            fail('condition must be %predN, ~%predN or #LOOP_END', loc)
        pred = (op[0], op[1], neg)
    return {'pred': pred, 'loop': loop, 'conj': conj}


def _ct_cond(cond, loc):
    """Map a parsed condition to SS (type, psrc)."""
    if cond is None:
        return isa.COND_ALWAYS, 0
    pred, loop, conj = cond['pred'], cond['loop'], cond['conj']
    if pred is not None and pred[0] != 'pred':
        fail('control transfer condition must use %predN', loc)
    if loop is None:
        return (isa.COND_NPRED if pred[2] else isa.COND_PRED), pred[1]
    if pred is None:
        return (isa.COND_LOOP_END if loop == '#LOOP_END'
                else isa.COND_NOT_LOOP_END), 0
    table = {
        (False, '||', '#LOOP_END'): isa.COND_PRED_OR_LE,
        (True, '&&', '#NOT_LOOP_END'): isa.COND_NPRED_AND_NLE,
        (True, '||', '#LOOP_END'): isa.COND_NPRED_OR_LE,
        (False, '&&', '#NOT_LOOP_END'): isa.COND_PRED_AND_NLE,
    }
    key = (pred[2], conj, loop)
    if key not in table:
        fail('unsupported condition combination', loc)
    return table[key], pred[1]


def parse_op(word, text, loc, macros_ok=True):
    """Parse one operation statement: `word` is the first blank-free word."""
    parts = word.split(',')
    name = parts[0]
    toks = tokenize(text, loc)
    cond = None
    for i, t in enumerate(toks):
        if t.is_op('?'):
            cond = _parse_cond(toks[i + 1:], loc)
            toks = toks[:i]
            break
    args = parse_operands(toks, loc)
    if name in isa.OPS:
        op = Op('als', name, loc)
        op.info = isa.OPS[name]
        for extra in parts[1:]:
            extra = extra.strip()
            if extra == 'sm':
                op.sm = True
            elif extra.isdigit() and op.ch is None:
                op.ch = int(extra)
                if op.ch > 5:
                    fail('channel %d does not exist (0..5)' % op.ch, loc)
            else:
                fail('bad operation suffix `,%s`' % extra, loc)
        if op.ch is not None and op.ch not in op.info.chans:
            fail('%s cannot use channel %d (allowed: %s)' %
                 (name, op.ch, ','.join(map(str, op.info.chans))), loc)
        if cond is not None:
            if cond['loop'] is not None or cond['conj'] is not None:
                fail('ALS conditions take one %predN or %pcntN', loc)
            op.cond = cond['pred']
        if name in ('merges', 'merged') and len(args) == 4 and \
                args[3][0] in ('pred', 'npred') and op.cond is None:
            # MCST form: merged src1, src2, dst, [~]%predN
            last = args.pop()
            op.cond = ('pred', last[1], last[0] == 'npred')
        _take_mas(op, args)
        op.args = args
        _check_als_args(op)
        return op
    if len(parts) > 1:
        fail('`%s` takes no channel suffix' % name, loc)
    return _parse_control(name, args, cond, loc)


def _take_mas(op, args):
    for a in list(args):
        if a[0] == 'kv' and a[1] == 'mas':
            op.mas = a[2]
            args.remove(a)
        elif a[0] == 'mem' and a[3] is not None:
            op.mas = a[3]
    if op.mas is not None and op.info.fmt not in ('load', 'store'):
        fail('mas= is only for loads and stores', op.loc)


def _check_als_args(op):
    fmt = op.info.fmt
    args = op.args
    loc = op.loc
    for a in args:
        if a[0] == 'kv':
            fail('unexpected %s= in %s' % (a[1], op.name), loc)
    if fmt == 'load':
        if len(args) == 2 and args[0][0] == 'mem':
            op.args = [args[0][1], args[0][2], args[1]]
        elif len(args) == 3 and args[1][0] == 'mem':
            op.args = [args[0], _single(args[1], loc), args[2]]
        elif len(args) != 3:
            fail('%s needs address and destination' % op.name, loc)
    elif fmt == 'store':
        if len(args) == 2 and args[1][0] == 'mem':
            op.args = [args[1][1], args[1][2], args[0]]
        elif len(args) == 2 and args[0][0] == 'mem':
            # address first: `stX [ a + b ], %data`
            op.args = [args[0][1], args[0][2], args[1]]
        elif len(args) == 3 and args[1][0] == 'mem':
            op.args = [args[0], _single(args[1], loc), args[2]]
        elif len(args) != 3:
            fail('%s needs data and address' % op.name, loc)
        if op.args[2][0] != 'reg':
            fail('store data must be a register', loc)
    elif fmt in ('alu', 'cmp'):
        if any(a[0] == 'mem' and a[3] is not None for a in args):
            fail('MAS only applies to loads and stores', loc)
        if len(args) != 3:
            fail('%s needs 3 operands' % op.name, loc)
    elif len(args) != 2:
        fail('%s needs 2 operands' % op.name, loc)
    # MCST sources write `[ sym ]` for "the value sym" in ALU operands.
    op.args = [_single(a, loc) if a[0] == 'mem' else a for a in op.args]


def _single(mem, loc):
    """`[ X ]` used as src2 only: one expression or register."""
    a, b = mem[1], mem[2]
    if a == ('expr', ('num', 0)):
        return b
    if b == ('expr', ('num', 0)):
        return a
    if a[0] == 'expr' and b[0] == 'expr':
        return ('expr', ('bin', '+', a[1], b[1]))
    fail('memory operand too complex here', loc)


def _kv(args, allowed, loc, name):
    out = {}
    for a in args:
        if a[0] != 'kv' or a[1] not in allowed:
            fail('%s takes %s' % (name, ', '.join(k + '=' for k in allowed)),
                 loc)
        out[a[1]] = a[2]
    return out


def _ctpr_arg(args, i, loc, name):
    if len(args) <= i or args[i][0] != 'ctpr':
        fail('%s needs a %%ctprN operand' % name, loc)
    return args[i][1]


def _parse_control(name, args, cond, loc):
    op = Op(None, name, loc)
    op.args = args
    if cond is not None and name not in ('ct', 'call', 'ibranch'):
        fail('`%s` cannot be conditional' % name, loc)
    if name in ('setwd', 'setbn', 'setbp', 'wait', 'alc', 'abn', 'abp',
                'abg'):
        keys = {'setwd': ('wsz', 'nfx', 'dbl'),
                'setbn': ('rsz', 'rbs', 'rcur'), 'setbp': ('psz',),
                'wait': ('all_c', 'all_e', 'st_c', 'ld_c', 'fl_c', 'ma_c',
                         'trap', 'sas', 'sal'),
                'alc': ('alcf', 'alct'), 'abn': ('abnf', 'abnt'),
                'abp': ('abpf', 'abpt'), 'abg': ('abgi', 'abgd')}[name]
        op.kind = 'ss' if name in ('alc', 'abn', 'abp', 'abg') else 'cs1'
        op.kv = _kv(args, keys, loc, name)
        if name == 'setwd' and 'wsz' not in op.kv:
            fail('setwd needs wsz=', loc)
        return op
    if name in ('disp', 'sdisp', 'ldisp'):
        op.kind = 'cs0'
        if len(args) != 2 or args[1][0] != 'expr':
            fail('%s needs %%ctprN, target' % name, loc)
        op.ctpr = _ctpr_arg(args, 0, loc, name)
        if name == 'ldisp' and op.ctpr != 2:
            fail('ldisp works on %ctpr2 only', loc)
        op.target = args[1][1]
        return op
    if name == 'return':
        op.kind = 'cs0'
        if _ctpr_arg(args, 0, loc, name) != 3 or len(args) != 1:
            fail('return needs %ctpr3', loc)
        return op
    if name in ('done', 'hret', 'glaunch'):
        op.kind = 'cs0'
        if args:
            fail('%s takes no operands' % name, loc)
        return op
    if name == 'ibranch':
        op.kind = 'cs0'
        if len(args) != 1 or args[0][0] != 'expr':
            fail('ibranch needs a target', loc)
        op.target = args[0][1]
        op.cond = _ct_cond(cond, loc)
        return op
    if name == 'ct':
        op.kind = 'ct'
        op.ctpr = _ctpr_arg(args, 0, loc, name)
        if len(args) != 1:
            fail('ct takes one %ctprN', loc)
        op.cond = _ct_cond(cond, loc)
        return op
    if name == 'call':
        op.kind = 'call'
        op.ctpr = _ctpr_arg(args, 0, loc, name)
        kv = _kv(args[1:], ('wbs',), loc, name)
        if 'wbs' not in kv:
            fail('call needs wbs=', loc)
        op.wbs = kv['wbs']
        op.cond = _ct_cond(cond, loc)
        return op
    if name in ('nop', 'ipd'):
        op.kind = 'hs' if name == 'nop' else 'ss'
        if len(args) > 1 or (args and args[0][0] != 'expr'):
            fail('%s takes one number' % name, loc)
        op.value = args[0][1] if args else ('num', 1 if name == 'nop'
                                            else 0)
        return op
    if name == 'loop_mode':
        op.kind = 'hs'
        return op
    if name in ('flushr', 'flushc'):
        op.kind = 'cs1'
        return op
    if name in ('pass', 'andp', 'landp', 'movep'):
        op.kind = 'pls'
        _check_pls(op)
        return op
    fail('unknown operation `%s`' % name, loc)


def _check_pls(op):
    a = op.args
    loc = op.loc
    if op.name == 'pass':
        if len(a) != 2:
            fail('pass needs source and destination', loc)
        if a[0][0] in ('pred', 'npred') and a[1][0] == 'lpred':
            if a[1][2] or a[1][1] > 3:
                fail('pass %predN loads @p0..@p3 only', loc)
            return
        if a[0][0] == 'lpred' and a[1][0] == 'pred':
            return
        fail('pass: expected %predN, @pN or @pN, %predN', loc)
    if len(a) != 3 or any(x[0] != 'lpred' for x in a):
        fail('%s needs @pA, @pB, @pC' % op.name, loc)
    if a[2][2] or not 4 <= a[2][1] <= 6:
        fail('%s result must be @p4..@p6' % op.name, loc)
    for x in a[:2]:
        if x[1] > 6:
            fail('local predicate @p%d out of range' % x[1], loc)
