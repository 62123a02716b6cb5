"""The gate of the storefront for a customer the staff banned: whatever they do, one polite
message and nothing else. Nothing they send reaches a handler, so they get no quote, no
order, no top-up and no support; a payment Telegram has already taken is let through, so
it is credited (their money is never lost)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.types import CallbackQuery, Message, PreCheckoutQuery, TelegramObject
from aiogram_i18n import I18nContext

from shop.storage import UserRow


class BannedGate(BaseMiddleware):
    """Answers a banned customer's every action with ``banned-notice``."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        customer = data.get("customer")
        if not isinstance(customer, UserRow) or not customer.banned:
            return await handler(event, data)
        if isinstance(event, Message) and event.successful_payment is not None:
            return await handler(event, data)
        i18n: I18nContext = data["i18n"]
        text = i18n.get("banned-notice")
        if isinstance(event, Message):
            await event.answer(text)
        elif isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        elif isinstance(event, PreCheckoutQuery):
            await event.answer(ok=False, error_message=text)
        return None


def guard(storefront: Router) -> None:
    """Put the gate in front of everything a customer can send the storefront."""
    gate = BannedGate()
    storefront.message.outer_middleware(gate)
    storefront.callback_query.outer_middleware(gate)
    storefront.pre_checkout_query.outer_middleware(gate)
