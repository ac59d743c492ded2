# SPDX-License-Identifier: GPL-2.0-or-later
"""Statements, directives, macros and sections of one input file.

Assembler.process_file() reads a file (through cpp when asked) and turns it
into a Unit: per-section item lists (labels, bundles, data, alignment,
assignments) plus the file's global names.  Addresses are not known here;
link.py lays all units out and evaluates everything.
"""

import re

from .errors import AsmError, fail
from .expr import tokenize, parse_expr, split_top, evaluate
from .source import run_cpp, source_lines, split_statements, first_word
from .bundle import parse_op
from .pack import Bundle
from . import isa

_LABEL_RE = re.compile(r'([A-Za-z_.$][A-Za-z0-9_.$]*|[0-9]+)\s*:(?![=:])')
_ASSIGN_RE = re.compile(r'([A-Za-z_.$][A-Za-z0-9_.$]*)\s*=(?!=)(.*)$')
_LREF_RE = re.compile(r'(?<![A-Za-z0-9_.$])([0-9]+)([bf])(?![A-Za-z0-9_.$])')


def section_kind(name, flags=None):
    if flags is not None:
        if 'x' in flags:
            return 'text'
        if 'w' in flags:
            return 'bss' if name.startswith('.bss') else 'data'
        return 'rodata'
    bare = name[1:] if name.startswith('.') else name
    for prefix in ('text', 'rodata', 'data', 'bss'):
        if bare == prefix or bare.startswith(prefix + '.'):
            return prefix
    if name.startswith('.init') or name.startswith('.fini'):
        return 'text'
    if name.startswith('.tbss') or name.startswith('.sbss'):
        return 'bss'
    return 'data'


class Section:
    def __init__(self, name, kind):
        self.name = name
        self.kind = kind
        self.items = []
        self.align = 8


class Macro:
    def __init__(self, name, params, loc):
        self.name = name
        self.params = params    # list of (name, default or None, vararg)
        self.body = []
        self.loc = loc


class Unit:
    def __init__(self, index, path):
        self.index = index
        self.path = path
        self.sections = {}
        self.order = []
        self.globals = set()
        self.defined = {}


class Assembler:
    def __init__(self, iset=4, defines=(), undefs=(), incdirs=(),
                 use_cpp=None):
        self.iset = iset
        self.defines = list(defines)
        self.undefs = list(undefs)
        self.incdirs = list(incdirs)
        self.use_cpp = use_cpp
        self.units = []
        self.cur_loc = None
        self.macros = {}
        self.expansions = 0

    # -- files ---------------------------------------------------------

    def process_file(self, path):
        unit = Unit(len(self.units), path)
        self.units.append(unit)
        self.unit = unit
        self.sec = None
        self.prev_sec = None
        self.sec_stack = []
        self.bundle = None
        self.cond_stack = []
        self.collect = None
        self.lcounts = {}
        self.ended = False
        self.set_section('.text')
        cpp = self.use_cpp
        if cpp is None:
            cpp = path.endswith('.S') or path.endswith('.sx')
        if cpp:
            text = run_cpp(path, self.defines, self.undefs, self.incdirs,
                           self.iset)
        else:
            try:
                with open(path, encoding='utf-8', errors='replace') as f:
                    text = f.read()
            except OSError as e:
                raise AsmError('cannot read %s: %s' % (path, e.strerror))
        self.process_text(text, path, cpp)
        if self.bundle is not None:
            fail("missing '}' for bundle opened here", self.bundle.loc)
        if self.collect is not None:
            fail('missing .endm/.endr', self.collect['loc'])
        if self.cond_stack:
            fail('missing .endif', self.cond_stack[-1][2])
        return unit

    def process_text(self, text, path, cpp):
        for fname, line, ltext in source_lines(text, path, cpp):
            if self.ended:
                break
            loc = (fname, line)
            for st in split_statements(ltext, self.starts_statement):
                self.statement(st, loc)

    def starts_statement(self, text):
        s = text.strip()
        if not s or s[0] in '{}.\\':
            return True
        if _LABEL_RE.match(s) or _ASSIGN_RE.match(s):
            return True
        w = first_word(s)
        if w is None:
            return False
        w = w.split(',')[0]
        return isa.is_mnemonic(w) or w in self.macros

    # -- statements ----------------------------------------------------

    def statement(self, text, loc):
        self.cur_loc = loc
        if self.collect is not None:
            self.collect_line(text, loc)
            return
        word = first_word(text)
        if word in ('.if', '.ifdef', '.ifndef', '.else', '.elseif',
                    '.endif', '.ifnb', '.ifb', '.ifc', '.ifnc'):
            self.conditional(word, text[text.index(word) + len(word):],
                             loc)
            return
        if self.cond_stack and not self.cond_stack[-1][0]:
            return
        while True:
            m = _LABEL_RE.match(text)
            if not m:
                break
            self.label(m.group(1), loc)
            text = text[m.end():].strip()
            if not text:
                return
        if text == '{':
            if self.bundle is not None:
                fail("nested '{'", loc)
            self.bundle = Bundle(loc)
            return
        if text == '}':
            if self.bundle is None:
                fail("'}' without '{'", loc)
            b, self.bundle = self.bundle, None
            self.emit_bundle(b)
            return
        m = _ASSIGN_RE.match(text)
        if m:
            if m.group(1) == '.':
                self.emit(('org', self.expr(m.group(2), loc)), loc)
            else:
                self.assign(m.group(1), m.group(2), loc)
            return
        word = text.split(None, 1)[0]
        rest = text[len(word):]
        if word.startswith('.') and word.split(',')[0] not in isa.OPS:
            self.directive(word, rest.strip(), loc)
            return
        if word in self.macros:
            self.expand(self.macros[word], rest, loc)
            return
        text = self.fix_lrefs(rest, loc)
        op = parse_op(word, text, loc)
        if self.bundle is not None:
            self.bundle.add(op)
        else:
            b = Bundle(loc)
            b.add(op)
            self.emit_bundle(b)

    def emit_bundle(self, b):
        if self.sec.kind != 'text':
            # Code in a section not named like text: treat it as code
            # unless data was already put there.
            if any(it[0] != 'label' for it in self.sec.items):
                fail('instructions in data section %s' % self.sec.name,
                     b.loc)
            self.sec.kind = 'text'
        b.close(self.iset)
        self.emit(('bundle', b), b.loc)

    def emit(self, item, loc):
        if self.bundle is not None and item[0] != 'bundle':
            fail('directive or label inside a bundle', loc)
        self.sec.items.append(item + (loc,))

    def label(self, name, loc):
        if name.isdigit():
            k = self.lcounts.get(name, 0) + 1
            self.lcounts[name] = k
            name = '.L$%s$%d' % (name, k)
        elif name in self.unit.defined and \
                self.unit.defined[name] == 'label':
            fail('symbol `%s` is already defined' % name, loc)
        self.unit.defined[name] = 'label'
        self.emit(('label', name), loc)

    def assign(self, name, text, loc):
        if self.unit.defined.get(name) == 'label':
            fail('symbol `%s` is already defined' % name, loc)
        self.unit.defined[name] = 'set'
        self.emit(('set', name, self.expr(text, loc)), loc)

    def fix_lrefs(self, text, loc):
        """Rename numeric local label references outside strings."""
        if not any(c.isdigit() for c in text):
            return text
        parts = re.split(r'("(?:[^"\\]|\\.)*")', text)

        def ref(m):
            n, d = m.group(1), m.group(2)
            k = self.lcounts.get(n, 0)
            if d == 'b':
                if k == 0:
                    fail('no previous definition of local label %s' % n,
                         loc)
                return '.L$%s$%d' % (n, k)
            return '.L$%s$%d' % (n, k + 1)
        for i in range(0, len(parts), 2):
            parts[i] = _LREF_RE.sub(ref, parts[i])
        return ''.join(parts)

    def expr(self, text, loc):
        return parse_expr(tokenize(self.fix_lrefs(text, loc), loc), loc)

    def const(self, text, loc):
        """Evaluate an expression that must be known while parsing."""
        def resolve(name):
            return self.early_value(name)
        return evaluate(self.expr(text, loc), resolve, None, loc)

    def early_value(self, name):
        for sec in self.unit.sections.values():
            for item in reversed(sec.items):
                if item[0] == 'set' and item[1] == name:
                    try:
                        return evaluate(item[2], self.early_value, None,
                                        item[3])
                    except AsmError:
                        return None
        return None

    def args(self, text, loc):
        toks = tokenize(self.fix_lrefs(text, loc), loc)
        return [parse_expr(p, loc) for p in split_top(toks)]

    # -- sections ------------------------------------------------------

    def set_section(self, name, flags=None):
        if name not in self.unit.sections:
            self.unit.sections[name] = Section(name,
                                               section_kind(name, flags))
            self.unit.order.append(name)
        self.prev_sec = self.sec
        self.sec = self.unit.sections[name]

    # The directive table lives in directives.py to keep files small.
    from .directives import (directive, conditional, collect_line, expand,
                             const_tree, define_macro)
