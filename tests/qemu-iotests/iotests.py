# SPDX-License-Identifier: GPL-2.0-or-later
#
# Library for Python iotests: the environment ./check sets up (imgfmt,
# test_dir, the tool paths), wrappers that run qemu-img and qemu-io,
# output filters matching those in common.filter, skip helpers (notrun,
# verify_image_format...), scratch file helpers and script_main(), the
# usual entry point of a test.  Standard library only.

import atexit
import json
import os
import re
import subprocess
import sys
from typing import Callable, Iterable, List, Optional, Sequence

seq = os.path.basename(sys.argv[0])

imgfmt = os.environ.get('IMGFMT', 'raw')
imgproto = os.environ.get('IMGPROTO', 'file')
imgopts = os.environ.get('IMGOPTS', '')
test_dir = os.environ.get('TEST_DIR', '')
sock_dir = os.environ.get('SOCK_DIR', test_dir)
output_dir = os.environ.get('OUTPUT_DIR', test_dir)
qemu_img_prog = os.environ.get('QEMU_IMG_PROG', '')
qemu_io_prog = os.environ.get('QEMU_IO_PROG', '')
qemu_nbd_prog = os.environ.get('QEMU_NBD_PROG', '')
qemu_prog = os.environ.get('QEMU_PROG', '')
debug = bool(os.environ.get('IOTESTS_DEBUG'))

# The scratch image, as common.rc names it.
test_img = os.path.join(test_dir, 't.' + imgfmt)

TOOLS = {'qemu-img': 'QEMU_IMG_PROG', 'qemu-io': 'QEMU_IO_PROG',
         'qemu-nbd': 'QEMU_NBD_PROG', 'qemu': 'QEMU_PROG'}


# --- skipping ---------------------------------------------------------------

def notrun(reason: str) -> None:
    """Record why the whole test cannot run here and exit (not a failure)."""
    if output_dir:
        with open(os.path.join(output_dir, seq + '.notrun'), 'w') as f:
            f.write(reason + '\n')
    print('%s not run: %s' % (seq, reason))
    sys.exit(0)


def case_notrun(reason: str) -> None:
    """Note that one case was skipped; the test itself goes on."""
    if output_dir:
        with open(os.path.join(output_dir, seq + '.casenotrun'), 'a') as f:
            f.write('    [case not run] ' + reason + '\n')


def require_tools(*names: str) -> None:
    """notrun() unless every named tool (qemu-img, qemu-io, ...) exists."""
    for name in names:
        prog = os.environ.get(TOOLS[name], '')
        if not prog or not os.access(prog, os.X_OK):
            notrun('%s program not available' % TOOLS[name][:-5])


def verify_image_format(supported_fmts: Sequence[str] = (),
                        unsupported_fmts: Sequence[str] = ()) -> None:
    require_tools('qemu-img', 'qemu-io')
    if imgfmt in unsupported_fmts or \
            (supported_fmts and imgfmt not in supported_fmts and
             'generic' not in supported_fmts):
        notrun('not suitable for this image format: %s' % imgfmt)


def verify_protocol(supported: Sequence[str] = (),
                    unsupported: Sequence[str] = ()) -> None:
    if imgproto in unsupported or \
            (supported and imgproto not in supported and
             'generic' not in supported):
        notrun('not suitable for this protocol: %s' % imgproto)


def verify_platform(supported: Sequence[str] = (),
                    unsupported: Sequence[str] = ()) -> None:
    system = os.uname().sysname
    if system in unsupported or (supported and system not in supported):
        notrun('not suitable for this OS: %s' % system)


def verify_imgopts(unsupported: Sequence[str] = ()) -> None:
    """notrun() when IMGOPTS matches one of the regular expressions."""
    for pat in unsupported:
        if re.search(pat, imgopts):
            notrun('not suitable for image option: %s' % pat)


def supported_drivers() -> List[str]:
    """The drivers qemu-img lists after "Supported formats:"."""
    out = qemu_img('--help', check=False).stdout
    for line in out.splitlines():
        if line.startswith('Supported formats:'):
            return line.split(':', 1)[1].split()
    return []


def require_drivers(*drivers: str) -> None:
    have = supported_drivers()
    for d in drivers:
        if d not in have:
            notrun('%s driver not supported' % d)


# --- filters ----------------------------------------------------------------

_QEMU_IO_STATS = re.compile(
    r'[0-9]* ops; [0-9:.]* sec \([0-9.inf]* [EPTGMKi]*B*(?:ytes)*/sec '
    r'and [0-9.inf]* ops/sec\)')
_DROPPED_CREATE_OPTS = re.compile(
    r' (?:cluster_size|extended_l2|compression_type|lazy_refcounts|'
    r'refcount_bits|compat|compat6|encryption|encrypt\.[a-z-]+|'
    r'preallocation|subformat|adapter_type|hwversion|toolsversion|'
    r'zeroed_grain|static|table_size|block_size|block_state_zero|log_size|'
    r'data_file_raw|nocow|force_size|cluster-size)=[^ ]*')


def filter_test_dir(msg: str) -> str:
    if test_dir:
        msg = msg.replace(test_dir + '/', 'TEST_DIR/')
        msg = re.sub(re.escape(test_dir) + r'\b', 'TEST_DIR', msg)
    if sock_dir and sock_dir != test_dir:
        msg = msg.replace(sock_dir + '/', 'SOCK_DIR/')
        msg = re.sub(re.escape(sock_dir) + r'\b', 'SOCK_DIR', msg)
    return re.sub(r'nbd\+unix:///?\?socket=SOCK_DIR/nbd\b',
                  'TEST_DIR/t.' + imgfmt, msg)


def filter_tool_paths(msg: str) -> str:
    for prog, name in ((qemu_io_prog, 'qemu-io'), (qemu_img_prog, 'qemu-img'),
                       (qemu_nbd_prog, 'qemu-nbd')):
        if prog:
            msg = msg.replace(prog, name)
    return msg


def filter_imgfmt(msg: str) -> str:
    return re.sub(r'\b' + re.escape(imgfmt) + r'\b', 'IMGFMT', msg)


def filter_qemu_io(msg: str) -> str:
    msg = filter_tool_paths(msg)
    msg = _QEMU_IO_STATS.sub(
        'X ops; XX:XX:XX.X (XXX YYY/sec and XXX ops/sec)', msg)
    msg = re.sub(r'^qemu-io> ', '', msg, flags=re.M)
    return filter_test_dir(msg)


def filter_img_create(msg: str) -> str:
    lines = []
    for line in filter_test_dir(msg).splitlines():
        if line.startswith("Formatting '"):
            line = _DROPPED_CREATE_OPTS.sub('', line)
            line = filter_imgfmt(line)
        lines.append(line)
    return '\n'.join(lines) + ('\n' if msg.endswith('\n') else '')


def filter_img_info(msg: str, format_specific: bool = False) -> str:
    out = []
    skipping = False
    for line in filter_imgfmt(filter_test_dir(msg)).splitlines():
        if line.startswith('Format specific information:') and \
                not format_specific:
            skipping = True
            continue
        if skipping and line[:1] in (' ', '\t'):
            continue
        skipping = False
        if line.startswith(('disk size:', 'cluster_size:', 'Child node ')):
            continue
        out.append(line)
    return '\n'.join(out) + ('\n' if out else '')


def filter_qemu_img_check(msg: str) -> str:
    out = []
    for line in msg.splitlines():
        if re.search('allocated.*fragmented.*compressed clusters', line) or \
                re.match(r'^Image end offset: [0-9]+$', line):
            continue
        out.append(line.replace(
            'qemu-img: This image format does not support checks',
            'No errors were found on the image.'))
    return '\n'.join(out) + ('\n' if out else '')


def filter_generated_node_ids(msg: str) -> str:
    return re.sub(r'#block[0-9]{3,}', 'NODE_NAME', msg)


def filter_date(msg: str) -> str:
    msg = re.sub(r'[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}',
                 'yyyy-mm-dd hh:mm:ss', msg)
    return re.sub(r'[0-9]{4}:[0-9]{2}:[0-9]{2}\.[0-9]{3}', 'hhhh:mm:ss.sss',
                  msg)


# --- output -----------------------------------------------------------------

Filter = Callable[[str], str]


def log(msg, filters: Iterable[Filter] = (), indent: Optional[int] = None):
    """Print msg after the filters; non-strings are printed as JSON."""
    if not isinstance(msg, str):
        msg = json.dumps(msg, indent=indent, sort_keys=True)
    for f in filters:
        msg = f(msg)
    print(msg.rstrip('\n'))
    sys.stdout.flush()


# --- running the tools ------------------------------------------------------

def _run(argv: List[str], check: bool) -> subprocess.CompletedProcess:
    if debug:
        sys.stderr.write('+ %s\n' % ' '.join(argv))
    res = subprocess.run(argv, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, universal_newlines=True,
                         errors='replace')
    if check and res.returncode != 0:
        raise subprocess.CalledProcessError(res.returncode, argv, res.stdout)
    return res


def qemu_img(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run qemu-img; stdout and stderr come back merged in .stdout."""
    return _run([qemu_img_prog] + list(args), check)


def qemu_img_log(*args: str, filters: Iterable[Filter] = (),
                 check: bool = False) -> subprocess.CompletedProcess:
    res = qemu_img(*args, check=check)
    log(res.stdout, filters=[filter_tool_paths, filter_test_dir] +
        list(filters))
    return res


def qemu_img_create(*args: str) -> subprocess.CompletedProcess:
    """qemu-img create with IMGOPTS added unless -o is given."""
    extra = ['-o', imgopts] if imgopts and '-o' not in args else []
    return qemu_img('create', *extra, *args)


def qemu_img_info(*args: str) -> dict:
    """qemu-img info --output=json, parsed."""
    return json.loads(qemu_img('info', '--output=json', *args).stdout)


def qemu_img_check(*args: str) -> subprocess.CompletedProcess:
    return qemu_img('check', *args, check=False)


def compare_images(img1: str, img2: str, fmt1: str = imgfmt,
                   fmt2: str = imgfmt) -> bool:
    res = qemu_img('compare', '-f', fmt1, '-F', fmt2, img1, img2,
                   check=False)
    return res.returncode == 0


def _qemu_io_argv(args: Sequence[str]) -> List[str]:
    argv = [qemu_io_prog]
    if not any(a in ('--image-opts', '-f', '--format') or
               a.startswith('--format=') for a in args):
        argv += ['-f', imgfmt]
    return argv + list(args)


def qemu_io(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run qemu-io, adding -f IMGFMT unless a format or --image-opts is
    given; output comes back merged in .stdout."""
    return _run(_qemu_io_argv(args), check)


def qemu_io_log(*args: str, filters: Iterable[Filter] = (),
                check: bool = False) -> subprocess.CompletedProcess:
    res = qemu_io(*args, check=check)
    log(res.stdout, filters=[filter_qemu_io] + list(filters))
    return res


def qemu_io_silent(*args: str) -> int:
    """Run qemu-io, drop its output, return its exit status."""
    return qemu_io(*args, check=False).returncode


# --- scratch files ----------------------------------------------------------

_to_remove: List[str] = []


def _remove_files() -> None:
    for path in _to_remove:
        try:
            os.remove(path)
        except OSError:
            pass


atexit.register(_remove_files)


def file_path(*names: str, base_dir: Optional[str] = None):
    """Paths in the test's private TEST_DIR (or base_dir), removed when
    the test exits; one name gives a string, several a list."""
    paths = []
    for name in names:
        path = os.path.join(base_dir or test_dir, name)
        _to_remove.append(path)
        paths.append(path)
    return paths[0] if len(paths) == 1 else paths


class FilePath:
    """Context manager form of file_path(): removes the files on exit."""

    def __init__(self, *names: str, base_dir: Optional[str] = None):
        self.paths = [os.path.join(base_dir or test_dir, n) for n in names]

    def __enter__(self):
        return self.paths[0] if len(self.paths) == 1 else self.paths

    def __exit__(self, *exc):
        for path in self.paths:
            try:
                os.remove(path)
            except OSError:
                pass
        return False


# --- entry point ------------------------------------------------------------

def script_main(test_function: Callable[[], None],
                supported_fmts: Sequence[str] = (),
                unsupported_fmts: Sequence[str] = (),
                supported_protocols: Sequence[str] = (),
                unsupported_protocols: Sequence[str] = (),
                supported_platforms: Sequence[str] = (),
                unsupported_imgopts: Sequence[str] = (),
                required_drivers: Sequence[str] = (),
                required_tools: Sequence[str] = ('qemu-img', 'qemu-io')):
    """Check the environment, skip if unsuitable, then run the test."""
    if not test_dir or not os.path.isdir(test_dir):
        sys.exit('%s: run this test through ./check' % seq)
    require_tools(*required_tools)
    verify_image_format(supported_fmts, unsupported_fmts)
    verify_protocol(supported_protocols, unsupported_protocols)
    verify_platform(supported_platforms)
    verify_imgopts(unsupported_imgopts)
    if required_drivers:
        require_drivers(*required_drivers)
    test_function()
