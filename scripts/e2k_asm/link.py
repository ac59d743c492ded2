# SPDX-License-Identifier: GPL-2.0-or-later
"""Layout of all units, symbol resolution, ELF64 and flat output.

Sections of every input are concatenated by kind (text, rodata, data,
bss).  Because literal sizes depend on symbol values and symbol values on
literal sizes, layout is repeated until nothing moves (bundles never shrink
between passes, so this terminates); the last pass encodes with every
symbol known, which is what a relocation pass would have produced.
"""

import struct

from .errors import AsmError, fail
from .expr import evaluate

KINDS = ('text', 'rodata', 'data', 'bss')
EM_E2K = 175
PAGE = 0x1000


class Linker:
    def __init__(self, units):
        self.units = units
        self.values = {}
        self.where = {}         # key -> kind of section (None = absolute)
        self.chunks = []
        for kind in KINDS:
            for u in units:
                for name in u.order:
                    sec = u.sections[name]
                    if sec.kind == kind and (sec.items or kind == 'text'):
                        self.chunks.append((u, sec))
        self.check_globals()

    def check_globals(self):
        seen = {}
        for u in self.units:
            for name in u.globals:
                if name in u.defined:
                    if name in seen:
                        raise AsmError('symbol `%s` defined in both %s and '
                                       '%s' % (name, seen[name], u.path))
                    seen[name] = u.path

    @staticmethod
    def key(u, name):
        return name if name in u.globals else (u.index, name)

    def resolver(self, u):
        def resolve(name):
            k = (u.index, name)
            if name not in u.globals and k in self.values:
                return self.values[k]
            return self.values.get(name)
        return resolve

    # -- layout ----------------------------------------------------------

    def walk(self, bases, final):
        """One pass over all chunks; returns (changed, {kind: [bytes]})."""
        changed = False
        out = {k: [] for k in KINDS}
        ends = {}
        addr = None
        cur_kind = None
        for u, sec in self.chunks:
            if sec.kind != cur_kind:
                if cur_kind is not None:
                    ends[cur_kind] = addr
                cur_kind = sec.kind
                addr = bases(cur_kind, ends)
                self.starts[cur_kind] = addr
            pad = (-addr) % sec.align
            if pad:
                out[sec.kind].append(bytes(pad))
                addr += pad
            resolve = self.resolver(u)
            start = addr
            for item in sec.items:
                data = self.item(item, sec.kind, addr, start, resolve,
                                 final)
                if isinstance(data, tuple):
                    key = self.key(u, data[0])
                    if self.values.get(key) != data[1]:
                        changed = True
                        self.values[key] = data[1]
                    self.where[key] = data[2]
                    continue
                osize = self.sizes.get(id(item))
                if osize != len(data):
                    changed = True
                    self.sizes[id(item)] = len(data)
                out[sec.kind].append(data)
                addr += len(data)
        if cur_kind is not None:
            ends[cur_kind] = addr
        self.ends = ends
        return changed, out

    def item(self, item, sec_kind, addr, start, resolve, final):
        """Bytes of one item, or (name, value, section kind) for symbols."""
        kind = item[0]
        loc = item[-1]
        if kind == 'label':
            return (item[1], addr, sec_kind)
        if kind == 'set':
            v = self.value(item[2], resolve, addr, final, loc)
            return (item[1], v, None)
        if kind == 'bundle':
            if final and addr % 8:
                fail('bundle at %#x is not 8-byte aligned (use .align 8)'
                     % addr, loc)
            return item[1].encode(addr, resolve, final)
        if kind == 'data':
            size = item[1]
            v = self.value(item[2], resolve, addr, final, loc)
            if final and not -(1 << (8 * size)) < v < (1 << (8 * size)):
                fail('value %#x does not fit in %d bytes' % (v, size), loc)
            return (v & ((1 << (8 * size)) - 1)).to_bytes(size, 'little')
        if kind == 'bytes':
            return item[1]
        if kind == 'align':
            pad = (-addr) % item[1]
            fill = item[2]
            if fill is None:
                return bytes(pad)
            return bytes([fill & 0xFF]) * pad
        if kind == 'fill':
            count = self.value(item[1], resolve, addr, final, loc)
            if count < 0:
                if final:
                    fail('negative repeat count %d' % count, loc)
                count = 0
            size = item[2]
            v = self.value(item[3], resolve, addr, final, loc)
            if size == 1:
                return bytes([v & 0xFF]) * count
            return ((v & ((1 << (8 * size)) - 1)).to_bytes(size, 'little')
                    * count)
        if kind == 'org':
            v = self.value(item[1], resolve, addr, final, loc)
            target = start + v if v < start else v
            if target < addr:
                if final:
                    fail('.org moves backwards', loc)
                return b''
            return bytes(target - addr)
        fail('internal: unknown item %s' % kind, loc)

    def value(self, tree, resolve, addr, final, loc):
        if final:
            return evaluate(tree, resolve, addr, loc)

        def lenient(name):
            v = resolve(name)
            return 0 if v is None else v
        try:
            return evaluate(tree, lenient, addr, loc)
        except AsmError:
            return 0

    def layout(self, bases):
        self.sizes = {}
        self.starts = {}
        for _ in range(100):
            changed, _out = self.walk(bases, False)
            if not changed:
                break
        else:
            raise AsmError('layout does not converge')
        changed, out = self.walk(bases, True)
        if changed:
            raise AsmError('layout changed in the final pass')
        return {k: b''.join(v) for k, v in out.items()}

    def entry(self, name):
        for key in (name,) + tuple((u.index, name) for u in self.units):
            if key in self.values:
                return self.values[key]
        return None


def _up(v, a):
    return (v + a - 1) & ~(a - 1)


def link_flat(units, origin):
    lk = Linker(units)

    def bases(kind, ends):
        prev = [ends[k] for k in KINDS if k in ends]
        return _up(prev[-1], 16) if prev else origin
    data = lk.layout(bases)
    image = bytearray()
    for kind in KINDS:
        if kind in lk.starts:
            off = lk.starts[kind] - origin
            image += bytes(off - len(image))
            image += data[kind]
    return bytes(image), lk


def link_elf(units, base, entry_name):
    lk = Linker(units)

    def bases(kind, ends):
        prev = [ends[k] for k in KINDS if k in ends]
        if not prev:
            return base
        if kind in ('data', 'bss') and 'data' not in ends and \
                'bss' not in ends:
            return _up(prev[-1], PAGE)
        return _up(prev[-1], 16)
    data = lk.layout(bases)
    entry = lk.entry(entry_name)
    if entry is None:
        if entry_name != '_start':
            raise AsmError('entry symbol `%s` not defined' % entry_name)
        entry = lk.starts.get('text', base)
    return build_elf(lk, data, entry, base), lk


def build_elf(lk, data, entry, base):
    st = lk.starts
    segs = []
    rx_kinds = [k for k in ('text', 'rodata') if k in st]
    rw_kinds = [k for k in ('data', 'bss') if k in st]
    file_img = bytearray(PAGE)      # headers live in the first page
    sections = []                   # (name, kind, addr, offset, size)
    for group, flags in ((rx_kinds, 5), (rw_kinds, 6)):
        if not group:
            continue
        vstart = st[group[0]]
        off = PAGE + (vstart - base)
        if len(file_img) < off:
            file_img += bytes(off - len(file_img))
        filesz = 0
        memsz = 0
        for k in group:
            rel = st[k] - vstart
            if k != 'bss':
                if len(file_img) < off + rel:
                    file_img += bytes(off + rel - len(file_img))
                file_img[off + rel:off + rel + len(data[k])] = data[k]
                filesz = rel + len(data[k])
            memsz = rel + len(data[k])
            sections.append(('.' + k, k, st[k], off + rel, len(data[k])))
        segs.append((off, vstart, filesz, memsz, flags))
    syms = _symbols(lk, sections)
    return _elf_bytes(file_img, segs, sections, syms, entry)


def _symbols(lk, sections):
    index = {s[1]: i + 1 for i, s in enumerate(sections)}
    local, glob = [], []
    for key, v in lk.values.items():
        name = key if isinstance(key, str) else key[1]
        if name.startswith('.L'):
            continue
        kind = lk.where.get(key)
        shndx = index.get(kind, 0xFFF1)
        (glob if isinstance(key, str) else local).append((name, v, shndx))
    return sorted(local), sorted(glob)


def _elf_bytes(img, segs, sections, syms, entry):
    local, glob = syms
    strtab = bytearray(b'\0')
    symtab = bytearray(24)
    for bind, lst in ((0, local), (1, glob)):
        for name, v, shndx in lst:
            symtab += struct.pack('<IBBHQQ', len(strtab), bind << 4, 0,
                                  shndx, v & ((1 << 64) - 1), 0)
            strtab += name.encode() + b'\0'
    shstr = bytearray(b'\0')
    names = {}
    for n in [s[0] for s in sections] + ['.symtab', '.strtab', '.shstrtab']:
        names[n] = len(shstr)
        shstr += n.encode() + b'\0'
    phoff = 64
    sym_off = _up(len(img), 8)
    img += bytes(sym_off - len(img)) + symtab
    str_off = len(img)
    img += strtab
    shs_off = len(img)
    img += shstr
    sh_off = _up(len(img), 8)
    img += bytes(sh_off - len(img))
    shdrs = [bytes(64)]
    for name, kind, addr, off, size in sections:
        stype = 8 if kind == 'bss' else 1
        flags = {'text': 6, 'rodata': 2, 'data': 3, 'bss': 3}[kind]
        shdrs.append(struct.pack('<IIQQQQIIQQ', names[name], stype, flags,
                                 addr, off, size, 0, 0, 8, 0))
    nsec = len(sections)
    shdrs.append(struct.pack('<IIQQQQIIQQ', names['.symtab'], 2, 0, 0,
                             sym_off, len(symtab), nsec + 2, 1 + len(local),
                             8, 24))
    shdrs.append(struct.pack('<IIQQQQIIQQ', names['.strtab'], 3, 0, 0,
                             str_off, len(strtab), 0, 0, 1, 0))
    shdrs.append(struct.pack('<IIQQQQIIQQ', names['.shstrtab'], 3, 0, 0,
                             shs_off, len(shstr), 0, 0, 1, 0))
    img += b''.join(shdrs)
    ident = b'\x7fELF' + bytes([2, 1, 1, 0, 0]) + bytes(7)
    hdr = ident + struct.pack('<HHIQQQIHHHHHH', 2, EM_E2K, 1, entry, phoff,
                              sh_off, 0, 64, 56, len(segs), 64, len(shdrs),
                              len(shdrs) - 1)
    img[0:64] = hdr
    pos = phoff
    for off, vaddr, filesz, memsz, flags in segs:
        img[pos:pos + 56] = struct.pack('<IIQQQQQQ', 1, flags, off, vaddr,
                                        vaddr, filesz, memsz, PAGE)
        pos += 56
    return bytes(img)
