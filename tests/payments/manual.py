"""What the tests of top-ups by transfer share: the shop's settings, a customer sending a
receipt through the chat, and what the customer and the admin group got."""

from __future__ import annotations

from decimal import Decimal

from bot.runtime import Runtime
from shop.notices import TOPUP_NOTICE_KIND
from shop.storage import LedgerReason, ManualPaymentRow, utc_now

from ..conftest import ADMIN_CHAT
from ..support.telegram import BotClient, RecordingSession, ScreenMessage

OWNER = 7001
STAFF = 7002
STRANGER = 7003
#: The owner's payment details, with what HTML would take for markup.
DETAILS = "Card 4242 4242 4242 4242\nJohn <Doe> & Co"


def manual_settings(**more: object) -> dict[str, object]:
    """A shop with an admin group and transfers on."""
    return {"admin_ids": (OWNER, STAFF), "manual_payment_details": DETAILS, **more}


async def choose_transfer(client: BotClient) -> None:
    """From the start, to the amounts of a top-up by transfer."""
    await client.send("/start")
    await client.click("Balance")
    await client.click("Top up")
    await client.click("Bank transfer")


async def send_receipt(
    client: BotClient,
    amount: str = "10.00 USD",
    *,
    document: bool = False,
    caption: str | None = None,
) -> None:
    """The customer tops up ``amount`` (a preset's label) by transfer and sends the receipt:
    a photo, or a file."""
    await choose_transfer(client)
    await client.click(amount)
    if document:
        await client.send_document("receipt.pdf", caption)
    else:
        await client.send_photo(caption)


def group_post(session: RecordingSession) -> ScreenMessage:
    """The latest message the bot sent to the admin group."""
    return session.screen(ADMIN_CHAT).last


async def requests(services: Runtime) -> list[ManualPaymentRow]:
    """Every transfer request, oldest first."""
    found: list[ManualPaymentRow] = []
    async with services.db.read() as r:
        request_id = 1
        while (row := await r.manual_payments.get(request_id)) is not None:
            found.append(row)
            request_id += 1
    return found


async def ledger(services: Runtime, user_id: int) -> list[tuple[LedgerReason, Decimal, str]]:
    """The customer's ledger, oldest first: reason, amount, key."""
    async with services.db.read() as r:
        rows = await r.ledger.history(user_id, limit=1000)
    return [(row.reason, row.amount, row.key) for row in reversed(rows)]


async def notices(services: Runtime, user_id: int) -> list[str]:
    """The top-up notices queued for the customer, oldest first."""
    async with services.db.read() as r:
        rows = await r.outbox.due(utc_now(), 10_000)
    return [row.text for row in rows if row.chat_id == user_id and row.kind == TOPUP_NOTICE_KIND]
