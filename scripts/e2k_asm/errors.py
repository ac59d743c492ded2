# SPDX-License-Identifier: GPL-2.0-or-later
"""Error type carrying a source position, printed as `file:line: error: msg`."""


class AsmError(Exception):
    def __init__(self, msg, loc=None):
        super().__init__(msg)
        self.msg = msg
        self.loc = loc

    def __str__(self):
        if self.loc is not None:
            return '%s:%d: error: %s' % (self.loc[0], self.loc[1], self.msg)
        return 'error: %s' % self.msg


def fail(msg, loc=None):
    raise AsmError(msg, loc)
