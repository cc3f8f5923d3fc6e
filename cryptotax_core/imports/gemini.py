"""Gemini: the transaction history (exchange.gemini.com > Account > Statements / Transaction history;
Gemini downloads it as a spreadsheet: save its sheet as CSV).

Layout accepted, as it appears in real exports quoted by public tools (BittyTax's Gemini parser header;
a 2018 export quoted in the comments of an open-source importer):

    Date,Time (UTC),Type,Symbol,Specification,Liquidity Indicator,Trading Fee Rate (bps),
      USD Amount USD,Fee (USD) USD,USD Balance USD,BTC Amount BTC,Fee (BTC) BTC,BTC Balance BTC, ...,
      Trade ID,Order ID,Order Date,Order Time,Client Order ID,API Session,Tx Hash,Deposit Destination,
      Deposit Tx Output,Withdrawal Destination,Withdrawal Tx Output
    2018-02-19,14:10:10.846,Sell,BTCUSD,Limit,Taker,25.00 ,$766.12 ,($1.92),$764.20 ,(0.07 BTC),, ...

One `<ASSET> Amount <ASSET>` / `Fee (<ASSET>) <ASSET>` / `<ASSET> Balance <ASSET>` triple per asset the
account ever held (`Trading Fee (<ASSET>) <ASSET>` and `Fee <ASSET>` are accepted for the fee: sources
differ). Amounts are written as in the spreadsheet: `$4,478.35 `, negatives in parentheses `($519.83)`,
crypto with its unit `0.0101601 BTC `. Times are UTC. The last line (no Date) holds totals and is
skipped. Saved from the spreadsheet by Excel, dates read `8/8/18` or `8/8/2018` (month first) and times
`7:41:00 PM`; both are accepted. The workbook itself (Gemini's .xlsx) is read by the command line,
which hands its cells to `import_rows`: numbers come as numbers, dates and times as dates and times.

What each line becomes:
- Buy / Sell of a pair against USD (BTCUSD): Buy or Sell; USD Value = the USD amount (without the fee),
  Fee USD = the USD fee. A fee charged in the crypto changes the units received. ID `gemini:<Trade ID>`.
- Buy / Sell of a pair against a crypto (ETHBTC, BTCGUSD): not mapped: no USD value in the file.
- Credit / Debit of USD: skipped, not taxable.
- Credit of crypto: a deposit is not mapped (transfer in or income: only the user knows); interest,
  staking or reward credits are not mapped either, because the file gives them no USD value.
- Debit of crypto: a withdrawal is not mapped (transfer or spend), with its fee; others likewise.
Lines without a Trade ID get a content-hash ID (`gemini:` + 12 hex digits of the SHA-1 of the line):
identical lines in one file are then one transaction (a warning names them).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from cryptotax_core.imports.builder import (
    CASH_SKIPPED,
    FIAT,
    Builder,
    FieldError,
    Format,
    no_usd_message,
    parse_us,
    parse_utc,
    receive_message,
    send_message,
)
from cryptotax_core.imports.source import Columns, Row, Source
from cryptotax_core.model import TxType
from cryptotax_core.values import plain

NAME = "gemini"
WALLET = "Gemini"
FIELDS = {
    "date": ("Date",), "time": ("Time (UTC)",), "type": ("Type",), "symbol": ("Symbol",),
    "specification": ("Specification",), "trade_id": ("Trade ID",),
}
REQUIRED = ("date", "time", "type", "symbol", "specification")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]")  # a workbook cell's time on Excel's day zero
_AMOUNT = re.compile(r"^(\S+) Amount \1$")
_FEE = re.compile(r"^(?:Trading )?Fee (?:\((\S+)\) \1|(\S+))$")  # "Fee (BTC) BTC", "Fee ZEC"
TOTALS_SKIPPED = "Gemini's totals line"


def convert(source: Source, out: Builder) -> None:
    fields: dict[str, tuple[str, ...]] = dict(FIELDS)
    assets: set[str] = set()
    for cell in source.columns.header:
        amount, fee = _AMOUNT.match(cell), _FEE.match(cell)
        if amount:
            assets.add(amount.group(1).upper())
            fields[f"amount {amount.group(1).upper()}"] = (cell,)
        elif fee:
            fields[f"fee {(fee.group(1) or fee.group(2)).upper()}"] = (cell,)
    columns = Columns(source.columns.header, fields)
    for record in source.rows:
        row = Row(record.line, record.cells, columns)
        _line(row, out, assets)
        out.advance()


def _line(row: Row, out: Builder, assets: set[str]) -> None:
    kind = row.get("type").lower()
    if not row.get("date") and not kind:
        out.skip(TOTALS_SKIPPED)
        return
    when = out.moment(row, "date", lambda text: _moment(text, row.get("time")))
    if when is None:
        return
    tx_id = out.own_id(row, row.get("trade_id"))
    symbol = row.get("symbol").upper()
    if kind in ("buy", "sell"):
        _trade(row, out, when, tx_id, symbol, assets, buy=kind == "buy")
    elif kind in ("credit", "debit"):
        _transfer(row, out, when, tx_id, symbol, credit=kind == "credit")
    else:
        out.cannot_map(row, "type", f"the Gemini type '{row.get('type')}' ({symbol} on {when.date()}) is not "
                                    f"imported: enter it by hand if it changed your holdings (ID {tx_id})")


def _moment(date_text: str, time_text: str) -> datetime:
    """Date and Time (UTC) as one UTC moment: as Gemini writes them (2018-02-16, 19:41:00.164), as Excel
    saves its sheet as CSV (2/16/2018 or 2/16/18, 7:41:00 PM), or as a workbook's cells give them."""
    date_text, time_text = date_text.strip(), time_text.strip()
    if "/" in date_text:
        date_text = parse_us(date_text)[0].date().isoformat()
    else:
        date_text = date_text.replace("T", " ").split(" ")[0]
    time_text = time_text.replace("T", " ").split(" ", 1)[-1] if _ISO_DAY.match(time_text) else time_text
    if time_text:
        try:
            time_text = parse_us(f"1/1/2000 {time_text}")[0].time().isoformat()
        except FieldError:
            raise FieldError(f"'{time_text}' is not a time of day (expected e.g. 10:00:00)") from None
    try:
        return parse_utc(f"{date_text} {time_text or '00:00:00'}")
    except FieldError:
        raise FieldError(f"'{date_text} {time_text}' is not a date and time (expected Date 2024-01-02 and "
                         f"Time (UTC) 10:00:00)") from None


def _split(symbol: str, assets: set[str]) -> tuple[str, str] | None:
    """BTCUSD -> (BTC, USD), using the assets the file has columns for; the longest quote wins (BTCGUSD)."""
    for quote in sorted(assets, key=len, reverse=True):
        if symbol.endswith(quote) and symbol[: -len(quote)] in assets:
            return symbol[: -len(quote)], quote
    return None


def _trade(row: Row, out: Builder, when: datetime, tx_id: str, symbol: str, assets: set[str], *,
           buy: bool) -> None:
    pair = _split(symbol, assets)
    if pair is None:
        out.cannot_map(row, "symbol", f"the pair '{symbol}' on {when.date()} is not one of the file's asset "
                                      f"columns: enter the trade by hand (ID {tx_id})")
        return
    base, quote = pair
    base_amount = out.number(row, f"amount {base}", units=True)
    quote_amount = out.number(row, f"amount {quote}", units=True)
    base_fee = abs(out.number(row, f"fee {base}", required=False, units=True) or Decimal(0))
    quote_fee = abs(out.number(row, f"fee {quote}", required=False, units=True) or Decimal(0))
    if base_amount is None or quote_amount is None:
        return
    base_units, quote_units = abs(base_amount), abs(quote_amount)
    note = f"Gemini {row.get('type')} {symbol} {row.get('specification')}".strip()
    if quote == "USD":
        if buy:
            out.add(row, tx_id, when, TxType.BUY, base, base_units - base_fee, quote_units, fee_usd=quote_fee,
                    note=note)
        else:
            out.add(row, tx_id, when, TxType.SELL, base, base_units + base_fee, quote_units, fee_usd=quote_fee,
                    note=note)
        return
    sent, sent_units, got, got_units = ((quote, quote_units + quote_fee, base, base_units - base_fee) if buy
                                        else (base, base_units + base_fee, quote, quote_units - quote_fee))
    fiat = f"priced in {quote}" if quote in FIAT else "between two cryptos"
    out.cannot_map(row, "symbol", f"a trade of {plain(sent_units)} {sent} for {plain(got_units)} {got} on "
                                  f"{when.date()} is {fiat}: the file has no USD value; enter a Trade of Quantity "
                                  f"{plain(sent_units)} {sent} with Received Asset {got}, Received Quantity "
                                  f"{plain(got_units)} and USD Value = the fair market value in USD of the {got} "
                                  f"received (ID {tx_id})")


def _transfer(row: Row, out: Builder, when: datetime, tx_id: str, asset: str, *, credit: bool) -> None:
    if asset in FIAT:
        out.skip(CASH_SKIPPED)
        return
    if f"amount {asset}" not in row.columns.index:
        out.error(row, "symbol", f"the file has no '{asset} Amount {asset}' column for this {asset} line")
        return
    amount = out.number(row, f"amount {asset}", units=True)
    fee = abs(out.number(row, f"fee {asset}", required=False, units=True) or Decimal(0))
    if amount is None:
        return
    units = abs(amount)
    specification = row.get("specification")
    what = specification.lower()
    if credit and "deposit" in what:
        out.cannot_map(row, "type", receive_message(out.wallet, asset, units, when, tx_id))
    elif credit and any(word in what for word in ("interest", "earn")):
        out.cannot_map(row, "type", no_usd_message(f"interest ({specification})", TxType.INTEREST, asset, units,
                                                   when, tx_id))
    elif credit and any(word in what for word in ("staking", "reward")):
        out.cannot_map(row, "type", no_usd_message(f"a reward ({specification})", TxType.STAKING, asset, units,
                                                   when, tx_id))
    elif not credit and "withdrawal" in what:
        out.cannot_map(row, "type", send_message(out.wallet, asset, units, when, tx_id, fee))
    else:
        direction = "credit" if credit else "debit"
        out.cannot_map(row, "type", f"a {direction} of {plain(units)} {asset} ('{specification}') on {when.date()} "
                                    f"is not imported: enter it by hand if it changed your holdings, with its USD "
                                    f"value (ID {tx_id})")


FORMAT = Format(NAME, WALLET, FIELDS, REQUIRED, convert)
