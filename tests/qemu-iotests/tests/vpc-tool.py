#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helper for the vpc-* iotests: reads, masks and patches VHD footers,
# dynamic headers and BATs (all big-endian).
#
#   vpc-tool.py show FILE             footer fields (and the dynamic header)
#   vpc-tool.py mask FILE             check then zero each footer's
#                                     timestamp, checksum and UUID
#   vpc-tool.py footer FILE start|end FIELD=VALUE... [nocsum]
#   vpc-tool.py header FILE FIELD=VALUE... [nocsum]
#   vpc-tool.py bat FILE INDEX VALUE
#
# Footer fields: cookie creator type cur orig cyls heads secs dataoff
# csum; header fields: cookie tableoff entries blocksize csum.  Values
# are numbers (0x... allowed) or text for cookie/creator; the checksum
# is recomputed unless "nocsum" is given (or csum= is set).

import struct
import sys
import time

FOOTER = {
    'cookie': (0, '8s'), 'dataoff': (16, '>Q'), 'timestamp': (24, '>I'),
    'creator': (28, '4s'), 'orig': (40, '>Q'), 'cur': (48, '>Q'),
    'cyls': (56, '>H'), 'heads': (58, 'B'), 'secs': (59, 'B'),
    'type': (60, '>I'), 'csum': (64, '>I'),
}
HEADER = {
    'cookie': (0, '8s'), 'tableoff': (16, '>Q'), 'version': (24, '>I'),
    'entries': (28, '>I'), 'blocksize': (32, '>I'), 'csum': (36, '>I'),
}
VHD_EPOCH = 946684800


def checksum(buf, csum_ofs):
    data = bytearray(buf)
    data[csum_ofs:csum_ofs + 4] = bytes(4)
    return ~sum(data) & 0xffffffff


def get(buf, fields, name):
    ofs, fmt = fields[name]
    val = struct.unpack_from(fmt, buf, ofs)[0]
    return val.decode('latin-1') if isinstance(val, bytes) else val


def patch(buf, fields, csum_ofs, args):
    fix = 'nocsum' not in args
    for arg in args:
        if arg == 'nocsum':
            continue
        name, val = arg.split('=', 1)
        ofs, fmt = fields[name]
        if fmt.endswith('s'):
            size = int(fmt[:-1])
            val = val.encode('latin-1').ljust(size, b'\0')[:size]
        else:
            val = int(val, 0)
        struct.pack_into(fmt, buf, ofs, val)
        if name == 'csum':
            fix = False
    if fix:
        struct.pack_into('>I', buf, csum_ofs, checksum(buf, csum_ofs))


def footer_offset(data, where):
    return 0 if where == 'start' else len(data) - 512


def cmd_show(data):
    at_start = data[:8] == b'conectix'
    ofs = 0 if at_start else len(data) - 512
    ft = data[ofs:ofs + 512]
    print('footer at %s: creator %r type %d cur %d orig %d chs %d/%d/%d'
          % ('start' if at_start else 'end', get(ft, FOOTER, 'creator'),
             get(ft, FOOTER, 'type'), get(ft, FOOTER, 'cur'),
             get(ft, FOOTER, 'orig'), get(ft, FOOTER, 'cyls'),
             get(ft, FOOTER, 'heads'), get(ft, FOOTER, 'secs')))
    if at_start and len(data) >= 1536:
        hdr = data[512:1536]
        print('dynamic header: table at %d, %d entries, block size %d'
              % (get(hdr, HEADER, 'tableoff'), get(hdr, HEADER, 'entries'),
                 get(hdr, HEADER, 'blocksize')))
    print('file size %d' % len(data))


def cmd_mask(data):
    """Zero what differs run to run, after checking it is sane."""
    now = time.time() - VHD_EPOCH
    problems = []
    uuids = set()
    count = 0
    for ofs in range(0, len(data) - 511, 512):
        ft = data[ofs:ofs + 512]
        if ft[:8] != b'conectix':
            continue
        count += 1
        if get(ft, FOOTER, 'csum') != checksum(ft, 64):
            problems.append('bad checksum at %d' % ofs)
        if abs(get(ft, FOOTER, 'timestamp') - now) > 86400:
            problems.append('timestamp not now at %d' % ofs)
        uuid = ft[68:84]
        if uuid[6] >> 4 != 4 or uuid[8] >> 6 != 2:
            problems.append('not a v4 uuid at %d' % ofs)
        uuids.add(bytes(uuid))
        data[ofs + 24:ofs + 28] = bytes(4)
        data[ofs + 64:ofs + 84] = bytes(20)
    print('footers: %d, %s, %d uuid(s)'
          % (count, '; '.join(problems) or 'checksums, timestamps, uuids ok',
             len(uuids)))


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    with open(path, 'rb') as f:
        data = bytearray(f.read())
    if cmd == 'show':
        cmd_show(data)
        return
    if cmd == 'mask':
        cmd_mask(data)
    elif cmd == 'footer':
        ofs = footer_offset(data, sys.argv[3])
        ft = data[ofs:ofs + 512]
        patch(ft, FOOTER, 64, sys.argv[4:])
        data[ofs:ofs + 512] = ft
    elif cmd == 'header':
        hdr = data[512:1536]
        patch(hdr, HEADER, 36, sys.argv[3:])
        data[512:1536] = hdr
    elif cmd == 'bat':
        table = struct.unpack_from('>Q', data, 512 + 16)[0]
        struct.pack_into('>I', data, table + 4 * int(sys.argv[3], 0),
                         int(sys.argv[4], 0))
    else:
        sys.exit('unknown command ' + cmd)
    with open(path, 'wb') as f:
        f.write(data)


if __name__ == '__main__':
    main()
