"""Telegram's faults, met by the bot running as its own process (``python -m bot``) over
loopback HTTP: getUpdates failing for a while, 429 with ``retry_after``, 5xx answers and
dropped connections, customers who block the bot (403), edits that change nothing and
callback queries too old to answer (400). In every case the bot keeps going, tells each
customer what it should exactly once, and loses nothing.

The tests share one bot process, each with customers of its own; its log is read when it
stops: no Traceback, no secret, one line per event (a getUpdates failure included).
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import pytest
import pytest_asyncio

from api.sandbox import PARTIAL_MARKER

from ..support.process import Launcher
from ..support.telegram.bot_api import BotApiCall, BotApiDouble
from ..support.telegram.chat import Customer
from ..support.telegram.failures import (
    BAD_GATEWAY,
    BOT_BLOCKED,
    DISCONNECT,
    SERVER_ERROR,
    TelegramFailure,
    bad_request,
    flood_wait,
)
from ..support.telegram.limits import RateLimits
from .shop import ADMIN_CHAT, OWNER, Shop, running_shop

pytestmark = pytest.mark.asyncio(loop_scope="module")

#: Seconds Telegram asks the bot to wait in these tests: short, so the file stays quick.
RETRY_AFTER = 2
#: The shop's package service: ordering it asks for a link only.
PACKAGE = "Instagram Likes Package"
#: The button under every status notice.
VIEW_ORDER = "📦 View order"
#: A log record as the bot writes it: time, level, logger, message, on one line.
LOG_RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: "
)
_message_ids = itertools.count(500_000)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def shop(
    tmp_path_factory: pytest.TempPathFactory, launcher: Launcher
) -> AsyncIterator[Shop]:
    """One bot process for the module; on leaving it must stop cleanly (no Traceback, no
    secret) with a log of one line per event."""
    async with running_shop(tmp_path_factory.mktemp("faults"), launcher) as running:
        yield running
    assert_one_line_per_event(running.logs[-1])


def assert_one_line_per_event(log: str) -> None:
    """Every line of ``log`` starts a record: no record runs over several lines."""
    strays = [line for line in log.splitlines() if not LOG_RECORD.match(line)]
    assert not strays, log


async def wait_until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await asyncio.sleep(0.05)


async def new_customer(shop: Shop, user_id: int, name: str) -> Customer:
    """A customer who said /start and whom the owner credited with 5.00 USD."""
    customer = Customer(shop.telegram, user_id=user_id, first_name=name)
    await customer.send("/start")
    owner = Customer(shop.telegram, user_id=OWNER, first_name="Olga", chat_id=ADMIN_CHAT)
    await owner.send(f"/credit {user_id} 5 faults test")
    await owner.wait_for(f"✅ 5.00 USD added to {user_id}.")
    return customer


async def order_package(customer: Customer, link: str) -> int:
    """Order the likes package for ``link`` through the chat; the shop's order id."""
    await customer.send("Likes Package")
    await customer.click(PACKAGE)
    await customer.click("Order")
    await customer.send(link)
    await customer.click("Confirm")
    placed = re.match(r"✅ <b>Order #(\d+) placed</b>", customer.last.text)
    assert placed, customer.last.text
    return int(placed.group(1))


async def shoppers(
    shop: Shop, links: dict[int, tuple[str, str]]
) -> dict[int, tuple[Customer, int]]:
    """New customers, ``{user_id: (name, link)}``, each with an order of the package for
    their link: all chatting at once, each step waiting until the bot has answered every
    chat. Each customer and the shop's id of their order, by user id."""

    async def shop_for(user_id: int, name: str, link: str) -> tuple[Customer, int]:
        customer = await new_customer(shop, user_id, name)
        return customer, await order_package(customer, link)

    done = await asyncio.gather(
        *(shop_for(user_id, name, link) for user_id, (name, link) in links.items())
    )
    return dict(zip(links, done, strict=True))


def start_orders(shop: Shop) -> None:
    """Move the panel's clock past the pending time of every order placed so far."""
    shop.clock.advance(shop.panel.pending_seconds + 1)


def finish_orders(shop: Shop) -> None:
    shop.clock.advance(shop.panel.progress_seconds + 1)


def notices(telegram: BotApiDouble, chat_id: int) -> list[str]:
    """First lines of the status notices delivered to a chat (the messages with a View
    order button), in the order they arrived."""
    return [
        delivery.text.splitlines()[0]
        for delivery in telegram.deliveries
        if delivery.chat_id == chat_id and VIEW_ORDER in str(delivery.reply_markup)
    ]


def sends_to(telegram: BotApiDouble, chat_id: int) -> int:
    """sendMessage requests to a chat, answered or refused."""
    return sum(
        call.method == "sendMessage" and call.params.get("chat_id") == chat_id
        for call in telegram.calls
    )


def outbox_of(shop: Shop, chat_id: int) -> list[tuple[object, ...]]:
    """(first line, state, attempts) of each message queued for a chat, oldest first."""
    return [
        (str(text).splitlines()[0], state, attempts)
        for text, state, attempts in shop.query(
            "SELECT text, state, attempts FROM outbox WHERE chat_id = ? ORDER BY id", chat_id
        )
    ]


def balance(shop: Shop, user_id: int) -> Decimal:
    """The customer's balance: the sum of their ledger (kept in micro-units)."""
    [(micros,)] = shop.query(
        "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE user_id = ?", user_id
    )
    return Decimal(int(str(micros))).scaleb(-6)


def is_blocked(shop: Shop, user_id: int) -> bool:
    [(blocked,)] = shop.query("SELECT blocked FROM users WHERE id = ?", user_id)
    return bool(blocked)


# --- getUpdates ------------------------------------------------------------------------------


async def _record_arrivals(telegram: BotApiDouble, method: str, arrivals: list[float]) -> None:
    """Note when each call of ``method`` reaches the double, until cancelled."""
    seen = 0
    while True:
        calls = [call for call in telegram.calls if call.method == method]
        arrivals.extend([time.monotonic()] * (len(calls) - seen))
        seen = len(calls)
        await asyncio.sleep(0.01)


async def test_polling_outlives_failing_get_updates_and_answers_the_waiting_update_once(
    shop: Shop,
) -> None:
    telegram = shop.telegram
    outage = [flood_wait(1), DISCONNECT, BAD_GATEWAY, SERVER_ERROR]
    before = telegram.methods().count("getUpdates")
    arrivals: list[float] = []
    recorder = asyncio.create_task(_record_arrivals(telegram, "getUpdates", arrivals))
    for failure in outage:
        telegram.fail_method("getUpdates", failure)

    def polls() -> list[BotApiCall]:
        return [call for call in telegram.calls if call.method == "getUpdates"][before:]

    # A poll began after the failures were set, so the one in flight before has come back:
    # every poll from now on fails until the outage is over, and the update waits for it.
    await wait_until(lambda: bool(polls()), "a poll in the outage")
    ann = Customer(telegram, user_id=9001)
    await ann.send("/start")
    await ann.wait_for("Hello, Ann!")
    await wait_until(lambda: len(polls()) > len(outage) + 1, "the poll after the update")
    recorder.cancel()

    [menu] = ann.screens()
    assert menu.text.startswith("👋 <b>Hello, Ann!</b>")
    calls = polls()
    assert [call.result for call in calls[: len(outage)]] == [None] * len(outage)
    # The first poll after the outage brought the update; the next one confirmed it
    # (offset), so Telegram would not hand it out again.
    [update] = calls[len(outage)].result
    assert update["message"]["text"] == "/start"
    assert calls[len(outage) + 1].params.get("offset") == update["update_id"] + 1
    # Each failure was followed by a pause (no tight loop), at least as long as the
    # retry_after the 429 asked for. (The log, one line per failure, is read at the end.)
    gaps = [arrivals[before + i + 1] - arrivals[before + i] for i in range(len(outage))]
    assert min(gaps) >= 0.9, gaps


# --- sending notices -------------------------------------------------------------------------


async def test_a_notice_refused_with_429_goes_after_retry_after_once_and_in_order(
    shop: Shop,
) -> None:
    telegram = shop.telegram
    bea = await new_customer(shop, 9101, "Bea")
    first = await order_package(bea, "https://instagram.com/p/bea-1")
    second = await order_package(bea, "https://instagram.com/p/bea-2")
    telegram.fail(bea.user_id, flood_wait(RETRY_AFTER))

    start_orders(shop)
    await wait_until(lambda: len(notices(telegram, bea.user_id)) == 2, "Bea's two notices")

    started = {f"🔄 <b>Order #{order} has started</b>" for order in (first, second)}
    queued = [line for line, _, _ in outbox_of(shop, bea.user_id)]
    assert set(queued) == started
    assert notices(telegram, bea.user_id) == queued
    [refusal] = [r for r in telegram.refusals if r.chat_id == bea.user_id]
    assert refusal.failure.status == 429
    assert refusal.text.splitlines()[0] == queued[0]
    delivered = [d for d in telegram.deliveries if d.chat_id == bea.user_id][-2:]
    assert delivered[0].at - refusal.at >= RETRY_AFTER
    assert [state for _, state, _ in outbox_of(shop, bea.user_id)] == ["sent", "sent"]


async def test_notices_refused_by_5xx_or_a_lost_connection_are_retried_and_sent_once(
    shop: Shop,
) -> None:
    telegram = shop.telegram
    failures: dict[int, TelegramFailure] = {
        9201: SERVER_ERROR,
        9202: BAD_GATEWAY,
        9203: DISCONNECT,
    }
    placed = await shoppers(
        shop,
        {user_id: (f"Cid{user_id}", f"https://instagram.com/p/{user_id}") for user_id in failures},
    )
    orders = {user_id: order for user_id, (_, order) in placed.items()}
    balances = {user_id: balance(shop, user_id) for user_id in failures}
    for user_id, failure in failures.items():
        telegram.fail(user_id, failure)

    start_orders(shop)
    for user_id in failures:
        await wait_until(lambda chat=user_id: bool(notices(telegram, chat)), f"notice {user_id}")

    for user_id, failure in failures.items():
        started = f"🔄 <b>Order #{orders[user_id]} has started</b>"
        assert notices(telegram, user_id) == [started]
        [refusal] = [r for r in telegram.refusals if r.chat_id == user_id]
        assert refusal.failure == failure
        [(line, state, attempts)] = outbox_of(shop, user_id)
        assert (line, state, attempts) == (started, "sent", 2)
        assert balance(shop, user_id) == balances[user_id]


async def test_a_reply_telegram_fails_costs_that_reply_and_the_next_message_is_answered(
    shop: Shop,
) -> None:
    telegram = shop.telegram
    ivy = Customer(telegram, user_id=9251, first_name="Ivy")
    await ivy.send("/start")
    for failure in (SERVER_ERROR, BAD_GATEWAY, DISCONNECT, flood_wait(1)):
        telegram.fail(ivy.user_id, failure)
        await ivy.send("/help")
        # The customer sees nothing for that message: Telegram never took the reply.
        assert len(ivy.screens()) == 1
    await ivy.send("/help")
    assert len(ivy.screens()) == 2
    assert "How ordering works" in ivy.last.text
    assert len([r for r in telegram.refusals if r.chat_id == ivy.user_id]) == 4


async def test_a_customer_who_blocked_the_bot_is_marked_told_nothing_more_and_served_again(
    shop: Shop,
) -> None:
    telegram = shop.telegram
    # Fay's order starts, then ends with nothing delivered: canceled and refunded.
    placed = await shoppers(
        shop,
        {
            9301: ("Fay", f"https://instagram.com/p/fay?{PARTIAL_MARKER}"),
            9302: ("Gus", "https://instagram.com/p/gus"),
        },
    )
    (fay, fays), (gus, guss) = placed[9301], placed[9302]
    charged = balance(shop, fay.user_id)
    telegram.blocked.add(fay.user_id)
    sends_before = sends_to(telegram, fay.user_id)

    start_orders(shop)
    await gus.wait_for(f"Order #{guss} has started")
    await wait_until(lambda: is_blocked(shop, fay.user_id), "Fay marked as blocked")

    finish_orders(shop)
    await gus.wait_for(f"Order #{guss} is completed")
    await wait_until(lambda: balance(shop, fay.user_id) > charged, "Fay's refund")
    # One try, refused with 403; the order's later news is not even queued for her.
    assert sends_to(telegram, fay.user_id) - sends_before == 1
    assert [r.failure for r in telegram.refusals if r.chat_id == fay.user_id] == [BOT_BLOCKED]
    assert outbox_of(shop, fay.user_id) == [(f"🔄 <b>Order #{fays} has started</b>", "dropped", 0)]
    assert notices(telegram, gus.user_id) == [
        f"🔄 <b>Order #{guss} has started</b>",
        f"✅ <b>Order #{guss} is completed</b>",
    ]
    # The refund is hers all the same: back to the 5.00 she was credited.
    assert balance(shop, fay.user_id) == Decimal(5)
    [(reason, count)] = shop.query(
        "SELECT reason, COUNT(*) FROM ledger WHERE order_id = ? AND amount > 0", fays
    )
    assert (reason, count) == ("refund", 1)

    # She unblocks the bot and writes again: served, and reachable once more.
    telegram.blocked.discard(fay.user_id)
    await fay.send("/start")
    assert fay.last.text.startswith("👋 <b>Hello, Fay!</b>")
    assert not is_blocked(shop, fay.user_id)


# --- screens ---------------------------------------------------------------------------------


async def test_a_button_that_changes_nothing_is_answered_and_the_screen_stays(
    shop: Shop,
) -> None:
    telegram = shop.telegram
    hal = Customer(telegram, user_id=9401, first_name="Hal")
    await hal.send("/start")
    await hal.click("New order")
    page = hal.last
    assert ("1 / 3", "cats:0") in page.buttons

    for _ in range(2):
        tapped = len(telegram.calls)
        await hal.click("1 / 3")
        calls = [
            call
            for call in telegram.calls[tapped:]
            if call.params.get("chat_id") == hal.user_id or call.method == "answerCallbackQuery"
        ]
        assert [call.method for call in calls] == ["editMessageText", "answerCallbackQuery"]
        edit, answer = calls
        assert edit.result is None  # refused: "message is not modified"
        assert answer.result is True
        assert hal.screens()[-1] == page

    await hal.click("▶")
    assert ("2 / 3", "cats:1") in hal.last.buttons


async def test_a_callback_query_too_old_to_answer_does_not_stop_the_screen_changing(
    shop: Shop,
) -> None:
    telegram = shop.telegram
    jo = Customer(telegram, user_id=9402, first_name="Jo")
    await jo.send("/start")
    await jo.click("New order")
    telegram.fail_method(
        "answerCallbackQuery",
        bad_request("query is too old and response timeout expired or query ID is invalid"),
    )
    telegram.fail_method("answerCallbackQuery", DISCONNECT)

    await jo.click("▶")
    assert ("2 / 3", "cats:1") in jo.last.buttons
    await jo.click("▶")
    assert ("3 / 3", "cats:2") in jo.last.buttons
    await jo.click("◀")
    assert ("2 / 3", "cats:1") in jo.last.buttons
    answers = [call for call in telegram.calls if call.method == "answerCallbackQuery"]
    assert [call.result for call in answers[-3:]] == [None, None, True]
    assert len(jo.screens()) == 1  # one message, edited in place


# --- within the limits -----------------------------------------------------------------------


async def test_a_broadcast_to_many_chats_keeps_within_telegrams_limits(shop: Shop) -> None:
    telegram = shop.telegram
    crowd = [Customer(telegram, user_id=9700 + i, first_name=f"Fan{i}") for i in range(35)]
    await asyncio.gather(*(fan.send("/start") for fan in crowd))
    assert all(fan.screens() for fan in crowd)
    owner = Customer(telegram, user_id=OWNER, first_name="Olga", chat_id=ADMIN_CHAT)
    sale = "🎉 Spring sale: 20% off every likes package"
    telegram.limits = RateLimits()
    try:
        # More chats than Telegram takes in a second, and the bot's answer to the owner
        # goes out beside the first of them: it counts against the same limit.
        owner.mark()
        telegram.queue_update(
            {
                "message": {
                    "message_id": next(_message_ids),
                    "date": 0,
                    "chat": owner.chat,
                    "from": owner.user,
                    "text": "/broadcast",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 10}],
                    "reply_to_message": {
                        "message_id": next(_message_ids),
                        "date": 0,
                        "chat": owner.chat,
                        "from": owner.user,
                        "text": sale,
                    },
                }
            }
        )
        await owner.settle()
        await wait_until(
            lambda: all(sale in telegram.delivered_to(fan.user_id) for fan in crowd),
            "the sale in every chat",
        )
        assert telegram.limit_refusals() == []
        assert all(telegram.delivered_to(fan.user_id).count(sale) == 1 for fan in crowd)
    finally:
        telegram.limits = None
