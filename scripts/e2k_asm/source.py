# SPDX-License-Identifier: GPL-2.0-or-later
"""Reading sources: the host C preprocessor and splitting into statements.

Files ending in `.S` (or all files with --cpp) go through `cpp -undef -x
assembler-with-cpp` with __e2k__ and __iset__ defined; line markers in its
output keep error positions pointing at the original files.  Each line is
then cut into statements at `;` and around `{`/`}`.  A `;` that is not
followed by something that can start a statement begins a comment, which
keeps sources written with `;` comments (as in ISA-NOTES 6.2) working.
"""

import os
import re
import subprocess

from .errors import AsmError

_MARKER_RE = re.compile(r'#\s*(?:line\s+)?([0-9]+)\s*(?:"((?:[^"\\]|\\.)*)")?')


def run_cpp(path, defines, undefs, incdirs, iset, cpp='cpp'):
    cmd = [cpp, '-undef', '-x', 'assembler-with-cpp',
           '-D__e2k__=1', '-D__ELF__=1', '-D__linux__=1',
           '-D__iset__=%d' % iset, '-D__LCC__=1',
           '-I', os.path.dirname(os.path.abspath(path))]
    for d in defines:
        cmd.append('-D' + d)
    for u in undefs:
        cmd.append('-U' + u)
    for i in incdirs:
        cmd += ['-I', i]
    cmd.append(path)
    try:
        res = subprocess.run(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    except OSError as e:
        raise AsmError('cannot run %s: %s' % (cpp, e))
    if res.returncode != 0:
        msg = res.stderr.strip().splitlines()
        raise AsmError('preprocessor failed:\n' + '\n'.join(msg))
    return res.stdout


def source_lines(text, filename, cpp_output):
    """Yield (file, line, text) for each line, following line markers."""
    cur_file = filename
    lineno = 0
    in_comment = False
    for raw in text.split('\n'):
        lineno += 1
        stripped = raw.lstrip()
        if stripped.startswith('#'):
            m = _MARKER_RE.match(stripped)
            if m and cpp_output:
                lineno = int(m.group(1)) - 1
                if m.group(2) is not None:
                    cur_file = m.group(2)
            continue
        line, in_comment = strip_comments(raw, in_comment)
        if line.strip():
            yield cur_file, lineno, line


def strip_comments(line, in_comment):
    """Remove /* */ and // comments; returns (text, still_in_comment)."""
    out = []
    i = 0
    in_str = False
    while i < len(line):
        c = line[i]
        if in_comment:
            if line.startswith('*/', i):
                in_comment = False
                out.append(' ')
                i += 2
            else:
                i += 1
            continue
        if in_str:
            out.append(c)
            if c == '\\' and i + 1 < len(line):
                out.append(line[i + 1])
                i += 2
                continue
            if c == '"':
                in_str = False
            i += 1
            continue
        if c == '"':
            in_str = True
        elif line.startswith('/*', i):
            in_comment = True
            i += 2
            continue
        elif line.startswith('//', i):
            break
        out.append(c)
        i += 1
    return ''.join(out), in_comment


_WORD_RE = re.compile(r'\s*([A-Za-z_.$][A-Za-z0-9_.$]*|[0-9]+)')


def split_statements(line, starts_statement):
    """Cut a line into statement strings.  `{` and `}` are statements of
    their own.  starts_statement(text) decides whether the text after a
    `;` is code; if not, the rest of the line is a comment."""
    out = []
    cur = []
    in_str = False
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if in_str:
            cur.append(c)
            if c == '\\' and i + 1 < n:
                cur.append(line[i + 1])
                i += 2
                continue
            if c == '"':
                in_str = False
            i += 1
            continue
        if c == '"':
            in_str = True
            cur.append(c)
        elif c == "'" and i + 1 < n:
            # character constant 'c' or GAS 'c
            end = i + 2
            if line[i + 1] == '\\' and i + 2 < n:
                end = i + 3
            if end < n and line[end] == "'":
                end += 1
            cur.append(line[i:end])
            i = end
            continue
        elif c in '{}':
            out.append(''.join(cur))
            out.append(c)
            cur = []
        elif c == ';':
            out.append(''.join(cur))
            cur = []
            if not starts_statement(line[i + 1:]):
                break
        else:
            cur.append(c)
        i += 1
    out.append(''.join(cur))
    return [s.strip() for s in out if s.strip()]


def first_word(text):
    m = _WORD_RE.match(text)
    return m.group(1) if m else None
