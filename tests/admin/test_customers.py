"""/user, /credit, /debit and /refundstars from an admin in the admin group: every change
of money is a ledger row, made once however often the command arrives."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiogram.methods import RefundStarPayment, SendMessage, TelegramMethod

from bot.runtime import Runtime
from shop.payments import create_invoice, settle_payment
from shop.storage import LedgerReason

from ..support.ledger import assert_ledger_consistent
from ..support.telegram import BotClient
from .conftest import ADMIN_CHAT
from .shop import add_customer, balance, ledger_rows, place
from .updates import command_message, update_of

ALICE, BOB = 111, 222


async def test_user_shows_a_customer_found_by_id_or_username(
    owner: BotClient, services: Runtime
) -> None:
    await add_customer(services, BOB, username="bob", funds=Decimal(1))
    await add_customer(
        services,
        ALICE,
        username="Alice_B",
        first_name="Al <ice> & co",
        language="ru",
        funds=Decimal(10),
    )
    async with services.db.transaction() as tx:
        await tx.users.set_referrer_once(ALICE, BOB)
    await place(services, ALICE)
    expected = (
        "Customer 111 Al <ice> & co @Alice_B\n"
        "Language: ru · blocked the bot: no\n"
        "Balance: 8.83 USD\n"
        "Top-ups: ⭐ Stars 10.00 USD · 🪙 crypto 0.00 USD · 🏦 transfers 0.00 USD\n"
        "Orders: 1\n"
        "#1 pending 1.17 USD\n"
        "Referred by: 222 · referrals: 0"
    )

    for reference in ("111", "@Alice_B", "alice_b", "@ALICE_B"):
        await owner.send(f"/user {reference}")
        assert owner.screen.last.text == expected

    async with services.db.transaction() as tx:
        await tx.users.set_blocked(BOB, True)
    await owner.send("/user @bob")
    assert owner.screen.last.text == (
        "Customer 222 Customer 222 @bob\n"
        "Language: en · blocked the bot: yes\n"
        "Balance: 1.00 USD\n"
        "Top-ups: ⭐ Stars 1.00 USD · 🪙 crypto 0.00 USD · 🏦 transfers 0.00 USD\n"
        "Orders: 0\n"
        "—\n"
        "Referred by: — · referrals: 1"
    )

    for unknown in ("999", "@nobody"):
        await owner.send(f"/user {unknown}")
        assert owner.screen.last.text == "No such customer."


async def test_credit_and_debit_write_ledger_rows_with_the_admins_reason(
    owner: BotClient, services: Runtime
) -> None:
    await add_customer(services, ALICE, username="alice", funds=Decimal(10))

    requests = await owner.send("/credit 111 5 goodwill for the late order")
    [reply] = requests.of(SendMessage)
    assert reply.chat_id == ADMIN_CHAT
    assert owner.screen.last.text == "✅ 5.00 USD added to 111. Balance: 15.00 USD"
    await owner.send("/debit @alice 2,5 paid in cash by mistake")
    assert owner.screen.last.text == "✅ 2.50 USD taken from 111. Balance: 12.50 USD"
    await owner.send("/credit @Alice 0.01 rounding")
    assert owner.screen.last.text == "✅ 0.01 USD added to 111. Balance: 12.51 USD"

    rows = await ledger_rows(services, ALICE)
    assert [(row.reason, row.amount, row.note) for row in rows] == [
        (LedgerReason.TOPUP, Decimal(10), None),
        (LedgerReason.ADMIN_ADJUSTMENT, Decimal(5), "goodwill for the late order"),
        (LedgerReason.ADMIN_ADJUSTMENT, Decimal("-2.5"), "paid in cash by mistake"),
        (LedgerReason.ADMIN_ADJUSTMENT, Decimal("0.01"), "rounding"),
    ]
    assert all(row.order_id is None for row in rows)
    assert await balance(services, ALICE) == Decimal("12.51")
    await assert_ledger_consistent(services.db, services.terms.currency)


async def test_a_debit_larger_than_the_balance_is_refused(
    owner: BotClient, services: Runtime
) -> None:
    await add_customer(services, ALICE, funds=Decimal(10))

    await owner.send("/debit 111 10.01 too much")

    assert owner.screen.last.text == "Not done: the balance is only 10.00 USD."
    assert len(await ledger_rows(services, ALICE)) == 1
    await owner.send("/debit 111 10 all of it")
    assert owner.screen.last.text == "✅ 10.00 USD taken from 111. Balance: 0.00 USD"
    await owner.send("/debit 111 0.01 below zero")
    assert owner.screen.last.text == "Not done: the balance is only 0.00 USD."
    assert await balance(services, ALICE) == 0
    await assert_ledger_consistent(services.db, services.terms.currency)


async def test_credit_or_debit_for_someone_the_shop_does_not_know_changes_nothing(
    owner: BotClient, services: Runtime
) -> None:
    for command in ("/credit 999 5 x", "/debit @nobody 5 x"):
        await owner.send(command)
        assert owner.screen.last.text == "No such customer."
    async with services.db.read() as r:
        assert await r.ledger.totals_by_user() == {}


async def test_the_same_command_delivered_twice_moves_money_once(
    owner: BotClient, services: Runtime
) -> None:
    await add_customer(services, ALICE, funds=Decimal(10))
    credit = update_of(
        command_message(owner.chat, owner.user, "/credit 111 5 refund by hand", message_id=501)
    )
    debit = update_of(
        command_message(owner.chat, owner.user, "/debit 111 3 correction", message_id=502)
    )

    replies = []
    for update in (credit, credit, debit, debit):
        requests = await owner.feed(update)
        replies += [reply.text for reply in requests.of(SendMessage)]

    # The second delivery says where the balance stands, without moving it again.
    assert replies == [
        "✅ 5.00 USD added to 111. Balance: 15.00 USD",
        "✅ 5.00 USD added to 111. Balance: 15.00 USD",
        "✅ 3.00 USD taken from 111. Balance: 12.00 USD",
        "✅ 3.00 USD taken from 111. Balance: 12.00 USD",
    ]
    rows = await ledger_rows(services, ALICE)
    assert [(row.reason, row.amount) for row in rows] == [
        (LedgerReason.TOPUP, Decimal(10)),
        (LedgerReason.ADMIN_ADJUSTMENT, Decimal(5)),
        (LedgerReason.ADMIN_ADJUSTMENT, Decimal(-3)),
    ]
    # The same words in a new message are a new correction.
    await owner.send("/debit 111 3 correction")
    assert await balance(services, ALICE) == Decimal(9)
    await assert_ledger_consistent(services.db, services.terms.currency)


async def _paid_invoice(services: Runtime, user_id: int, charge_id: str) -> int:
    """A top-up of 10 USD paid in stars; the stars it took."""
    invoice = await create_invoice(services.db, services.topup, user_id, Decimal(10))
    await settle_payment(
        services.db,
        services.topup,
        user_id,
        payload=invoice.id,
        charge_id=charge_id,
        stars=invoice.stars,
    )
    return invoice.stars


async def test_refundstars_returns_a_payment_and_takes_it_off_the_balance(
    owner: BotClient, services: Runtime
) -> None:
    await add_customer(services, ALICE, username="alice")
    stars = await _paid_invoice(services, ALICE, "charge-1")
    assert stars == 770
    refunds: list[tuple[int, str]] = []

    def telegram_refunds(method: TelegramMethod[Any]) -> bool:
        assert isinstance(method, RefundStarPayment)
        refunds.append((method.user_id, method.telegram_payment_charge_id))
        return True

    owner.session.respond(RefundStarPayment, telegram_refunds)

    await owner.send("/refundstars @alice charge-1")

    assert (
        owner.screen.last.text
        == "✅ 770 stars returned to 111; 10.01 USD taken off their balance."
    )
    assert refunds == [(ALICE, "charge-1")]
    assert [(row.reason, row.amount) for row in await ledger_rows(services, ALICE)] == [
        (LedgerReason.TOPUP, Decimal("10.01")),
        (LedgerReason.STARS_REFUND, Decimal("-10.01")),
    ]

    await owner.send("/refundstars 111 charge-1")
    assert owner.screen.last.text == "Not done: this payment was returned already."
    await owner.send("/refundstars 111 charge-9")
    assert owner.screen.last.text == "Not done: this customer has no such payment."
    await owner.send("/refundstars 999 charge-1")
    assert owner.screen.last.text == "No such customer."
    assert refunds == [(ALICE, "charge-1")]
    assert await balance(services, ALICE) == 0


async def test_refundstars_is_refused_when_the_money_was_spent(
    owner: BotClient, services: Runtime
) -> None:
    await add_customer(services, ALICE)
    await _paid_invoice(services, ALICE, "charge-1")
    await place(services, ALICE)

    await owner.send("/refundstars 111 charge-1")

    assert owner.screen.last.text == (
        "Not done: the customer's balance (8.84) no longer covers the payment."
    )
    assert not [r for r in owner.session.requests if isinstance(r, RefundStarPayment)]
    assert await balance(services, ALICE) == Decimal("8.84")
