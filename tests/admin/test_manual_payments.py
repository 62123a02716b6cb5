"""Transfers decided in the admin group: /approve with another amount, two approvals at once,
a tap of someone who is not an admin, /payments, bad arguments; and the owner's figures by
way of payment in /stats and /user."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal

import pytest

from bot.runtime import Runtime
from shop.ledger import credit
from shop.manual_payments import Receipt
from shop.storage import LedgerReason, ManualPaymentStatus, NewManualPayment, ReceiptKind

from ..payments.manual import (
    STAFF,
    group_post,
    ledger,
    manual_settings,
    notices,
    requests,
    send_receipt,
)
from ..support.telegram import BotClient, RecordingSession
from .conftest import ADMIN_CHAT
from .shop import add_customer, last_text


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return manual_settings()


@pytest.fixture
def staff(make_client: Callable[..., BotClient]) -> BotClient:
    return make_client(user_id=STAFF, chat_id=ADMIN_CHAT, first_name="Ivan", username="ivan")


async def test_approve_with_another_amount_credits_that_amount_and_says_so(
    alice: BotClient, owner: BotClient, services: Runtime, session: RecordingSession
) -> None:
    await send_receipt(alice, "25.00 USD")
    post = group_post(session)

    await owner.send("/approve 1 20.50")

    assert owner.screen.last.text == (
        "✅ Transfer #1 approved: 20.50 USD credited to 111. Balance: 20.50 USD"
    )
    assert (post.text or "").endswith("✅ Approved by Olga: 20.50 USD credited.")
    assert await ledger(services, alice.user.id) == [
        (LedgerReason.MANUAL_TOPUP, Decimal("20.50"), "topup:manual:1")
    ]
    assert await notices(services, alice.user.id) == [
        "✅ <b>Your transfer #1 is confirmed: 20.50 USD added to your balance</b> "
        "(you asked for 25.00 USD).\nYour balance: 20.50 USD"
    ]
    [request] = await requests(services)
    assert (request.amount, request.approved_amount) == (Decimal(25), Decimal("20.50"))
    # The buttons are gone; a stale tap of Approve is answered and changes nothing.
    assert post.buttons == []
    await owner.click_data("md:approve:1", post.message_id)
    assert owner.last_answer_callback().text == (
        "Transfer #1 was approved already; nothing changed."
    )
    assert len(await ledger(services, alice.user.id)) == 1


@pytest.mark.parametrize("second", ["tap", "command"])
async def test_two_approvals_at_once_credit_once(
    alice: BotClient,
    owner: BotClient,
    staff: BotClient,
    services: Runtime,
    session: RecordingSession,
    second: str,
) -> None:
    await send_receipt(alice)
    post = group_post(session)

    await asyncio.gather(
        owner.click("Approve", message=post),
        staff.click("Approve", message=post) if second == "tap" else staff.send("/approve 1"),
    )

    assert await ledger(services, alice.user.id) == [
        (LedgerReason.MANUAL_TOPUP, Decimal(10), "topup:manual:1")
    ]
    assert len(await notices(services, alice.user.id)) == 1
    staff_said = staff.last_answer_callback().text if second == "tap" else staff.screen.last.text
    answers = {owner.last_answer_callback().text, staff_said}
    assert answers == {
        "✅ Transfer #1 approved: 10.00 USD credited to 111. Balance: 10.00 USD",
        "Transfer #1 was approved already; nothing changed.",
    }
    [request] = await requests(services)
    assert request.status is ManualPaymentStatus.APPROVED
    assert (post.text or "").count("✅ Approved by") == 1


async def test_an_approve_and_a_reject_at_once_decide_once(
    alice: BotClient,
    owner: BotClient,
    staff: BotClient,
    services: Runtime,
    session: RecordingSession,
) -> None:
    await send_receipt(alice)
    post = group_post(session)
    await asyncio.gather(owner.click("Approve", message=post), staff.click("Reject", message=post))
    [request] = await requests(services)
    credited = await ledger(services, alice.user.id)
    if request.status is ManualPaymentStatus.APPROVED:
        assert credited == [(LedgerReason.MANUAL_TOPUP, Decimal(10), "topup:manual:1")]
    else:
        assert credited == []
    assert len(await notices(services, alice.user.id)) == 1


async def test_a_tap_of_someone_not_an_admin_does_nothing(
    alice: BotClient, stranger: BotClient, services: Runtime, session: RecordingSession
) -> None:
    await send_receipt(alice)
    post = group_post(session)
    text = post.text

    for label in ("Approve", "Reject"):
        assert list(await stranger.click(label, message=post)) == []
    assert list(await stranger.send("/approve 1")) == []

    assert (post.text, post.buttons) == (text, [["✅ Approve", "❌ Reject"]])
    [request] = await requests(services)
    assert request.status is ManualPaymentStatus.PENDING
    assert await ledger(services, alice.user.id) == []
    assert await notices(services, alice.user.id) == []


async def test_payments_lists_the_requests_waiting_oldest_first(
    make_client: Callable[..., BotClient], owner: BotClient
) -> None:
    await owner.send("/payments")
    assert owner.screen.last.text == "No transfers are waiting."
    alice = make_client(user_id=111, first_name="Alice")
    bob = make_client(user_id=222, first_name="Bob <B>", username="bob")
    await send_receipt(alice, "5.00 USD", caption="from card *1234")
    await send_receipt(bob, "50.00 USD", document=True)
    await send_receipt(alice, "25.00 USD")
    await owner.send("/approve 3")

    await owner.send("/payments")

    lines = (owner.screen.last.text or "").split("\n")
    assert lines[0] == "Transfers waiting: 2 (oldest first)"
    assert lines[1].startswith("#1 · 5.00 USD · Alice (111) · ")
    assert lines[1].endswith(" · from card *1234")
    assert lines[2].startswith("#2 · 50.00 USD · Bob <B> (222) · ")
    assert lines[2].endswith(" · —")
    assert len(lines) == 3


async def test_payments_shows_every_request_it_counts_within_one_message(
    owner: BotClient, services: Runtime
) -> None:
    """Thirty requests with long comments: every line listed is whole, the message fits
    Telegram's 4096 characters, and the line that says how many are left out counts
    exactly those."""
    for number in range(1, 36):
        customer = 1000 + number
        await add_customer(services, customer, first_name=f"Customer {number}")
        await services.manual_payments.open(
            customer,
            Decimal(10),
            Receipt(customer, 1, ReceiptKind.PHOTO, f"paid from card {number} " * 8),
        )

    await owner.send("/payments")

    text = owner.screen.last.text or ""
    lines = text.split("\n")
    assert len(text) <= 4096
    assert lines[0] == "Transfers waiting: 35 (oldest first)"
    listed = [line for line in lines[1:] if line.startswith("#")]
    assert [line.split(" · ")[0] for line in listed] == [
        f"#{n}" for n in range(1, len(listed) + 1)
    ]
    assert len(listed) > 7
    assert lines[-1] == f"…and {35 - len(listed)} more: decide these first."


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("/approve", "Usage: /approve <request> [amount] — confirm a transfer"),
        ("/approve one", "Usage: /approve <request> [amount] — confirm a transfer"),
        ("/approve 1 -5", "Usage: /approve <request> [amount] — confirm a transfer"),
        ("/approve 1 0", "Usage: /approve <request> [amount] — confirm a transfer"),
        ("/approve 1 2.005", "Usage: /approve <request> [amount] — confirm a transfer"),
        ("/approve 1 5 6", "Usage: /approve <request> [amount] — confirm a transfer"),
        ("/reject", "Usage: /reject <request> [reason] — turn a transfer down"),
        ("/approve 99", "No transfer request #99."),
        ("/reject 99 why", "No transfer request #99."),
    ],
)
async def test_bad_arguments_and_unknown_requests_change_nothing(
    alice: BotClient, owner: BotClient, services: Runtime, command: str, reply: str
) -> None:
    await send_receipt(alice)
    await owner.send(command)
    assert (owner.screen.last.text or "").startswith(reply)
    [request] = await requests(services)
    assert request.status is ManualPaymentStatus.PENDING
    assert await ledger(services, alice.user.id) == []


async def test_stats_and_user_show_top_ups_by_way_of_payment_and_promo_credits(
    alice: BotClient, owner: BotClient, services: Runtime
) -> None:
    await add_customer(services, 222, funds=Decimal(7))  # paid in Stars
    await send_receipt(alice, "25.00 USD")
    await owner.send("/approve 1")
    await send_receipt(alice, "10.00 USD")
    await owner.send("/reject 2")
    async with services.db.transaction() as tx:
        await credit(tx, 222, Decimal(3), LedgerReason.CRYPTO_TOPUP, "topup:crypto:inv-1")
        await credit(tx, 222, Decimal("1.50"), LedgerReason.PROMO_VOUCHER, "promo:HELLO:222")
        await credit(tx, 111, Decimal("0.25"), LedgerReason.PROMO_BONUS, "promo-bonus:1")

    await owner.send("/stats")
    lines = last_text(owner).split("\n")
    assert "Top-ups: ⭐ Stars 7.00 USD · 🪙 crypto 3.00 USD · 🏦 transfers 25.00 USD" in lines
    assert "Promo credits: 1.75 USD" in lines

    await owner.send("/user 111")
    assert "Top-ups: ⭐ Stars 0.00 USD · 🪙 crypto 0.00 USD · 🏦 transfers 25.00 USD" in (
        owner.screen.last.text or ""
    )
    await owner.send("/user 222")
    assert "Top-ups: ⭐ Stars 7.00 USD · 🪙 crypto 3.00 USD · 🏦 transfers 0.00 USD" in (
        owner.screen.last.text or ""
    )


async def test_a_request_asked_in_another_currency_is_approved_only_with_an_amount(
    owner: BotClient, services: Runtime
) -> None:
    """CURRENCY changed while a transfer waited: its amount is not the shop's money, so an
    admin says what to credit."""
    await add_customer(services, 111, first_name="Alice")
    async with services.db.transaction() as tx:
        request, _ = await tx.manual_payments.create(
            NewManualPayment(
                user_id=111,
                amount=Decimal(900),
                currency="RUB",
                receipt_chat_id=111,
                receipt_message_id=5,
                receipt_kind=ReceiptKind.PHOTO,
            )
        )

    await owner.send(f"/approve {request.id}")
    assert owner.screen.last.text == (
        f"Transfer #{request.id} was asked in another currency than the shop counts in now:"
        f" give the amount to credit, /approve {request.id} <amount>."
    )
    assert await ledger(services, 111) == []

    await owner.send(f"/approve {request.id} 10")
    assert await ledger(services, 111) == [
        (LedgerReason.MANUAL_TOPUP, Decimal(10), f"topup:manual:{request.id}")
    ]
