#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Mutation fuzzer for encrypted images: a raw "luks" image, a qcow2 with
# encrypt.format=luks and a legacy AES qcow2.  It shares the runner of
# qcow2-mutate.py (run_tool, judge, sanitizer logs) and adds mutations
# that know the LUKS1 header (magic, version, cipher/hash names, payload
# offset, key bytes, master key digest/salt/iterations, uuid and the 8
# key slots) and qcow2's crypto header extension.  Every command is given
# the known secret.
#
# PBKDF2 runs for as many iterations as the header says (QEMU 7.2 does the
# same), so a mutant that raises an iteration count far above the seed's
# can legitimately take longer than the timeout.  Such a timeout is
# classified "pbkdf2-timeout" and counted apart; a timeout on any other
# mutant is a failure.  Python standard library only.

import argparse
import importlib.util
import os
import random
import shutil
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))

_spec = importlib.util.spec_from_file_location(
    "qcow2_mutate", os.path.join(HERE, "qcow2-mutate.py"))
qm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(qm)

SECRET = "fuzz-secret-0"
OBJ = ["--object", "secret,id=sec0,data=" + SECRET]

# name, format, file name, create options, size, qemu-io setup commands
SEEDS = [
    ("luks", "luks", "img.luks",
     "key-secret=sec0,iter-time=10", "1M",
     ["write -P 0x11 0 64k", "write -P 0x22 512k 4k"]),
    ("qcow2-luks", "qcow2", "img.qcow2",
     "encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=10,"
     "cluster_size=4096", "1M",
     ["write -P 0x11 0 64k", "write -P 0x22 512k 4k"]),
    ("qcow2-aes", "qcow2", "img.qcow2",
     "encrypt.format=aes,encrypt.key-secret=sec0,cluster_size=4096", "1M",
     ["write -P 0x11 0 64k", "write -P 0x22 512k 4k"]),
]
SEED = {s[0]: s for s in SEEDS}

LUKS_MAGIC = b"LUKS\xba\xbe"
QCOW2_EXT_CRYPTO = 0x0537be77
# Iteration counts above this many times the seed's may legitimately
# run past the timeout.
SLOW_FACTOR = 20

# (name, offset, size, kind) of the LUKS1 partition header; kind "u" is a
# big-endian integer, "s" a NUL-padded string, "b" raw bytes.
PHDR = [("magic", 0, 6, "b"), ("version", 6, 2, "u"),
        ("cipher-name", 8, 32, "s"), ("cipher-mode", 40, 32, "s"),
        ("hash-spec", 72, 32, "s"), ("payload-offset", 104, 4, "u"),
        ("key-bytes", 108, 4, "u"), ("mk-digest", 112, 20, "b"),
        ("mk-salt", 132, 32, "b"), ("mk-iterations", 164, 4, "u"),
        ("uuid", 168, 40, "s")]
SLOT = [("active", 0, 4, "u"), ("iterations", 4, 4, "u"),
        ("salt", 8, 32, "b"), ("key-offset", 40, 4, "u"),
        ("stripes", 44, 4, "u")]
SLOT_BASE, SLOT_SIZE = 208, 48

STRINGS = {
    "cipher-name": [b"aes", b"twofish", b"serpent", b"cast5", b"des3_ede",
                    b"sm4", b"", b"aes-256", b"x" * 32, b"AES"],
    "cipher-mode": [b"xts-plain64", b"cbc-essiv:sha256", b"cbc-plain",
                    b"cbc-plain64", b"ecb", b"xts", b"xts-essiv",
                    b"cbc-essiv:", b"cbc-essiv:bogus", b"xts-plain64:sha1",
                    b"-", b"", b"cbc-essiv:sha256:sha1", b"y" * 32],
    "hash-spec": [b"sha1", b"sha256", b"sha512", b"md5", b"ripemd160",
                  b"", b"sha", b"z" * 32],
    "uuid": [b"", b"not-a-uuid", b"u" * 40,
             b"00000000-0000-0000-0000-000000000000"],
}


def seed_image(name):
    return os.path.join(SEED[name][2])


def build_seeds(outdir, img, io, log=None):
    os.makedirs(outdir, exist_ok=True)
    for name, fmt, fname, opts, size, cmds in SEEDS:
        d = os.path.join(outdir, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        qm._must([img, "create", "-q", "-f", fmt] + OBJ +
                 ["-o", opts, fname, size], d)
        argv = [io] + OBJ + ["--image-opts"]
        for c in cmds:
            argv += ["-c", c]
        qm._must(argv + [image_opts(name, fname)], d)
        if log:
            log("seed %s: %d bytes" % (name, os.path.getsize(
                os.path.join(d, fname))))


def image_opts(seed, fname):
    fmt = SEED[seed][1]
    key = "key-secret" if fmt == "luks" else "encrypt.key-secret"
    return "driver=%s,%s=sec0,file.filename=%s" % (fmt, key, fname)


# ---------------------------------------------------------------- mutate

class LuksMutator(qm.Mutator):
    """Mutations of one encrypted image; self.hdr is where the LUKS header
    starts (None for legacy AES)."""

    def __init__(self, data, rng, seed):
        super().__init__(data, rng)
        self.seed = seed
        self.hdr = None
        self.ext = None         # offset of the crypto extension's data
        self.slow = False       # an iteration count was raised a lot
        if SEED[seed][1] == "luks":
            self.hdr = 0
        elif seed == "qcow2-luks":
            for off, typ, length in self.lay.exts:
                if typ == QCOW2_EXT_CRYPTO:
                    self.ext = off + 8
                    self.hdr = self.get(self.ext, 8)

    def mutate(self, count):
        ops = []
        if self.hdr is not None:
            ops += [self.m_phdr] * 5 + [self.m_slot] * 5 + \
                [self.m_keymaterial] * 2
        if self.ext is not None:
            ops += [self.m_crypto_ext] * 3
        if SEED[self.seed][1] == "qcow2":
            ops += [self.m_crypt_method] * 2 + [self.m_header, self.m_l2,
                                                 self.m_l1, self.m_ext]
        ops += [self.m_truncate, self.m_flip_payload]
        for _ in range(count):
            self.rng.choice(ops)()
        data = bytes(self.d)
        if self.truncate_at is not None:
            data = data[:self.truncate_at]
        return data

    def _field(self, base, name, off, size, kind):
        r, at = self.rng, base + off
        old = self.get(at, size)
        if kind == "u":
            if name in ("iterations", "mk-iterations"):
                new = r.choice([0, 1, 2, old - 1, old + 1, old >> 1,
                                old * 2, old * 100, 0xffffffff, 0x7fffffff,
                                1 << 24, old ^ (1 << r.randrange(32))])
                new &= 0xffffffff
                if new > max(old, 1) * SLOW_FACTOR:
                    self.slow = True
            elif name == "active":
                new = r.choice([0x00ac71f3, 0x0000dead, 0, 1, 0xffffffff,
                                old ^ 1])
            elif name == "key-bytes":
                new = r.choice([0, 1, 16, 24, 32, 48, 64, 65, 128, 4096,
                                0xffffffff, 0x80000000, old + 1])
            elif name == "version":
                new = r.choice([0, 2, 3, 0xffff])
            else:
                new = self.value_for(old, size)
                if r.random() < 0.4:
                    new = r.choice([0, 1, 7, 8, 4000, 3999, 4001, 0xffffffff,
                                    0x80000000, 4096, 1 << 20, old + 1,
                                    old - 1, old * 2, old >> 1])
            self.put(at, size, new)
            self.notes.append("%s %#x -> %#x" % (name, old, new & 0xffffffff))
        elif kind == "s":
            val = r.choice(STRINGS.get(name, [b""]) + [None])
            if val is None:
                p = at + r.randrange(size)
                self.d[p] ^= 1 << r.randrange(8)
                self.notes.append("%s: bit flip at %#x" % (name, p))
            else:
                val = val[:size]
                # Sometimes leave no terminating NUL.
                pad = b"\0" if r.random() < 0.8 else b"A"
                self.d[at:at + size] = (val + pad * size)[:size]
                self.notes.append("%s = %r%s" % (name, val, "" if pad ==
                                                 b"\0" else " unterminated"))
        else:
            p = at + r.randrange(size)
            self.d[p] ^= 1 << r.randrange(8)
            self.notes.append("%s: bit flip at %#x" % (name, p))

    def m_phdr(self):
        self._field(self.hdr, *self.rng.choice(PHDR))

    def m_slot(self):
        i = self.rng.choice([0, 0, 0, self.rng.randrange(8)])
        base = self.hdr + SLOT_BASE + i * SLOT_SIZE
        name, off, size, kind = self.rng.choice(SLOT)
        was_slow = self.slow
        self._field(base, name, off, size, kind)
        if self.get(base, 4) != 0x00ac71f3:
            # Nothing runs PBKDF2 for an inactive slot: a timeout on
            # such a mutant must not be excused.
            self.slow = was_slow
        self.notes[-1] = "slot %d " % i + self.notes[-1]

    def m_keymaterial(self):
        # Slot 0's key material starts at sector (key-offset) of the
        # header; damage it (the open must then fail the digest check).
        ko = self.get(self.hdr + SLOT_BASE + 40, 4) * 512
        at = self.hdr + ko + self.rng.randrange(4000 * 32)
        if at < len(self.d):
            self.d[at] ^= 1 << self.rng.randrange(8)
        self.notes.append("key material bit flip at %#x" % at)

    def m_crypto_ext(self):
        which = self.rng.choice(["offset", "length"])
        at = self.ext + (0 if which == "offset" else 8)
        old = self.get(at, 8)
        new = self.value_for(old, 8)
        if self.rng.random() < 0.5:
            new = self.rng.choice([0, 1, 592, 591, 4096, old + 512,
                                   old - 512, old + 1, 1 << 63,
                                   (1 << 64) - 1, len(self.d)])
        self.put(at, 8, new)
        self.notes.append("crypto ext %s %#x -> %#x" % (
            which, old, new & ((1 << 64) - 1)))

    def m_crypt_method(self):
        old = self.get(32, 4)
        new = self.rng.choice([0, 1, 2, 3, 0xffffffff])
        self.put(32, 4, new)
        self.notes.append("crypt_method %d -> %d" % (old, new))

    def m_flip_payload(self):
        n = len(self.d)
        at = self.rng.randrange(n // 2, n)
        self.d[at] ^= 1 << self.rng.randrange(8)
        self.notes.append("bit flip at %#x" % at)


def make_mutant(seed_dir, seed, num, out_dir):
    shutil.rmtree(out_dir, ignore_errors=True)
    shutil.copytree(os.path.join(seed_dir, seed), out_dir)
    path = os.path.join(out_dir, SEED[seed][2])
    with open(path, "rb") as f:
        data = f.read()
    rng = random.Random("luks:%s:%d" % (seed, num))
    m = LuksMutator(data, rng, seed)
    data = m.mutate(rng.choice([1, 1, 1, 2, 2, 3]))
    with open(path, "wb") as f:
        f.write(data)
    return m.notes, m.slow


# ---------------------------------------------------------------- run

def command_plan(seed, mode):
    """(label, tool, args, codes, copy); OPTS stands for --image-opts and
    the option string of the image (or its copy)."""
    fmt = SEED[seed][1]
    plan = [
        ("info", "img", ["info", "OPTS"], qm.TOOL_CODES, None),
        ("read", "io", ["-r", "-c", "read 0 64k", "-c", "read 512k 4k",
                        "OPTS"], qm.TOOL_CODES, None),
    ]
    if fmt == "qcow2":
        plan += [("info-nokey", "img", ["info", "-f", "qcow2", "IMG"],
                  qm.TOOL_CODES, None),
                 ("check", "img", ["check", "OPTS"], qm.CHECK_CODES, None)]
    if mode == "smoke":
        return plan
    plan += [
        ("convert", "img", ["convert", "OPTS", "-O", "raw", "out.raw"],
         qm.TOOL_CODES, None),
        ("map", "img", ["map", "--output=json", "OPTS"], qm.TOOL_CODES,
         None),
        ("write", "io", ["-c", "write -P 0x5a 0 8k", "-c", "read -P 0x5a 0 8k",
                         "-c", "write -z 64k 4k", "-c", "discard 512k 4k",
                         "OPTS"], qm.TOOL_CODES, "rw"),
        ("resize", "img", ["resize", "OPTS", "+1M"], qm.TOOL_CODES,
         "resize"),
        ("reinfo-rw", "img", ["info", "OPTS"], qm.TOOL_CODES, "rw+"),
    ]
    if fmt == "qcow2":
        plan += [("check-r", "img", ["check", "-r", "all", "OPTS"],
                  qm.CHECK_CODES, "repair")]
    return plan


def tool_argv(tools, seed, tool, args, fname):
    argv = [tools.img if tool == "img" else tools.io]
    for a in args:
        if a == "OPTS":
            argv += OBJ + ["--image-opts", image_opts(seed, fname)]
        elif a == "IMG":
            argv.append(fname)
        else:
            argv.append(a)
    return argv


def ref_status(tools, seed, label, args, mdir):
    """7.2's exit status for the same read-only command (None: timeout)."""
    argv = tool_argv(qm.Tools(tools.ref_img, tools.ref_io), seed,
                     "img" if label.startswith("info") else "io", args,
                     SEED[seed][2])
    return qm.run_tool(argv, tools.timeout, mdir)


def run_mutant(tools, seed_dir, seed, num, work, mode, keep_dir):
    mdir = os.path.join(work, "%s-%d" % (seed, num))
    notes, slow = make_mutant(seed_dir, seed, num, mdir)
    fname = SEED[seed][2]
    res = {"seed": seed, "num": num, "notes": notes, "failures": [],
           "review": [], "statuses": {}, "pbkdf2-timeout": False}
    env = dict(os.environ)
    alogs = os.path.join(mdir, "asan-logs")
    env["ASAN_OPTIONS"] = ("detect_leaks=0:exitcode=99:log_path=%s/asan" %
                           alogs)
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:log_path=%s/ubsan" % alogs
    logs = []
    for label, tool, args, codes, copy in command_plan(seed, mode):
        target = fname
        if copy:
            target = copy.rstrip("+") + "-" + fname
            if not copy.endswith("+"):
                shutil.copyfile(os.path.join(mdir, fname),
                                os.path.join(mdir, target))
            elif res["statuses"].get(copy.rstrip("+")) is None:
                continue
        argv = tool_argv(tools, seed, tool, args, target)
        os.makedirs(alogs, exist_ok=True)
        status, out, err, secs = qm.run_tool(argv, tools.timeout, mdir, env)
        reports = qm.sanitizer_reports(alogs)
        shutil.rmtree(alogs, ignore_errors=True)
        res["statuses"][label] = status
        logs.append("$ %s\n[status %s, %.2fs]\n%s%s%s" %
                    (" ".join(argv[1:]), status, secs, out[-4000:],
                     err[-4000:], "".join(reports)[:20000]))
        if status is None and slow:
            # The header asks for a huge PBKDF2 run: not a hang of ours.
            # Every later command would do the same; stop here.
            res["pbkdf2-timeout"] = True
            break
        why = qm.judge("read" if tool == "io" else label, codes, status,
                       out, err, reports)
        if not why and label.startswith("reinfo") and status != 0 and \
                res["statuses"].get("info") == 0:
            why = "image no longer opens: " + err.strip()[-200:]
        if why:
            res["failures"].append("%s: %s" % (label, why))
        if mode != "smoke" and tools.ref_img and \
                label in ("info", "read") and status in (0, 1):
            ref = ref_status(tools, seed, label, args, mdir)
            if ref[0] in (0, 1) and ref[0] != status:
                res["review"].append("%s: ours %s, 7.2 %s" %
                                     (label, status, ref[0]))
                logs.append("$ 7.2 %s\n[status %s]\n%s%s" %
                            (label, ref[0], ref[1][-2000:], ref[2][-2000:]))
        if label == "convert" and status == 0 and tools.ref_img:
            compare_convert(tools, seed, mdir, res, logs)
    if (res["failures"] or res["review"]) and keep_dir:
        kd = os.path.join(keep_dir, "%s-%d" % (seed, num))
        make_mutant(seed_dir, seed, num, kd)
        with open(os.path.join(kd, "README"), "w") as f:
            f.write("seed %s mutant %d\nfailures: %s\nreview: %s\n"
                    "mutations:\n  %s\nreproduce: %s mutate %s %d DIR\n\n" %
                    (seed, num, res["failures"], res["review"],
                     "\n  ".join(notes), sys.argv[0], seed, num))
            f.write("\n".join(logs))
    shutil.rmtree(mdir, ignore_errors=True)
    return res


def compare_convert(tools, seed, mdir, res, logs):
    argv = tool_argv(qm.Tools(tools.ref_img, tools.ref_io), seed, "img",
                     ["convert", "OPTS", "-O", "raw", "out72.raw"],
                     SEED[seed][2])
    ref = qm.run_tool(argv, tools.timeout, mdir)
    if ref[0] != 0:
        return
    with open(os.path.join(mdir, "out.raw"), "rb") as a, \
            open(os.path.join(mdir, "out72.raw"), "rb") as b:
        if a.read() != b.read():
            res["review"].append("convert: guest data differs from 7.2's")
            logs.append("$ 7.2 convert\n[status 0]\n%s" % ref[2])


def campaign(tools, seed_dir, seeds, nums, mode, jobs, keep_dir, log):
    return qm.campaign(tools, seed_dir, seeds, nums, mode, jobs, keep_dir,
                       log, run=run_mutant, prefix="luks-fuzz-")


def summary(res):
    lines = []
    kinds = {}
    for r in res:
        for f in r["failures"]:
            kinds[f] = kinds.get(f, 0) + 1
    for k in sorted(kinds):
        lines.append("   %5d  %s" % (kinds[k], k))
    return lines


def cmd_run(args):
    log = lambda s: print(s, flush=True)
    tools = qm.Tools(args.img, args.io, args.ref_img or None, args.timeout)
    tools.ref_io = args.ref_io
    if not args.reuse_seeds or not os.path.isdir(args.seed_dir):
        build_seeds(args.seed_dir, args.img, args.io, log)
    seeds = args.only or [s[0] for s in SEEDS]
    if args.results:
        os.makedirs(args.results, exist_ok=True)
    t0 = time.monotonic()
    res = campaign(tools, args.seed_dir, seeds,
                   range(args.start, args.start + args.count), "full",
                   args.jobs, args.results, log)
    failed = [r for r in res if r["failures"]]
    print("== %d mutants, %.0fs; %d stopped on an expected PBKDF2 timeout" %
          (len(res), time.monotonic() - t0,
           len([r for r in res if r["pbkdf2-timeout"]])))
    print("\n".join(summary(res)))
    print("== %d failing mutants, %d for review" %
          (len(failed), len([r for r in res if r["review"]])))
    return 1 if failed else 0


def cmd_smoke(args):
    """Fixed mutants through info/read/check; exit classes only."""
    build_seeds(args.seed_dir, args.img, args.io)
    tools = qm.Tools(args.img, args.io, None, args.timeout)
    seeds = [s[0] for s in SEEDS]
    per = max(1, args.count // len(seeds))
    res = campaign(tools, args.seed_dir, seeds, range(1, per + 1), "smoke",
                   args.jobs, None, None)
    # Mutants whose header asks for a slow PBKDF2 are run with a timeout
    # and only counted: whether one finishes in time depends on the host.
    print("%d mutants" % len(res))
    for seed in seeds:
        labels = [c[0] for c in command_plan(seed, "smoke")]
        for label in labels:
            bad = [r for r in res if r["seed"] == seed and
                   "%s: " % label in " ".join(r["failures"])]
            print("%s %s: no crash, hang or undocumented exit status: %s" %
                  (seed, label, "no" if bad else "yes"))
            for r in bad:
                print("  %s-%d: %s" % (r["seed"], r["num"], r["failures"]))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--img", default=qm.default_tool("qemu-img"))
    p.add_argument("--io", default=qm.default_tool("qemu-io"))
    p.add_argument("--seed-dir", default="/tmp/luks-fuzz-seeds")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("seeds", help="build the seed images")
    m = sub.add_parser("mutate", help="write one mutant directory")
    m.add_argument("seed")
    m.add_argument("num", type=int)
    m.add_argument("out")
    for name in ("run", "smoke"):
        r = sub.add_parser(name)
        r.add_argument("--count", type=int, default=100 if name == "run"
                       else 45, help="mutants per seed (run) or in all")
        r.add_argument("--jobs", type=int, default=2)
        r.add_argument("--timeout", type=float, default=10.0)
    r = sub.choices["run"]
    r.add_argument("--results", default="luks-fuzz-results")
    r.add_argument("--start", type=int, default=0)
    r.add_argument("--only", action="append", help="seed name (repeatable)")
    r.add_argument("--reuse-seeds", action="store_true")
    r.add_argument("--ref-img", default=shutil.which("qemu-img") or "")
    r.add_argument("--ref-io", default=shutil.which("qemu-io") or "")
    args = p.parse_args()
    if args.cmd == "seeds":
        build_seeds(args.seed_dir, args.img, args.io, print)
        return 0
    if args.cmd == "mutate":
        print("\n".join(make_mutant(args.seed_dir, args.seed, args.num,
                                    args.out)[0]))
        return 0
    return {"run": cmd_run, "smoke": cmd_smoke}[args.cmd](args) or 0


if __name__ == "__main__":
    sys.exit(main())
