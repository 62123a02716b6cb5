"""Dispatcher middlewares: who the customer is, and in which language to answer them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User
from aiogram_i18n.managers import BaseManager

from bot.customers import find_customer, language_for, register_customer, set_language
from bot.db import Database, UserRow

CUSTOMER_KEY = "customer"
#: True in the handler data when this update is the customer's first contact with the shop.
NEW_CUSTOMER_KEY = "new_customer"


class CustomerMiddleware(BaseMiddleware):
    """Puts the stored customer in the handler data as ``customer`` (registering anyone the
    shop has not met yet, in their Telegram language), before translations are chosen."""

    def __init__(self, db: Database, default_locale: str) -> None:
        self._db = db
        self._default_locale = default_locale

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if user is not None and not user.is_bot and (chat is None or chat.type == "private"):
            customer = await find_customer(self._db, user.id)
            created = False
            if customer is None or customer.blocked:
                customer, created = await register_customer(
                    self._db,
                    user.id,
                    user.username,
                    user.first_name,
                    language_for(user.language_code, self._default_locale),
                )
            data[CUSTOMER_KEY] = customer
            data[NEW_CUSTOMER_KEY] = created
        return await handler(event, data)


class CustomerLocaleManager(BaseManager):
    """aiogram-i18n's language store, kept in the customer's row."""

    def __init__(self, db: Database, default_locale: str) -> None:
        super().__init__(default_locale=default_locale)
        self._db = db

    async def get_locale(self, customer: UserRow | None = None) -> str:
        if customer is not None:
            return customer.language
        return self.default_locale or "en"

    async def set_locale(self, locale: str, customer: UserRow | None = None) -> None:
        if customer is not None:
            await set_language(self._db, customer.id, locale)
