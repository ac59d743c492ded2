#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""E2K assembler command line; the work is done by scripts/e2k_asm/.

Usage: e2k-as.py [-D NAME] [-I DIR] [-mcpu=elbrus-vN] -o OUT FILE...
       e2k-as.py --flat --origin 0x100000000 -o OUT.bin FILE...
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2k_asm.cli import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())
