"""A cryptotax history that RP2 1.7.2 must compute to the same yearly gains, in both programs' formats.

RP2 (PyPI `rp2`, github eprbell/rp2) reads an .ods file with one sheet per asset, each holding an IN
table (acquisitions), an OUT table (disposals) and an INTRA table (moves between one's own accounts),
plus an .ini file that maps the tables' columns (docs/input_files.md of RP2). It writes
`<prefix>fifo_tax_report_us.ods`, whose "Capital Gains" sheet has one line per disposal slice
(columns: amount, asset, acquired, sold, proceeds, cost basis, -, -, gain, ..., SHORT/LONG, timestamp)
and one sheet per income type.

Where the two programs differ, the comparable history avoids the difference (and says so):

- Pooling. RP2 1.7.2 relieves lots from one pool per asset across all exchanges (its accounting engine
  takes every IN row of the asset's sheet; an INTRA row is taxable only through its fee). cryptotax does
  that with `Pooling.UNIVERSAL`, which the rules (docs/rules.md#which-units-are-sold) allow only before
  2025: from 2025-01-01 it tracks basis per wallet. So the history is dated before 2025: `n` rows are the
  first `n` of a generated history long enough that its row `n` still falls in 2024.
- Fees. None: every Fee USD is dropped and a transfer delivers all its units (Received Quantity blank).
  With zero fees the two programs' fee conventions cannot disagree.
- Lot IDs. None (specific identification has no RP2 equivalent): generated with specific_share=0.
- Trades. RP2 has no crypto-for-crypto row: a Trade becomes an OUT SELL of the asset at its USD Value
  and an IN BUY of the received asset with that value as its cost, at the same time, which is how
  cryptotax treats a trade (docs/rules.md#gain-or-loss-of-one-disposal: disposal at the fair market value received,
  which is the basis).
  A Spend is an OUT SELL at its USD Value (RP2's tax report lists only SELL lines as capital gains).
  Income types are IN rows of RP2's STAKING, INTEREST, MINING, AIRDROP and INCOME types.
- Holding period. RP2 counts a slice long-term when it is held at least 365 whole days of 24 hours
  (`is_long_term_capital_gains` in rp2/gain_loss.py, with the US period of 365 days); cryptotax uses the
  IRS calendar rule (more than one year, counted from the day after acquisition: docs/rules.md#holding-period), so
  they disagree on slices held about one year (365 days from noon to noon is RP2-long but
  cryptotax-short; a year over a 29 February also). `agree_on_terms` removes the disposals where the
  two rules disagree (a Sell or Spend is dropped; a Trade keeps only its acquisition, as a Buy of the
  received asset) and computes again, until none is left. What it changed is counted and printed.

Amounts are written to the .ods as exact decimal text in float cells (`office:value="0.12345678"`);
RP2 reads every number as a float and keeps 11 decimals (rp2/ods_parser.py), which can move a quantity
of a cheap coin by about 1e-9 units: a money difference far below a cent, but enough for RP2's balance
check to find an emptied wallet at -5e-10 units, hence RP2 runs with `-n` (bench/rp2_compare.py).
Yearly figures are compared after summing each side's unrounded line gains exactly (RP2's from the float
cells of its report) and rounding the year's sum once to cents, half up.
"""

from __future__ import annotations

import csv
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from generate import END, HEADER, START, WALLETS, iter_rows  # noqa: E402  (bench/ is not a package)

# universal pooling ends (docs/rules.md#which-units-are-sold); the history stays before it
CUTOFF = datetime(2025, 1, 1, tzinfo=UTC)
HOLDER = "Bench"  # RP2's account holder: one taxpayer
CENT = Decimal("0.01")
RP2_LONG_TERM_DAYS = 365  # rp2/plugin/country/us.py get_long_term_capital_gain_period

# Column positions in the CSV rows of `generate` (HEADER order).
ID, DATE, TYPE, ASSET, QUANTITY, USD, FEE, WALLET, TO_WALLET, RECEIVED_ASSET, RECEIVED_QUANTITY, LOT_IDS = range(12)
INCOME_TYPES = {"Staking": "STAKING", "Interest": "INTEREST", "Mining": "MINING", "Airdrop": "AIRDROP",
                "Income": "INCOME"}
# RP2 sheets of the tax report that list income (ordinary income at fair market value).
INCOME_SHEETS = ("Airdrops", "Income", "Interest", "Mining", "Staking")

# The tables' columns, in sheet order; the .ini maps each name to its position.
IN_COLUMNS = ("timestamp", "asset", "exchange", "holder", "transaction_type", "spot_price", "crypto_in",
              "fiat_fee", "fiat_in_no_fee", "fiat_in_with_fee", "unique_id", "notes")
OUT_COLUMNS = ("timestamp", "asset", "exchange", "holder", "transaction_type", "spot_price", "crypto_out_no_fee",
               "crypto_fee", "fiat_out_no_fee", "fiat_fee", "unique_id", "notes")
INTRA_COLUMNS = ("timestamp", "asset", "from_exchange", "from_holder", "to_exchange", "to_holder", "spot_price",
                 "crypto_sent", "crypto_received", "unique_id", "notes")
NUMERIC = {"spot_price", "crypto_in", "fiat_fee", "fiat_in_no_fee", "fiat_in_with_fee", "crypto_out_no_fee",
           "crypto_fee", "fiat_out_no_fee", "crypto_sent", "crypto_received"}


# -- the comparable history ----------------------------------------------------------------------


def comparable_history(n: int, seed: int = 1) -> tuple[list[str], list[list[str]]]:
    """`n` generated rows, all dated before 2025, without fees or lot IDs (see the module docstring).

    The generator spreads its rows evenly over 2019-01-01 .. 2026-06-30; with `total` rows, row i is
    dated before START + (i + 1) * span / total, so the first n of `total` >= n * span / (cutoff - START)
    rows all fall before the cutoff.
    """
    span = END - START
    before = int(CUTOFF.timestamp()) - START
    total = math.ceil(n * span / before)
    rows: list[list[str]] = []
    for row in iter_rows(total, seed, specific_share=0.0):
        if len(rows) == n:
            break
        row[FEE] = ""
        row[RECEIVED_QUANTITY] = "" if row[TYPE] == "Transfer" else row[RECEIVED_QUANTITY]
        rows.append(row)
    if rows and _when(rows[-1][DATE]) >= CUTOFF:
        raise AssertionError(f"row {n} is dated {rows[-1][DATE]}, not before {CUTOFF:%Y-%m-%d}")
    return list(HEADER), rows


def _when(text: str) -> datetime:
    """A generated timestamp (`2019-01-01T05:03:02Z`) as an aware UTC datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def rp2_is_long_term(acquired: datetime, disposed: datetime) -> bool:
    """RP2 1.7.2's holding-period rule for the US: at least 365 whole days between the two timestamps."""
    return (disposed - acquired).days >= RP2_LONG_TERM_DAYS


@dataclass
class Agreement:
    """What `agree_on_terms` changed: disposals dropped (Sell, Spend), trades turned into buys, passes."""

    dropped: int = 0
    trades_to_buys: int = 0
    passes: int = 0
    first_pass_slices: int = 0  # disposal slices of the original history whose term the two rules disagree on


def agree_on_terms(header: list[str], rows: list[list[str]], *, today: date | None = None
                   ) -> tuple[list[list[str]], Agreement]:
    """Rows without the disposals whose short/long term RP2's 365-day rule and cryptotax's rule disagree on.

    Dropping a disposal leaves every later disposal with at least the units it had, so the history stays
    valid; the next computation may match other lots, hence the passes until no slice disagrees.
    """
    from cryptotax_core import Method, Pooling, Settings, Term, compute_table

    settings = Settings(method=Method.FIFO, pooling=Pooling.UNIVERSAL)
    agreement = Agreement()
    when = {row[ID]: _when(row[DATE]) for row in rows}
    while True:
        result = compute_table(header, rows, settings, today=today)
        disputed: dict[str, int] = {}
        for disposal in result.disposals:
            if rp2_is_long_term(when[disposal.lot_id], when[disposal.tx_id]) != (disposal.term is Term.LONG):
                disputed[disposal.tx_id] = disputed.get(disposal.tx_id, 0) + 1
        if agreement.passes == 0:
            agreement.first_pass_slices = sum(disputed.values())
        if not disputed:
            return rows, agreement
        agreement.passes += 1
        if agreement.passes > 100:
            raise RuntimeError(f"{len(disputed)} disposals still disagree on their term after 100 passes")
        kept: list[list[str]] = []
        for row in rows:
            if row[ID] not in disputed:
                kept.append(row)
            elif row[TYPE] == "Trade":
                agreement.trades_to_buys += 1
                kept.append(_trade_as_buy(row))
            else:
                agreement.dropped += 1
        rows = kept


def _trade_as_buy(row: list[str]) -> list[str]:
    """The acquisition half of a trade: a Buy of what it received at the value received (same ID)."""
    buy = [""] * len(row)
    buy[ID], buy[DATE], buy[TYPE], buy[WALLET] = row[ID], row[DATE], "Buy", row[WALLET]
    buy[ASSET], buy[QUANTITY], buy[USD] = row[RECEIVED_ASSET], row[RECEIVED_QUANTITY], row[USD]
    return buy


def write_history_csv(path: Path, header: list[str], rows: Iterable[list[str]]) -> None:
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    partial.replace(path)


# -- RP2's input ---------------------------------------------------------------------------------


@dataclass
class _Sheet:
    """The IN, OUT and INTRA rows of one asset, each a dict column name -> text or number text."""

    ins: list[dict[str, str]] = field(default_factory=list)
    outs: list[dict[str, str]] = field(default_factory=list)
    intras: list[dict[str, str]] = field(default_factory=list)


def _spot(usd: str, quantity: str) -> str:
    """USD per unit to 20 significant digits (RP2 checks that amount x spot price is the fiat value to a cent)."""
    with localcontext() as context:
        context.prec = 20
        return str(Decimal(usd) / Decimal(quantity))


def _in_row(when: str, asset: str, wallet: str, kind: str, quantity: str, usd: str, tx_id: str) -> dict[str, str]:
    return {"timestamp": when, "asset": asset, "exchange": wallet, "holder": HOLDER, "transaction_type": kind,
            "spot_price": _spot(usd, quantity), "crypto_in": quantity, "fiat_fee": "0", "fiat_in_no_fee": usd,
            "fiat_in_with_fee": usd, "unique_id": tx_id, "notes": ""}


def rp2_tables(rows: Iterable[Sequence[str]]) -> dict[str, _Sheet]:
    """The comparable history as RP2 tables per asset (see the module docstring for the mapping)."""
    sheets: dict[str, _Sheet] = {}
    for row in rows:
        kind, asset, when, wallet, tx_id = row[TYPE], row[ASSET], row[DATE], row[WALLET], row[ID]
        quantity, usd = row[QUANTITY], row[USD]
        sheet = sheets.setdefault(asset, _Sheet())
        if kind == "Buy":
            sheet.ins.append(_in_row(when, asset, wallet, "BUY", quantity, usd, tx_id))
        elif kind in INCOME_TYPES:
            sheet.ins.append(_in_row(when, asset, wallet, INCOME_TYPES[kind], quantity, usd, tx_id))
        elif kind in ("Sell", "Spend", "Trade"):
            sheet.outs.append({"timestamp": when, "asset": asset, "exchange": wallet, "holder": HOLDER,
                               "transaction_type": "SELL", "spot_price": _spot(usd, quantity),
                               "crypto_out_no_fee": quantity, "crypto_fee": "0", "fiat_out_no_fee": usd,
                               "fiat_fee": "0", "unique_id": tx_id, "notes": kind})
            if kind == "Trade":
                received = row[RECEIVED_ASSET]
                sheets.setdefault(received, _Sheet()).ins.append(
                    _in_row(when, received, wallet, "BUY", row[RECEIVED_QUANTITY], usd, tx_id))
        elif kind == "Transfer":
            sheet.intras.append({"timestamp": when, "asset": asset, "from_exchange": wallet, "from_holder": HOLDER,
                                 "to_exchange": row[TO_WALLET], "to_holder": HOLDER, "spot_price": "",
                                 "crypto_sent": quantity, "crypto_received": quantity, "unique_id": tx_id,
                                 "notes": ""})
        else:
            raise ValueError(f"row {tx_id}: type {kind!r} has no RP2 equivalent here")
    return sheets


def write_rp2_input(rows: Iterable[Sequence[str]], ods_path: Path, ini_path: Path) -> dict[str, int]:
    """Write RP2's .ods input and .ini configuration; returns the number of IN, OUT and INTRA rows."""
    import ezodf  # type: ignore[import-untyped]  # installed with rp2 (pyexcel-ezodf), no type hints

    sheets = rp2_tables(rows)
    counts = {"IN": 0, "OUT": 0, "INTRA": 0}
    partial = ods_path.with_name(ods_path.name + ".partial.ods")
    document = ezodf.newdoc("ods", str(partial))
    for asset in sorted(sheets):
        tables = [(name, columns, entries) for name, columns, entries in (
            ("IN", IN_COLUMNS, sheets[asset].ins), ("OUT", OUT_COLUMNS, sheets[asset].outs),
            ("INTRA", INTRA_COLUMNS, sheets[asset].intras)) if entries]
        height = sum(len(entries) + 4 for _, _, entries in tables)
        sheet = ezodf.Sheet(asset, size=(height, max(len(IN_COLUMNS), len(OUT_COLUMNS), len(INTRA_COLUMNS))))
        document.sheets += sheet
        line = 0
        for name, columns, entries in tables:
            sheet[line, 0].set_value(name)
            for column, title in enumerate(columns):
                sheet[line + 1, column].set_value(title)
            line += 2
            for entry in entries:
                for column, key in enumerate(columns):
                    text = entry[key]
                    if not text:
                        continue
                    if key in NUMERIC:
                        sheet[line, column].set_value(text, value_type="float")  # exact decimal text
                    else:
                        sheet[line, column].set_value(text)
                line += 1
            sheet[line, 0].set_value("TABLE END")
            line += 2  # a blank row between tables
            counts[name] += len(entries)
    document.save()
    partial.replace(ods_path)
    ini_path.write_text(rp2_ini(sorted(sheets)), encoding="utf-8")
    return counts


def rp2_ini(assets: Sequence[str]) -> str:
    """RP2's configuration: the assets, the wallets as exchanges, one holder, and the column positions."""
    lines = ["[general]", f"assets = {', '.join(assets)}", f"exchanges = {', '.join(WALLETS)}",
             f"holders = {HOLDER}", ""]
    for section, columns in (("in_header", IN_COLUMNS), ("out_header", OUT_COLUMNS),
                             ("intra_header", INTRA_COLUMNS)):
        lines.append(f"[{section}]")
        lines += [f"{column} = {position}" for position, column in enumerate(columns)]
        lines.append("")
    return "\n".join(lines)


# -- the yearly figures of both programs ---------------------------------------------------------


@dataclass
class Yearly:
    """Per tax year: short-term gain, long-term gain and ordinary income, each an exact sum of lines."""

    short: dict[int, Decimal] = field(default_factory=dict)
    long: dict[int, Decimal] = field(default_factory=dict)
    income: dict[int, Decimal] = field(default_factory=dict)
    lines: int = 0

    def add(self, table: dict[int, Decimal], year: int, amount: Decimal) -> None:
        table[year] = table.get(year, Decimal(0)) + amount

    def rounded(self) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
        """(short, long, income) per year, each sum rounded once to cents, half up."""
        years = sorted(set(self.short) | set(self.long) | set(self.income))
        zero = Decimal(0)
        return {year: (_cents(self.short.get(year, zero)), _cents(self.long.get(year, zero)),
                       _cents(self.income.get(year, zero))) for year in years}


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def cryptotax_yearly(result: object) -> Yearly:
    """Yearly figures of a cryptotax Result: unrounded line gains (proceeds - basis) and income values."""
    from cryptotax_core import Result, Term

    assert isinstance(result, Result)
    yearly = Yearly()
    with localcontext() as context:
        context.prec = 60
        for disposal in result.disposals:
            table = yearly.long if disposal.term is Term.LONG else yearly.short
            yearly.add(table, disposal.tax_year, disposal.proceeds - disposal.cost_basis)
            yearly.lines += 1
        for event in result.income:
            yearly.add(yearly.income, event.received.year, event.usd_value)
    return yearly


def rp2_yearly(report_path: Path) -> Yearly:
    """Yearly figures of RP2's `..._tax_report_us.ods`: the Capital Gains lines (gain in column I, SHORT or
    LONG in column O, sale date m/d/Y in column D) and the income sheets (value in column I)."""
    import ezodf

    document = ezodf.opendoc(str(report_path))
    names = set(document.sheets.names())
    yearly = Yearly()
    with localcontext() as context:
        context.prec = 60
        if "Capital Gains" in names:
            for year, gain, term in _report_lines(document.sheets["Capital Gains"], with_term=True):
                yearly.add(yearly.long if term == "LONG" else yearly.short, year, gain)
                yearly.lines += 1
        for name in INCOME_SHEETS:
            if name in names:
                for year, value, _ in _report_lines(document.sheets[name], with_term=False):
                    yearly.add(yearly.income, year, value)
    return yearly


def _report_lines(sheet: object, *, with_term: bool) -> Iterable[tuple[int, Decimal, str]]:
    header_rows = 7  # rp2/plugin/report/us/tax_report_us.py HEADER_ROWS
    for index, row in enumerate(sheet.rows()):  # type: ignore[attr-defined]
        if index < header_rows:
            continue
        amount = row[0].value
        if amount is None or amount == "":
            break
        sold = row[3].value  # "%m/%d/%Y"
        gain = row[8].value
        term = str(row[14].value) if with_term else ""
        yield int(str(sold)[-4:]), Decimal(repr(float(gain))), term


def first_difference(ours: dict[int, tuple[Decimal, Decimal, Decimal]],
                     theirs: dict[int, tuple[Decimal, Decimal, Decimal]]) -> str | None:
    """The first year and figure where the two rounded yearly tables differ, or None if identical."""
    zero = (Decimal(0), Decimal(0), Decimal(0))
    for year in sorted(set(ours) | set(theirs)):
        mine, other = ours.get(year, zero), theirs.get(year, zero)
        for label, a, b in zip(("short-term", "long-term", "income"), mine, other, strict=True):
            if a != b:
                return f"{year} {label}: cryptotax {a} vs RP2 {b}"
    return None
