"""Crypto.com App: the crypto wallet's transaction history (App > Accounts > Crypto Wallet > Transaction
history > Export, CSV: `crypto_transactions_record_<date>.csv`).

Layout accepted, as BittyTax's Crypto.com parser lists both header versions and as users' rows quoted
in public tools show it (e.g. `2021-12-29 20:18:17,Card Cashback,CRO,0.19694596,,,USD,0.11,0.11,
referral_card_cashback`):

    Timestamp (UTC),Transaction Description,Currency,Amount,To Currency,To Amount,Native Currency,
      Native Amount,Native Amount (in USD),Transaction Kind[,Transaction Hash]

`Timestamp` without "(UTC)" is accepted too; times are UTC. `Amount` is signed (credited +, debited -)
and in `Currency`; `To Currency` / `To Amount` are what a purchase or exchange gave; `Native Amount (in
USD)` is Crypto.com's USD value of the line (else `Native Amount` when `Native Currency` is USD). That
USD value is what every mapped row uses; a line without one is listed. The ID is `cryptocom:` + a hash
of the line (the file has no transaction ID; `Transaction Hash` is an on-chain hash, blank for most).

What each `Transaction Kind` becomes:
- viban_purchase, recurring_buy_order, crypto_purchase (fiat or card -> crypto): Buy of the crypto
  received; USD Value = the USD paid (|Amount| when Currency is USD, else the USD value; card fees are
  in it).
- crypto_viban_exchange, crypto_to_van_sell_order, crypto_viban (crypto -> fiat): Sell; USD Value = the
  USD received (To Amount when To Currency is USD, else the USD value).
- crypto_exchange (crypto -> crypto): Trade with the USD value as the value received.
- crypto_earn_interest_paid, crypto_earn_extra_interest_paid, finance.* interest: Interest;
  mco_stake_reward, supercharger_reward_to_app_credited, staking rewards: Staking;
  referral_bonus, referral_gift, rewards_platform_deposit_credited, campaign_reward, gift_card_reward,
  admin_wallet_credited, reimbursement: Income; airdrop_to_exchange_transfer: Airdrop.
- crypto_payment, card_top_up (crypto spent, or sold to load the card): Spend at the USD value.
- dust_conversion_debited / dust_conversion_credited (small balances swept into CRO): each debited line
  a Sell and the credited line a Buy, at their USD values: the sweep's gain is that of a Trade valued at
  what is given.
- referral_card_cashback, card_cashback_reverted, transfer_cashback, reimbursement_reverted: not mapped:
  card cashback is a rebate on a purchase (basis = its value, no income) or income, by your choice.
- crypto_deposit, crypto_withdrawal, crypto_transfer (to or from another Crypto.com user): not mapped
  (a transfer of yours, a gift or a payment: only you know). crypto_to_exchange_transfer and
  exchange_to_crypto_transfer (to and from the Crypto.com Exchange): not mapped, a move between two
  accounts of yours.
- moves inside the app (lockup_lock / unlock / upgrade, crypto_earn_program_created / withdrawn,
  supercharger_deposit / withdrawal, *_swap_credited / debited, purchase and sell locks): skipped, not
  taxable. Lines in fiat (a Transaction Kind for cash, or none): skipped.
- any other kind: not mapped.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from cryptotax_core.imports.builder import (
    CASH_SKIPPED,
    FIAT,
    INTERNAL_SKIPPED,
    Builder,
    Format,
    no_usd_message,
    receive_message,
    send_message,
)
from cryptotax_core.imports.source import Row, Source
from cryptotax_core.model import TxType
from cryptotax_core.values import plain

NAME = "cryptocom"
WALLET = "Crypto.com"
FIELDS = {
    "time": ("Timestamp (UTC)", "Timestamp"), "description": ("Transaction Description",),
    "currency": ("Currency",), "amount": ("Amount",), "to_currency": ("To Currency",), "to_amount": ("To Amount",),
    "native_currency": ("Native Currency",), "native": ("Native Amount",), "usd": ("Native Amount (in USD)",),
    "kind": ("Transaction Kind",),
}
REQUIRED = ("time", "description", "currency", "amount", "native_currency", "native", "kind")

_BUYS = frozenset({"viban_purchase", "recurring_buy_order", "crypto_purchase", "van_purchase",
                   "trading.crypto_purchase", "trading.crypto_purchase.apple_pay"})
_SELLS = frozenset({"crypto_viban_exchange", "crypto_to_van_sell_order", "crypto_viban",
                    "trading.limit_order.fiat_wallet.sell_commit"})
_INCOME = {
    "crypto_earn_interest_paid": TxType.INTEREST, "crypto_earn_extra_interest_paid": TxType.INTEREST,
    "mco_stake_reward": TxType.STAKING, "supercharger_reward_to_app_credited": TxType.STAKING,
    "referral_bonus": TxType.INCOME, "referral_gift": TxType.INCOME,
    "rewards_platform_deposit_credited": TxType.INCOME, "campaign_reward": TxType.INCOME,
    "gift_card_reward": TxType.INCOME, "admin_wallet_credited": TxType.INCOME, "reimbursement": TxType.INCOME,
    "airdrop_to_exchange_transfer": TxType.AIRDROP,
}
_SPENDS = frozenset({"crypto_payment", "card_top_up"})
_CASHBACK = frozenset({"referral_card_cashback", "card_cashback_reverted", "transfer_cashback",
                       "reimbursement_reverted"})
_INTERNAL = frozenset({
    "lockup_lock", "lockup_unlock", "lockup_upgrade", "crypto_earn_program_created", "crypto_earn_program_withdrawn",
    "supercharger_deposit", "supercharger_withdrawal", "council_node_deposit_created", "lockup_swap_credited",
    "lockup_swap_debited", "dynamic_coin_swap_credited", "dynamic_coin_swap_debited", "interest_swap_credited",
    "interest_swap_debited", "crypto_wallet_swap_credited", "crypto_wallet_swap_debited",
    "trading.limit_order.fiat_wallet.purchase_lock", "trading.limit_order.fiat_wallet.purchase_unlock",
    "trading.limit_order.fiat_wallet.sell_lock", "trading.limit_order.cash_account.purchase_lock",
    "trading.limit_order.cash_account.purchase_unlock", "finance.lockup.dpos_lock.crypto_wallet",
    "finance.dpos.staking.crypto_wallet", "finance.dpos.unstaking.crypto_wallet",
})
_OWN_ACCOUNTS = frozenset({"crypto_to_exchange_transfer", "exchange_to_crypto_transfer"})


def convert(source: Source, out: Builder) -> None:
    for row in source.rows:
        _line(row, out)
        out.advance()


def _line(row: Row, out: Builder) -> None:
    errors_before = len(out.errors)
    when = out.moment(row, "time")
    amount = out.number(row, "amount")
    to_amount = out.number(row, "to_amount", required=False)
    usd = _usd(row, out)
    if when is None or amount is None or len(out.errors) > errors_before:
        return
    kind, currency = row.get("kind").lower(), row.get("currency").upper()
    to_currency = row.get("to_currency").upper()
    tx_id = out.own_id(row)
    units, note = abs(amount), row.get("description") or f"Crypto.com {kind}"
    if kind in _INTERNAL:
        out.skip(INTERNAL_SKIPPED)
    elif kind in _BUYS:
        if currency in FIAT:  # viban_purchase: fiat out, the crypto in To Currency; USD paid = |Amount|
            paid = units if currency == "USD" else usd
            _valued(row, out, when, tx_id, TxType.BUY, to_currency, abs(to_amount or Decimal(0)), paid, note)
        else:  # crypto_purchase: the crypto in Currency
            _valued(row, out, when, tx_id, TxType.BUY, currency, units, usd, note)
    elif kind in _SELLS:  # crypto out; the USD received is To Amount when To Currency is USD
        received = abs(to_amount) if to_currency == "USD" and to_amount is not None else usd
        _valued(row, out, when, tx_id, TxType.SELL, currency, units, received, note)
    elif kind == "crypto_exchange":
        _exchange(row, out, when, tx_id, currency, units, to_currency, to_amount, usd, note)
    elif amount > 0 and (kind in _INCOME or ("interest" in kind and kind.startswith("finance."))):
        _valued(row, out, when, tx_id, _INCOME.get(kind, TxType.INTEREST), currency, units, usd, note)
    elif kind in _SPENDS:
        _valued(row, out, when, tx_id, TxType.SPEND, currency, units, usd, note)
    elif kind in ("dust_conversion_debited", "dust_conversion_credited"):
        tx_type = TxType.SELL if amount < 0 else TxType.BUY
        _valued(row, out, when, tx_id, tx_type, currency, units, usd, f"{note} (dust conversion)")
    elif currency in FIAT:
        out.skip(CASH_SKIPPED)
    else:
        _left(row, out, when, tx_id, kind, currency, amount, usd)


def _usd(row: Row, out: Builder) -> Decimal | None:
    """The line's USD value: Native Amount (in USD), else Native Amount when the native currency is USD."""
    if "usd" in row.columns.index:
        value = out.number(row, "usd", required=False)
        if value is not None:
            return abs(value)
    if row.get("native_currency").upper() == "USD":
        value = out.number(row, "native", required=False)
        return None if value is None else abs(value)
    return None


def _valued(row: Row, out: Builder, when: datetime, tx_id: str, tx_type: TxType, asset: str, units: Decimal,
            usd: Decimal | None, note: str) -> None:
    if not asset:
        out.cannot_map(row, "to_currency", f"a {tx_type.value} on {when.date()} names no crypto: enter it by hand "
                                           f"(ID {tx_id})")
    elif usd is None:
        out.cannot_map(row, "native", no_usd_message(f"a {note}", tx_type, asset, units, when, tx_id))
    else:
        out.add(row, tx_id, when, tx_type, asset, units, usd, note=note)


def _exchange(row: Row, out: Builder, when: datetime, tx_id: str, currency: str, units: Decimal, to_currency: str,
              to_amount: Decimal | None, usd: Decimal | None, note: str) -> None:
    if not to_currency or to_amount is None:
        out.cannot_map(row, "to_currency", f"an exchange of {plain(units)} {currency} on {when.date()} names nothing "
                                           f"received: enter the Trade by hand (ID {tx_id})")
    elif usd is None:
        out.cannot_map(row, "native", no_usd_message("an exchange", TxType.TRADE, currency, units, when, tx_id))
    else:
        out.add(row, tx_id, when, TxType.TRADE, currency, units, usd, received_asset=to_currency,
                received_quantity=abs(to_amount), note=note)


def _left(row: Row, out: Builder, when: datetime, tx_id: str, kind: str, currency: str, amount: Decimal,
          usd: Decimal | None) -> None:
    """The kinds only the user can decide about, and the unknown ones."""
    units = abs(amount)
    if kind in _CASHBACK:
        out.cannot_map(row, "kind", f"card cashback '{row.get('description')}' of {plain(amount)} {currency} on "
                                    f"{when.date()}{_valued_at(usd)}: as a rebate on a purchase, enter a Buy of "
                                    f"{plain(units)} {currency} with USD Value = its value (no income); as income, an "
                                    f"Income row; a reverted cashback (negative) is a Spend at its value (ID {tx_id})")
    elif kind in ("crypto_deposit", "crypto_transfer") and amount > 0:
        out.cannot_map(row, "kind", receive_message(out.wallet, currency, units, when, tx_id, usd))
    elif kind in ("crypto_withdrawal", "crypto_transfer") and amount < 0:
        out.cannot_map(row, "kind", send_message(out.wallet, currency, units, when, tx_id))
    elif kind in _OWN_ACCOUNTS:
        out.cannot_map(row, "kind", f"a move of {plain(units)} {currency} between the Crypto.com App and the "
                                    f"Crypto.com Exchange ({kind}) on {when.date()}: if you keep the Exchange as "
                                    f"another wallet, enter a Transfer between the two; otherwise nothing changes "
                                    f"(ID {tx_id})")
    else:
        out.cannot_map(row, "kind", f"the Crypto.com kind '{row.get('kind')}' ({plain(amount)} {currency} on "
                                    f"{when.date()}) is not imported: enter it by hand if it changed your holdings "
                                    f"(ID {tx_id})")


def _valued_at(usd: Decimal | None) -> str:
    return f" (the file values it at USD {plain(usd)})" if usd is not None else ""


FORMAT = Format(NAME, WALLET, FIELDS, REQUIRED, convert)
