#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Self-test of the ./check runner: copies check, common.* and iotests.py
# into a temporary tree with small fake tests (passing, failing, skipped,
# per-format outputs, groups, a hang) and checks what the runner reports.
# No QEMU tool is needed: the fake tools are shell scripts.  Ends with
# "N passed, N failed" like the runner.

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

SRC = os.path.dirname(os.path.abspath(__file__))

BASH_HEAD = '''#!/usr/bin/env bash
# group: %s
seq=$(basename "$0")
echo "QA output created by $seq"
status=1
trap "exit \\$status" 0 1 2 3 15
cd ..
. ./common.rc
. ./common.filter
'''

FAKE_TESTS = {
    'good': ('quick rw', 'echo "$TEST_IMG" | _filter_test_dir | _filter_imgfmt\n'
             'status=0\n', 'QA output created by good\n'
             'TEST_DIR/t.$FMT\n'),
    'bad': ('quick', 'echo wrong\nstatus=0\n',
            'QA output created by bad\nright\n'),
    'raw-only': ('quick', '_supported_fmt raw\necho ok\nstatus=0\n',
                 'QA output created by raw-only\nok\n'),
    'variant': ('img', 'echo "fmt $IMGFMT"\nstatus=0\n',
                'QA output created by variant\nfmt raw\n'),
    'crash': ('quick', 'echo same\nstatus=3\nexit\n',
              'QA output created by crash\nsame\n'),
    'slow': ('slow', 'sleep 30\nstatus=0\n', 'QA output created by slow\n'),
    'needs-nbd': ('quick', '_require_command QEMU_NBD\nstatus=0\n',
                  'QA output created by needs-nbd\n'),
}

PY_TEST = '''#!/usr/bin/env python3
# group: quick py
import iotests
def main():
    iotests.log('fmt ' + iotests.imgfmt)
    iotests.log(iotests.test_dir + '/x', filters=[iotests.filter_test_dir])
    iotests.log('1 ops; 00.01 sec (1 MiB/sec and 100.5 ops/sec)',
                filters=[iotests.filter_qemu_io])
iotests.script_main(main, supported_fmts=['raw', 'qcow2'])
'''
PY_OUT = '''fmt %s
TEST_DIR/x
X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)
'''


def write(path, text, mode=0o644):
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, mode)


class RunnerTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='iotests-selftest-')
        self.dir = os.path.join(self.tmp, 'iotests')
        os.makedirs(os.path.join(self.dir, 'tests'))
        for name in ('check', 'common.rc', 'common.filter',
                     'common.pattern', 'common.config', 'iotests.py'):
            shutil.copy(os.path.join(SRC, name), self.dir)
        tool = os.path.join(self.tmp, 'fake-tool')
        write(tool, '#!/bin/sh\nexit 0\n', 0o755)
        self.env = dict(os.environ, QEMU_IMG_PROG=tool, QEMU_IO_PROG=tool,
                        QEMU_NBD_PROG='', QEMU_PROG='',
                        TEST_DIR=os.path.join(self.tmp, 'scratch'))
        tdir = os.path.join(self.dir, 'tests')
        for name, (groups, body, out) in FAKE_TESTS.items():
            write(os.path.join(tdir, name), BASH_HEAD % groups + body, 0o755)
            write(os.path.join(tdir, name + '.out'),
                  out.replace('$FMT', 'IMGFMT'))
        write(os.path.join(tdir, 'variant.out.qcow2'),
              'QA output created by variant\nfmt qcow2\n')
        write(os.path.join(tdir, 'pytest'), PY_TEST, 0o755)
        write(os.path.join(tdir, 'pytest.out'), PY_OUT % 'raw')
        write(os.path.join(tdir, 'pytest.out.qcow2'), PY_OUT % 'qcow2')

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def check(self, *args):
        res = subprocess.run([sys.executable, os.path.join(self.dir, 'check'),
                              *args], cwd=self.dir, env=self.env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True)
        return res.returncode, res.stdout

    def status_of(self, out, name):
        for line in out.splitlines():
            parts = line.split()
            if parts and parts[0] == name:
                return parts[1]
        return None

    def test_summary_and_statuses(self):
        rc, out = self.check('-raw', '-x', 'slow')
        self.assertEqual(rc, 1)
        self.assertEqual(out.splitlines()[-1], '4 passed, 2 failed, 1 skipped')
        self.assertEqual(self.status_of(out, 'good'), 'pass')
        self.assertEqual(self.status_of(out, 'bad'), 'fail')
        self.assertEqual(self.status_of(out, 'crash'), 'fail')
        self.assertEqual(self.status_of(out, 'needs-nbd'), 'notrun')
        self.assertIn('QEMU_NBD program not available', out)
        self.assertIn('exit status 3', out)

    def test_bad_output_and_diff(self):
        _, out = self.check('-raw', 'bad')
        self.assertIn('-right', out)
        self.assertIn('+wrong', out)
        with open(os.path.join(self.dir, 'tests', 'bad.out.bad')) as f:
            self.assertEqual(f.read(), 'QA output created by bad\nwrong\n')

    def test_format_variant_and_notrun(self):
        rc, out = self.check('-qcow2', 'variant', 'raw-only', 'pytest')
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.status_of(out, 'variant'), 'pass')
        self.assertEqual(self.status_of(out, 'raw-only'), 'notrun')
        self.assertEqual(self.status_of(out, 'pytest'), 'pass')
        self.assertIn('not suitable for this image format: qcow2', out)
        self.assertEqual(out.splitlines()[-1], '2 passed, 0 failed, 1 skipped')

    def test_groups(self):
        rc, out = self.check('-n', '-g', 'rw,py')
        self.assertEqual(out.split(), ['good', 'pytest'])
        rc, out = self.check('-n', '-g', 'quick', '-x', 'py')
        self.assertEqual(sorted(out.split()),
                         ['bad', 'crash', 'good', 'needs-nbd', 'raw-only'])

    def test_group_local(self):
        write(os.path.join(self.dir, 'group.local'),
              '# local groups\ngood disabled\nbad extra  # comment\n')
        rc, out = self.check('-n', '-g', 'quick,extra')
        self.assertEqual(sorted(out.split()),
                         ['bad', 'crash', 'needs-nbd', 'pytest', 'raw-only'])
        rc, out = self.check('-n', 'good')
        self.assertEqual(out.split(), ['good'])

    def test_parallel(self):
        rc, out = self.check('-raw', '-j', '3', 'good', 'pytest', 'variant',
                             'raw-only')
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.splitlines()[-1], '4 passed, 0 failed')

    def test_timeout(self):
        rc, out = self.check('-raw', '--timeout', '1', 'slow')
        self.assertEqual(rc, 1)
        self.assertIn('timed out', out)

    def test_private_scratch(self):
        # Without TEST_DIR every run gets its own directory under scratch/,
        # removed when nothing failed; a failure says where its files are.
        del self.env['TEST_DIR']
        runs = [subprocess.Popen(
            [sys.executable, os.path.join(self.dir, 'check'), fmt, 'good'],
            cwd=self.dir, env=self.env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, universal_newlines=True)
            for fmt in ('-raw', '-qcow2', '-raw')]
        dirs = set()
        for proc in runs:
            out = proc.communicate()[0]
            self.assertEqual(proc.returncode, 0, out)
            for line in out.splitlines():
                if line.startswith('TEST_DIR'):
                    dirs.add(line.split('--', 1)[1].strip())
        self.assertEqual(len(dirs), 3)
        scratch = os.path.join(self.dir, 'scratch')
        self.assertEqual(os.listdir(scratch), [])
        rc, out = self.check('-raw', 'bad')
        self.assertEqual(rc, 1)
        kept = [ln for ln in out.splitlines()
                if ln.startswith('Scratch files kept in ')]
        self.assertEqual(len(kept), 1, out)
        run_dir = kept[0].split(' in ', 1)[1]
        self.assertEqual(os.path.dirname(run_dir), scratch)
        self.assertIn('files in %s' % os.path.join(run_dir, 'bad'), out)
        self.assertTrue(os.path.isfile(os.path.join(run_dir, 'bad',
                                                    'output')))

    def test_missing_tools_skip(self):
        self.env['QEMU_IO_PROG'] = os.path.join(self.tmp, 'nonexistent')
        rc, out = self.check('-raw', 'good', 'pytest')
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.splitlines()[-1], '0 passed, 0 failed, 2 skipped')


def main():
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(RunnerTest)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    print('%d passed, %d failed' % (result.testsRun - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
