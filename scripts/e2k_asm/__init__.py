# SPDX-License-Identifier: GPL-2.0-or-later
"""E2K (Elbrus 2000) assembler: MCST GAS dialect in, ELF64 or flat image out.

Modules: source (cpp, statements, macros), expr (tokens, expressions),
isa (opcode and register tables), bundle (wide-instruction packing),
assembler (directives, sections, symbols), link (layout, ELF, flat), cli.
"""
