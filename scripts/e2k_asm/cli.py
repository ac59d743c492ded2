# SPDX-License-Identifier: GPL-2.0-or-later
"""Command line of the E2K assembler (scripts/e2k-as.py)."""

import argparse
import re
import sys

from .errors import AsmError
from .assembler import Assembler
from .link import link_elf, link_flat

_CPU_ISET = {'elbrus-v1': 1, 'elbrus-v2': 2, 'elbrus-v3': 3,
             'elbrus-v4': 4, 'elbrus-v5': 5, 'elbrus-v6': 6,
             'elbrus-v7': 7, 'elbrus-2c+': 2, 'elbrus-4c': 3,
             'elbrus-8c': 4, 'elbrus-1c+': 4, 'elbrus-8c2': 5,
             'elbrus-2c3': 6, 'elbrus-12c': 6, 'elbrus-16c': 6}


def _int(text):
    try:
        return int(text.replace('_', ''), 0)
    except ValueError:
        raise argparse.ArgumentTypeError('bad number %r' % text)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog='e2k-as',
        description='Assemble E2K (Elbrus) sources in the MCST GAS dialect.')
    p.add_argument('inputs', nargs='+', metavar='FILE')
    p.add_argument('-o', dest='output', required=True, metavar='OUT')
    p.add_argument('-D', dest='defines', action='append', default=[],
                   metavar='NAME[=VAL]')
    p.add_argument('-U', dest='undefs', action='append', default=[])
    p.add_argument('-I', dest='incdirs', action='append', default=[])
    p.add_argument('-mcpu', '-march', '--cpu', dest='cpu', default=None,
                   help='elbrus-vN or a CPU name (sets __iset__); '
                        'default elbrus-v4')
    p.add_argument('--flat', action='store_true',
                   help='write a flat image instead of an ELF executable')
    p.add_argument('--origin', type=_int, default=0x100000000,
                   help='load address of the flat image')
    p.add_argument('--base', type=_int, default=0x10000,
                   help='address of .text in the ELF executable')
    p.add_argument('--entry', default='_start')
    p.add_argument('--cpp', dest='cpp', action='store_true', default=None,
                   help='run cpp on every input (default: only *.S)')
    p.add_argument('--no-cpp', dest='cpp', action='store_false')
    p.add_argument('--map', action='store_true',
                   help='print symbol addresses to stdout')
    # gcc-style -mcpu=X / -march=X
    fixed = []
    for a in argv:
        m = re.match(r'-m(cpu|arch)=(.*)$', a)
        if m:
            fixed += ['--cpu', m.group(2)]
        else:
            fixed.append(a)
    return p.parse_args(fixed)


def iset_of(cpu):
    if cpu is None:
        return 4
    m = re.match(r'(?:elbrus-)?v([0-9]+)$', cpu)
    if m:
        return int(m.group(1))
    if cpu in _CPU_ISET:
        return _CPU_ISET[cpu]
    raise AsmError('unknown CPU %s' % cpu)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    asm = None
    try:
        asm = Assembler(iset=iset_of(args.cpu), defines=args.defines,
                        undefs=args.undefs, incdirs=args.incdirs,
                        use_cpp=args.cpp)
        for path in args.inputs:
            asm.process_file(path)
        if args.flat:
            image, lk = link_flat(asm.units, args.origin)
        else:
            image, lk = link_elf(asm.units, args.base, args.entry)
        if args.map:
            for key, v in sorted(lk.values.items(), key=lambda kv: kv[1]):
                name = key if isinstance(key, str) else key[1]
                if not name.startswith('.L'):
                    print('%016x %s' % (v & ((1 << 64) - 1), name))
        with open(args.output, 'wb') as f:
            f.write(image)
    except AsmError as e:
        sys.stderr.write('%s\n' % e)
        return 1
    except OSError as e:
        sys.stderr.write('e2k-as: error: %s\n' % e)
        return 1
    except RecursionError:
        sys.stderr.write('e2k-as: error: nesting too deep\n')
        return 1
    except Exception as e:      # an assembler bug: still no traceback
        where = 'e2k-as'
        if asm is not None and asm.cur_loc is not None:
            where = '%s:%d' % asm.cur_loc
        sys.stderr.write('%s: error: internal error (%s: %s)\n' %
                         (where, type(e).__name__, e))
        return 1
    return 0
