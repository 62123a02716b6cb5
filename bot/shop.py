"""The shop's terms: its currency, its margin, how long a quoted price holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from bot.config import Settings
from bot.db import Repositories, ServiceRow
from bot.money import Currency

#: The meta entry holding the default markup set by an admin, over MARKUP_PERCENT.
MARKUP_META_KEY = "markup_percent"


@dataclass(frozen=True, slots=True)
class Shop:
    """What the services need to know about the shop, taken from the settings once."""

    currency: Currency
    markup_percent: Decimal
    quote_ttl: timedelta = timedelta(minutes=15)
    admin_chat_id: int | None = None
    admin_locale: str = "en"

    @classmethod
    def from_settings(cls, settings: Settings) -> Shop:
        return cls(
            currency=Currency(settings.currency, settings.currency_decimals),
            markup_percent=settings.markup_percent,
            admin_chat_id=settings.admin_chat_id,
            admin_locale=settings.default_locale,
        )

    async def markup_for(self, repos: Repositories, service: ServiceRow) -> Decimal:
        """The service's own markup if it has one, else the shop's current default."""
        if service.markup_override is not None:
            return service.markup_override
        stored = await repos.meta.get(MARKUP_META_KEY)
        return Decimal(stored) if stored is not None else self.markup_percent
