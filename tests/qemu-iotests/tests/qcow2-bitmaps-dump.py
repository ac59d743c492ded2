#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Print the persistent dirty bitmaps of a qcow2 image straight from the
# file (helper of the qcow2-bitmaps* iotests): for each directory entry its
# name, granularity, flags and the dirty byte ranges its data describes.
# Reading the on-disk format directly lets one test compare what either
# tool stored without trusting either tool's reader.
#
# Usage: qcow2-bitmaps-dump.py IMAGE

import struct
import sys

BITMAPS_EXT = 0x23852875
OFFSET_MASK = 0x00fffffffffffe00


def header_ext(f, cluster_bits, hdr_len):
    """Offsets of the bitmaps extension fields, or None."""
    f.seek(hdr_len)
    while True:
        raw = f.read(8)
        if len(raw) < 8:
            return None
        magic, length = struct.unpack('>II', raw)
        if magic == 0:
            return None
        data = f.read((length + 7) & ~7)
        if magic == BITMAPS_EXT:
            nb, _, dir_size, dir_off = struct.unpack('>IIQQ', data[:24])
            return nb, dir_size, dir_off


def ranges(f, size, gran, cluster_size, table_off, table_size):
    """Dirty byte ranges as [start, end) pairs, merged."""
    f.seek(table_off)
    table = struct.unpack('>%dQ' % table_size, f.read(8 * table_size))
    bits_per_cluster = cluster_size * 8
    nbits = (size + gran - 1) // gran
    out = []
    for i, entry in enumerate(table):
        off = entry & OFFSET_MASK
        first = i * bits_per_cluster
        count = min(bits_per_cluster, nbits - first)
        if off:
            f.seek(off)
            data = f.read(cluster_size)
            dirty = [(data[b // 8] >> (b % 8)) & 1 for b in range(count)]
        else:
            dirty = [entry & 1] * count
        for b, d in enumerate(dirty):
            if not d:
                continue
            start = (first + b) * gran
            end = min(start + gran, size)
            if out and out[-1][1] == start:
                out[-1][1] = end
            else:
                out.append([start, end])
    return out


def main(path):
    with open(path, 'rb') as f:
        hdr = f.read(112)
        size = struct.unpack('>Q', hdr[24:32])[0]
        cluster_bits = struct.unpack('>I', hdr[20:24])[0]
        version = struct.unpack('>I', hdr[4:8])[0]
        autoclear = struct.unpack('>Q', hdr[88:96])[0] if version >= 3 else 0
        hdr_len = struct.unpack('>I', hdr[100:104])[0] if version >= 3 else 72
        ext = header_ext(f, cluster_bits, hdr_len)
        print('autoclear bitmaps bit: %d' % (autoclear & 1))
        if ext is None:
            print('no bitmaps extension')
            return
        nb, dir_size, dir_off = ext
        f.seek(dir_off)
        d = f.read(dir_size)
        pos = 0
        for _ in range(nb):
            (toff, tsize, flags, _type, gbits, name_size,
             extra) = struct.unpack('>QIIBBHI', d[pos:pos + 24])
            name = d[pos + 24 + extra:pos + 24 + extra + name_size].decode()
            pos += (24 + extra + name_size + 7) & ~7
            fl = [n for bit, n in ((1, 'in-use'), (2, 'auto')) if flags & bit]
            print('%s: granularity %d flags [%s]' %
                  (name, 1 << gbits, ' '.join(fl)))
            if flags & 1:
                print('    (in use: data not valid)')
                continue
            for s, e in ranges(f, size, 1 << gbits, 1 << cluster_bits,
                               toff, tsize):
                print('    dirty %d+%d' % (s, e - s))


if __name__ == '__main__':
    main(sys.argv[1])
