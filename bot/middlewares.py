"""Dispatcher middlewares: who the customer is, and in which language to answer them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User
from aiogram_i18n.managers import BaseManager

from shop.customers import Customers
from shop.storage import UserRow

CUSTOMER_KEY = "customer"
#: True in the handler data when this update is the customer's first contact with the shop.
NEW_CUSTOMER_KEY = "new_customer"


class CustomerMiddleware(BaseMiddleware):
    """Puts the stored customer in the handler data as ``customer`` (registering anyone the
    shop has not met yet, in their Telegram language), before translations are chosen."""

    def __init__(self, customers: Customers) -> None:
        self._customers = customers

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if user is not None and not user.is_bot and (chat is None or chat.type == "private"):
            customer, created = await self._customers.meet(
                user.id, user.username, user.first_name, user.language_code
            )
            data[CUSTOMER_KEY] = customer
            data[NEW_CUSTOMER_KEY] = created
        return await handler(event, data)


class ServicesMiddleware(BaseMiddleware):
    """Hands the shop's services to the handler about to run, by name (an inner
    middleware, so after the filters): kept out of the Dispatcher's workflow data, they
    are not copied by every router, filter and middleware an update passes on its way.
    Workflow data of the same name wins."""

    def __init__(self, **services: Any) -> None:
        self._services = services

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        return await handler(event, {**self._services, **data})


class InFlightMiddleware(BaseMiddleware):
    """Counts the updates being handled, so a shutdown can let them finish first."""

    def __init__(self) -> None:
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        self._running += 1
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self._running -= 1
            if self._running == 0:
                self._idle.set()

    async def wait_idle(self, timeout: float) -> bool:
        """Wait until no update is being handled (at most ``timeout`` s); True if idle."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)
        return self._idle.is_set()


class CustomerLocaleManager(BaseManager):
    """aiogram-i18n's language store, kept in the customer's row."""

    def __init__(self, customers: Customers, default_locale: str) -> None:
        super().__init__(default_locale=default_locale)
        self._customers = customers

    async def get_locale(
        self, customer: UserRow | None = None, event_from_user: User | None = None
    ) -> str:
        if customer is not None:
            return customer.language
        # Not a customer (an admin in the group): their Telegram language, if we have it.
        if event_from_user is None:
            return self.default_locale or "en"
        return self._customers.language_for(event_from_user.language_code)

    async def set_locale(self, locale: str, customer: UserRow | None = None) -> None:
        if customer is not None:
            await self._customers.set_language(customer.id, locale)
