"""The `cryptotax` command line: the parser (cryptotax_cli/arguments.py), the commands
(cryptotax_cli/commands.py) and the error boundary between them and the user."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from cryptotax_cli.arguments import build_parser
from cryptotax_cli.commands import run_command
from cryptotax_cli.errors import EXIT_INPUT, internal_error
from cryptotax_core import UserError, without_cycle_collection


def run() -> int:
    """The `cryptotax` command (the console script)."""
    return main()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code. The error boundary: a `UserError` a command did not explain itself is
    printed as its message (exit code 2); any other exception is an internal error (cryptotax_cli.errors)."""
    args = build_parser().parse_args(argv)
    try:
        with without_cycle_collection():  # the collector paused for the command's records, restored after
            return run_command(args)
    except UserError as exc:
        print(f"cryptotax: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except Exception:
        return internal_error(args.command)


if __name__ == "__main__":
    sys.exit(run())
