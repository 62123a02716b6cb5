"""What the Stars tests do as a customer (ask for an invoice, pre-checkout, pay) and read back
(ledger rows, balances)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal

from aiogram.methods import AnswerPreCheckoutQuery, SendInvoice
from aiogram.types import Chat, Message, PreCheckoutQuery, SuccessfulPayment, Update

from bot.runtime import Runtime
from shop.storage import LedgerReason

from ..support.telegram import BotClient

_ids = itertools.count(1)


async def ledger_rows(services: Runtime, user_id: int) -> list[tuple[LedgerReason, Decimal]]:
    """The customer's ledger, oldest first, as (reason, amount)."""
    async with services.db.read() as r:
        return [(row.reason, row.amount) for row in reversed(await r.ledger.history(user_id, 100))]


async def balance(services: Runtime, user_id: int) -> Decimal:
    async with services.db.read() as r:
        return await r.ledger.balance(user_id)


async def pre_checkout(
    client: BotClient, payload: str, total: int, currency: str = "XTR"
) -> AnswerPreCheckoutQuery:
    """Telegram asks the bot whether the customer may pay; the bot's answer."""
    query = PreCheckoutQuery(
        id=f"q{next(_ids)}",
        from_user=client.user,
        currency=currency,
        total_amount=total,
        invoice_payload=payload,
    )
    requests = await client.feed(
        Update(update_id=client.session.next_update_id(), pre_checkout_query=query)
    )
    [answer] = requests.of(AnswerPreCheckoutQuery)
    return answer


async def pay(
    client: BotClient, payload: str, total: int, charge_id: str, *, date: datetime | None = None
) -> None:
    """Telegram's message that the customer paid (the session records the star payment)."""
    message = Message(
        message_id=next(_ids) + 10_000,
        date=date or datetime(2025, 1, 1, tzinfo=UTC),
        chat=Chat(id=client.user.id, type="private"),
        from_user=client.user,
        successful_payment=SuccessfulPayment(
            currency="XTR",
            total_amount=total,
            invoice_payload=payload,
            telegram_payment_charge_id=charge_id,
            provider_payment_charge_id="",
        ),
    )
    await client.feed(Update(update_id=client.session.next_update_id(), message=message))


async def ask_invoice(client: BotClient, preset: str) -> SendInvoice:
    """The customer taps Balance, Top up and a preset amount; the invoice sent."""
    await client.send("/start")
    await client.click("Balance")
    await client.click("Top up")
    await client.click(preset)
    return client.requests_of(SendInvoice)[-1]
