"""The error boundary of both shells: a `UserError` is the user's to fix and says so; any other exception,
even a ValueError or KeyError from a bug, is an internal error with its traceback logged."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

import addin.convert as convert
import cryptotax_cli.commands as commands
import cryptotax_core.planning.computed as computed
from addin.functions import GAINLOSS, NETCAPITAL
from cryptotax_cli.errors import EXIT_INTERNAL
from cryptotax_cli.main import main
from cryptotax_core import UserError

HEADER = ["Date", "Type", "Asset", "Quantity", "USD Value", "Wallet"]
ROWS = [HEADER, ["2025-01-01", "Buy", "BTC", "1", "100", "Coinbase"],
        ["2025-03-01", "Sell", "BTC", "1", "150", "Coinbase"]]
BUG_ERRORS = [ValueError("invalid literal for int() with base 10: 'x'"), KeyError("wallet")]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    convert.clear_cache()


def _csv(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "history.csv"
    path.write_text("".join(",".join(row) + "\n" for row in rows))
    return path


def _raising(error: Exception) -> Any:
    def broken(*_: Any, **__: Any) -> None:
        raise error

    return broken


@pytest.mark.parametrize("error", BUG_ERRORS, ids=["ValueError", "KeyError"])
@pytest.mark.parametrize(("command", "core_call"), [("report", "compute"), ("check", "check_table")])
def test_a_bug_at_the_command_line_is_an_internal_error(error: Exception, command: str, core_call: str,
                                                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(commands, core_call, _raising(error))
    code = main([command, str(_csv(tmp_path, ROWS))])
    out, err = capsys.readouterr()
    assert (code, out) == (EXIT_INTERNAL, "")
    lines = err.splitlines()
    assert lines[0] == f"cryptotax {command} failed:"
    assert lines[1] == "Traceback (most recent call last):"
    assert lines[-2] == f"{type(error).__name__}: {error}"
    assert lines[-1] == (f"cryptotax: internal error in {command}: please report it with the command you ran and "
                         f"the traceback above")
    assert "fix" not in err


def test_a_bug_while_reading_a_workbook_is_not_a_damaged_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The workbook reader calls openpyxl inside one catch (a damaged file fails anywhere in it); an error
    raised in cryptotax's own code there is still an internal error."""
    from cryptotax_cli import workbook
    from cryptotax_cli.new import new_workbook

    book = tmp_path / "taxes.xlsx"
    new_workbook(book, with_sample=True)

    # a bug in _settings: a lookup that fails in its own frame (a dict's method, called from there)
    monkeypatch.setattr(workbook, "range_boundaries", {}.__getitem__)
    assert main(["report", str(book)]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "KeyError: 'A" in err and "in _settings" in err
    assert "damaged" not in err and err.endswith("the traceback above\n")


def test_an_input_error_at_the_command_line_names_row_and_column(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, [*ROWS[:2], ["2025-03-01", "Sell", "BTC", "one", "150", "Coinbase"]])
    code = main(["report", str(path)])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.splitlines() == [f"cryptotax: {path} cannot be computed; fix these and run again:",
                                "  row 3, column Quantity: expected a number, found 'one'"]


def test_a_bad_option_at_the_command_line_is_the_users_to_fix(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", str(_csv(tmp_path, ROWS)), "--tz", "Mars/Olympus"])
    assert (code, capsys.readouterr().err) == (
        2, "cryptotax: unknown time zone 'Mars/Olympus': use an IANA name such as America/New_York\n")


@pytest.mark.parametrize("error", BUG_ERRORS, ids=["ValueError", "KeyError"])
def test_a_bug_in_a_cell_is_an_internal_error(error: Exception, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "addin.log"
    monkeypatch.setattr(convert, "LOG_PATH", log)
    monkeypatch.setattr(convert, "_log", logging.getLogger(f"cryptotax.addin.test-{type(error).__name__}"))
    monkeypatch.setattr(computed, "compute_with_checkpoints", _raising(error))  # the Book's history (planning.computed)
    assert GAINLOSS(ROWS, 2025) == f"cryptotax: internal error in GAINLOSS (details in {log})"
    logged = log.read_text()
    assert "cryptotax: GAINLOSS failed" in logged and "Traceback" in logged
    assert f"{type(error).__name__}: {error}" in logged


def test_a_bug_in_netting_is_an_internal_error_not_an_argument_error(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import addin.tax_functions as tax_functions

    log = tmp_path / "addin.log"
    monkeypatch.setattr(convert, "LOG_PATH", log)
    monkeypatch.setattr(convert, "_log", logging.getLogger("cryptotax.addin.test-netting"))
    monkeypatch.setattr(tax_functions, "net_capital", _raising(ValueError("a carryover is entered as positive")))
    assert NETCAPITAL(-5000, 0) == [[f"cryptotax: internal error in NETCAPITAL (details in {log})"]]
    assert "ValueError: a carryover is entered as positive" in log.read_text()


def test_an_input_error_in_a_cell_names_row_and_column() -> None:
    rows = [*ROWS[:2], ["2025-03-01", "Sell", "BTC", "one", "150", "Coinbase"]]
    assert GAINLOSS(rows, 2025) == "Transactions row 3, Quantity: expected a number, found 'one'"


@pytest.mark.parametrize(("arguments", "message"), [
    ((-5000, 0, 0, 0, "joint"), "unknown filing status 'joint': use one of single, mfj, mfs, hoh (or single, "
                                "married filing jointly, married filing separately, head of household)"),
    ((-5000, 0, -3, 0), "a carryover is entered as positive loss amounts, got short-term -3 and long-term 0"),
], ids=["filing-status", "negative-carryover"])
def test_bad_arguments_to_netcapital_are_the_users_to_fix(arguments: tuple[object, ...], message: str) -> None:
    assert NETCAPITAL(*arguments) == [[message]]


def test_no_user_error_is_also_a_built_in_error() -> None:
    """Each user-facing error derives from UserError alone, so no `except ValueError` catches one by accident."""
    import cryptotax_core

    def subclasses(base: type) -> list[type]:
        found = []
        for sub in base.__subclasses__():
            found += [sub, *subclasses(sub)]
        return found

    import addin.functions  # noqa: F401  (loads every module that defines an error)
    import cryptotax_cli.files
    import cryptotax_cli.import_targets  # noqa: F401
    import cryptotax_core.imports.builder

    errors = subclasses(cryptotax_core.UserError)
    assert len(errors) >= 12
    built_in = [error.__name__ for error in errors
                if any(base.__module__ == "builtins" and base is not Exception and base is not object
                       for base in error.__mro__ if base is not BaseException)]
    assert built_in == []
    assert UserError.__mro__[1:] == (Exception, BaseException, object)
