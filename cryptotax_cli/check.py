"""What `cryptotax check FILE` prints: every problem of a table, one a line, or one line saying it is OK."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cryptotax_core import Checked, Issue


def counted(count: int, noun: str) -> str:
    """`1 warning`, `3 warnings`, `1,200 transactions`."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def failed(path: Path, issues: Sequence[Issue]) -> str:
    """Each problem as `row N, column C: message` (as the user fixes them, in row order), then the count."""
    lines = [str(issue) for issue in issues]
    lines.append(f"{counted(len(issues), 'error')} in {path}: fix {'it' if len(issues) == 1 else 'them'} "
                 f"and run again")
    return "\n".join(lines)


def checked_text(path: Path, checked: Checked) -> str:
    """`failed` or `passed`, for every problem found in one pass."""
    if checked.ok:
        return passed(checked.transactions, checked.warnings)
    text = failed(path, checked.errors)
    if checked.held_back:
        text += f"\n{checked.held_back_note}"
    return text


def passed(transactions: int, warnings: Sequence[Issue]) -> str:
    """Each warning as `warning: row N, column C: message`, then `OK: N transactions, W warnings`."""
    lines = [f"warning: {warning}" for warning in warnings]
    lines.append(f"OK: {counted(transactions, 'transaction')}, {counted(len(warnings), 'warning')}")
    return "\n".join(lines)
