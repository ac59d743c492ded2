#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A scripted NBD server for the nbd-client-hostile iotest: it serves one
# connection on a Unix socket and breaks the protocol in the way the
# scenario named on the command line asks, at the handshake or on the
# first READ / BLOCK_STATUS request.  Everything else is answered
# correctly (1 MiB export reading as 0xab, structured replies).
# Usage: nbd-client-hostile.py SOCKET SCENARIO

import os
import socket
import struct
import sys

INIT = b'NBDMAGIC'
OPTS = 0x49484156454f5054
REP = 0x0003e889045565a9
SIMPLE = 0x67446698
STRUCT = 0x668e33ef
SIZE = 1 << 20
FLAGS = 1 | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 6)
CTX = 7

sock_path, scen = sys.argv[1], sys.argv[2]


def recv(c, n):
    buf = b''
    while len(buf) < n:
        d = c.recv(n - len(buf))
        if not d:
            raise EOFError
        buf += d
    return buf


def opt_reply(c, opt, typ, data=b'', length=None):
    n = len(data) if length is None else length
    c.sendall(struct.pack('>QIII', REP, opt, typ, n) + data)


def chunk(c, cookie, typ, data, flags=0, length=None):
    n = len(data) if length is None else length
    c.sendall(struct.pack('>IHHQI', STRUCT, flags, typ, cookie, n) + data)


def simple(c, cookie, err=0, data=b''):
    c.sendall(struct.pack('>IIQ', SIMPLE, err, cookie) + data)


def handshake(c):
    if scen == 'bad-init-magic':
        c.sendall(b'NBDMAGIX' + struct.pack('>QH', OPTS, 3))
        return False
    c.sendall(INIT + struct.pack('>QH', OPTS, 3))
    recv(c, 4)
    while True:
        magic, opt, ln = struct.unpack('>QII', recv(c, 16))
        data = recv(c, ln)
        if opt == 8:                                   # STRUCTURED_REPLY
            if scen == 'opt-reply-too-long':
                opt_reply(c, opt, 1, length=1 << 20)
                return False
            if scen == 'opt-wrong-option':
                opt_reply(c, 3, 1)
                return False
            opt_reply(c, opt, 1)
        elif opt == 10:                                # SET_META_CONTEXT
            name = data[12 + struct.unpack('>I', data[:4])[0]:]
            if scen == 'meta-wrong-name':
                name = b'base:other'
            opt_reply(c, opt, 4, struct.pack('>I', CTX) + name)
            if scen == 'meta-two':
                opt_reply(c, opt, 4, struct.pack('>I', CTX + 1) + name)
            opt_reply(c, opt, 1)
        elif opt == 7:                                 # GO
            if scen == 'go-unknown':
                msg = b'no such export here'
                opt_reply(c, opt, (1 << 31) | 6, msg)
                continue
            if scen == 'go-policy':
                opt_reply(c, opt, (1 << 31) | 2)
                continue
            if scen == 'info-short':
                opt_reply(c, opt, 3, struct.pack('>HQ', 0, SIZE))
                return False
            if scen == 'info-bad-min-block':
                opt_reply(c, opt, 3, struct.pack('>HIII', 3, 3, 4096, 1 << 25))
            if scen != 'info-no-export':
                opt_reply(c, opt, 3, struct.pack('>HQH', 0, SIZE, FLAGS))
            opt_reply(c, opt, 1)
            return True
        elif opt == 2:                                 # ABORT
            return False
        else:
            opt_reply(c, opt, (1 << 31) | 1)


def serve_read(c, cookie, off, ln, first):
    s = scen if first else ''
    data = b'\xab' * ln
    if s == 'reply-bad-magic':
        c.sendall(struct.pack('>IIQ', 0x12345678, 0, cookie))
    elif s == 'reply-bad-cookie':
        chunk(c, cookie + 1000, 1, struct.pack('>Q', off) + data, 1)
    elif s == 'data-outside':
        chunk(c, cookie, 1, struct.pack('>Q', off + 512) + data, 1)
    elif s == 'data-huge-length':
        chunk(c, cookie, 1, struct.pack('>Q', off), 1, length=0xffffffff)
    elif s == 'hole-bad-length':
        chunk(c, cookie, 2, struct.pack('>QIB', off, ln, 0), 1)
    elif s == 'hole-outside':
        chunk(c, cookie, 2, struct.pack('>QI', off, ln + 1), 1)
    elif s == 'simple-read':
        simple(c, cookie, 0, data)
    elif s == 'read-short':
        chunk(c, cookie, 1, struct.pack('>Q', off) + data[:ln // 2])
        chunk(c, cookie, 0, b'', 1)
    elif s == 'read-twice':
        chunk(c, cookie, 1, struct.pack('>Q', off) + data)
        chunk(c, cookie, 1, struct.pack('>Q', off) + data, 1)
    elif s == 'none-not-done':
        chunk(c, cookie, 0, b'', 0)
    elif s == 'unknown-type':
        chunk(c, cookie, 9, b'xx', 1)
    elif s == 'error-msglen':
        chunk(c, cookie, 0x8001, struct.pack('>IH', 1, 200) + b'oops', 1)
    elif s == 'error-zero':
        chunk(c, cookie, 0x8001, struct.pack('>IH', 0, 0), 1)
    elif s == 'error-eperm':
        msg = b'not allowed'
        chunk(c, cookie, 0x8001, struct.pack('>IH', 1, len(msg)) + msg, 1)
    elif s == 'error-offset-outside':
        chunk(c, cookie, 0x8002,
              struct.pack('>IHQ', 5, 0, off + ln + 4096), 1)
    elif s == 'eof-in-data':
        chunk(c, cookie, 1, struct.pack('>Q', off) + data[:10],
              1, length=8 + ln)
        raise EOFError
    elif s == 'duplicate-done':
        chunk(c, cookie, 1, struct.pack('>Q', off) + data, 1)
        chunk(c, cookie, 0, b'', 1)
    elif scen == 'hole-fine':
        chunk(c, cookie, 1, struct.pack('>Q', off) + data[:ln // 2])
        chunk(c, cookie, 2, struct.pack('>QI', off + ln // 2, ln - ln // 2))
        chunk(c, cookie, 0, b'', 1)
    else:
        # second half first: chunks may come in any order
        half = ln // 2
        chunk(c, cookie, 1, struct.pack('>Q', off + half) + data[half:])
        chunk(c, cookie, 1, struct.pack('>Q', off) + data[:half])
        chunk(c, cookie, 0, b'', 1)


def serve_status(c, cookie, off, ln, first):
    s = scen if first else ''
    ext = struct.pack('>II', ln, 0)
    if s == 'status-zero-length':
        ext = struct.pack('>II', 0, 0)
    elif s == 'status-odd-size':
        ext += b'abc'
    ctx = CTX + 1 if s == 'status-wrong-context' else CTX
    if s == 'status-none':
        chunk(c, cookie, 0, b'', 1)
        return
    chunk(c, cookie, 5, struct.pack('>I', ctx) + ext, 1)


def interleave(c, a, b):
    """Answer two reads with their chunks mixed, the second done first."""
    (ca, oa, la), (cb, ob, lb) = a, b
    chunk(c, ca, 1, struct.pack('>Q', oa) + b'\xab' * (la // 2))
    chunk(c, cb, 1, struct.pack('>Q', ob) + b'\xab' * lb, 1)
    chunk(c, ca, 1, struct.pack('>Q', oa + la // 2) + b'\xab' * (la - la // 2),
          1)


def transmission(c):
    first_read = first_status = True
    held = None
    while True:
        magic, fl, typ, cookie, off, ln = struct.unpack('>IHHQQI',
                                                         recv(c, 28))
        if typ == 0 and scen == 'interleave' and first_read:
            if held is None:
                held = (cookie, off, ln)
                continue
            interleave(c, held, (cookie, off, ln))
            first_read = False
        elif typ == 0:
            serve_read(c, cookie, off, ln, first_read)
            first_read = False
        elif typ == 1:
            recv(c, ln)
            simple(c, cookie)
        elif typ == 2:
            return
        elif typ == 7:
            serve_status(c, cookie, off, ln, first_status)
            first_status = False
        else:
            simple(c, cookie)


# the socket appears under its name only once it listens
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
for p in (sock_path, sock_path + '.tmp'):
    if os.path.exists(p):
        os.unlink(p)
srv.bind(sock_path + '.tmp')
srv.listen(1)
os.rename(sock_path + '.tmp', sock_path)
conn, _ = srv.accept()
srv.close()
try:
    if handshake(conn):
        transmission(conn)
except (EOFError, ConnectionError):
    pass
conn.close()
