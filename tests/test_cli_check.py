"""`cryptotax check FILE`: every problem as `row N, column C: message`, or OK."""

from pathlib import Path

import pytest

from cryptotax_cli.main import main
from cryptotax_cli.new import new_workbook
from cryptotax_core.samples import SAMPLE_HISTORY


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_sample_is_ok(capsys: pytest.CaptureFixture[str]) -> None:
    # sample_history.csv has 23 rows below its header, all valid, none of them raising a warning
    assert check(capsys, str(SAMPLE_HISTORY)) == (0, "OK: 23 transactions, 0 warnings\n", "")


def test_the_sample_workbook_is_ok(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "taxes.xlsx"
    new_workbook(path, with_sample=True)
    assert check(capsys, str(path)) == (0, "OK: 23 transactions, 0 warnings\n", "")


def test_every_problem_of_a_bad_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("ID,Date,Type,Asset,Quantity,USD Value,Wallet\n"
                    "B1,2025-01-01,Buy,BTC,1,100,Coinbase\n"
                    "B2,2025-02-30,Buy,BTC,1,100,Coinbase\n"
                    "S1,2025-03-01,Sell,BTC,abc,100,Coinbase\n"
                    "S2,2025-03-02,Swap,BTC,1,100,Coinbase\n"
                    "S3,2025-03-03,Sell,BTC,1,,Coinbase\n")
    code, out, err = check(capsys, str(path))
    assert (code, err) == (2, "")
    assert out.splitlines() == [
        "row 3, column Date: '2025-02-30' is not a date: February 2025 has 28 days, not 30",
        "row 4, column Quantity: expected a number, found 'abc'",
        "row 5, column Type: unknown type 'Swap': write one of Buy, Sell, Trade, Spend, Transfer, Income, Staking, "
        "Mining, Airdrop, Interest",
        "row 6, column USD Value: a Sell needs its USD value (USD received)",
        f"4 errors in {path}: fix them and run again",
    ]


def test_row_errors_and_shortfalls_in_one_pass(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The engine runs on the rows without errors: row 5 sells 3 BTC of the 1 bought on row 2 (a shortfall
    found beside row 3's bad date); row 4 sells ETH that row 3 may have bought, so it waits for row 3."""
    path = tmp_path / "both.csv"
    path.write_text("Date,Type,Asset,Quantity,USD Value,Wallet\n"
                    "2025-01-01,Buy,BTC,1,100,Coinbase\n"
                    "2025-02-30,Buy,ETH,2,100,Coinbase\n"
                    "2025-03-01,Sell,ETH,2,300,Coinbase\n"
                    "2025-03-02,Sell,BTC,3,200,Coinbase\n")
    code, out, _ = check(capsys, str(path))
    assert code == 2
    assert out.splitlines() == [
        "row 3, column Date: '2025-02-30' is not a date: February 2025 has 28 days, not 30",
        "row 5, column Quantity: sells 3 BTC from 'Coinbase' on 2025-03-02 but 1 is held there",
        f"2 errors in {path}: fix them and run again",
        "(the holdings of ETH are checked once the rows above with errors are fixed: they may depend on them)",
    ]


def test_a_lot_named_on_a_row_with_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "named.csv"
    path.write_text("ID,Date,Type,Asset,Quantity,USD Value,Wallet,Lot IDs\n"
                    "B1,2025-01-01,Buy,BTC,1,100,Coinbase,\n"
                    "B2,2025-02-30,Buy,BTC,1,100,Coinbase,\n"
                    "S1,2025-03-01,Sell,BTC,1,300,Coinbase,B2\n"
                    "S2,2025-03-02,Sell,BTC,1,200,Coinbase,B1\n")
    code, out, _ = check(capsys, str(path), "--method", "SPECIFIC")
    assert code == 2
    assert out.splitlines() == [
        "row 3, column Date: '2025-02-30' is not a date: February 2025 has 28 days, not 30",
        "row 4, column Lot IDs: the lot 'B2' is row 3, which has an error of its own: fix that row first",
        f"2 errors in {path}: fix them and run again",
    ]


SHORT = ("Date,Type,Asset,Quantity,USD Value,Wallet\n"
         "2025-01-01,Buy,BTC,1.2,100,Coinbase\n"
         ",,,,,\n"
         "2025-03-01,Sell,BTC,2.5,100,Coinbase\n")


def test_the_engine_finds_a_shortfall(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text(SHORT)
    code, out, _ = check(capsys, str(path))
    assert code == 2
    assert out.splitlines() == [
        "row 4, column Quantity: sells 2.5 BTC from 'Coinbase' on 2025-03-01 but 1.2 are held there",
        f"1 error in {path}: fix it and run again",
    ]


def test_settings_options_as_in_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text(SHORT)
    code, out, _ = check(capsys, str(path), "--allow-shortfall")
    assert code == 0
    # 2.5 sold - 1.2 held = 1.3 units at zero basis
    assert out.splitlines() == [
        "warning: row 3: empty row skipped",
        "warning: row 4, column Quantity: sells 2.5 BTC from 'Coinbase' on 2025-03-01 but 1.2 are held there; the "
        "missing 1.3 have a zero cost basis",
        "OK: 2 transactions, 2 warnings",
    ]
    assert check(capsys, str(path), "--tz", "Mars/Base") == (
        2, "", "cryptotax: unknown time zone 'Mars/Base': use an IANA name such as America/New_York\n")


@pytest.mark.parametrize("option", [["--year", "2025"], ["--carryover-short", "5"], ["--other-income", "90000"],
                                    ["--filing-status", "mfj"], ["--reported", "Coinbase=basis"]],
                         ids=["year", "carryover", "other-income", "filing-status", "reported"])
def test_options_that_change_nothing_check_finds_are_refused(capsys: pytest.CaptureFixture[str],
                                                            option: list[str]) -> None:
    # the tax situation nets and estimates a computed table; it cannot make a row wrong
    with pytest.raises(SystemExit) as exited:
        main(["check", str(SAMPLE_HISTORY), *option])
    assert exited.value.code == 2
    assert f"unrecognized arguments: {' '.join(option)}" in capsys.readouterr().err


def test_one_warning_is_singular(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "gap.csv"
    path.write_text("Date,Type,Asset,Quantity,USD Value\n2025-01-01,Buy,BTC,1,100\n,,,,\n2025-02-01,Sell,BTC,1,150\n")
    assert check(capsys, str(path)) == (0, "warning: row 3: empty row skipped\nOK: 2 transactions, 1 warning\n", "")


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    code, out, _ = check(capsys, str(path))
    assert code == 2
    assert out.splitlines() == [f"table: cannot read {path}: No such file or directory",
                                f"1 error in {path}: fix it and run again"]
