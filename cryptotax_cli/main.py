"""The `cryptotax` command line: the parser (cryptotax_cli/arguments.py), the commands
(cryptotax_cli/commands.py) and the error boundary between them and the user."""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

from cryptotax_cli.arguments import build_parser
from cryptotax_cli.commands import run_command
from cryptotax_cli.errors import EXIT_INPUT, internal_error
from cryptotax_core import UserError


def run() -> int:
    """The `cryptotax` command: `main` with Python's cyclic garbage collector off. A run is short and
    makes millions of small records that form no cycles; reference counting frees them all, and the
    collector's passes over them would only cost time (a fifth of a 100,000-row report)."""
    gc.disable()
    return main()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code. The error boundary: a `UserError` a command did not explain itself is
    printed as its message (exit code 2); any other exception is an internal error (cryptotax_cli.errors)."""
    args = build_parser().parse_args(argv)
    try:
        return run_command(args)
    except UserError as exc:
        print(f"cryptotax: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except Exception:
        return internal_error(args.command)


if __name__ == "__main__":
    sys.exit(run())
