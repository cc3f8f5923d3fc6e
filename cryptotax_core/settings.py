"""The choices a user makes once for a whole history, with their documented defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptotax_core.errors import SettingsError
from cryptotax_core.model import Method, Pooling, TransferFee

DEFAULT_TIME_ZONE = "UTC"


@dataclass(frozen=True, slots=True)
class Settings:
    """How to compute a history.

    method: lot relief method for every year without an entry in `method_by_year` (default FIFO).
    pooling: per wallet (default) or universal for years before 2025 (docs/rules.md#which-units-are-sold).
    time_zone: IANA zone that timestamps with an offset are converted to before their date is taken
        (default UTC); timestamps without an offset are already local.
    transfer_fee: what units lost to a network fee on a self-transfer are (default: a disposal).
    allow_shortfall: a disposal of more units than held uses a zero-basis lot and a warning instead
        of being an error.
    """

    method: Method = Method.FIFO
    method_by_year: Mapping[int, Method] = field(default_factory=dict)
    pooling: Pooling = Pooling.WALLET
    time_zone: str = DEFAULT_TIME_ZONE
    transfer_fee: TransferFee = TransferFee.DISPOSE
    allow_shortfall: bool = False

    def method_for(self, year: int) -> Method:
        return self.method_by_year.get(year, self.method)

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(
                f"unknown time zone '{self.time_zone}': use an IANA name such as America/New_York"
            ) from exc
