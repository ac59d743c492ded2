#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit test of scripts/tracetool.py: trace-events line parsing, format
checks, and the shape of the generated header and event table."""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..',
                                'scripts'))
import tracetool  # noqa: E402


def parse(text):
    with tempfile.NamedTemporaryFile('w', suffix='.ev', delete=False) as f:
        f.write(text)
    try:
        return tracetool.parse_file(f.name)
    finally:
        os.unlink(f.name)


class ParseTest(unittest.TestCase):
    def test_args_and_format(self):
        evs = parse('# comment\n\n'
                    'ev_a(void *bs, int64_t offset, const char *name) '
                    '"bs %p offset %" PRId64 " name %s"\n'
                    'ev_b(void) "nothing"\n')
        self.assertEqual([e.name for e in evs], ['ev_a', 'ev_b'])
        self.assertEqual(evs[0].args, [('void *', 'bs'),
                                       ('int64_t ', 'offset'),
                                       ('const char *', 'name')])
        self.assertEqual(evs[0].fmt, '"bs %p offset %" PRId64 " name %s"')
        self.assertEqual(evs[1].args, [])

    def test_conversion_count(self):
        parse('ok(int a, uint64_t b) "a %d%% b 0x%" PRIx64\n')
        with self.assertRaisesRegex(ValueError, '1 conversions .* 2 arg'):
            parse('bad(int a, int b) "a %d"\n')
        with self.assertRaisesRegex(ValueError, '2 conversions .* 1 arg'):
            parse('bad(int a) "a %d %zu"\n')

    def test_bad_lines(self):
        for line in ('no_paren "x"', 'ev(int) "x %d"',
                     'ev(int a) "x %d', 'ev(int a) "x " FOO'):
            with self.assertRaises(ValueError, msg=line):
                parse(line + '\n')

    def test_duplicate(self):
        evs = parse('ev(void) "x"\n') + parse('ev(void) "y"\n')
        with self.assertRaisesRegex(ValueError, 'already declared'):
            tracetool.check_unique(evs)


class GenerateTest(unittest.TestCase):
    def test_header_and_table(self):
        evs = parse('ev_a(void *bs, int n) "bs %p n %d"\nev_b(void) "b"\n')
        h = tracetool.gen_header('grp', evs)
        self.assertIn('#ifndef TRACE_TRACE_GRP_H', h)
        self.assertIn('extern TraceEvent trace_event_ev_a;', h)
        self.assertIn('static inline void trace_do_ev_a(void *bs, int n)', h)
        self.assertIn('trace_event_log("ev_a", "bs %p n %d", bs, n);', h)
        self.assertIn('static inline void trace_do_ev_b(void)', h)
        # The flag test is in the macro, before any argument is evaluated.
        self.assertIn('#define trace_ev_a(...) do {', h)
        self.assertIn('qatomic_read(&trace_event_ev_a.enabled)', h)
        c = tracetool.gen_table(evs)
        self.assertIn('TraceEvent trace_event_ev_b = { "ev_b" };', c)
        self.assertIn('const size_t trace_event_count = 2;', c)
        self.assertLess(c.index('&trace_event_ev_a,'),
                        c.index('&trace_event_ev_b,'))

    def test_tree_files_parse(self):
        root = os.path.join(os.path.dirname(__file__), '..', '..')
        names = []
        for d in ('block', 'util', 'nbd'):
            names += [e.name for e in
                      tracetool.parse_file(os.path.join(root, d,
                                                        'trace-events'))]
        self.assertEqual(len(names), len(set(names)))
        self.assertIn('blk_co_preadv', names)


if __name__ == '__main__':
    unittest.main()
