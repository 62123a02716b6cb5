"""Customers: who they are, their language, who referred them."""

from __future__ import annotations

import re
from typing import Final

from shop.storage import Database, UserRow
from shop.texts import SUPPORTED_LOCALES

# Telegram user ids fit in 52 bits (16 digits); a longer number is no one's id.
_REFERRAL: Final = re.compile(r"^ref_(\d{1,16})$")


def referrer_from_start(parameter: str | None) -> int | None:
    """The referrer's id in a ``/start ref_<id>`` parameter, if that is what it holds."""
    match = _REFERRAL.match((parameter or "").strip())
    return int(match.group(1)) if match else None


def language_for(language_code: str | None, default_locale: str) -> str:
    """The shop's language for a Telegram ``language_code``: en or ru, else the default."""
    language = (language_code or "").split("-")[0].lower()
    return language if language in SUPPORTED_LOCALES else default_locale


async def find_customer(db: Database, user_id: int) -> UserRow | None:
    """The stored customer, or None for someone the shop has not met."""
    if (known := db.kept_user(user_id)) is not None:
        return known
    async with db.read() as r:
        return await r.users.get(user_id)


async def register_customer(
    db: Database,
    user_id: int,
    username: str | None,
    first_name: str | None,
    language: str,
) -> tuple[UserRow, bool]:
    """Store (or refresh) the customer; ``(customer, created)``. A customer who had blocked
    the bot and writes again is reachable again."""
    async with db.transaction() as tx:
        user, created = await tx.users.upsert(user_id, username, first_name, language)
        if user.blocked:
            await tx.users.set_blocked(user_id, False)
        refreshed = await tx.users.get(user_id)
    assert refreshed is not None
    return refreshed, created


async def link_referrer(db: Database, user_id: int, referrer_id: int) -> bool:
    """Link a new customer to the customer who referred them: once, never to themselves,
    only to a customer the shop knows. True when the link was made now."""
    async with db.transaction() as tx:
        return await tx.users.set_referrer_once(user_id, referrer_id)


async def set_language(db: Database, user_id: int, language: str) -> None:
    """Remember the customer's choice of language."""
    if language not in SUPPORTED_LOCALES:
        raise ValueError(f"unsupported language {language!r}")
    async with db.transaction() as tx:
        await tx.users.set_language(user_id, language)


class Customers:
    """The shop's customers as the bot meets them: who they are, their language, who
    referred them."""

    def __init__(self, db: Database, default_locale: str) -> None:
        """``default_locale``: the language of customers whose Telegram language the shop
        does not speak."""
        self._db = db
        self._default_locale = default_locale

    def language_for(self, language_code: str | None) -> str:
        """The shop's language for a Telegram ``language_code``."""
        return language_for(language_code, self._default_locale)

    async def meet(
        self, user_id: int, username: str | None, first_name: str | None, language_code: str | None
    ) -> tuple[UserRow, bool]:
        """The customer writing to the shop, ``(customer, first_contact)``: anyone the shop
        has not met yet is registered in their Telegram language, and one who had blocked
        the bot is reachable again."""
        customer = await find_customer(self._db, user_id)
        if customer is not None and not customer.blocked:
            return customer, False
        return await register_customer(
            self._db, user_id, username, first_name, self.language_for(language_code)
        )

    async def accept_referral(self, user_id: int, start_parameter: str | None) -> bool:
        """Link a customer to the one whose referral link (``/start ref_<id>``) brought
        them; see :func:`link_referrer` for when it is made. True when it was made now."""
        referrer = referrer_from_start(start_parameter)
        if referrer is None:
            return False
        return await link_referrer(self._db, user_id, referrer)

    async def set_language(self, user_id: int, language: str) -> None:
        """Remember the customer's choice of language."""
        await set_language(self._db, user_id, language)
