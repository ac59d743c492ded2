# SPDX-License-Identifier: GPL-2.0-or-later
"""Tokens and GAS-style expressions.

tokenize() turns one statement's operand text into tokens; parse_expr()
builds a small tree that is evaluated later (during layout) with a resolver
that maps symbol names to values.  Numeric local labels (`1b`, `1f`) are
kept as their own token kind and renamed by the assembler before parsing.
"""

import re

from .errors import fail

_TOKEN_RE = re.compile(r'''
    (?P<ws>\s+)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<chr>'(?:[^'\\]|\\.)'?)
  | (?P<hex>0[xX][0-9a-fA-F]+(?:[uU]?[lL]{0,2}|[lL]{1,2}[uU])(?![0-9A-Za-z_$]))
  | (?P<bin>0[bB][01]+(?![0-9A-Za-z_$]))
  | (?P<lref>[0-9]+[bf](?![0-9A-Za-z_$]))
  | (?P<dec>[0-9]+(?:[uU]?[lL]{0,2}|[lL]{1,2}[uU])(?![0-9A-Za-z_$]))
  | (?P<reg>%[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<lpred>@p[0-9]+)
  | (?P<hash>\#[A-Za-z_][A-Za-z0-9_]*)
  | (?P<id>[A-Za-z_.$][A-Za-z0-9_.$]*)
  | (?P<op><<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^~!<>=(),\[\]?:{}@\\])
''', re.X)


class Tok:
    __slots__ = ('kind', 'text', 'value')

    def __init__(self, kind, text, value=None):
        self.kind = kind
        self.text = text
        self.value = value

    def __repr__(self):
        return 'Tok(%s,%r)' % (self.kind, self.text)

    def is_op(self, text):
        return self.kind == 'op' and self.text == text


_ESCAPES = {'n': 10, 't': 9, 'r': 13, '0': 0, 'a': 7, 'b': 8, 'f': 12,
            'v': 11, 'e': 27, '\\': 92, '"': 34, "'": 39}


def unescape(body, loc):
    """Decode the inside of a string literal to bytes (GAS escapes)."""
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != '\\':
            out += c.encode('utf-8')
            i += 1
            continue
        i += 1
        if i >= len(body):
            fail('bad escape at end of string', loc)
        c = body[i]
        if c in '01234567':
            j = i
            while j < len(body) and j < i + 3 and body[j] in '01234567':
                j += 1
            out.append(int(body[i:j], 8) & 0xff)
            i = j
        elif c == 'x':
            j = i + 1
            while j < len(body) and body[j] in '0123456789abcdefABCDEF':
                j += 1
            if j == i + 1:
                fail('bad \\x escape', loc)
            out.append(int(body[i + 1:j], 16) & 0xff)
            i = j
        elif c in _ESCAPES:
            out.append(_ESCAPES[c])
            i += 1
        else:
            out += c.encode('utf-8')
            i += 1
    return bytes(out)


def tokenize(text, loc):
    toks = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m:
            fail('unexpected character %r' % text[pos], loc)
        pos = m.end()
        kind = m.lastgroup
        s = m.group()
        if kind == 'ws':
            continue
        if kind in ('hex', 'dec'):
            s = s.rstrip('uUlL')
        if kind == 'hex':
            toks.append(Tok('num', s, int(s, 16)))
        elif kind == 'bin':
            toks.append(Tok('num', s, int(s[2:], 2)))
        elif kind == 'dec':
            v = int(s, 8) if len(s) > 1 and s[0] == '0' else int(s)
            toks.append(Tok('num', s, v))
        elif kind == 'chr':
            b = unescape(s[1:-1] if s.endswith("'") and len(s) > 2
                         else s[1:], loc)
            if len(b) != 1:
                fail('bad character constant %s' % s, loc)
            toks.append(Tok('num', s, b[0]))
        elif kind == 'str':
            toks.append(Tok('str', s, unescape(s[1:-1], loc)))
        else:
            toks.append(Tok(kind, s))
    return toks


# Binary operators, GAS precedence (higher binds tighter).
_BINOPS = {
    '||': 1, '&&': 2,
    '==': 3, '!=': 3, '<': 3, '>': 3, '<=': 3, '>=': 3,
    '+': 4, '-': 4, '|': 5, '^': 5, '&': 5, '!': 5,
    '*': 6, '/': 6, '%': 6, '<<': 6, '>>': 6,
}


class Parser:
    """Recursive-descent expression parser over a token list."""

    def __init__(self, toks, loc):
        self.toks = toks
        self.pos = 0
        self.loc = loc

    def peek(self):
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def next(self):
        t = self.peek()
        if t is None:
            fail('unexpected end of expression', self.loc)
        self.pos += 1
        return t

    def at_end(self):
        return self.pos >= len(self.toks)

    def expr(self, minprec=1):
        left = self.unary()
        while True:
            t = self.peek()
            if t is None or t.kind != 'op' or t.text not in _BINOPS:
                return left
            prec = _BINOPS[t.text]
            if prec < minprec:
                return left
            self.pos += 1
            right = self.expr(prec + 1)
            left = ('bin', t.text, left, right)

    def unary(self):
        t = self.next()
        if t.kind == 'op' and t.text in '-~!+':
            return ('un', t.text, self.unary())
        if t.kind == 'num':
            return ('num', t.value)
        if t.kind == 'id':
            if t.text == '.':
                return ('dot',)
            return ('sym', t.text)
        if t.kind == 'op' and t.text == '(':
            e = self.expr()
            t2 = self.next()
            if not t2.is_op(')'):
                fail("expected ')' in expression", self.loc)
            return e
        fail('bad expression near %r' % t.text, self.loc)


def parse_expr(toks, loc):
    """Parse a whole token list as one expression."""
    if not toks:
        fail('missing expression', loc)
    p = Parser(toks, loc)
    e = p.expr()
    if not p.at_end():
        fail('junk after expression: %r' % p.peek().text, loc)
    return e


def symbols_of(e, out=None):
    out = set() if out is None else out
    if e[0] == 'sym':
        out.add(e[1])
    elif e[0] == 'un':
        symbols_of(e[2], out)
    elif e[0] == 'bin':
        symbols_of(e[2], out)
        symbols_of(e[3], out)
    return out


def evaluate(e, resolve, dot, loc):
    """Evaluate tree `e`; resolve(name) returns an int or None (undefined)."""
    kind = e[0]
    if kind == 'num':
        return e[1]
    if kind == 'dot':
        if dot is None:
            fail("'.' is not allowed here", loc)
        return dot
    if kind == 'sym':
        v = resolve(e[1])
        if v is None:
            fail('undefined symbol `%s`' % e[1], loc)
        return v
    if kind == 'un':
        a = evaluate(e[2], resolve, dot, loc)
        if e[1] == '-':
            return -a
        if e[1] == '~':
            return ~a
        if e[1] == '!':
            return int(a == 0)
        return a
    a = evaluate(e[2], resolve, dot, loc)
    b = evaluate(e[3], resolve, dot, loc)
    op = e[1]
    if op == '+':
        return a + b
    if op == '-':
        return a - b
    if op == '*':
        return a * b
    if op in ('/', '%'):
        if b == 0:
            fail('division by zero in expression', loc)
        q = abs(a) // abs(b)
        if (a < 0) != (b < 0):
            q = -q
        return q if op == '/' else a - q * b
    if op == '<<':
        return a << (b & 127)
    if op == '>>':
        return a >> (b & 127)
    if op == '&':
        return a & b
    if op == '|':
        return a | b
    if op == '^':
        return a ^ b
    if op == '!':
        return a | ~b
    if op == '&&':
        return int(bool(a) and bool(b))
    if op == '||':
        return int(bool(a) or bool(b))
    cmp = {'==': a == b, '!=': a != b, '<': a < b, '>': a > b,
           '<=': a <= b, '>=': a >= b}[op]
    # GAS: comparisons yield -1 for true.
    return -1 if cmp else 0


def split_top(toks, sep=','):
    """Split tokens at top-level separators (outside () and [])."""
    parts = [[]]
    depth = 0
    for t in toks:
        if t.kind == 'op' and t.text in '([':
            depth += 1
        elif t.kind == 'op' and t.text in ')]':
            depth -= 1
        if depth == 0 and t.kind == 'op' and t.text == sep:
            parts.append([])
            continue
        parts[-1].append(t)
    if len(parts) == 1 and not parts[0]:
        return []
    return parts
