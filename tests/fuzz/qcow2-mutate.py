#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Mutation fuzzer for the qcow2 driver and the tools around it.  "seeds"
# builds a small set of valid images with the tools under test, "mutate"
# damages one of them deterministically from a mutant number, "run" feeds
# many mutants to qemu-img and qemu-io (ideally the ASan build) and reports
# crashes, hangs, sanitizer reports, unexpected exit codes and empty or
# internal-looking error messages; "smoke" is the short fixed run used by
# the qcow2-fuzz-smoke iotest.  Python standard library only.

import argparse
import concurrent.futures
import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))

# Every seed is a directory holding img.qcow2 plus the files it refers to
# by relative name (base.qcow2 for a backing file, img.data for an
# external data file), so a copy of the directory is a self-contained
# image.  Each entry: name, create options, size, setup steps.  A step is
# ("io", [qemu-io commands]) or ("img", [qemu-img arguments]); "IMG"
# stands for the image path.
SEEDS = [
    ("v3-64k", "compat=1.1", "4M",
     [("io", ["write -P 0x11 0 128k", "write -P 0x22 1M 64k",
              "write -P 0x33 2M 64k", "write -z 2M 64k",
              "write -P 0x44 3M 64k", "discard 3M 64k"])]),
    ("v2-64k", "compat=0.10", "4M",
     [("io", ["write -P 0x11 0 128k", "write -P 0x22 1M 64k",
              "write -z 2M 64k"])]),
    ("v3-4k", "cluster_size=4096", "4M",
     [("io", ["write -P 0x11 0 16k", "write -P 0x22 2044k 8k",
              "write -P 0x33 3M 4k", "write -z 3M 4k"])]),
    ("v3-512", "cluster_size=512", "1M",
     [("io", ["write -P 0x11 0 8k", "write -P 0x22 300k 2k",
              "write -P 0x33 900k 1k", "write -z 900k 512"])]),
    ("extl2", "extended_l2=on,cluster_size=32k", "2M",
     [("io", ["write -P 0x11 0 4k", "write -P 0x22 33k 2k",
              "write -P 0x33 1M 64k", "write -z 1M 1k",
              "discard 1028k 4k"])]),
    ("compressed", "cluster_size=4096", "1M",
     [("io", ["write -c -P 0x11 0 4k", "write -c -P 0x22 8k 4k",
              "write -c -P 0x33 512k 4k", "write -P 0x44 600k 4k"])]),
    ("backing", "backing_file=base.qcow2,backing_fmt=qcow2", "2M",
     [("io", ["write -P 0x55 64k 64k", "write -z 1M 64k"])]),
    ("snapshots", "", "2M",
     [("io", ["write -P 0x11 0 64k"]),
      ("img", ["snapshot", "-c", "s1", "IMG"]),
      ("io", ["write -P 0x22 0 64k", "write -P 0x23 1M 64k"]),
      ("img", ["snapshot", "-c", "second", "IMG"]),
      ("io", ["write -P 0x33 64k 64k"])]),
    ("bitmap", "", "2M",
     [("img", ["bitmap", "--add", "IMG", "b0"]),
      ("img", ["bitmap", "--add", "-g", "128k", "IMG", "b1"]),
      ("io", ["write -P 0x11 0 64k", "write -P 0x22 1M 192k"]),
      ("img", ["bitmap", "--disable", "IMG", "b1"])]),
    ("datafile", "data_file=img.data", "2M",
     [("io", ["write -P 0x11 0 64k", "write -P 0x22 1M 64k",
              "write -z 1M 64k"])]),
    ("datafile-raw", "data_file=img.data,data_file_raw=on", "1M",
     [("io", ["write -P 0x11 0 64k", "write -P 0x22 512k 4k"])]),
    ("refcount1", "refcount_bits=1,cluster_size=4096", "1M",
     [("io", ["write -P 0x11 0 8k", "write -P 0x22 512k 4k"])]),
    ("refcount64", "refcount_bits=64,cluster_size=4096", "1M",
     [("io", ["write -P 0x11 0 8k", "write -P 0x22 512k 4k"])]),
    ("lazy", "lazy_refcounts=on,cluster_size=4096", "1M",
     [("io", ["write -P 0x11 0 8k", "write -P 0x22 512k 4k"])]),
]

# The documented exit codes of each command (qemu-img check: 0 clean,
# 1 check failed, 2 corruptions, 3 leaks, 63 checks not supported).
CHECK_CODES = (0, 1, 2, 3, 63)
NOT_RUN = -1000     # run_tool()'s status when the program did not start
TOOL_CODES = (0, 1)

# Text in a tool's output that means an internal failure rather than a
# message for the user.
INTERNAL_RE = re.compile(r"[Aa]ssertion|\bassert\(|BUG|Segmentation|"
                         r"core dumped|Aborted|internal error|"
                         r"Unknown error|\(null\)|: Success$",
                         re.MULTILINE)
SANITIZER_RE = re.compile(r"ERROR: (Address|Leak)Sanitizer|runtime error:")


def run_tool(argv, timeout, cwd, env=None):
    """Run argv; return (status, stdout, stderr, seconds).  status is the
    exit code, -signal, or None on a timeout (the process group is
    killed)."""
    t0 = time.monotonic()
    try:
        proc = subprocess.Popen(argv, cwd=cwd, env=env,
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE,
                                start_new_session=True)
    except OSError as e:
        # E.g. the binary is being relinked: say so, do not stop the run.
        return (NOT_RUN, "", "cannot run %s: %s" % (argv[0], e), 0.0)
    try:
        out, err = proc.communicate(timeout=timeout)
        status = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        status = None
    return (status, out.decode(errors="replace"),
            err.decode(errors="replace"), time.monotonic() - t0)


# ---------------------------------------------------------------- seeds

def build_seeds(outdir, img, io, log=None):
    """Create every seed image under outdir with the given tools."""
    os.makedirs(outdir, exist_ok=True)
    for name, opts, size, steps in SEEDS:
        d = os.path.join(outdir, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        if "backing_file=" in opts:
            _must([img, "create", "-q", "-f", "qcow2", "base.qcow2", size], d)
            _must([io, "-f", "qcow2", "-c", "write -P 0xb0 0 1M",
                   "-c", "write -P 0xb1 1536k 64k", "base.qcow2"], d)
        argv = [img, "create", "-q", "-f", "qcow2"]
        if opts:
            argv += ["-o", opts]
        _must(argv + ["img.qcow2", size], d)
        for kind, what in steps:
            if kind == "io":
                argv = [io, "-f", "qcow2"]
                for c in what:
                    argv += ["-c", c]
                _must(argv + ["img.qcow2"], d)
            else:
                _must([img] + ["img.qcow2" if a == "IMG" else a
                               for a in what], d)
        if log:
            log("seed %s: %d bytes" % (name, os.path.getsize(
                os.path.join(d, "img.qcow2"))))


def _must(argv, cwd):
    # QEMU 7.2 calibrates PBKDF2 by CPU time, which on a loaded machine now
    # and then fails with "Unable to get accurate CPU usage": try again.
    for _ in range(5):
        status, out, err, _ = run_tool(argv, 60, cwd)
        if status == 0 or "Unable to get accurate CPU usage" not in out + err:
            break
    if status != 0:
        raise SystemExit("seed step failed (%s): %s\n%s%s" %
                         (status, " ".join(argv), out, err))


# ---------------------------------------------------------------- layout

class Layout:
    """Where the metadata of a qcow2 image lives (as far as it can be
    parsed; a field that makes no sense leaves the rest empty)."""

    def __init__(self, data):
        self.data = data
        self.fields = {}
        self.exts = []          # (offset of the type field, type, length)
        self.l1 = []            # (file offset of the entry, value)
        self.l2 = []
        self.reftable = []
        self.refblocks = []     # file offsets of refcount blocks
        self.snapshots = []     # offsets of snapshot table entries
        self.snap_l1 = []       # (file offset of the entry, value)
        self.bitmap_ext = None  # offset of the bitmaps extension data
        self.bitmap_dir = []    # offsets of bitmap directory entries
        self.bitmap_tables = []  # (file offset of the entry, value)
        self.clusters = []      # start offsets of metadata clusters
        try:
            self._parse()
        except (struct.error, IndexError, ValueError):
            pass

    def u(self, off, size):
        fmt = {1: ">B", 2: ">H", 4: ">I", 8: ">Q"}[size]
        return struct.unpack_from(fmt, self.data, off)[0]

    def _parse(self):
        d = self.data
        ver = self.u(4, 4)
        self.cluster_bits = cb = self.u(20, 4)
        if not 9 <= cb <= 21:
            return
        cs = self.cluster_size = 1 << cb
        self.clusters.append(0)
        self.version = ver
        hlen = self.u(100, 4) if ver >= 3 else 72
        self.header_length = hlen
        ext_l2 = ver >= 3 and self.u(72, 8) & 16
        self.l2_entry = 16 if ext_l2 else 8
        # Header extensions.
        off = hlen
        while off + 8 <= min(len(d), cs):
            t, ln = self.u(off, 4), self.u(off + 4, 4)
            self.exts.append((off, t, ln))
            if t == 0:
                break
            if t == 0x23852875 and ln >= 24:
                self.bitmap_ext = off + 8
            off += 8 + ((ln + 7) & ~7)
        mask = 0x00fffffffffffe00
        # L1 and L2 tables.
        l1_off, l1_size = self.u(40, 8), self.u(36, 4)
        self._table(l1_off, min(l1_size, 4096), self.l1)
        for _, e in self.l1[:64]:
            l2 = e & mask
            if l2 and l2 + cs <= len(d):
                self.clusters.append(l2)
                for i in range(cs // self.l2_entry):
                    v = self.u(l2 + i * self.l2_entry, 8)
                    if v:
                        self.l2.append((l2 + i * self.l2_entry, v))
        # Refcount table and blocks.
        rt, rtc = self.u(48, 8), self.u(56, 4)
        self._table(rt, min(rtc * cs // 8, 4096), self.reftable)
        for _, e in self.reftable:
            if e and (e & ~(cs - 1)) + cs <= len(d):
                self.refblocks.append(e & ~(cs - 1))
                self.clusters.append(e & ~(cs - 1))
        # Snapshot table.
        nsn, soff = self.u(60, 4), self.u(64, 8)
        if soff and soff < len(d):
            self.clusters.append(soff & ~(cs - 1))
        off = soff
        for _ in range(min(nsn, 64)):
            if off + 40 > len(d):
                break
            self.snapshots.append(off)
            sl1, sl1n = self.u(off, 8), self.u(off + 8, 4)
            self._table(sl1, min(sl1n, 1024), self.snap_l1)
            idl, nml, extra = (self.u(off + 12, 2), self.u(off + 14, 2),
                               self.u(off + 36, 4))
            off += (40 + extra + idl + nml + 7) & ~7
        # Bitmap directory and tables.
        if self.bitmap_ext:
            b = self.bitmap_ext
            nb, dsz, doff = self.u(b, 4), self.u(b + 8, 8), self.u(b + 16, 8)
            if doff < len(d):
                self.clusters.append(doff & ~(cs - 1))
            off = doff
            for _ in range(min(nb, 64)):
                if off + 24 > len(d) or off >= doff + dsz:
                    break
                self.bitmap_dir.append(off)
                to, tn = self.u(off, 8), self.u(off + 8, 4)
                self._table(to, min(tn, 1024), self.bitmap_tables)
                nml, extra = self.u(off + 18, 2), self.u(off + 20, 4)
                off += (24 + extra + nml + 7) & ~7

    def _table(self, off, n, out):
        """Add the n 8-byte entries of a table at off to out."""
        if not off or off >= len(self.data):
            return
        self.clusters.append(off & ~(self.cluster_size - 1))
        for i in range(n):
            p = off + 8 * i
            if p + 8 > len(self.data):
                break
            out.append((p, self.u(p, 8)))


# ---------------------------------------------------------------- mutate

# Header fields: name, offset, width, minimum version.
HEADER_FIELDS = [
    ("magic", 0, 4, 2), ("version", 4, 4, 2),
    ("backing_file_offset", 8, 8, 2), ("backing_file_size", 16, 4, 2),
    ("cluster_bits", 20, 4, 2), ("size", 24, 8, 2),
    ("crypt_method", 32, 4, 2), ("l1_size", 36, 4, 2),
    ("l1_table_offset", 40, 8, 2), ("refcount_table_offset", 48, 8, 2),
    ("refcount_table_clusters", 56, 4, 2), ("nb_snapshots", 60, 4, 2),
    ("snapshots_offset", 64, 8, 2), ("incompatible_features", 72, 8, 3),
    ("compatible_features", 80, 8, 3), ("autoclear_features", 88, 8, 3),
    ("refcount_order", 96, 4, 3), ("header_length", 100, 4, 3),
    ("compression_type", 104, 1, 3),
]


class Mutator:
    """Damages one image; every choice comes from self.rng."""

    def __init__(self, data, rng):
        self.d = bytearray(data)
        self.rng = rng
        self.lay = Layout(bytes(data))
        self.cs = getattr(self.lay, "cluster_size", 65536)
        self.notes = []
        self.truncate_at = None

    def put(self, off, size, val):
        if off + size > len(self.d):
            return
        val &= (1 << (8 * size)) - 1
        self.d[off:off + size] = val.to_bytes(size, "big")

    def get(self, off, size):
        return int.from_bytes(self.d[off:off + size], "big")

    def value_for(self, old, size):
        """An interesting replacement for a field holding old."""
        r, n, cs = self.rng, len(self.d), self.cs
        top = (1 << (8 * size)) - 1
        meta = r.choice(self.lay.clusters or [0])
        cands = [0, 1, top, top >> 1, (top >> 1) + 1, old + 1, old - 1,
                 old * 2, old >> 1, old ^ (1 << r.randrange(8 * size)),
                 n, n + cs, n - 1, (n + cs - 1) & ~(cs - 1), meta,
                 meta + 8, 1 << r.randrange(8 * size), r.getrandbits(8 * size),
                 old + 512, old + cs, 0x7fffffff, 0x80000000, 1 << 55,
                 (1 << 56) - cs, 1 << 62]
        return r.choice(cands) & top

    def entry_value(self, old, l2=False):
        """An interesting replacement for an L1/L2/reftable entry."""
        r, n, cs = self.rng, len(self.d), self.cs
        flags = old & 0xff00000000000000
        meta = r.choice(self.lay.clusters or [0])
        cands = [
            ("past-eof", flags | ((n + cs * r.randrange(1, 64)) & ~(cs - 1))),
            ("far-past-eof", flags | (1 << r.randrange(40, 55))),
            ("into-metadata", flags | meta),
            ("unaligned", old + r.choice([512, 8, 1 << (r.randrange(9, 16))])),
            ("huge", old | (1 << r.randrange(56, 62))),
            ("reserved-bits", old | r.choice([0x100, 0x1, 0x2, 1 << 56])),
            ("copied-flip", old ^ (1 << 63)),
            ("zero", 0),
            ("all-ones", (1 << 64) - 1),
            ("random", r.getrandbits(64)),
            ("offset-zero", flags),
        ]
        if l2:
            cands += [
                ("compressed", old | (1 << 62)),
                ("compressed-size", (1 << 62) |
                 (r.getrandbits(62 - (self.cs.bit_length() - 9)) <<
                  max(self.cs.bit_length() - 9 - 1, 0)) | r.randrange(n)),
                ("zero-flag", old | 1),
                ("zero-flag-unaligned", (old | 1) + 512),
            ]
        return r.choice(cands)

    def mutate(self, count):
        ops = [self.m_header] * 4 + [self.m_feature_bits, self.m_ext] * 2 + \
            [self.m_l1] * 3 + [self.m_l2] * 4 + [self.m_reftable] * 2 + \
            [self.m_refblock] * 3 + [self.m_snapshot] * 2 + \
            [self.m_bitmap] * 2 + [self.m_truncate] * 2 + [self.m_flip] * 3
        for _ in range(count):
            self.rng.choice(ops)()
        data = bytes(self.d)
        if self.truncate_at is not None:
            data = data[:self.truncate_at]
        return data

    def m_header(self):
        fields = [f for f in HEADER_FIELDS
                  if f[3] <= getattr(self.lay, "version", 2)]
        name, off, size, _ = self.rng.choice(fields)
        old = self.get(off, size)
        if name == "cluster_bits":
            new = self.rng.choice([0, 8, 9, 12, 16, 21, 22, 31, 32, 63, 64,
                                   old + 1, old - 1])
        elif name == "version":
            new = self.rng.choice([0, 1, 2, 3, 4, 0xffffffff])
        elif name == "refcount_order":
            new = self.rng.choice([0, 1, 3, 4, 6, 7, 8, 31])
        elif name == "header_length":
            new = self.rng.choice([0, 71, 72, 100, 104, 105, 111, 112, 113,
                                   120, 4096, self.cs, self.cs + 8,
                                   0xffffffff, old + 8])
        else:
            new = self.value_for(old, size)
        self.put(off, size, new)
        self.notes.append("header %s %#x -> %#x" % (name, old, new))

    def m_feature_bits(self):
        if getattr(self.lay, "version", 2) < 3:
            return self.m_header()
        name, off = self.rng.choice([("incompatible", 72),
                                     ("compatible", 80), ("autoclear", 88)])
        bit = self.rng.choice([0, 1, 2, 3, 4, 5, 8, 31, 63])
        old = self.get(off, 8)
        self.put(off, 8, old ^ (1 << bit))
        self.notes.append("%s_features ^= bit %d" % (name, bit))

    def m_ext(self):
        if not self.lay.exts:
            return self.m_header()
        off, t, ln = self.rng.choice(self.lay.exts)
        what = self.rng.choice(["type", "length", "length", "data"])
        if what == "type":
            new = self.rng.choice([0, 0xe2792aca, 0x6803f857, 0x23852875,
                                   0x0537be77, 0x44415441, 0xdeadbeef])
            self.put(off, 4, new)
        elif what == "length":
            new = self.rng.choice([0, 1, 7, ln + 1, ln + 8, ln - 1, 0xffff,
                                   0xffffffff, self.cs, self.cs - off])
            self.put(off + 4, 4, new)
        else:
            p = off + 8 + self.rng.randrange(max(ln, 1))
            new = self.rng.randrange(256)
            self.put(p, 1, new)
        self.notes.append("extension %#x at %#x: %s -> %#x" %
                          (t, off, what, new))

    def _entry(self, table, what, l2=False):
        if not table:
            return self.m_header()
        # Prefer entries in use.
        used = [e for e in table if e[1]] or table
        off, old = self.rng.choice(used)
        if l2 and self.lay.l2_entry == 16 and self.rng.random() < 0.3:
            # The subcluster bitmap of an extended L2 entry.
            new = self.rng.choice([0xffffffffffffffff, 0x1, 0x100000001,
                                   0xffff0000, self.rng.getrandbits(64)])
            self.put(off + 8, 8, new)
            self.notes.append("%s bitmap at %#x -> %#x" % (what, off, new))
            return
        kind, new = self.entry_value(old, l2)
        self.put(off, 8, new)
        self.notes.append("%s at %#x: %s %#x -> %#x" %
                          (what, off, kind, old, new & ((1 << 64) - 1)))

    def m_l1(self):
        self._entry(self.lay.l1 or self.lay.snap_l1, "L1 entry")

    def m_l2(self):
        self._entry(self.lay.l2, "L2 entry", l2=True)

    def m_reftable(self):
        self._entry(self.lay.reftable, "reftable entry")

    def m_refblock(self):
        if not self.lay.refblocks:
            return self.m_header()
        blk = self.rng.choice(self.lay.refblocks)
        p = blk + self.rng.randrange(min(64, self.cs))
        new = self.rng.choice([0, 0xff, 0x80, 1, 2])
        self.put(p, 1, new)
        self.notes.append("refcount block byte %#x -> %#x" % (p, new))

    def m_snapshot(self):
        if not self.lay.snapshots:
            return self.m_l1()
        base = self.rng.choice(self.lay.snapshots)
        name, off, size = self.rng.choice([
            ("l1_table_offset", 0, 8), ("l1_size", 8, 4),
            ("id_str_size", 12, 2), ("name_size", 14, 2),
            ("vm_state_size", 32, 4), ("extra_data_size", 36, 4),
            ("vm_state_size_large", 40, 8), ("disk_size", 48, 8)])
        if self.rng.random() < 0.3 and self.lay.snap_l1:
            return self._entry(self.lay.snap_l1, "snapshot L1 entry")
        old = self.get(base + off, size)
        new = self.value_for(old, size)
        self.put(base + off, size, new)
        self.notes.append("snapshot at %#x %s %#x -> %#x" %
                          (base, name, old, new))

    def m_bitmap(self):
        if not self.lay.bitmap_ext:
            return self.m_l2()
        r = self.rng.random()
        if r < 0.25:
            b = self.lay.bitmap_ext
            name, off, size = self.rng.choice([
                ("nb_bitmaps", 0, 4), ("reserved", 4, 4),
                ("bitmap_directory_size", 8, 8),
                ("bitmap_directory_offset", 16, 8)])
            base = b
        elif r < 0.45 and self.lay.bitmap_tables:
            return self._entry(self.lay.bitmap_tables, "bitmap table entry")
        elif self.lay.bitmap_dir:
            base = self.rng.choice(self.lay.bitmap_dir)
            name, off, size = self.rng.choice([
                ("bitmap_table_offset", 0, 8), ("bitmap_table_size", 8, 4),
                ("flags", 12, 4), ("type", 16, 1),
                ("granularity_bits", 17, 1), ("name_size", 18, 2),
                ("extra_data_size", 20, 4)])
        else:
            return self.m_header()
        old = self.get(base + off, size)
        if name == "flags":
            new = old ^ (1 << self.rng.choice([0, 1, 2, 3, 31]))
        elif name == "granularity_bits":
            new = self.rng.choice([0, 8, 9, 16, 31, 32, 63, 64, 255])
        else:
            new = self.value_for(old, size)
        self.put(base + off, size, new)
        self.notes.append("bitmap %s at %#x %#x -> %#x" %
                          (name, base, old, new))

    def m_truncate(self):
        n, cs = len(self.d), self.cs
        lay = self.lay
        cands = [0, 50, 72, 104, getattr(lay, "header_length", 104) + 4,
                 cs, cs + 8, n // 2, n - 1, n - cs, n - cs // 2,
                 self.rng.randrange(n)]
        cands += [c + self.rng.choice([0, 8, cs // 2]) for c in lay.clusters]
        at = max(0, min(n, self.rng.choice(cands)))
        if self.truncate_at is None or at < self.truncate_at:
            self.truncate_at = at
        self.notes.append("truncate at %#x (of %#x)" % (at, n))

    def m_flip(self):
        cl = self.rng.choice(self.lay.clusters or [0])
        limit = min(self.cs, 512) if self.rng.random() < 0.7 else self.cs
        for _ in range(self.rng.randrange(1, 9)):
            p = cl + self.rng.randrange(limit)
            if p < len(self.d):
                self.d[p] ^= 1 << self.rng.randrange(8)
        self.notes.append("bit flips in cluster %#x" % cl)


def make_mutant(seed_dir, seed_name, num, out_dir):
    """Copy seed directory seed_name into out_dir and mutate its image from
    mutant number num.  Return the list of mutation notes."""
    shutil.rmtree(out_dir, ignore_errors=True)
    shutil.copytree(os.path.join(seed_dir, seed_name), out_dir)
    path = os.path.join(out_dir, "img.qcow2")
    with open(path, "rb") as f:
        data = f.read()
    rng = random.Random("%s:%d" % (seed_name, num))
    m = Mutator(data, rng)
    data = m.mutate(rng.choice([1, 1, 1, 2, 2, 3]))
    with open(path, "wb") as f:
        f.write(data)
    return m.notes


# ---------------------------------------------------------------- run

class Tools:
    def __init__(self, img, io, ref_img=None, timeout=10.0, asan_dir=None):
        self.img, self.io, self.ref_img = img, io, ref_img
        self.timeout = timeout
        self.asan_dir = asan_dir


def command_plan(mode):
    """The commands run on each mutant: (label, tool, args, codes, copy).
    copy names a fresh copy of the image to work on (None: the mutant
    itself, opened read-only by the command)."""
    io_cmds = ["-c", "read 0 64k", "-c", "write 0 4k", "-c", "discard 0 64k",
               "-c", "map"]
    smoke = [
        ("info", "img", ["info", "-f", "qcow2", "IMG"], TOOL_CODES, None),
        ("check", "img", ["check", "-f", "qcow2", "IMG"], CHECK_CODES, None),
        ("read", "io", ["-r", "-f", "qcow2", "-c", "read 0 64k",
                        "-c", "read 1M 64k", "IMG"], TOOL_CODES, None),
    ]
    if mode == "smoke":
        return smoke
    return [
        smoke[0],
        ("info-json", "img", ["info", "-f", "qcow2", "--output=json", "IMG"],
         TOOL_CODES, None),
        smoke[1],
        ("map", "img", ["map", "-f", "qcow2", "--output=json", "IMG"],
         TOOL_CODES, None),
        ("convert", "img", ["convert", "-f", "qcow2", "-O", "raw", "IMG",
                            "out.raw"], TOOL_CODES, None),
        ("snapshot-l", "img", ["snapshot", "-l", "IMG"], TOOL_CODES, None),
        ("measure", "img", ["measure", "-f", "qcow2", "-O", "qcow2", "IMG"],
         TOOL_CODES, None),
        smoke[2],
        ("check-r-all", "img", ["check", "-f", "qcow2", "-r", "all", "IMG"],
         CHECK_CODES, "repair.qcow2"),
        ("recheck", "img", ["check", "-f", "qcow2", "IMG"], CHECK_CODES,
         "repair.qcow2+"),
        ("bitmap", "img", ["bitmap", "-f", "qcow2", "--add", "IMG", "new"],
         TOOL_CODES, "bitmap.qcow2"),
        ("qemu-io-rw", "io", ["-f", "qcow2"] + io_cmds + ["IMG"], TOOL_CODES,
         "rw.qcow2"),
        ("snapshot-c", "img", ["snapshot", "-c", "fuzz", "IMG"], TOOL_CODES,
         "snap.qcow2"),
        ("resize", "img", ["resize", "-f", "qcow2", "IMG", "+1M"],
         TOOL_CODES, "resize.qcow2"),
        ("amend", "img", ["amend", "-f", "qcow2", "-o", "lazy_refcounts=on",
                          "IMG"], TOOL_CODES, "amend.qcow2"),
        # Writes must not leave an image that opened before unreadable.
        ("reinfo-rw", "img", ["info", "-f", "qcow2", "IMG"], TOOL_CODES,
         "rw.qcow2+"),
        ("reinfo-repair", "img", ["info", "-f", "qcow2", "IMG"], TOOL_CODES,
         "repair.qcow2+"),
        ("reinfo-snap", "img", ["info", "-f", "qcow2", "IMG"], TOOL_CODES,
         "snap.qcow2+"),
        ("reinfo-resize", "img", ["info", "-f", "qcow2", "IMG"], TOOL_CODES,
         "resize.qcow2+"),
        ("reinfo-amend", "img", ["info", "-f", "qcow2", "IMG"], TOOL_CODES,
         "amend.qcow2+"),
    ]


def sanitizer_reports(d):
    found = []
    if not d or not os.path.isdir(d):
        return found
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        with open(p, errors="replace") as f:
            text = f.read()
        if SANITIZER_RE.search(text):
            found.append(text)
    return found


def judge(label, codes, status, out, err, reports):
    """Why a command's result is a failure, or None."""
    if status is None:
        return "timeout"
    if status == NOT_RUN:
        return err
    if status < 0:
        return "signal %d" % -status
    if reports:
        return "sanitizer report"
    if status not in codes:
        return "exit status %d" % status
    text = err if label not in ("read", "qemu-io-rw") else out + err
    if INTERNAL_RE.search(err):
        return "internal-looking message"
    if status == 1 and not text.strip():
        return "failed without a message"
    return None


def check_class(status):
    return {0: "clean", 2: "corrupt", 3: "leaks"}.get(status, "other")


def compare_convert(tools, mdir, res, logs):
    """Convert the mutant with QEMU 7.2 too: guest data that differs
    while both tools succeed is listed for review."""
    ref = run_tool([tools.ref_img, "convert", "-f", "qcow2", "-O", "raw",
                    "img.qcow2", "out72.raw"], tools.timeout, mdir)
    if ref[0] != 0:
        return
    with open(os.path.join(mdir, "out.raw"), "rb") as a, \
            open(os.path.join(mdir, "out72.raw"), "rb") as b:
        while True:
            x, y = a.read(1 << 20), b.read(1 << 20)
            if x != y:
                res["review"].append("convert: guest data differs from "
                                     "7.2's")
                logs.append("$ 7.2 convert\n[status 0]\n%s" % ref[2])
                break
            if not x:
                break


def run_mutant(tools, seed_dir, seed_name, num, work, mode, keep_dir):
    """Run one mutant through the command plan.  Return a result dict."""
    mdir = os.path.join(work, "%s-%d" % (seed_name, num))
    notes = make_mutant(seed_dir, seed_name, num, mdir)
    res = {"seed": seed_name, "num": num, "notes": notes, "failures": [],
           "review": [], "statuses": {}}
    env = dict(os.environ)
    asan_logs = os.path.join(mdir, "asan-logs")
    env["ASAN_OPTIONS"] = ("detect_leaks=0:exitcode=99:log_path=%s/asan" %
                           asan_logs)
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:log_path=%s/ubsan" % asan_logs
    logs = []
    for label, tool, args, codes, copy in command_plan(mode):
        target = "img.qcow2"
        if copy:
            target = copy.rstrip("+")
            if not copy.endswith("+"):
                shutil.copyfile(os.path.join(mdir, "img.qcow2"),
                                os.path.join(mdir, target))
        argv = [tools.img if tool == "img" else tools.io]
        argv += [target if a == "IMG" else a for a in args]
        os.makedirs(asan_logs, exist_ok=True)
        status, out, err, secs = run_tool(argv, tools.timeout, mdir, env)
        reports = sanitizer_reports(asan_logs)
        shutil.rmtree(asan_logs, ignore_errors=True)
        res["statuses"][label] = status
        why = judge(label, codes, status, out, err, reports)
        logs.append("$ %s\n[status %s, %.2fs]\n%s%s%s" %
                    (" ".join(argv[1:]), status, secs, out[-4000:],
                     err[-4000:], "".join(reports)[:20000]))
        if not why and label.startswith("reinfo") and status != 0 and \
                res["statuses"].get("info") == 0:
            why = "image no longer opens: " + err.strip()[-200:]
        if why:
            res["failures"].append("%s: %s" % (label, why))
        if label == "convert" and status == 0 and tools.ref_img:
            compare_convert(tools, mdir, res, logs)
        if label == "recheck" and res["statuses"].get("check-r-all") == 0 \
                and status not in (0, 63):
            res["review"].append("check -r all exited 0 but a new check "
                                 "exits %s" % status)
    if mode != "smoke" and tools.ref_img:
        ref = run_tool([tools.ref_img, "check", "-f", "qcow2", "img.qcow2"],
                       tools.timeout, mdir)
        ours = res["statuses"].get("check")
        if ref[0] is not None and ours is not None:
            a, b = check_class(ours), check_class(ref[0])
            if {a, b} == {"clean", "corrupt"} or \
                    {a, b} == {"leaks", "corrupt"}:
                res["review"].append("check: ours %s (%s), 7.2 %s (%s)" %
                                     (a, ours, b, ref[0]))
                logs.append("$ 7.2 check\n[status %s]\n%s%s" % ref[:3])
    if (res["failures"] or res["review"]) and keep_dir:
        kd = os.path.join(keep_dir, "%s-%d" % (seed_name, num))
        shutil.rmtree(kd, ignore_errors=True)
        os.makedirs(kd)
        make_mutant(seed_dir, seed_name, num, kd)
        with open(os.path.join(kd, "README"), "w") as f:
            f.write("seed %s mutant %d\nfailures: %s\nreview: %s\n"
                    "mutations:\n  %s\nreproduce: %s mutate --seed-dir %s "
                    "%s %d DIR\n\n" %
                    (seed_name, num, res["failures"], res["review"],
                     "\n  ".join(notes), sys.argv[0], seed_dir, seed_name,
                     num))
            f.write("\n".join(logs))
    shutil.rmtree(mdir, ignore_errors=True)
    return res


def campaign(tools, seed_dir, seeds, nums, mode, jobs, keep_dir, log,
             work_parent=None, run=None, prefix="qcow2-fuzz-"):
    """Run every (seed, num) mutant through run (default run_mutant) on
    jobs threads; results in order, failures logged as they come."""
    run = run or run_mutant
    work = tempfile.mkdtemp(prefix=prefix, dir=work_parent)
    results = []
    t0 = time.monotonic()
    try:
        jobs_list = [(s, n) for n in nums for s in seeds]
        with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
            futs = [ex.submit(run, tools, seed_dir, s, n, work, mode,
                              keep_dir) for s, n in jobs_list]
            for i, fut in enumerate(futs):
                r = fut.result()
                results.append(r)
                if log and (r["failures"] or r["review"]):
                    log("%s-%d: %s%s  [%s]" % (
                        r["seed"], r["num"], "; ".join(r["failures"]),
                        (" review: " + "; ".join(r["review"]))
                        if r["review"] else "", "; ".join(r["notes"])))
                if log and (i + 1) % 200 == 0:
                    log("... %d/%d mutants, %.0fs" %
                        (i + 1, len(futs), time.monotonic() - t0))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


# ---------------------------------------------------------------- main

def default_tool(name):
    p = os.path.join(SRC, "build-asan", name)
    return p if os.path.exists(p) else os.path.join(SRC, "build", name)


def cmd_seeds(args):
    build_seeds(args.seed_dir, args.img, args.io, print)


def cmd_mutate(args):
    notes = make_mutant(args.seed_dir, args.seed, args.num, args.out)
    print("\n".join(notes))


def cmd_run(args):
    log = lambda s: print(s, flush=True)
    tools = Tools(args.img, args.io, args.ref_img or None, args.timeout)
    if not args.reuse_seeds or not os.path.isdir(args.seed_dir):
        build_seeds(args.seed_dir, args.img, args.io, log)
    seeds = args.only or [s[0] for s in SEEDS]
    nums = range(args.start, args.start + args.count)
    if args.results:
        os.makedirs(args.results, exist_ok=True)
    t0 = time.monotonic()
    res = campaign(tools, args.seed_dir, seeds, nums, "full", args.jobs,
                   args.results, log)
    failed = [r for r in res if r["failures"]]
    review = [r for r in res if r["review"]]
    kinds = {}
    for r in failed:
        for f in r["failures"]:
            kinds[f] = kinds.get(f, 0) + 1
    print("== %d mutants (%d seeds x %d), %.0fs" %
          (len(res), len(seeds), args.count, time.monotonic() - t0))
    for k in sorted(kinds):
        print("   %5d  %s" % (kinds[k], k))
    print("== %d failing mutants, %d for review%s" %
          (len(failed), len(review),
           (", kept in " + args.results) if args.results and
           (failed or review) else ""))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    return 1 if failed else 0


def cmd_smoke(args):
    """Fixed mutants through info/check/read; print exit classes only."""
    build_seeds(args.seed_dir, args.img, args.io)
    tools = Tools(args.img, args.io, None, args.timeout)
    seeds = [s[0] for s in SEEDS]
    per = max(1, args.count // len(seeds))
    res = campaign(tools, args.seed_dir, seeds, range(1, per + 1), "smoke",
                   args.jobs, args.results, None,
                   os.path.dirname(os.path.abspath(args.seed_dir)))
    print("%d mutants" % len(res))
    for label, _, _, codes, _ in command_plan("smoke"):
        bad = [r for r in res if "%s: " % label in " ".join(r["failures"])]
        print("%s: exit status in %s for every mutant: %s" %
              (label, "/".join(map(str, codes)), "no" if bad else "yes"))
        for r in bad:
            print("  %s-%d: %s" % (r["seed"], r["num"], r["failures"]))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--img", default=default_tool("qemu-img"))
    p.add_argument("--io", default=default_tool("qemu-io"))
    p.add_argument("--seed-dir", default="/tmp/qcow2-fuzz-seeds")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("seeds", help="build the seed images")
    m = sub.add_parser("mutate", help="write one mutant directory")
    m.add_argument("seed")
    m.add_argument("num", type=int)
    m.add_argument("out")
    for name in ("run", "smoke"):
        r = sub.add_parser(name)
        r.add_argument("--count", type=int, default=100 if name == "run"
                       else 150, help="mutants per seed (run) or in all")
        r.add_argument("--jobs", type=int, default=2)
        r.add_argument("--timeout", type=float, default=10.0)
        r.add_argument("--results", default=None if name == "smoke"
                       else "fuzz-results")
    r = sub.choices["run"]
    r.add_argument("--start", type=int, default=0)
    r.add_argument("--only", action="append", help="seed name (repeatable)")
    r.add_argument("--reuse-seeds", action="store_true")
    r.add_argument("--ref-img", default=shutil.which("qemu-img") or "",
                   help="QEMU 7.2's qemu-img for the check comparison")
    r.add_argument("--json", help="write every result to this file")
    args = p.parse_args()
    return {"seeds": cmd_seeds, "mutate": cmd_mutate, "run": cmd_run,
            "smoke": cmd_smoke}[args.cmd](args) or 0


if __name__ == "__main__":
    sys.exit(main())
