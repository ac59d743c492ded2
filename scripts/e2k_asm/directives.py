# SPDX-License-Identifier: GPL-2.0-or-later
"""GAS directives, conditionals and macros (methods of Assembler).

These functions are bound into assembler.Assembler; `self` is the
assembler with its current unit, section and macro table.
"""

import os
import re
import sys

from .errors import fail
from .expr import tokenize
from .source import split_statements

_PARAM_RE = re.compile(r'\\([A-Za-z_][A-Za-z0-9_]*|\(\)|@)')
DATA_SIZES = {'.byte': 1, '.hword': 2, '.short': 2, '.2byte': 2,
              '.half': 2, '.word': 4, '.long': 4, '.int': 4, '.4byte': 4,
              '.quad': 8, '.8byte': 8, '.dword': 8}
IGNORED = {'.type', '.size', '.file', '.ident', '.hidden', '.protected',
           '.internal', '.loc', '.version', '.attribute', '.list',
           '.nolist', '.psize', '.title', '.sbttl', '.eject', '.addrsig',
           '.addrsig_sym', '.cfi_startproc', '.cfi_endproc', '.cfi_sections',
           '.cfi_def_cfa', '.cfi_offset', '.cfi_def_cfa_offset',
           '.cfi_restore', '.cfi_rel_offset', '.ltorg', '.ignore'}


def _strings(self, text, loc):
    toks = tokenize(text, loc)
    out = []
    cur = None
    for t in toks:
        if t.kind == 'str':
            cur = (cur or b'') + t.value
        elif t.is_op(','):
            if cur is None:
                fail('expected a string', loc)
            out.append(cur)
            cur = None
        else:
            fail('expected a string, got %r' % t.text, loc)
    if cur is None:
        fail('expected a string', loc)
    out.append(cur)
    return out


def _section_args(text, loc):
    parts = [p.strip() for p in text.split(',')]
    name = parts[0].strip('"')
    if not name:
        fail('missing section name', loc)
    flags = None
    if len(parts) > 1:
        flags = parts[1].strip('"')
    return name, flags


def directive(self, word, rest, loc):
    d = word.lower()
    if d in DATA_SIZES:
        for e in self.args(rest, loc):
            self.emit(('data', DATA_SIZES[d], e), loc)
    elif d in ('.ascii', '.asciz', '.string'):
        for s in _strings(self, rest, loc):
            if d != '.ascii':
                s += b'\0'
            self.emit(('bytes', s), loc)
    elif d in ('.align', '.balign', '.p2align'):
        a = self.args(rest, loc)
        if not a:
            fail('%s needs an alignment' % d, loc)
        n = self.const_tree(a[0], loc)
        if d == '.p2align':
            n = 1 << n
        if n <= 0 or n & (n - 1):
            fail('alignment %d is not a power of 2' % n, loc)
        fill = self.const_tree(a[1], loc) if len(a) > 1 else None
        self.sec.align = max(self.sec.align, n)
        self.emit(('align', n, fill), loc)
    elif d in ('.zero', '.skip', '.space'):
        a = self.args(rest, loc)
        if not a or len(a) > 2:
            fail('%s needs a size' % d, loc)
        fill = a[1] if len(a) > 1 else ('num', 0)
        self.emit(('fill', a[0], 1, fill), loc)
    elif d == '.fill':
        a = self.args(rest, loc)
        if not a or len(a) > 3:
            fail('.fill repeat[, size[, value]]', loc)
        size = self.const_tree(a[1], loc) if len(a) > 1 else 1
        if size not in (1, 2, 4, 8):
            fail('.fill size must be 1, 2, 4 or 8', loc)
        self.emit(('fill', a[0], size, a[2] if len(a) > 2 else ('num', 0)),
                  loc)
    elif d in ('.text', '.data', '.bss', '.rodata'):
        self.set_section(d)
    elif d == '.section':
        self.set_section(*_section_args(rest, loc))
    elif d == '.pushsection':
        self.sec_stack.append(self.sec.name)
        self.set_section(*_section_args(rest, loc))
    elif d == '.popsection':
        if not self.sec_stack:
            fail('.popsection without .pushsection', loc)
        self.set_section(self.sec_stack.pop())
    elif d == '.previous':
        if self.prev_sec is not None:
            self.set_section(self.prev_sec.name)
    elif d in ('.global', '.globl', '.weak', '.extern'):
        if d == '.extern':
            return
        for name in rest.split(','):
            name = name.strip()
            if not name:
                fail('%s needs a symbol name' % d, loc)
            self.unit.globals.add(name)
    elif d in ('.set', '.equ', '.equiv'):
        parts = rest.split(',', 1)
        if len(parts) != 2:
            fail('%s name, value' % d, loc)
        name = parts[0].strip()
        if d == '.equiv' and name in self.unit.defined:
            fail('symbol `%s` is already defined' % name, loc)
        self.assign(name, parts[1], loc)
    elif d == '.org':
        a = self.args(rest, loc)
        self.emit(('org', a[0]), loc)
    elif d == '.macro':
        self.define_macro(rest, loc)
    elif d in ('.endm', '.endr', '.exitm'):
        fail('%s without a matching start' % d, loc)
    elif d == '.rept':
        count = self.const(rest, loc)
        self.collect = {'kind': 'rept', 'count': count, 'body': [],
                        'depth': 0, 'loc': loc}
    elif d == '.irp':
        parts = rest.split(',', 1)
        self.collect = {'kind': 'irp', 'var': parts[0].strip(),
                        'values': [v.strip() for v in parts[1].split(',')]
                        if len(parts) > 1 else [''],
                        'body': [], 'depth': 0, 'loc': loc}
    elif d in ('.comm', '.lcomm'):
        common(self, d, rest, loc)
    elif d == '.incbin':
        incbin(self, rest, loc)
    elif d == '.include':
        include(self, rest, loc)
    elif d in ('.err', '.error'):
        msg = rest.strip().strip('"') or '.err encountered'
        fail(msg, loc)
    elif d == '.warning':
        sys.stderr.write('%s:%d: warning: %s\n' % (loc[0], loc[1],
                                                   rest.strip().strip('"')))
    elif d == '.end':
        self.ended = True
    elif d in IGNORED or d.startswith('.cfi_'):
        return
    else:
        fail('unknown directive %s' % word, loc)


def common(self, d, rest, loc):
    """`.comm name, size[, align]`: a zeroed object in this unit's .bss."""
    parts = [p.strip() for p in rest.split(',')]
    if len(parts) < 2 or not parts[0]:
        fail('%s name, size[, align]' % d, loc)
    size = self.const(parts[1], loc)
    align = self.const(parts[2], loc) if len(parts) > 2 else 8
    if align <= 0 or align & (align - 1):
        fail('alignment %d is not a power of 2' % align, loc)
    if d == '.comm':
        self.unit.globals.add(parts[0])
    cur = self.sec.name
    self.set_section('.bss')
    self.sec.align = max(self.sec.align, align)
    self.emit(('align', align, None), loc)
    self.label(parts[0], loc)
    self.emit(('fill', ('num', size), 1, ('num', 0)), loc)
    self.set_section(cur)


def incbin(self, rest, loc):
    parts = [p.strip() for p in rest.split(',')]
    name = parts[0].strip('"')
    skip = self.const(parts[1], loc) if len(parts) > 1 else 0
    count = self.const(parts[2], loc) if len(parts) > 2 else None
    for d in [os.path.dirname(loc[0])] + self.incdirs + ['.']:
        p = os.path.join(d, name)
        if os.path.exists(p):
            with open(p, 'rb') as f:
                data = f.read()[skip:]
            if count is not None:
                data = data[:count]
            self.emit(('bytes', data), loc)
            return
    fail('cannot find %s' % name, loc)


def const_tree(self, tree, loc):
    from .expr import evaluate
    return evaluate(tree, self.early_value, None, loc)


def include(self, rest, loc):
    name = rest.strip().strip('"')
    dirs = [os.path.dirname(loc[0])] + self.incdirs + ['.']
    for d in dirs:
        p = os.path.join(d, name)
        if os.path.exists(p):
            with open(p, encoding='utf-8', errors='replace') as f:
                self.process_text(f.read(), p, False)
            return
    fail('cannot find include file %s' % name, loc)


def conditional(self, word, rest, loc):
    stack = self.cond_stack
    if word in ('.else', '.elseif'):
        if not stack:
            fail('%s without .if' % word, loc)
        active, done, _ = stack[-1]
        parent = all(s[0] for s in stack[:-1])
        if word == '.else':
            stack[-1] = (parent and not done, True, loc)
        else:
            ok = parent and not done and self.const(rest, loc) != 0
            stack[-1] = (ok, done or ok, loc)
        return
    if word == '.endif':
        if not stack:
            fail('.endif without .if', loc)
        stack.pop()
        return
    parent = all(s[0] for s in stack)
    if not parent:
        stack.append((False, True, loc))
        return
    rest = rest.strip()
    if word == '.if':
        ok = self.const(rest, loc) != 0
    elif word in ('.ifdef', '.ifndef'):
        known = rest in self.unit.defined
        ok = known if word == '.ifdef' else not known
    elif word in ('.ifb', '.ifnb'):
        ok = (rest == '') == (word == '.ifb')
    else:
        a, _, b = rest.partition(',')
        ok = (a.strip() == b.strip()) == (word == '.ifc')
    stack.append((ok, ok, loc))


def define_macro(self, rest, loc):
    text = rest.strip()
    m = re.match(r'([A-Za-z_.$][A-Za-z0-9_.$]*)\s*,?\s*(.*)$', text)
    if not m:
        fail('.macro needs a name', loc)
    name, ptext = m.group(1), m.group(2)
    params = []
    for part in ptext.split(','):
        part = part.strip()
        if not part:
            continue
        for p in _split_params(part):
            vararg = False
            if p.endswith(':vararg'):
                vararg = True
                p = p[:-7]
            p = p.replace(':req', '')
            pname, eq, default = p.partition('=')
            params.append((pname.strip(), default.strip() if eq else None,
                           vararg))
    self.collect = {'kind': 'macro', 'macro': _new_macro(name, params, loc),
                    'body': [], 'depth': 0, 'loc': loc}


def _split_params(part):
    if '=' in part:
        # `a=1 b` is unusual; keep a default value whole.
        head, eq, tail = part.partition('=')
        names = head.split()
        return names[:-1] + [names[-1] + eq + tail] if names else [part]
    return part.split()


def _new_macro(name, params, loc):
    from .assembler import Macro
    return Macro(name, params, loc)


def collect_line(self, text, loc):
    c = self.collect
    word = text.split(None, 1)[0] if text.strip() else ''
    starts = ('.macro',) if c['kind'] == 'macro' else ('.rept', '.irp')
    ends = '.endm' if c['kind'] == 'macro' else '.endr'
    if word in starts:
        c['depth'] += 1
    elif word == ends:
        if c['depth'] == 0:
            self.collect = None
            _finish(self, c, loc)
            return
        c['depth'] -= 1
    c['body'].append((text, loc))


def _finish(self, c, loc):
    if c['kind'] == 'macro':
        mac = c['macro']
        mac.body = c['body']
        self.macros[mac.name] = mac
    elif c['kind'] == 'rept':
        for _ in range(c['count']):
            for text, bloc in c['body']:
                self.statement(text, bloc)
    else:
        for v in c['values']:
            for text, bloc in c['body']:
                self.statement(_subst(text, {c['var']: v}, 0), bloc)


def _split_args(text):
    """Split macro arguments at top-level commas (or blanks)."""
    parts = []
    cur = []
    depth = 0
    in_str = False
    for ch in text:
        if in_str:
            cur.append(ch)
            if ch == '"':
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in '([':
            depth += 1
        elif ch in ')]':
            depth -= 1
        elif ch == ',' and depth == 0:
            parts.append(''.join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    parts.append(''.join(cur).strip())
    if parts == ['']:
        return []
    return parts


def _split_blank(arg):
    if '"' in arg or '(' in arg or '[' in arg or '=' in arg:
        return [arg]
    return arg.split()


def _subst(text, values, counter):
    def rep(m):
        key = m.group(1)
        if key == '()':
            return ''
        if key == '@':
            return str(counter)
        if key in values:
            return values[key]
        return m.group(0)
    return _PARAM_RE.sub(rep, text)


def expand(self, mac, rest, loc):
    self.expansions += 1
    counter = self.expansions
    if self.expansions > 100000:
        fail('too many macro expansions (recursive macro?)', loc)
    args = _split_args(rest.strip())
    if len(args) < len(mac.params):
        # GAS also separates arguments with blanks: `m op a, b`.
        words = [w for a in args for w in _split_blank(a)]
        if len(words) <= len(mac.params):
            args = words
    values = {}
    positional = 0
    for a in args:
        m = re.match(r'([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)(.*)$', a)
        if m and any(p[0] == m.group(1) for p in mac.params):
            values[m.group(1)] = m.group(2).strip()
            continue
        if positional >= len(mac.params):
            fail('too many arguments for macro %s' % mac.name, loc)
        pname, _, vararg = mac.params[positional]
        if vararg:
            values[pname] = ', '.join(args[args.index(a):])
            break
        values[pname] = a
        positional += 1
    for pname, default, _ in mac.params:
        if pname not in values or values[pname] == '':
            if default is None and pname not in values:
                values[pname] = ''
            elif default is not None and values.get(pname, '') == '':
                values[pname] = default
    for text, _bloc in mac.body:
        if text.split(None, 1)[0] == '.exitm':
            break
        sub = _subst(text, values, counter)
        for st in split_statements(sub, lambda t: True):
            self.statement(st, loc)
