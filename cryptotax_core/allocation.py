"""The 2025 per-wallet allocation: the units of a pool of all wallets (universal pooling before 2025) go to the
wallets that hold them on 2025-01-01 (Rev. Proc. 2024-28 safe harbor, docs/rules.md#which-units-are-sold)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cryptotax_core.model import STOCK, Allocation, make_allocation, merge_adjacent
from cryptotax_core.pools import Piece, Pool


def allocate(universal: Sequence[tuple[str, Pool]], wallet_order: dict[str, int],
             wallet_pool: Callable[[str, str], Pool], track: Callable[[Piece], None]) -> list[Allocation]:
    """Rev. Proc. 2024-28 safe harbor (docs/rules.md#which-units-are-sold), by this global rule: per asset
    (`universal`: each asset's pool of all wallets), the lots still open at the start of 2025-01-01, oldest first
    (acquisition time, then row), fill the wallets that hold the asset in the order the wallets were first used
    (`wallet_order`), each up to the units it holds, into `wallet_pool(wallet, asset)`; a lot that straddles two
    wallets is split with its basis pro rata (a split piece of stock is given to `track`). Returns the lines of
    the allocation, adjacent lines of one lot in one wallet as one."""
    lines: list[Allocation] = []
    for asset, pool in universal:
        pieces = pool.owned_pieces()  # changed below, and moved to the wallets' pools
        holders = sorted((wallet for wallet, units in pool.held.items() if units > 0), key=wallet_order.__getitem__)
        index = 0
        for wallet in holders:
            need = pool.held[wallet]
            target = wallet_pool(wallet, asset)
            while need and index < len(pieces):
                piece = pieces[index]
                if need >= piece.quantity:  # the whole piece: it leaves the dropped pool as it is
                    moved, units = piece, piece.quantity
                    piece.wallet = wallet
                    index += 1
                else:
                    units = need
                    moved = piece.moved(wallet, units, piece.take(units))
                    if moved.asset_class is STOCK:
                        track(moved)
                target.add(moved)
                lines.append(make_allocation(asset=asset, wallet=wallet, lot_id=moved.lot_id, acquired=moved.acquired,
                                             quantity=units, cost_basis=moved.basis))
                need -= units
    return merge_adjacent(lines)
