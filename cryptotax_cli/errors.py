"""The command's error boundary: what the user can fix, and everything else.

A `cryptotax_core.UserError` (the table, a setting, an option, an output file) is printed as its message
with exit code 2; any other exception is a bug of cryptotax: its traceback goes to stderr through
`logging`, with one line asking for a report, and exit code 70 (EX_SOFTWARE of sysexits.h).
"""

from __future__ import annotations

import logging
import sys

from cryptotax_core import UserError

EXIT_INPUT = 2
EXIT_INTERNAL = 70
REPORT_TO = "please report it with the command you ran and the traceback above"
_log = logging.getLogger("cryptotax.cli")


class OptionError(UserError):
    """An option, or a file named on the command line, cannot be used; the message says what to give."""


def internal_error(command: str) -> int:
    """Log the exception being handled with its traceback (stderr), print one line, return exit code 70."""
    handler = logging.StreamHandler(sys.stderr)  # the stderr of this run (a test may have replaced it)
    handler.setFormatter(logging.Formatter("%(message)s"))
    _log.addHandler(handler)
    _log.propagate = False
    try:
        _log.exception("cryptotax %s failed:", command)
    finally:
        _log.removeHandler(handler)
    print(f"cryptotax: internal error in {command}: {REPORT_TO}", file=sys.stderr)
    return EXIT_INTERNAL
