"""Seeded generator of synthetic, valid transaction histories for benchmarking cryptotax.

Run it:

    .venv/bin/python bench/generate.py 1000000 bench/data/history_1000000.csv [--seed 1] [--lot-ids]
                                       [--specific-share 0.2]

or import it:

    from bench.generate import generate, write_csv
    header, rows = generate(10_000, seed=1)          # rows of strings in the CSV schema
    write_csv("out.csv", 1_000_000, seed=1)          # streams rows to the file

A history has rows for 4 wallets (Coinbase, Kraken, Ledger, Phantom) and 6 assets, dated from
2019-01-01 to 2026-06-30 in table order (ISO 8601 UTC timestamps with seconds). The mix is about
35% buys, 25% sells, 10% crypto-for-crypto trades, 10% transfers between wallets (a third of them
losing units to a network fee), 10% income (staking, interest, mining, airdrop, income) and 10%
spends. Prices follow a geometric random walk per asset, so values are plausible; quantities have
up to 8 decimals. Holdings are tracked exactly (in units of 1e-8) per wallet and asset, so no
disposal or transfer takes more than its wallet holds, under any lot relief method. A disposal or
transfer takes a share of its wallet's holding in proportion to the time since the previous one,
so units are held about 1.5 years on average whatever the number of rows: there are long-term and
short-term disposals, and the number of open lots grows with the size of the history.

About 20% of sells (`specific_share`, `--specific-share`) name lots (specific identification):
only lots known to be untouched, i.e. acquired in that wallet after the last outflow there that
used the relief method, so the named lot holds the units asked under FIFO, HIFO or any other
method. With `lot_ids_on_every_sell` (`--lot-ids`) every sell names lots (a sell is drawn only where
such a lot exists) and the history stays valid. This holds under per-wallet pooling (the default);
under universal pooling an outflow from another wallet before 2025 can use up a named lot, so for
that setting generate with specific_share=0.

The histories compute without a single warning under the default settings: fees appear only where
they count (buys, sells, trades, spends, transfers that lose units), never on income rows.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from bisect import bisect_right
from collections.abc import Iterator
from datetime import date
from pathlib import Path

HEADER: list[str] = [
    "ID", "Date", "Type", "Asset", "Quantity", "USD Value", "Fee USD", "Wallet", "To Wallet",
    "Received Asset", "Received Quantity", "Lot IDs", "Class", "Note",
]
WALLETS: tuple[str, ...] = ("Coinbase", "Kraken", "Ledger", "Phantom")
BUY_WALLET_LIMITS: tuple[float, ...] = (0.45, 0.8, 0.9)  # buys happen mostly on exchanges: 45%, 35%, 10%, 10%
# Asset, USD price at the start of 2019, annual volatility of the random walk.
ASSETS: tuple[tuple[str, float, float], ...] = (
    ("BTC", 3800.0, 0.65), ("ETH", 135.0, 0.8), ("SOL", 0.8, 1.1),
    ("ADA", 0.04, 0.9), ("DOGE", 0.0023, 1.0), ("LINK", 0.3, 0.95),
)
INCOME_TYPES: tuple[str, ...] = ("Staking", "Staking", "Interest", "Mining", "Airdrop", "Income")
# Cumulative thresholds of the row type draw.
MIX: tuple[tuple[float, str], ...] = (
    (0.35, "Buy"), (0.60, "Sell"), (0.70, "Trade"), (0.80, "Transfer"), (0.90, "Income"), (1.00, "Spend"),
)
LIMITS: tuple[float, ...] = tuple(limit for limit, _ in MIX[:-1])
KINDS: tuple[str, ...] = tuple(name for _, name in MIX)
START = int((date(2019, 1, 1) - date(1970, 1, 1)).days) * 86400  # Unix seconds, UTC
END = int((date(2026, 6, 30) - date(1970, 1, 1)).days) * 86400 + 86399
UNIT = 100_000_000  # quantities are tracked as integers of 1e-8 units
SECONDS_PER_YEAR = 365.25 * 86400
TURNOVER = 1.5 * SECONDS_PER_YEAR  # mean time a unit is held before a disposal or transfer takes it
LIQUIDATION = 8 * SECONDS_PER_YEAR  # a position is closed about once per this time
SPECIFIC_SHARE = 0.2  # default share of sells that name lots, where an untouched lot exists


def _units(units: int) -> str:
    """An integer count of 1e-8 units as plain decimal text: 150000000 -> "1.5"."""
    whole, frac = divmod(units, UNIT)
    if not frac:
        return str(whole)
    return f"{whole}.{frac:08d}".rstrip("0")


def _cents(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


class _Prices:
    """Per-asset geometric random walk, advanced lazily to the time it is asked for."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.log_price = [math.log(price) for _, price, _ in ASSETS]
        self.floor = [math.log(price) - 3.0 for _, price, _ in ASSETS]
        self.ceiling = [math.log(price) + 4.5 for _, price, _ in ASSETS]
        self.sigma = [vol for _, _, vol in ASSETS]
        self.last = [START] * len(ASSETS)
        self.drift = 0.25  # per year: prices tend to rise over the period, like 2019-2026

    def at(self, asset: int, now: int) -> float:
        elapsed = now - self.last[asset]
        if elapsed > 0:
            years = elapsed / SECONDS_PER_YEAR
            step = self.drift * years + self.sigma[asset] * math.sqrt(years) * self.rng.gauss(0.0, 1.0)
            value = self.log_price[asset] + step
            # Reflect at the bounds so a long walk stays within plausible prices.
            if value < self.floor[asset]:
                value = 2 * self.floor[asset] - value
            elif value > self.ceiling[asset]:
                value = 2 * self.ceiling[asset] - value
            self.log_price[asset] = value
            self.last[asset] = now
        return math.exp(self.log_price[asset])


class _Holdings:
    """Units per (wallet, asset), the pairs that hold units, and the untouched lots of each pair."""

    def __init__(self) -> None:
        self.units: dict[tuple[int, int], int] = {}
        self.held: list[tuple[int, int]] = []  # pairs with units > 0, for O(1) random choice
        self.position: dict[tuple[int, int], int] = {}
        self.since: dict[tuple[int, int], int] = {}  # time of the pair's last outflow, or since it holds units
        # Lots acquired in a pair since its last outflow by method: lot ID -> units left.
        self.fresh: dict[tuple[int, int], dict[str, int]] = {}
        self.with_fresh: list[tuple[int, int]] = []  # pairs with at least one untouched lot
        self.fresh_position: dict[tuple[int, int], int] = {}

    def add(self, pair: tuple[int, int], units: int, lot_id: str | None, now: int) -> None:
        before = self.units.get(pair, 0)
        self.units[pair] = before + units
        if not before:
            _insert(self.held, self.position, pair)
            self.since[pair] = now
        if lot_id is not None:
            lots = self.fresh.setdefault(pair, {})
            if not lots:
                _insert(self.with_fresh, self.fresh_position, pair)
            lots[lot_id] = units

    def remove(self, pair: tuple[int, int], units: int, now: int, *, by_method: bool = True) -> None:
        """Take units out; an outflow by method may touch any lot, so none of the pair is untouched."""
        self.since[pair] = now
        left = self.units[pair] - units
        self.units[pair] = left
        if not left:
            _delete(self.held, self.position, pair)
        if by_method and self.fresh.get(pair):
            self.fresh[pair] = {}
            _delete(self.with_fresh, self.fresh_position, pair)

    def take_lot(self, pair: tuple[int, int], lot_id: str, units: int) -> None:
        lots = self.fresh[pair]
        lots[lot_id] -= units
        if not lots[lot_id]:
            del lots[lot_id]
            if not lots:
                _delete(self.with_fresh, self.fresh_position, pair)


def _insert(items: list[tuple[int, int]], position: dict[tuple[int, int], int], pair: tuple[int, int]) -> None:
    position[pair] = len(items)
    items.append(pair)


def _delete(items: list[tuple[int, int]], position: dict[tuple[int, int], int], pair: tuple[int, int]) -> None:
    index = position.pop(pair)
    last = items.pop()
    if last != pair:
        items[index] = last
        position[last] = index


def iter_rows(n: int, seed: int = 1, *, lot_ids_on_every_sell: bool = False,  # noqa: C901
              specific_share: float = SPECIFIC_SHARE) -> Iterator[list[str]]:
    """Yield `n` data rows (lists of 14 strings, in `HEADER` order), dated in table order. One loop above the
    complexity limit: every row type is drawn from one random stream in one order, so splitting it would
    change the seeded histories every benchmark figure is measured on."""
    rng = random.Random(seed)
    rand = rng.random
    prices = _Prices(rng)
    holdings = _Holdings()
    span = END - START
    day_text = ""
    last_day = -1
    asset_names = [name for name, _, _ in ASSETS]
    for index in range(n):
        # One timestamp per equal slice of the period: increasing, spread over 2019..2026-06-30.
        now = START + int((index + rand()) * span / n)
        day, second = divmod(now, 86400)
        if day != last_day:
            day_text = date.fromordinal(day + 719163).isoformat()  # 719163 = date(1970, 1, 1).toordinal()
            last_day = day
        hour, rest = divmod(second, 3600)
        when = f"{day_text}T{hour:02d}:{rest // 60:02d}:{rest % 60:02d}Z"
        tx_id = f"T{index + 1}"
        draw = rand()
        kind = KINDS[bisect_right(LIMITS, draw)]
        if kind != "Buy" and kind != "Income" and not holdings.held:
            kind = "Buy"  # nothing is held yet: the history starts with acquisitions
        if kind == "Sell" and lot_ids_on_every_sell and not holdings.with_fresh:
            kind = "Buy"
        row = ["", when, kind, "", "", "", "", "", "", "", "", "", "", ""]
        row[0] = tx_id

        if kind == "Buy" or kind == "Income":
            wallet = (bisect_right(BUY_WALLET_LIMITS, rand()) if kind == "Buy"
                      else int(rand() * len(WALLETS)))
            asset = int(rand() * len(ASSETS))
            price = prices.at(asset, now)
            usd = math.exp(rng.gauss(6.5, 1.2)) if kind == "Buy" else math.exp(rng.gauss(3.0, 1.3))
            units = max(1, int(usd / price * UNIT))
            cents = max(1, round(units * price / UNIT * 100))
            if kind == "Income":
                row[2] = INCOME_TYPES[int(rand() * len(INCOME_TYPES))]
            elif rand() < 0.5:
                row[6] = _cents(max(1, round(cents * rng.uniform(0.001, 0.015))))
            row[3], row[4], row[5], row[7] = asset_names[asset], _units(units), _cents(cents), WALLETS[wallet]
            holdings.add((wallet, asset), units, tx_id, now)
            yield row
            continue

        if kind == "Sell" and (lot_ids_on_every_sell or (holdings.with_fresh and rand() < specific_share)):
            pair = holdings.with_fresh[int(rand() * len(holdings.with_fresh))]
            wallet, asset = pair
            lots = holdings.fresh[pair]
            picks: list[str] = []
            units = 0
            for lot_id in rng.sample(list(lots), min(len(lots), rng.choice((1, 1, 2, 3)))):
                left = lots[lot_id]
                take = left if rand() < 0.5 else max(1, int(left * rng.uniform(0.1, 1.0)))
                # Every pick names its units, except a single whole lot, which is named bare.
                picks.append(f"{lot_id}:{_units(take)}")
                holdings.take_lot(pair, lot_id, take)
                units += take
            if len(picks) == 1 and ":" in picks[0] and rand() < 0.5:
                picks[0] = picks[0].split(":")[0]
            holdings.remove(pair, units, now, by_method=False)
            row[11] = ",".join(picks)
        else:
            pair = holdings.held[int(rand() * len(holdings.held))]
            wallet, asset = pair
            held = holdings.units[pair]
            # A share of the holding in proportion to the time since the pair's last outflow: holdings
            # turn over in about TURNOVER whatever the number of rows, so many disposals are long-term.
            elapsed = now - holdings.since[pair]
            share = min(1.0, elapsed / TURNOVER * rng.uniform(0.2, 1.8))
            if kind == "Spend":
                share *= 0.2
            elif rand() < elapsed / LIQUIDATION:
                share = 1.0  # close the position
            units = min(held, max(1, int(held * share)))
            holdings.remove(pair, units, now)

        price = prices.at(asset, now)
        cents = max(1, round(units * price / UNIT * 100))
        row[3], row[4], row[7] = asset_names[asset], _units(units), WALLETS[wallet]
        if kind == "Transfer":
            target = (wallet + 1 + int(rand() * (len(WALLETS) - 1))) % len(WALLETS)
            row[8] = WALLETS[target]
            received = units
            if rand() < 0.35:  # a network fee paid in units of the asset
                fee_units = max(1, int(rng.uniform(0.05, 12.0) / price * UNIT))
                if fee_units < units:
                    received = units - fee_units
                    row[6] = _cents(max(1, round(fee_units * price / UNIT * 100)))
                    row[10] = _units(received)
            holdings.add((target, asset), received, None, now)
        else:
            row[5] = _cents(cents)
            if rand() < 0.4:
                row[6] = _cents(max(1, round(cents * rng.uniform(0.001, 0.01))))
            if kind == "Trade":
                other = (asset + 1 + int(rand() * (len(ASSETS) - 1))) % len(ASSETS)
                got = max(1, int(units * price / prices.at(other, now)))
                row[9], row[10] = asset_names[other], _units(got)
                holdings.add((wallet, other), got, tx_id, now)
        yield row


def generate(n: int, seed: int = 1, *, lot_ids_on_every_sell: bool = False,
             specific_share: float = SPECIFIC_SHARE) -> tuple[list[str], list[list[str]]]:
    """The header and `n` rows of a synthetic history (all in memory; see `write_csv` to stream)."""
    rows = iter_rows(n, seed, lot_ids_on_every_sell=lot_ids_on_every_sell, specific_share=specific_share)
    return list(HEADER), list(rows)


def write_csv(path: str | Path, n: int, seed: int = 1, *, lot_ids_on_every_sell: bool = False,
              specific_share: float = SPECIFIC_SHARE) -> None:
    """Stream a synthetic history of `n` rows to a CSV file (written to a temporary name, then renamed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(iter_rows(n, seed, lot_ids_on_every_sell=lot_ids_on_every_sell,
                                   specific_share=specific_share))
    partial.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic, valid transaction history as CSV.")
    parser.add_argument("n", type=int, help="number of rows")
    parser.add_argument("out", type=Path, help="CSV file to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--lot-ids", action="store_true", help="every sell names the lots it sells")
    parser.add_argument("--specific-share", type=float, default=SPECIFIC_SHARE,
                        help=f"share of sells that name lots where possible (default {SPECIFIC_SHARE}; 0 for "
                             f"histories valid under universal pooling)")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("n must be >= 0")
    write_csv(args.out, args.n, args.seed, lot_ids_on_every_sell=args.lot_ids, specific_share=args.specific_share)
    return 0


if __name__ == "__main__":
    sys.exit(main())
