"""Top-ups by transfer, from the customer's side: the choice of a way to pay, the amount, the
details, the receipt, and what reaches the admin group; an approval and a rejection."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

import pytest
from aiogram.methods import CopyMessage, SendInvoice, SendMessage
from aiogram.types import Update

from bot.runtime import Runtime
from shop.manual_payments import Receipt
from shop.storage import LedgerReason, ManualPaymentStatus, ReceiptKind

from ..conftest import ADMIN_CHAT
from ..support.telegram import BotClient, RecordingSession, bad_request
from .manual import (
    OWNER,
    choose_transfer,
    group_post,
    ledger,
    manual_settings,
    notices,
    requests,
    send_receipt,
)

ESCAPED_DETAILS = "Card 4242 4242 4242 4242\nJohn <Doe> & Co"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return manual_settings()


@pytest.fixture
def owner(make_client: Callable[..., BotClient]) -> BotClient:
    return make_client(user_id=OWNER, chat_id=ADMIN_CHAT, first_name="Olga", username="olga")


async def test_top_up_offers_stars_and_transfers_and_stars_stays_as_it_was(
    alice: BotClient,
) -> None:
    await alice.send("/start")
    await alice.click("Balance")
    await alice.click("Top up")
    assert alice.screen.last.text == "💰 Top up your balance\nHow would you like to pay?"
    assert alice.screen.last.buttons == [["⭐ Telegram Stars"], ["🏦 Bank transfer"], ["◀ Back"]]

    await alice.click("Telegram Stars")
    amounts = alice.screen.last
    assert (amounts.text or "").startswith("💰 Top up your balance\nPayment is in")
    assert amounts.buttons[:2] == [["5.00 USD", "10.00 USD"], ["25.00 USD", "50.00 USD"]]
    await alice.click("10.00 USD")
    [invoice] = alice.requests_of(SendInvoice)
    assert [price.amount for price in invoice.prices] == [770]

    # Back from a way's amounts leads to the choice of a way.
    await alice.click("Back", message=amounts)
    assert amounts.text == "💰 Top up your balance\nHow would you like to pay?"


async def test_a_photo_receipt_goes_to_the_group_and_one_approval_credits_it(
    alice: BotClient, owner: BotClient, services: Runtime, session: RecordingSession
) -> None:
    await choose_transfer(alice)
    assert (alice.screen.last.text or "").startswith(
        "🏦 Top up by transfer\nChoose an amount, or type another from 1.00 USD to 500.00 USD."
    )
    await alice.click("10.00 USD")
    assert alice.screen.last.text == (
        f"🏦 Transfer 10.00 USD\n{ESCAPED_DETAILS}\n\n"
        "When you have paid, send the receipt here: a photo or screenshot, or a file. "
        "A caption, if you add one, goes to the staff with it."
    )
    assert alice.screen.last.buttons == [["✖ Cancel"]]

    requests_made = await alice.send_photo("paid from <my> card")

    assert alice.screen.last.text == (
        "📨 Receipt received: request #1, 10.00 USD.\n"
        "The staff will check the transfer; you will be told here when it is on your balance."
    )
    [copy] = requests_made.of(CopyMessage)
    assert (copy.chat_id, copy.from_chat_id) == (ADMIN_CHAT, alice.chat.id)
    group = session.screen(ADMIN_CHAT)
    receipt, post = group.bot_messages
    assert receipt.kind == "photo"
    assert receipt.file_id == alice.screen.messages[-2].file_id
    assert post.text == (
        "🏦 Transfer #1: 10.00 USD\n"
        "Customer: Alice @alice (id 111)\n"
        "Comment: paid from <my> card\n"
        "Check the receipt above, then Approve or Reject; "
        "or /approve 1 [amount], /reject 1 [reason]."
    )
    assert post.buttons == [["✅ Approve", "❌ Reject"]]
    [summary] = [m for m in requests_made.of(SendMessage) if m.chat_id == ADMIN_CHAT]
    assert summary.reply_parameters is not None
    assert summary.reply_parameters.message_id == receipt.message_id
    [request] = await requests(services)
    assert (request.status, request.amount, request.receipt_kind, request.comment) == (
        ManualPaymentStatus.PENDING,
        Decimal(10),
        ReceiptKind.PHOTO,
        "paid from <my> card",
    )
    assert await ledger(services, alice.user.id) == []

    await owner.click("Approve", message=post)

    assert owner.last_answer_callback().text == (
        "✅ Transfer #1 approved: 10.00 USD credited to 111. Balance: 10.00 USD"
    )
    assert post.text is not None
    assert post.text.endswith("\n\n✅ Approved by Olga: 10.00 USD credited.")
    assert post.buttons == []
    assert await ledger(services, alice.user.id) == [
        (LedgerReason.MANUAL_TOPUP, Decimal(10), "topup:manual:1")
    ]
    assert await notices(services, alice.user.id) == [
        "✅ <b>Your transfer #1 is confirmed: 10.00 USD added to your balance.</b>\n"
        "Your balance: 10.00 USD"
    ]
    # The customer's history names the way they paid.
    await alice.send("/start")
    await alice.click("Balance")
    assert "Top-up by transfer: +10.00 USD" in (alice.screen.last.text or "")


async def test_a_file_receipt_after_a_typed_amount_with_wrong_input_at_each_step(
    alice: BotClient, owner: BotClient, services: Runtime, session: RecordingSession
) -> None:
    await choose_transfer(alice)
    await alice.click("Another amount")
    for text, reply in [
        ("lots", "⚠️ Please send an amount like 10 or 12.50."),
        ("0.5", "⚠️ That is below the smallest top-up of 1.00 USD."),
        ("100000", "⚠️ That is above the largest top-up of 500.00 USD."),
        ("1.005", "⚠️ Please send an amount like 10 or 12.50."),
    ]:
        await alice.send(text)
        assert alice.screen.last.text == reply
    await alice.send_photo()
    assert alice.screen.last.text == "Please answer with text, or tap a button."
    # A transfer is not paid in Stars: an amount above one invoice's stars is fine.
    await alice.send("400")
    assert (alice.screen.last.text or "").startswith("🏦 Transfer 400.00 USD\n")

    for wrong in ("I paid", "/unknowncommand"):
        await alice.send(wrong)
        assert alice.screen.last.text == (
            "⚠️ Please send the receipt as a photo or a file, or tap Cancel."
        )
    assert await requests(services) == []
    assert session.screen(ADMIN_CHAT).bot_messages == []

    await alice.send_document("receipt.pdf")
    [request] = await requests(services)
    assert (request.amount, request.receipt_kind, request.comment) == (
        Decimal(400),
        ReceiptKind.DOCUMENT,
        None,
    )
    receipt, post = session.screen(ADMIN_CHAT).bot_messages
    assert (receipt.kind, receipt.file_name) == ("document", "receipt.pdf")
    assert "Comment: —\n" in (post.text or "")

    await owner.send("/approve 1")
    assert owner.screen.last.text == (
        "✅ Transfer #1 approved: 400.00 USD credited to 111. Balance: 400.00 USD"
    )
    assert (post.text or "").endswith("✅ Approved by Olga: 400.00 USD credited.")
    assert post.buttons == []
    assert await ledger(services, alice.user.id) == [
        (LedgerReason.MANUAL_TOPUP, Decimal(400), "topup:manual:1")
    ]


async def test_a_rejection_with_a_reason_tells_the_customer_and_credits_nothing(
    alice: BotClient, owner: BotClient, services: Runtime, session: RecordingSession
) -> None:
    await send_receipt(alice, "25.00 USD")
    post = group_post(session)

    await owner.send("/reject 1 No such transfer <arrived>")

    assert owner.screen.last.text == "❌ Transfer #1 of 111 rejected; the customer is told."
    assert (post.text or "").endswith(
        "\n\n❌ Rejected by Olga. Reason: No such transfer <arrived>"
    )
    assert post.buttons == []
    assert await notices(services, alice.user.id) == [
        "❌ Your transfer #1 of 25.00 USD was not confirmed.\n"
        "Reason: No such transfer &lt;arrived&gt;"
    ]
    assert await ledger(services, alice.user.id) == []
    # Decided once: neither a later approval nor another rejection changes anything.
    await owner.send("/approve 1")
    assert owner.screen.last.text == "Transfer #1 was rejected already; nothing changed."
    await owner.send("/reject 1")
    assert owner.screen.last.text == "Transfer #1 was rejected already; nothing changed."
    [request] = await requests(services)
    assert (request.status, request.reject_reason, request.decided_by) == (
        ManualPaymentStatus.REJECTED,
        "No such transfer <arrived>",
        OWNER,
    )
    assert await ledger(services, alice.user.id) == []
    assert len(await notices(services, alice.user.id)) == 1


async def test_the_reject_button_rejects_without_a_reason(
    alice: BotClient, owner: BotClient, services: Runtime, session: RecordingSession
) -> None:
    await send_receipt(alice)
    post = group_post(session)
    await owner.click("Reject", message=post)
    assert owner.last_answer_callback().text == (
        "❌ Transfer #1 of 111 rejected; the customer is told."
    )
    assert (post.text or "").endswith("❌ Rejected by Olga. Reason: —")
    assert await notices(services, alice.user.id) == [
        "❌ Your transfer #1 of 10.00 USD was not confirmed. "
        "If you did pay, please contact the shop."
    ]


async def test_a_customer_has_at_most_the_pending_limit_of_transfers_waiting(
    alice: BotClient, owner: BotClient, services: Runtime, session: RecordingSession
) -> None:
    for _ in range(3):
        await send_receipt(alice)
    # A fourth is refused before the customer pays anything.
    await choose_transfer(alice)
    assert alice.screen.last.text == (
        "⏳ You have 3 transfers waiting for the staff's check already. "
        "Please wait for their answer before sending another."
    )
    assert alice.screen.last.buttons == [["◀ Back"]]
    # Details seen while there was room, and another request made meanwhile (from another
    # device): the receipt is refused too, and nothing is posted.
    await owner.send("/reject 3")
    await choose_transfer(alice)
    await alice.click("5.00 USD")
    await services.manual_payments.open(
        alice.user.id, Decimal(5), Receipt(alice.chat.id, 99_999, ReceiptKind.PHOTO)
    )
    posts = len(session.screen(ADMIN_CHAT).bot_messages)

    await alice.send_photo()

    assert (alice.screen.last.text or "").startswith("⏳ You have 3 transfers waiting")
    assert len(session.screen(ADMIN_CHAT).bot_messages) == posts
    statuses = [request.status for request in await requests(services)]
    assert statuses.count(ManualPaymentStatus.PENDING) == 3
    assert len(statuses) == 4


async def test_cancel_leaves_the_receipt_step(alice: BotClient, services: Runtime) -> None:
    await choose_transfer(alice)
    await alice.click("10.00 USD")
    await alice.click("Cancel")
    assert (alice.screen.last.text or "").startswith("Cancelled.")
    await alice.send_photo()
    await choose_transfer(alice)
    await alice.click("10.00 USD")
    await alice.send("/cancel")
    await alice.send_document()
    assert await requests(services) == []
    assert await alice.fsm_state() is None


async def test_a_receipt_delivered_twice_makes_one_request_and_one_post(
    alice: BotClient, services: Runtime, session: RecordingSession
) -> None:
    await send_receipt(alice)
    receipt = alice.screen.messages[-2]
    assert receipt.kind == "photo"

    await alice.feed(Update(update_id=session.next_update_id(), message=receipt.to_message()))

    assert len(await requests(services)) == 1
    assert len(session.screen(ADMIN_CHAT).bot_messages) == 2


async def test_an_album_of_two_receipts_at_once_makes_one_request_and_one_post(
    alice: BotClient, services: Runtime, session: RecordingSession
) -> None:
    """Two photos sent together (an album) reach the bot as two updates handled at once:
    both find the form waiting for the receipt, but the details shown once make one
    request, which one approval could not credit twice."""
    await choose_transfer(alice)
    await alice.click("10.00 USD")

    await asyncio.gather(alice.send_photo("first page"), alice.send_photo("second page"))

    [request] = await requests(services)
    assert request.amount == Decimal(10)
    # The receipt copied and its summary: one post.
    assert len(session.screen(ADMIN_CHAT).bot_messages) == 2
    answers = [m.text or "" for m in alice.screen.bot_messages[-2:]]
    assert all(text.startswith("📨 Receipt received: request #1") for text in answers), answers


async def test_a_post_telegram_refuses_leaves_the_request_pending_for_payments(
    alice: BotClient, owner: BotClient, services: Runtime, session: RecordingSession
) -> None:
    await choose_transfer(alice)
    await alice.click("10.00 USD")
    session.fail_next(CopyMessage, bad_request("chat not found"))
    session.fail_next(SendMessage, bad_request("chat not found"))

    await alice.send_photo("for the shop")

    assert (alice.screen.last.text or "").startswith("📨 Receipt received: request #1")
    assert session.screen(ADMIN_CHAT).bot_messages == []
    [request] = await requests(services)
    assert (request.status, request.post_message_id) == (ManualPaymentStatus.PENDING, None)
    await owner.send("/payments")
    assert "#1 · 10.00 USD · Alice (111)" in (owner.screen.last.text or "")
    # Once the group works again, an admin has the receipt and its buttons posted again.
    await owner.send("/receipt 1")
    copy = owner.requests_of(CopyMessage)[-1]  # the first one, refused, before it
    assert (copy.from_chat_id, copy.chat_id) == (alice.chat.id, ADMIN_CHAT)
    post = group_post(session)
    assert post.buttons == [["✅ Approve", "❌ Reject"]]
    [request] = await requests(services)
    assert request.post_message_id == post.message_id
    await owner.send("/approve 1")
    assert owner.screen.last.text == (
        "✅ Transfer #1 approved: 10.00 USD credited to 111. Balance: 10.00 USD"
    )
    await owner.send("/receipt 1")
    assert owner.screen.last.text == "Transfer #1 was approved already; nothing changed."
    await owner.send("/receipt 99")
    assert owner.screen.last.text == "No transfer request #99."
