#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# block-coroutine-wrapper.py: generate block/block-gen.c, the
# synchronous wrappers of the block layer's coroutine functions.
#
# Input: headers whose declarations carry one of the marker words of
# include/qemu/compiler.h.  For a declaration
#
#     int co_wrapper_mixed_bdrv_rdlock bdrv_flush(BlockDriverState *bs);
#
# we emit bdrv_flush(), which runs bdrv_co_flush() in a new coroutine in
# the node's AioContext, polls until it finishes and returns its result.
#
#   co_wrapper                    only outside coroutines (asserted)
#   co_wrapper_mixed              inside a coroutine: call directly
#   co_wrapper[_mixed]_bdrv_rdlock  the coroutine takes the graph read lock
#   no_co_wrapper[_bdrv_rdlock|_bdrv_wrlock]
#                                 the reverse: bdrv_co_x() for coroutines,
#                                 running bdrv_x() in a main-loop BH
#                                 (with the main-loop read / write lock)
#
# Wrappers are only emitted for functions whose implementation exists in
# the scanned sources (--sources) or, as static inline, in the headers;
# the others are listed at the end of the output.  This lets the headers carry QEMU's whole API while the block
# layer is still being filled in, without link errors.
#
# Usage: block-coroutine-wrapper.py OUT --sources SRC... --headers HDR...

import re
import sys

MARKERS = ('co_wrapper', 'co_wrapper_mixed', 'co_wrapper_bdrv_rdlock',
           'co_wrapper_mixed_bdrv_rdlock', 'no_co_wrapper',
           'no_co_wrapper_bdrv_rdlock', 'no_co_wrapper_bdrv_wrlock')

# Words that may sit in a declaration but are not part of the C type.
ANNOTATIONS = ('coroutine_fn', 'coroutine_mixed_fn', 'GRAPH_RDLOCK',
               'GRAPH_WRLOCK', 'GRAPH_UNLOCKED', 'no_coroutine_fn')

DECL_RE = re.compile(
    r'(?P<head>[\w\s\*]*?)\b(?P<marker>' + '|'.join(
        sorted(MARKERS, key=len, reverse=True)) + r')\b'
    r'(?P<mid>[\w\s\*]*?)\b(?P<name>\w+)\s*\((?P<args>[^;{}]*?)\)\s*;')

CONTROL = {'if', 'for', 'while', 'switch', 'return', 'sizeof'}


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'//[^\n]*', ' ', text)
    # Preprocessor lines (multi-line macros included) are not C decls.
    return re.sub(r'^\s*#(?:[^\n]*\\\n)*[^\n]*', ' ', text, flags=re.M)


def defined_functions(paths):
    """Names of the functions that have a body in @paths."""
    names = set()
    for path in paths:
        try:
            with open(path, encoding='utf-8') as f:
                text = strip_comments(f.read())
        except OSError:
            continue
        for m in re.finditer(r'\b([A-Za-z_]\w*)\s*\(', text):
            if m.group(1) in CONTROL:
                continue
            depth, i = 1, m.end()
            while i < len(text) and depth:
                if text[i] == '(':
                    depth += 1
                elif text[i] == ')':
                    depth -= 1
                i += 1
            rest = text[i:i + 200].lstrip()
            if rest.startswith('{'):
                names.add(m.group(1))
    return names


class Arg:
    def __init__(self, text):
        text = ' '.join(text.split())
        m = re.match(r'(.*?)(\w+)$', text)
        if not m:
            raise ValueError('cannot parse argument: ' + text)
        self.type = m.group(1).strip()
        self.name = m.group(2)

    def decl(self):
        sep = '' if self.type.endswith('*') else ' '
        return self.type + sep + self.name


class Wrapper:
    def __init__(self, m):
        self.marker = m.group('marker')
        words = (m.group('head') + ' ' + m.group('mid')).replace('*', ' * ')
        words = [w for w in words.split() if w not in ANNOTATIONS]
        self.ret = ' '.join(words).replace(' *', '*').replace('*', ' *')
        self.ret = self.ret.strip()
        self.name = m.group('name')
        args = m.group('args').strip()
        self.args = [] if args in ('', 'void') else \
            [Arg(a) for a in args.split(',')]
        self.reverse = self.marker.startswith('no_co_wrapper')
        self.mixed = '_mixed' in self.marker
        self.rdlock = self.marker.endswith('_bdrv_rdlock')
        self.wrlock = self.marker.endswith('_bdrv_wrlock')
        prefix, _, rest = self.name.partition('_')
        if self.reverse:
            if not rest.startswith('co_'):
                raise ValueError(self.name + ': no_co_wrapper needs _co_')
            self.target = prefix + '_' + rest[3:]
        else:
            self.target = prefix + '_co_' + rest
        self.void = self.ret == 'void'

    def proto(self):
        args = ', '.join(a.decl() for a in self.args) or 'void'
        sep = '' if self.ret.endswith('*') else ' '
        return '%s%s%s(%s)' % (self.ret, sep, self.name, args)

    def call_args(self, prefix=''):
        return ', '.join(prefix + a.name for a in self.args)

    def state_struct(self, extra):
        lines = ['typedef struct %s {' % self.state, extra]
        if not self.void:
            sep = '' if self.ret.endswith('*') else ' '
            lines.append('    %s%sret;' % (self.ret, sep))
        for a in self.args:
            sep = '' if a.type.endswith('*') else ' '
            lines.append('    %s%s%s;' % (a.type, sep, a.name))
        lines.append('} %s;' % self.state)
        return '\n'.join(lines)

    @property
    def state(self):
        return 'CoWrapperState_' + self.name

    def aio_context(self):
        if not self.args:
            return 'qemu_get_aio_context()'
        first = self.args[0]
        t = first.type.replace(' ', '')
        if t in ('BlockDriverState*', 'constBlockDriverState*'):
            return 'bdrv_get_aio_context(%s)' % first.name
        if t == 'BdrvChild*':
            return 'bdrv_get_aio_context(%s->bs)' % first.name
        if t == 'BlockBackend*':
            return 'blk_get_aio_context(%s)' % first.name
        return 'qemu_get_aio_context()'

    def gen_forward(self):
        """Synchronous wrapper around a coroutine function."""
        assign = '' if self.void else 's->ret = '
        lock = unlock = ''
        if self.rdlock:
            lock = '    bdrv_graph_co_rdlock();\n'
            unlock = '    bdrv_graph_co_rdunlock();\n'
        if self.mixed:
            ret = '' if self.void else 'return '
            head = ('    if (qemu_in_coroutine()) {\n'
                    '        %s%s(%s);\n' % (ret, self.target,
                                             self.call_args()))
            head += '        return;\n    }\n' if self.void else '    }\n'
        else:
            head = '    assert(!qemu_in_coroutine());\n'
        init = ''.join('        .%s = %s,\n' % (a.name, a.name)
                       for a in self.args)
        tail = '' if self.void else '    return s.ret;\n'
        # The direct call in a coroutine relies on the caller's lock.
        tsa = ' TSA_NO_TSA' if self.mixed and self.rdlock else ''
        return f'''
/* {self.marker} {self.name} -> {self.target} */
{self.state_struct('    bool in_progress;')}

static void coroutine_fn {self.name}_entry(void *opaque)
{{
    {self.state} *s = opaque;

{lock}    {assign}{self.target}({self.call_args('s->')});
{unlock}    qatomic_store_release(&s->in_progress, false);
    aio_wait_kick();
}}

{self.proto()}{tsa};
{self.proto()}
{{
{head}    {self.state} s = {{
        .in_progress = true,
{init}    }};
    AioContext *ctx = {self.aio_context()};
    Coroutine *co = qemu_coroutine_create({self.name}_entry, &s);

    aio_co_enter(ctx, co);
    AIO_WAIT_WHILE_UNLOCKED(ctx, qatomic_load_acquire(&s.in_progress));
{tail}}}
'''

    def gen_reverse(self):
        """Coroutine wrapper around a main-loop function."""
        assign = '' if self.void else 's->ret = '
        lock = unlock = ''
        if self.rdlock:
            lock = '    bdrv_graph_rdlock_main_loop();\n'
            unlock = '    bdrv_graph_rdunlock_main_loop();\n'
        elif self.wrlock:
            lock = '    bdrv_graph_wrlock();\n'
            unlock = '    bdrv_graph_wrunlock();\n'
        init = ''.join('        .%s = %s,\n' % (a.name, a.name)
                       for a in self.args)
        tail = '' if self.void else '    return s.ret;\n'
        return f'''
/* {self.marker} {self.name} -> {self.target} */
{self.state_struct('    Coroutine *co;')}

static void {self.name}_bh(void *opaque)
{{
    {self.state} *s = opaque;

{lock}    {assign}{self.target}({self.call_args('s->')});
{unlock}    aio_co_wake(s->co);
}}

{self.proto()}
{{
    {self.state} s = {{
        .co = qemu_coroutine_self(),
{init}    }};

    assert(qemu_in_coroutine());
    aio_bh_schedule_oneshot(qemu_get_aio_context(), {self.name}_bh, &s);
    qemu_coroutine_yield();
{tail}}}
'''

    def gen(self):
        return self.gen_reverse() if self.reverse else self.gen_forward()


HEADER = '''/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block-gen.c: generated by scripts/block-coroutine-wrapper.py from the
 * co_wrapper markers in the block headers.  Do not edit.
 */

#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/coroutine.h"
#include "qemu/main-loop.h"
#include "block/aio-wait.h"
#include "block/block_int.h"
#include "block/coroutines.h"
#include "block/dirty-bitmap.h"
#include "sysemu/block-backend.h"
'''


def main(argv):
    out = argv[1]
    sources, headers, cur = [], [], None
    for a in argv[2:]:
        if a == '--sources':
            cur = sources
        elif a == '--headers':
            cur = headers
        else:
            cur.append(a)

    # Static inline functions in the headers count as implemented too.
    defined = defined_functions(sources + headers)
    wrappers, skipped = [], []
    for h in headers:
        with open(h, encoding='utf-8') as f:
            text = strip_comments(f.read())
        for m in DECL_RE.finditer(text):
            w = Wrapper(m)
            (wrappers if w.target in defined else skipped).append(w)

    parts = [HEADER]
    parts += [w.gen() for w in wrappers]
    if skipped:
        parts.append('\n/*\n * Not generated, %s not implemented yet:\n' %
                     'their targets are')
        parts += [' *   %s -> %s\n' % (w.name, w.target) for w in skipped]
        parts.append(' */\n')
    with open(out, 'w', encoding='utf-8') as f:
        f.write(''.join(parts))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
