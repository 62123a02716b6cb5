"""The shop's terms: its currency, its margin, how long a quoted price holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from shop.money import Currency
from shop.storage import Repositories, ServiceRow

#: The meta entry holding the default markup set by an admin, over MARKUP_PERCENT.
MARKUP_META_KEY = "markup_percent"


@dataclass(frozen=True, slots=True)
class Terms:
    """The shop's terms, as the domain needs them: taken from the settings once, at start."""

    currency: Currency
    markup_percent: Decimal
    quote_ttl: timedelta = timedelta(minutes=15)
    admin_chat_id: int | None = None
    admin_locale: str = "en"
    #: Orders at or above this price are reported to the admins (0: none are).
    large_order_alert: Decimal = Decimal(0)
    #: The admins are told when the panel's balance falls below this (0: never).
    panel_balance_alert: Decimal = Decimal(0)

    async def default_markup(self, repos: Repositories) -> Decimal:
        """The markup of services without their own: an admin's choice, else the setting."""
        stored = await repos.meta.get(MARKUP_META_KEY)
        return Decimal(stored) if stored is not None else self.markup_percent

    @staticmethod
    def markup_of(service: ServiceRow, default: Decimal) -> Decimal:
        """The service's own markup if it has one, else ``default``."""
        return default if service.markup_override is None else service.markup_override

    async def markup_for(self, repos: Repositories, service: ServiceRow) -> Decimal:
        """The service's markup, with the shop's current default."""
        return self.markup_of(service, await self.default_markup(repos))
