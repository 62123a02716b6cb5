"""Telegram's Stars, as the shop's payments domain asks for them: returning a payment's
stars, and reading the bot's Stars transactions.

The domain knows nothing of aiogram; these adapters turn Telegram's answers and errors into
its terms.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramServerError
from aiogram.types import StarTransaction, TransactionPartnerUser

from shop.payments import StarsRefused, StarsReturnedBefore
from shop.star_reconciler import Payer, StarEntry, StarHistoryUnavailable

#: What Telegram answers when the stars of a payment went back already.
CHARGE_ALREADY_REFUNDED = "CHARGE_ALREADY_REFUNDED"


def refused_by_telegram(error: BaseException) -> bool:
    """True when Telegram answered with an error about the request (a 4xx answer): it did
    nothing. A lost connection, a timeout, a 5xx or an unreadable answer says nothing about
    whether it did."""
    return isinstance(error, TelegramAPIError) and not isinstance(
        error, TelegramNetworkError | TelegramServerError
    )


def stars_returner(bot: Bot) -> Callable[[int, str], Awaitable[None]]:
    """``return_stars(user_id, charge_id)`` for :func:`shop.payments.refund_stars`: asks
    Telegram to refund the payment, and says a refusal in the domain's words."""

    async def return_stars(user_id: int, charge_id: str) -> None:
        try:
            await bot.refund_star_payment(user_id=user_id, telegram_payment_charge_id=charge_id)
        except TelegramAPIError as exc:
            if not refused_by_telegram(exc):
                raise
            if CHARGE_ALREADY_REFUNDED in str(exc):
                raise StarsReturnedBefore(str(exc)) from exc
            raise StarsRefused(str(exc)) from exc

    return return_stars


class BotStarHistory:
    """The bot's Stars transactions, read with ``getStarTransactions``."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def read(self, offset: int, limit: int) -> Sequence[StarEntry]:
        """Up to ``limit`` transactions after the first ``offset``, oldest first."""
        try:
            page = await self._bot.get_star_transactions(offset=offset, limit=limit)
        except TelegramAPIError as exc:
            raise StarHistoryUnavailable(f"{type(exc).__name__}: {exc}") from exc
        return [_entry(transaction) for transaction in page.transactions]


def _entry(transaction: StarTransaction) -> StarEntry:
    source = transaction.source
    if (
        not isinstance(source, TransactionPartnerUser)
        or source.transaction_type != "invoice_payment"
        or source.invoice_payload is None
    ):
        # Refunds are outgoing (a receiver, no source); withdrawals and others are not
        # payments of the shop's invoices.
        return StarEntry(transaction.id, transaction.amount, transaction.date)
    user = source.user
    return StarEntry(
        transaction.id,
        transaction.amount,
        transaction.date,
        payer=Payer(user.id, user.username, user.first_name, user.language_code),
        payload=source.invoice_payload,
    )
