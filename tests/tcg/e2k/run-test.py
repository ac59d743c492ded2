#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run one E2K test program under a runner and judge the result.

  run-test.py --expect pass|fault [--out FILE] [--timeout S] -- CMD...

pass:  exit status 0, a "PASS" line on stdout and no "FAIL".
fault: non-zero exit status, a "before" line (printed just before the
       faulting operation) and no "PASS" (the program must not get there).
--out: the file's text must also appear in stdout.
"""

import argparse
import subprocess
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--expect', choices=('pass', 'fault'), default='pass')
    p.add_argument('--out')
    p.add_argument('--timeout', type=float, default=60)
    p.add_argument('cmd', nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == '--' else a.cmd
    try:
        res = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             timeout=a.timeout)
    except subprocess.TimeoutExpired:
        print('TIMEOUT after %gs: %s' % (a.timeout, ' '.join(cmd)))
        return 1
    out = res.stdout.decode('utf-8', 'replace')
    err = res.stderr.decode('utf-8', 'replace')
    lines = out.replace('\r', '').split('\n')
    problems = []
    if a.expect == 'pass':
        if res.returncode != 0:
            problems.append('exit status %d, expected 0' % res.returncode)
        if 'PASS' not in lines:
            problems.append('no PASS line')
        if any(line.startswith('FAIL') for line in lines):
            problems.append('FAIL reported')
    else:
        if res.returncode == 0:
            problems.append('exit status 0, expected a fault')
        if 'PASS' in lines:
            problems.append('reached PASS, expected a fault')
        if 'before' not in lines:
            problems.append('no "before" line: it failed too early')
    if a.out:
        with open(a.out) as f:
            want = f.read()
        if want not in out.replace('\r', ''):
            problems.append('expected output not found:\n' + want)
    print('command: %s' % ' '.join(cmd))
    print('status: %d' % res.returncode)
    print('--- stdout\n%s--- stderr\n%s---' % (out, err[-4000:]))
    if problems:
        print('FAILED: ' + '; '.join(problems))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
