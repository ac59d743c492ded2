# SPDX-License-Identifier: GPL-2.0-or-later
"""E2K tables: ALS operations, register names, state registers, conditions.

Numbers follow ISA-NOTES sections 2 and 3 (integer subset).  Each ALS
operation has an opcode, a format, the channels it may use, the width of
its src2 (decides literal sizes) and an optional ALES value.
"""

ALL = (0, 1, 2, 3, 4, 5)
CH0134 = (0, 1, 3, 4)
LOAD_CH = (0, 2, 3, 5)
STORE_CH = (2, 5)
MAS_CH = (0, 2, 3, 5)
IO_CH = (2, 5)
EXT_ALES = 0x01C0


class OpInfo:
    __slots__ = ('name', 'opc', 'fmt', 'chans', 'width', 'ales', 'cmp')

    def __init__(self, name, opc, fmt, chans, width, ales=None, cmp=None):
        self.name = name
        self.opc = opc
        self.fmt = fmt          # alu, mov, cmp, load, store, rw, rr
        self.chans = chans
        self.width = width      # 32 or 64: how src2 literals are extended
        self.ales = ales
        self.cmp = cmp          # compare code for cmp ops


OPS = {}


def _add(name, *args, **kw):
    OPS[name] = OpInfo(name, *args, **kw)


def _build():
    pairs = [('and', 0x00), ('andn', 0x02), ('or', 0x04), ('orn', 0x06),
             ('xor', 0x08), ('xorn', 0x0A), ('merge', 0x0E), ('add', 0x10),
             ('sub', 0x12), ('scl', 0x14), ('scr', 0x16), ('shl', 0x18),
             ('shr', 0x1A), ('sar', 0x1C), ('getf', 0x1E)]
    for base, opc in pairs:
        _add(base + 's', opc, 'alu', ALL, 32)
        _add(base + 'd', opc + 1, 'alu', ALL, 64)
    _add('sxt', 0x0C, 'alu', ALL, 32)
    codes = ['o', 'b', 'e', 'be', 's', 'p', 'l', 'le']
    for code, suffix in enumerate(codes):
        _add('cmp%ssb' % suffix, 0x20, 'cmp', CH0134, 32, cmp=code)
        _add('cmp%sdb' % suffix, 0x21, 'cmp', CH0134, 64, cmp=code)
    for code, suffix in ((2, 'e'), (4, 's'), (5, 'p'), (7, 'le')):
        _add('cmpand%ssb' % suffix, 0x22, 'cmp', CH0134, 32, cmp=code)
        _add('cmpand%sdb' % suffix, 0x23, 'cmp', CH0134, 64, cmp=code)
    _add('muls', 0x20, 'alu', CH0134, 32, ales=EXT_ALES)
    _add('muld', 0x21, 'alu', CH0134, 64, ales=EXT_ALES)
    _add('umulx', 0x22, 'alu', CH0134, 32, ales=EXT_ALES)
    _add('smulx', 0x23, 'alu', CH0134, 32, ales=EXT_ALES)
    # Extended division (64 / 32 bit, channel 5) and the basic short
    # floating-point ops (channels 0, 1, 3, 4): encodings only, the
    # interpreter covers the integer subset.
    for name, opc in (('udivx', 0x44), ('umodx', 0x45), ('sdivx', 0x46),
                      ('smodx', 0x47)):
        _add(name, opc, 'alu', (5,), 32)
    for i, base in enumerate(('fadd', 'fsub', 'fmin', 'fmax', 'fmul')):
        _add(base + 's', 0x30 + 2 * i, 'alu', CH0134, 32)
        _add(base + 'd', 0x31 + 2 * i, 'alu', CH0134, 64)
    _add('udivs', 0x40, 'alu', (5,), 32)
    _add('udivd', 0x41, 'alu', (5,), 64)
    _add('sdivs', 0x42, 'alu', (5,), 32)
    _add('sdivd', 0x43, 'alu', (5,), 64)
    for i, sz in enumerate('bhwd'):
        _add('ld' + sz, 0x64 + i, 'load', LOAD_CH, 64)
        _add('st' + sz, 0x24 + i, 'store', STORE_CH, 64)
    _add('movts', 0x60, 'mov', CH0134, 32)
    _add('movtd', 0x61, 'mov', CH0134, 64)
    _add('rws', 0x3C, 'rw', (0,), 32, ales=EXT_ALES)
    _add('rwd', 0x3D, 'rw', (0,), 64, ales=EXT_ALES)
    _add('rrs', 0x3E, 'rr', (0,), 32, ales=EXT_ALES)
    _add('rrd', 0x3F, 'rr', (0,), 64, ales=EXT_ALES)


_build()

STATE_REGS = {
    'psr': 0x00, 'wd': 0x01, 'core_mode': 0x04, 'cwd': 0x06,
    'psp.hi': 0x07, 'psp.lo': 0x09, 'pshtp': 0x0B, 'pcsp.hi': 0x0D,
    'pcsp.lo': 0x0F, 'pcshtp': 0x13, 'ctpr1': 0x15, 'ctpr2': 0x16,
    'ctpr3': 0x17, 'sbr': 0x1E, 'cutd': 0x21, 'eir': 0x23, 'cuir': 0x25,
    'oscud.hi': 0x26, 'oscud.lo': 0x27, 'osgd.hi': 0x28, 'osgd.lo': 0x29,
    'osem': 0x2A, 'usd.hi': 0x2C, 'usd.lo': 0x2D, 'osr0': 0x2F,
    'cud.hi': 0x30, 'cud.lo': 0x31, 'gd.hi': 0x32, 'gd.lo': 0x33,
    'cs.hi': 0x34, 'cs.lo': 0x35, 'ds.hi': 0x36, 'ds.lo': 0x37,
    'es.hi': 0x38, 'es.lo': 0x39, 'fs.hi': 0x3A, 'fs.lo': 0x3B,
    'gs.hi': 0x3C, 'gs.lo': 0x3D, 'ss.hi': 0x3E, 'ss.lo': 0x3F,
    'cr0.hi': 0x51, 'cr0.lo': 0x53, 'cr1.hi': 0x55, 'cr1.lo': 0x57,
    'upsr': 0x80, 'ip': 0x81, 'nip': 0x82, 'lsr': 0x83, 'pfpfr': 0x84,
    'fpcr': 0x85, 'fpsr': 0x86, 'ilcr': 0x87, 'br': 0x88, 'bgr': 0x89,
    'idr': 0x8A, 'clkr': 0x90, 'tir.hi': 0x9C, 'tir.lo': 0x9D,
    'lsr1': 0xC3, 'ilcr1': 0xC7,
}
for _i in range(16):
    STATE_REGS.setdefault('dibcr' if _i == 0 else 'dreg%d' % _i, 0x40 + _i)

# Names that are operations but not ALS ops (for statement detection).
CONTROL_OPS = {
    'setwd', 'setbn', 'setbp', 'disp', 'sdisp', 'ldisp', 'return', 'ct',
    'call', 'ibranch', 'nop', 'wait', 'ipd', 'loop_mode', 'alc', 'abn',
    'abp', 'abg', 'flushr', 'flushc', 'done', 'pass', 'andp', 'landp',
    'movep', 'hret', 'glaunch',
}

# CT condition types (SS bits 8..5).
COND_NEVER, COND_ALWAYS, COND_PRED, COND_NPRED = 0, 1, 2, 3
COND_LOOP_END, COND_NOT_LOOP_END = 4, 5
COND_PRED_OR_LE, COND_NPRED_AND_NLE = 6, 7
COND_NPRED_OR_LE, COND_PRED_AND_NLE = 14, 15


def is_mnemonic(name):
    return name in OPS or name in CONTROL_OPS
