"""Tickets: opened by a customer's first message, about an order when asked from its card,
closed by /close (the customer is told), listed by /tickets; the flood limit; banned
customers; the customer's language."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal

from aiogram import Bot
from aiogram.methods import SendMessage

from bot.app import create_dispatcher, open_runtime
from bot.config import Settings
from bot.notifier import Notifier
from bot.runtime import Runtime
from shop.storage import TicketState
from shop.support import SUPPORT_IN_KIND, SupportDesk

from ..admin.shop import add_customer, place
from ..support.telegram import BotClient, RecordingSession
from .conftest import ADMIN_CHAT, ALICE, BOB, PER_MINUTE, deliver

CLOSED = (
    "✅ The staff closed your conversation. Tap Support in the menu (or send /support)"
    " whenever you need them again."
)
RECEIVED = "✅ Your message reached the shop's staff. They answer here; you may keep writing."
BANNED = "🚫 Sorry, this shop no longer serves you."
WAIT = "⏳ That is a lot at once: please wait a minute, then send the rest."


async def _relayed(services: Runtime) -> int:
    """Customer messages and headers queued for the group."""
    async with services.db.read() as r:
        return sum((await r.outbox.counts_by_state(SUPPORT_IN_KIND)).values())


async def test_close_tells_the_customer_and_their_next_message_opens_a_new_ticket(
    alice: BotClient,
    owner: BotClient,
    session: RecordingSession,
    notifier: Notifier,
    services: Runtime,
) -> None:
    session.make_forum(ADMIN_CHAT)
    await alice.send("/support")
    await alice.send("is it done?")
    await deliver(notifier)
    async with services.db.read() as r:
        thread = await r.support.topic(ALICE, ADMIN_CHAT)

    await owner.send("/close", thread_id=thread)
    assert owner.screen.last.text == (
        "✅ Ticket #1 of Alice is closed; they were told. A new message from them opens a new"
        " ticket."
    )
    await deliver(notifier)
    assert alice.screen.last.text == CLOSED
    await owner.send("/close", thread_id=thread)
    assert (owner.screen.last.text or "").startswith("No open ticket here.")

    sent = await alice.send("one more question")
    assert [m.text for m in sent.of(SendMessage)] == [RECEIVED]
    await deliver(notifier)
    async with services.db.read() as r:
        first, second = await r.support.get_ticket(1), await r.support.get_ticket(2)
        assert await r.support.topic(ALICE, ADMIN_CHAT) == thread  # the same topic
    assert first is not None
    assert second is not None
    assert (first.state, first.closed_by) == (TicketState.CLOSED, owner.user.id)
    assert second.state is TicketState.OPEN
    last = session.screen(ADMIN_CHAT).last
    assert (last.text, last.thread_id) == ("one more question", thread)


async def test_close_in_a_plain_group_works_in_reply_and_nowhere_else(
    alice: BotClient, owner: BotClient, session: RecordingSession, notifier: Notifier
) -> None:
    await alice.send("/support")
    await alice.send("hello")
    await deliver(notifier)

    await owner.send("/close")
    assert (owner.screen.last.text or "").startswith("No open ticket here.")
    await owner.send("/close", reply_to=session.screen(ADMIN_CHAT).messages[0])
    assert (owner.screen.last.text or "").startswith("✅ Ticket #1 of Alice is closed")


async def test_tickets_lists_the_open_ones_oldest_first(
    alice: BotClient,
    bob: BotClient,
    owner: BotClient,
    helper: BotClient,
    notifier: Notifier,
    services: Runtime,
) -> None:
    await owner.send("/tickets")
    assert owner.screen.last.text == "No open tickets."
    await add_customer(services, BOB, first_name="Bob", funds=Decimal(20))
    placed = await place(services, BOB)
    await alice.send("/support")
    await alice.send("one")
    await alice.send("two")
    await bob.send("/start")
    await bob.click("My orders")
    await bob.click(f"#{placed.order.id}")
    await bob.click("Ask about this order")
    await bob.send("why so slow?")

    await owner.send("/tickets")
    assert (owner.screen.last.text or "").split("\n") == [
        "Open tickets: 2 (oldest first)",
        f"#1 · Alice · {ALICE} · 0 min · 2 msg",
        f"#2 · Bob · {BOB} · #{placed.order.id} · 0 min · 1 msg",
    ]
    # A command for admins only: a staff member who is not one gets nothing.
    asked = len(helper.session.calls)
    await helper.send("/tickets")
    assert helper.session.calls[asked:] == []


async def test_a_question_from_an_orders_card_carries_the_order_and_its_summary(
    alice: BotClient, session: RecordingSession, notifier: Notifier, services: Runtime
) -> None:
    await add_customer(services, ALICE, first_name="Alice", funds=Decimal(20))
    placed = await place(services, ALICE, link='https://instagram.com/p/<b>&"x"')
    await alice.send("/start")
    await alice.click("My orders")
    await alice.click(f"#{placed.order.id}")
    card = alice.screen.last
    await alice.click("Ask about this order")
    assert (alice.screen.last.text or "").startswith(
        f"💬 A question about order #{placed.order.id}"
    )
    assert alice.screen.get(card.message_id) is card  # the card stays
    await alice.send("not started yet")
    await deliver(notifier)

    header, copy = session.screen(ADMIN_CHAT).messages
    assert (header.text or "").split("\n")[3:] == [
        f"📦 Order #{placed.order.id}: Instagram Followers [Real] [30 days refill]",
        'https://instagram.com/p/<b>&"x"',
        "Quantity 1,000 · waiting to start · 1.17 USD",
    ]
    assert copy.text == "not started yet"
    async with services.db.read() as r:
        ticket = await r.support.open_ticket(ALICE)
    assert ticket is not None
    assert ticket.order_id == placed.order.id


async def test_another_customers_order_is_not_asked_about(
    alice: BotClient, services: Runtime
) -> None:
    await add_customer(services, BOB, first_name="Bob", funds=Decimal(20))
    placed = await place(services, BOB)
    await alice.send("/start")

    await alice.click_data(f"ask:{placed.order.id}")

    assert alice.last_answer_callback().text == "This order was not found."
    assert await alice.fsm_state() is None


async def test_over_the_limit_a_customer_is_asked_once_to_wait_even_after_a_restart(
    alice: BotClient, services: Runtime, settings: Settings, bot: Bot
) -> None:
    await alice.send("/support")
    answers = []
    for number in range(PER_MINUTE + 2):
        sent = await alice.send(f"message {number}")
        answers.append([m.text for m in sent.of(SendMessage)])

    assert answers == [[RECEIVED]] + [[]] * (PER_MINUTE - 1) + [[WAIT], []]
    # A plain group: each message relayed is a header and its copy.
    assert await _relayed(services) == 2 * PER_MINUTE
    await services.aclose()

    restarted = await open_runtime(settings)
    try:
        again = BotClient(create_dispatcher(restarted), bot, user_id=ALICE, first_name="Alice")
        sent = await again.send("are you there?")
        assert sent.of(SendMessage) == []
        assert await _relayed(restarted) == 2 * PER_MINUTE
    finally:
        await restarted.aclose()


async def test_a_banned_customers_messages_never_reach_the_group(
    alice: BotClient, owner: BotClient, services: Runtime, notifier: Notifier
) -> None:
    await alice.send("/support")
    await owner.send(f"/ban {ALICE}")

    for text in ("/support", "let me in", "please"):
        sent = await alice.send(text)
        assert [m.text for m in sent.of(SendMessage)] == [BANNED]
    sent = await alice.send_photo("receipt")
    assert [m.text for m in sent.of(SendMessage)] == [BANNED]
    await alice.click_data("m:support")
    assert alice.last_answer_callback().text == BANNED
    await alice.click_data("ask:1")
    assert alice.last_answer_callback().text == BANNED

    assert await _relayed(services) == 0


async def test_a_reply_to_an_answer_reaches_the_staff_after_the_customer_left_support(
    alice: BotClient, helper: BotClient, session: RecordingSession, notifier: Notifier
) -> None:
    session.make_forum(ADMIN_CHAT)
    await alice.send("/support")
    await alice.send("hi")
    await alice.click("Done")
    assert await alice.fsm_state() is None
    await deliver(notifier)
    thread = session.screen(ADMIN_CHAT).last.thread_id
    await helper.send("What is your link?", thread_id=thread)
    await deliver(notifier)
    answer = alice.screen.last

    await alice.send("instagram.com/alice", reply_to=answer)
    await alice.send("instagram.com/not-a-reply")
    await deliver(notifier)

    in_topic = [m.text for m in session.screen(ADMIN_CHAT).messages if m.thread_id == thread]
    assert in_topic[-2:] == ["What is your link?", "instagram.com/alice"]
    # Text that answers nothing is the catalogue's search, as ever.
    assert "instagram.com/not-a-reply" not in in_topic


async def test_a_russian_customer_is_answered_in_russian(
    make_client: Callable[..., BotClient],
    owner: BotClient,
    session: RecordingSession,
    notifier: Notifier,
) -> None:
    ivan = make_client(user_id=444, first_name="Иван", username=None, language_code="ru")
    await ivan.send("/start")
    await ivan.click("Поддержка")
    assert (ivan.screen.last.text or "").startswith("💬 Написать сотрудникам магазина")
    sent = await ivan.send("где мой заказ?")
    assert [m.text for m in sent.of(SendMessage)] == [
        "✅ Ваше сообщение получено сотрудниками магазина. Ответ придёт сюда; можно продолжать"
        " писать."
    ]
    await deliver(notifier)
    await owner.send("/close", reply_to=session.screen(ADMIN_CHAT).messages[-1])
    await deliver(notifier)
    assert (ivan.screen.last.text or "").startswith("✅ Сотрудники закрыли ваше обращение.")


async def test_without_an_admin_group_support_says_it_is_not_available(
    services: Runtime, bot: Bot
) -> None:
    terms = dataclasses.replace(services.terms, admin_chat_id=None)
    services.support_desk = SupportDesk(
        services.db, terms, services.texts, PER_MINUTE, services.alerts
    )
    alice = BotClient(create_dispatcher(services), bot, user_id=ALICE, first_name="Alice")

    await alice.send("/support")

    assert alice.screen.last.text == "💬 Writing to the staff is not available in this shop yet."
    assert await alice.fsm_state() is None
