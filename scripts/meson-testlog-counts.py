#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Print "passed failed skipped" for a meson testlog.json (one JSON per line),
# and the name of each failed test on stderr.
import json
import sys

passed = failed = skipped = 0
try:
    with open(sys.argv[1]) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            test = json.loads(line)
            res = test.get('result', '')
            if res in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            elif res == 'SKIP':
                skipped += 1
            else:
                failed += 1
                print('  %s: %s' % (test.get('name', '?'), res),
                      file=sys.stderr)
except FileNotFoundError:
    pass
print(passed, failed, skipped)
