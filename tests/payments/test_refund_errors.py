"""What each way a star refund call can fail means for the money: only an answer of
Telegram refusing the request undoes the debit; a lost answer keeps it and alerts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

import aiohttp
import pytest
from aiogram.exceptions import (
    ClientDecodeError,
    RestartingTelegram,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import RefundStarPayment

from bot.runtime import Runtime
from handlers.telegram_stars import stars_returner
from shop.alerts import ALERT_KIND
from shop.payments import RefundOutcome, RefundProblem, RefundRefused, refund_stars
from shop.storage import LedgerReason, utc_now

from ..support.telegram import BotClient
from .stars import ask_invoice, ledger_rows, pay

METHOD = RefundStarPayment(user_id=111, telegram_payment_charge_id="charge-1")

LOST_ANSWERS = [
    TelegramNetworkError(METHOD, "Request timeout error"),
    TelegramNetworkError(METHOD, "ClientConnectorError: Cannot connect to host"),
    TelegramServerError(METHOD, "Internal Server Error"),
    RestartingTelegram(METHOD, "Bad Gateway: restarting"),
    ClientDecodeError("Failed to decode object", ValueError("<html>"), "<html>502</html>"),
    TimeoutError(),
    aiohttp.ServerDisconnectedError(),
]
REFUSALS = [
    TelegramBadRequest(METHOD, "Bad Request: CHARGE_NOT_FOUND"),
    TelegramForbiddenError(METHOD, "Forbidden: bot was blocked by the user"),
    TelegramRetryAfter(METHOD, "Too Many Requests: retry after 5", retry_after=5),
]


async def paid(alice: BotClient) -> None:
    invoice = await ask_invoice(alice, "10.00 USD")
    await pay(alice, invoice.payload, 770, "charge-1")


async def alerts(services: Runtime) -> list[str]:
    async with services.db.read() as r:
        rows = await r.outbox.due(utc_now(), 100)
    return [row.text for row in rows if row.kind == ALERT_KIND]


class FailingBot:
    """A bot whose refundStarPayment call fails with ``error``."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    async def refund_star_payment(self, **_: object) -> bool:
        raise self.error


def failing(error: BaseException) -> Callable[[int, str], Awaitable[None]]:
    """The bot's way of returning stars (Telegram's errors in the shop's words), failing."""
    return stars_returner(FailingBot(error))  # type: ignore[arg-type]


@pytest.mark.parametrize("error", LOST_ANSWERS, ids=lambda e: type(e).__name__)
async def test_a_lost_answer_keeps_the_debit_and_alerts_until_telegram_answers(
    alice: BotClient, services: Runtime, error: BaseException
) -> None:
    await paid(alice)

    refund = await refund_stars(services.db, 111, "charge-1", failing(error), services.alerts)

    assert refund.outcome is RefundOutcome.UNCERTAIN
    assert await ledger_rows(services, 111) == [
        (LedgerReason.TOPUP, Decimal("10.01")),
        (LedgerReason.STARS_REFUND, Decimal("-10.01")),
    ]
    [alert] = await alerts(services)
    assert "the stars may or may not have been returned" in alert
    # Asked again, with the answer lost again: still uncertain, and nothing moves twice.
    again = await refund_stars(services.db, 111, "charge-1", failing(error), services.alerts)
    assert again.outcome is RefundOutcome.UNCERTAIN

    async def returned(user_id: int, charge_id: str) -> bool:
        return True

    # Once Telegram answers, the refund is settled, with the one debit made the first time.
    settled = await refund_stars(services.db, 111, "charge-1", returned, services.alerts)
    assert settled.outcome is RefundOutcome.RETURNED
    assert await ledger_rows(services, 111) == [
        (LedgerReason.TOPUP, Decimal("10.01")),
        (LedgerReason.STARS_REFUND, Decimal("-10.01")),
    ]
    assert len(await alerts(services)) == 1
    with pytest.raises(RefundRefused) as done:
        await refund_stars(services.db, 111, "charge-1", returned, services.alerts)
    assert done.value.problem is RefundProblem.ALREADY_REFUNDED


@pytest.mark.parametrize("error", REFUSALS, ids=lambda e: type(e).__name__)
async def test_a_refusal_by_telegram_undoes_the_debit(
    alice: BotClient, services: Runtime, error: BaseException
) -> None:
    await paid(alice)

    with pytest.raises(RefundRefused) as refused:
        await refund_stars(services.db, 111, "charge-1", failing(error), services.alerts)

    assert refused.value.problem is RefundProblem.TELEGRAM_REFUSED
    assert sum(amount for _, amount in await ledger_rows(services, 111)) == Decimal("10.01")
    assert await alerts(services) == []
