#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Overwrite one field of a qcow2 image's bitmaps header extension or of
# its first bitmap directory entry (helper of the qcow2-bitmaps* iotests,
# to make broken directories).
#
# Usage: qcow2-bitmaps-patch.py IMAGE FIELD VALUE
#   FIELD: nb, dir-size (extension); table-offset, table-size, flags,
#          type, granularity-bits, name-size (first entry);
#          entry0-to-l1: the first bitmap table entry of the first
#          bitmap is pointed at the L1 table (VALUE is ignored)

import struct
import sys

BITMAPS_EXT = 0x23852875

ENTRY_FIELDS = {
    'table-offset': ('>Q', 0),
    'table-size': ('>I', 8),
    'flags': ('>I', 12),
    'type': ('>B', 16),
    'granularity-bits': ('>B', 17),
    'name-size': ('>H', 18),
}


def main(path, field, value):
    with open(path, 'r+b') as f:
        hdr = f.read(104)
        f.seek(struct.unpack('>I', hdr[100:104])[0])
        while True:
            pos = f.tell()
            magic, length = struct.unpack('>II', f.read(8))
            if magic == 0:
                sys.exit('no bitmaps extension')
            data = f.read((length + 7) & ~7)
            if magic == BITMAPS_EXT:
                break
        dir_off = struct.unpack('>Q', data[16:24])[0]
        if field == 'entry0-to-l1':
            f.seek(dir_off)
            table = struct.unpack('>Q', f.read(8))[0]
            f.seek(table)
            f.write(hdr[40:48])
        elif field == 'nb':
            f.seek(pos + 8)
            f.write(struct.pack('>I', value))
        elif field == 'dir-size':
            f.seek(pos + 16)
            f.write(struct.pack('>Q', value))
        else:
            fmt, off = ENTRY_FIELDS[field]
            f.seek(dir_off + off)
            f.write(struct.pack(fmt, value))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3], 0))
