"""The notifier, with a real aiogram Bot, against a Bot API double over loopback HTTP that
enforces Telegram's sending limits (scaled so a test takes a second, not minutes):
everything is delivered, in order per chat, without the notifier ever causing a 429; a
429 is waited out, a 403 marks the customer, a failing message is retried a bounded
number of times, and a restart loses nothing."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiohttp.test_utils import TestServer

from bot.notifier import Notifier, SendLimits
from shop.storage import Database, OutboxRow, OutboxState

from ..support.telegram.bot_api import BotApiDouble, create_bot_api_app
from ..support.telegram.failures import BAD_GATEWAY, bad_request, flood_wait, migrated
from ..support.telegram.limits import RateLimits
from .conftest import TOKEN, Shopfront, order_button

#: Telegram's limits run 10 times faster (per chat 20 times), with a group allowance
#: small enough to reach in a test; the notifier is configured with the same figures.
LIMITS = RateLimits(
    per_window=300, chat_interval_seconds=0.05, group_per_window=3, group_window_seconds=60
)
SEND = SendLimits(per_second=300, chat_interval_seconds=0.05, group_per_minute=3)
GROUP = -100_777


@dataclass
class Telegram:
    """The double and a Bot pointed at it."""

    double: BotApiDouble
    url: str

    def bot(self) -> Bot:
        session = AiohttpSession(api=TelegramAPIServer.from_base(self.url))
        return Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


@pytest.fixture
async def telegram() -> AsyncIterator[Telegram]:
    double = BotApiDouble(limits=LIMITS)
    server = TestServer(create_bot_api_app(double), host="127.0.0.1")
    await server.start_server()
    yield Telegram(double, str(server.make_url("")))
    await server.close()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "outbox.sqlite3")
    async with database.transaction() as tx:
        for user_id in range(1, 201):
            await tx.users.upsert(user_id, None, f"User {user_id}", "en")
    yield database
    await database.close()


async def queue(db: Database, messages: list[tuple[int, str]]) -> None:
    """Queue ``(chat, text)`` messages in this order; private chats are the user's own."""
    async with db.transaction() as tx:
        for chat_id, text in messages:
            markup = {"inline_keyboard": [[{"text": "📦 View order", "callback_data": text}]]}
            await tx.outbox.enqueue(
                chat_id,
                text,
                "test",
                user_id=chat_id if chat_id > 0 else None,
                reply_markup=markup if chat_id > 0 else None,
            )


async def rows(db: Database) -> dict[str, OutboxRow]:
    """Every message queued, by its text."""
    found: dict[str, OutboxRow] = {}
    async with db.read() as r:
        for message_id in range(1, 10_000):
            row = await r.outbox.get(message_id)
            if row is None:
                break
            found[row.text] = row
    return found


async def states(db: Database) -> dict[OutboxState, int]:
    async with db.read() as r:
        return await r.outbox.counts_by_state()


async def wait_until(condition: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


@pytest.fixture
async def bots(telegram: Telegram) -> AsyncIterator[Callable[[], Bot]]:
    made: list[Bot] = []

    def make() -> Bot:
        made.append(telegram.bot())
        return made[-1]

    yield make
    for bot in made:
        await bot.session.close()


async def deliver(notifier: Notifier, until: Callable[[], bool], seconds: float = 15) -> None:
    """Run the notifier as the bot does (a task) until ``until``, then stop it."""
    task = asyncio.create_task(notifier.run())
    try:
        await wait_until(lambda: until() or task.done(), seconds)
        assert not task.done(), task.exception()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def per_chat(messages: list[tuple[int, str]]) -> dict[int, list[str]]:
    chats: dict[int, list[str]] = {}
    for chat_id, text in messages:
        chats.setdefault(chat_id, []).append(text)
    return chats


# --- within the limits -----------------------------------------------------------------------


async def test_everything_is_delivered_in_order_per_chat_and_never_too_fast(
    db: Database, telegram: Telegram, bots: Callable[[], Bot]
) -> None:
    # 100 customers get 3 notices each, queued as polls produce them (a round for every
    # customer, three times over), a few customers get a burst of 6 more, and the admin
    # group gets as many alerts as it may receive in a minute.
    messages = [(user, f"notice {n} to {user}") for n in range(3) for user in range(1, 101)]
    messages += [(user, f"burst {n} to {user}") for user in (7, 8, 9) for n in range(6)]
    messages += [(GROUP, f"alert {n}") for n in range(3)]
    await queue(db, messages)
    double = telegram.double
    notifier = Notifier(db, bots(), SEND)

    started = time.monotonic()
    await deliver(notifier, lambda: notifier.counts.sent == len(messages))
    elapsed = time.monotonic() - started

    assert double.refusals == []  # not one 429: the notifier kept under every limit
    for chat_id, texts in per_chat(messages).items():
        assert double.delivered_to(chat_id) == texts
    assert await states(db) == {OutboxState.SENT: len(messages)}
    assert notifier.counts.sent == len(messages)
    # The markup went along with the text.
    [first] = [d for d in double.deliveries if d.text == "notice 0 to 1"]
    assert first.reply_markup == {
        "inline_keyboard": [[{"text": "📦 View order", "callback_data": "notice 0 to 1"}]]
    }
    # 321 messages at 300 a second: the global limit is what paced them.
    assert elapsed >= (len(messages) - LIMITS.per_window) / LIMITS.per_window


async def test_a_group_gets_no_more_than_its_allowance_a_minute(
    db: Database, telegram: Telegram, bots: Callable[[], Bot]
) -> None:
    messages = [(GROUP, f"alert {n}") for n in range(5)] + [(1, "hello"), (2, "hi")]
    await queue(db, messages)
    notifier = Notifier(db, bots(), SEND)
    await deliver(notifier, lambda: notifier.counts.sent == 5)
    await asyncio.sleep(0.3)  # and nothing more comes while the minute lasts
    assert telegram.double.delivered_to(GROUP) == ["alert 0", "alert 1", "alert 2"]
    assert telegram.double.refusals == []
    assert await states(db) == {OutboxState.SENT: 5, OutboxState.PENDING: 2}


# --- Telegram's refusals ---------------------------------------------------------------------


async def test_a_429_is_waited_out_for_its_retry_after_then_the_message_goes(
    db: Database, telegram: Telegram, bots: Callable[[], Bot]
) -> None:
    double = telegram.double
    double.fail(1, flood_wait(1))
    messages = [(1, "first"), (1, "second"), (2, "other")]
    await queue(db, messages)
    notifier = Notifier(db, bots(), SEND)
    await deliver(notifier, lambda: notifier.counts.sent == 3)

    [refusal] = double.refusals
    assert (refusal.chat_id, refusal.failure.status, refusal.limit) == (1, 429, None)
    assert double.delivered_to(1) == ["first", "second"]
    assert notifier.counts.flood_waits == 1
    # Nothing at all went to Telegram for the second it asked the bot to wait.
    first = next(d for d in double.deliveries if d.text == "first")
    assert first.at - refusal.at >= 1.0
    assert all(not refusal.at < d.at < refusal.at + 1.0 for d in double.deliveries)
    assert double.limit_refusals() == []
    assert await states(db) == {OutboxState.SENT: 3}


async def test_a_customer_who_blocked_the_bot_is_marked_and_their_messages_dropped(
    db: Database, telegram: Telegram, bots: Callable[[], Bot]
) -> None:
    double = telegram.double
    double.blocked.add(2)
    messages = [(2, "a"), (1, "b"), (2, "c"), (3, "d"), (2, "e")]
    await queue(db, messages)
    notifier = Notifier(db, bots(), SEND)
    await deliver(notifier, lambda: notifier.counts.sent == 2 and notifier.counts.blocked == 1)

    assert [(r.chat_id, r.failure.status) for r in double.refusals] == [(2, 403)]
    assert double.delivered_to(1) == ["b"]
    assert double.delivered_to(3) == ["d"]
    stored = await rows(db)
    assert [stored[text].state for text in "ace"] == [OutboxState.DROPPED] * 3
    async with db.read() as r:
        blocked = await r.users.get(2)
        others = [await r.users.get(user_id) for user_id in (1, 3)]
    assert blocked is not None
    assert blocked.blocked
    assert all(user is not None and not user.blocked for user in others)
    assert notifier.counts.blocked == 1


async def test_a_group_that_became_a_supergroup_gets_its_messages_there(
    db: Database,
    telegram: Telegram,
    bots: Callable[[], Bot],
    caplog: pytest.LogCaptureFixture,
) -> None:
    double = telegram.double
    supergroup = -100_123_456
    double.fail(GROUP, migrated(supergroup))
    await queue(db, [(GROUP, "alert 1"), (1, "notice"), (GROUP, "alert 2")])
    notifier = Notifier(db, bots(), SEND)
    with caplog.at_level(logging.ERROR, logger="bot.notifier"):
        await deliver(notifier, lambda: notifier.counts.sent == 3)

    assert [(r.chat_id, r.failure.status) for r in double.refusals] == [(GROUP, 400)]
    assert double.delivered_to(supergroup) == ["alert 1", "alert 2"]
    assert double.delivered_to(GROUP) == []
    assert double.delivered_to(1) == ["notice"]
    assert await states(db) == {OutboxState.SENT: 3}
    [record] = caplog.records
    assert record.getMessage() == (
        f"chat {GROUP} is now the supergroup {supergroup}; 2 messages go there. If it is the "
        f"admin group, set ADMIN_CHAT_ID={supergroup} so its commands are taken there too"
    )


async def test_a_message_that_keeps_failing_is_retried_a_bounded_number_of_times(
    db: Database, telegram: Telegram, bots: Callable[[], Bot]
) -> None:
    double = telegram.double
    double.fail(1, bad_request("chat not found"), times=2)
    messages = [(1, "doomed"), (1, "after it"), (2, "elsewhere")]
    await queue(db, messages)
    notifier = Notifier(db, bots(), dataclasses.replace(SEND, max_attempts=2))
    await deliver(notifier, lambda: notifier.counts.sent == 2)

    assert [(r.chat_id, r.text, r.failure.status) for r in double.refusals] == [
        (1, "doomed", 400),
        (1, "doomed", 400),
    ]
    # The other chat was not held up by the retries.
    assert double.deliveries[0].text == "elsewhere"
    doomed = (await rows(db))["doomed"]
    assert (doomed.state, doomed.attempts) == (OutboxState.FAILED, 2)
    assert doomed.last_error is not None
    assert "chat not found" in doomed.last_error
    assert (notifier.counts.retried, notifier.counts.failed) == (1, 1)
    assert await states(db) == {OutboxState.SENT: 2, OutboxState.FAILED: 1}


async def test_an_html_page_instead_of_an_answer_is_retried_and_the_notifier_carries_on(
    db: Database, telegram: Telegram, bots: Callable[[], Bot]
) -> None:
    """Telegram's front answers an HTML "502 Bad Gateway" page in an outage: that message is
    tried again later, and the notifier goes on with the others meanwhile."""
    double = telegram.double
    double.fail(1, BAD_GATEWAY)
    messages = [(1, "first"), (1, "second"), (2, "other")]
    await queue(db, messages)
    notifier = Notifier(db, bots(), SEND)
    await deliver(notifier, lambda: notifier.counts.sent == 3)
    assert [(r.chat_id, r.text, r.failure.status) for r in double.refusals] == [(1, "first", 502)]
    assert double.delivered_to(1) == ["first", "second"]
    assert double.deliveries[0].text == "other"
    assert notifier.counts.retried == 1
    assert await states(db) == {OutboxState.SENT: 3}


async def test_the_notifier_outlives_a_failing_database(
    tmp_path: Path, bots: Callable[[], Bot], caplog: pytest.LogCaptureFixture
) -> None:
    database = await Database.open(tmp_path / "going.sqlite3")
    notifier = Notifier(database, bots(), SEND)
    task = asyncio.create_task(notifier.run())
    await asyncio.sleep(0.05)
    await database.close()  # every look at the outbox fails from now on
    await wait_until(lambda: "delivering the outbox failed" in caplog.text or task.done())
    assert not task.done(), task.exception()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


# --- restarts ------------------------------------------------------------------------------


async def test_nothing_queued_is_lost_or_sent_twice_across_a_restart(
    tmp_path: Path, db: Database, telegram: Telegram, bots: Callable[[], Bot]
) -> None:
    double = telegram.double
    messages = [(user, f"notice {n} to {user}") for n in range(4) for user in range(1, 151)]
    await queue(db, messages)
    notifier = Notifier(db, bots(), SEND)
    await deliver(notifier, lambda: notifier.counts.sent >= 200)
    before_restart = {text for text, row in (await rows(db)).items() if row.state == "sent"}
    assert 200 <= len(before_restart) < len(messages)
    await db.close()
    # A restart takes a while; Telegram's one-second windows are over by then.
    await asyncio.sleep(LIMITS.window_seconds)

    reopened = await Database.open(tmp_path / "outbox.sqlite3")
    try:
        notifier = Notifier(reopened, bots(), SEND)
        rest = len(messages) - len(before_restart)
        await deliver(notifier, lambda: notifier.counts.sent == rest)
        assert await states(reopened) == {OutboxState.SENT: len(messages)}
    finally:
        await reopened.close()

    delivered = [d.text for d in double.deliveries]
    # What was marked sent before the restart never went again; at most the one message
    # on its way when the notifier stopped went twice.
    assert all(delivered.count(text) == 1 for text in before_restart)
    assert len(delivered) - len(messages) <= 1
    for chat_id, texts_in_order in per_chat(messages).items():
        assert list(dict.fromkeys(double.delivered_to(chat_id))) == texts_in_order
    assert double.limit_refusals() == []


# --- the whole path ------------------------------------------------------------------------


async def test_a_status_change_reaches_the_customer_through_telegram(
    front: Shopfront, telegram: Telegram, bots: Callable[[], Bot]
) -> None:
    await front.customer(5, "ru", Decimal(10))
    order = await front.place(5)
    front.to_start()
    await front.poll()
    start = front.panel.orders[order.panel_order_id or 0].start_count
    grouped = f"{start:,}".replace(",", "\xa0")  # 12 545, as Russian writes it
    notifier = Notifier(front.db, bots(), SEND)
    await deliver(notifier, lambda: notifier.counts.sent == 1)
    [delivery] = telegram.double.deliveries
    assert delivery.chat_id == 5
    assert delivery.text == (
        f"🔄 <b>Заказ #{order.id} запущен</b>\n"
        f"Instagram Followers [Real] [30 days refill]\nНачальное значение: {grouped}"
    )
    assert delivery.reply_markup == {
        "inline_keyboard": [
            [{"text": "📦 Открыть заказ", "callback_data": order_button(order.id)}]
        ]
    }
    assert await front.outbox() == []
