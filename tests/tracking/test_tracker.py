"""The tracker against the sandbox panel over loopback HTTP, with the panel's clock driven
by the test: batched polling, transitions, refunds and customer notices, exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from api import DefaultOrder, PanelClient, PanelError
from api.sandbox import CANCEL_MARKER, PARTIAL_MARKER, REFILL_REJECT_MARKER, Fault
from api.sandbox.encoding import JsonValue
from shop import tracking
from shop.notices import NOTICE_KIND, Notices
from shop.order_actions import request_cancel, request_refill
from shop.ordering import PlacementOutcome, attach_panel_order, place_order, quote_order
from shop.storage import CancelOutcome, OrderState, RefillState
from shop.tracking import ITEM_ERROR_ALERT_AFTER

from .conftest import ADMIN_CHAT, FUNDS, LINK, PANEL_KEY, USD, Shopfront, order_button

S, P, IP, C, PA, CA = (
    OrderState.SUBMITTING,
    OrderState.PENDING,
    OrderState.IN_PROGRESS,
    OrderState.COMPLETED,
    OrderState.PARTIAL,
    OrderState.CANCELED,
)
SERVICE = "Instagram Followers [Real] [30 days refill]"

NOTICES = {
    "en": {
        "in_progress": (
            "🔄 <b>Order #{id} has started</b>\n{service}\nCount when it started: {start}"
        ),
        "completed": "✅ <b>Order #{id} is completed</b>\n{service}",
        "partial": (
            "◐ <b>Order #{id} was partly delivered</b>\n{service}\n"
            "Delivered: {delivered}, not delivered: {remains}.\n"
            "Refunded: {refund}. Your balance: {balance}"
        ),
        "canceled": (
            "✖️ <b>Order #{id} was canceled</b>\n{service}\n"
            "Refunded: {refund}. Your balance: {balance}"
        ),
        "refill_completed": "♻️ ✅ The refill of order #{id} is completed.",
        "refill_rejected": "♻️ ⛔ The refill of order #{id} was rejected by the provider.",
        "button": "📦 View order",
    },
    "ru": {
        "in_progress": "🔄 <b>Заказ #{id} запущен</b>\n{service}\nНачальное значение: {start}",
        "completed": "✅ <b>Заказ #{id} выполнен</b>\n{service}",
        "partial": (
            "◐ <b>Заказ #{id} выполнен частично</b>\n{service}\n"
            "Выполнено: {delivered}, не выполнено: {remains}.\n"
            "Возвращено: {refund}. Ваш баланс: {balance}"
        ),
        "canceled": (
            "✖️ <b>Заказ #{id} отменён</b>\n{service}\nВозвращено: {refund}. Ваш баланс: {balance}"
        ),
        "refill_completed": "♻️ ✅ Докрутка заказа #{id} выполнена.",
        "refill_rejected": "♻️ ⛔ Поставщик отклонил докрутку заказа #{id}.",
        "button": "📦 Открыть заказ",
    },
}


def notice(language: str, kind: str, order_id: int, **values: object) -> tuple[str, object]:
    """The exact text and keyboard of a customer notice."""
    text = NOTICES[language][kind].format(id=order_id, service=SERVICE, **values)
    button = {"text": NOTICES[language]["button"], "callback_data": order_button(order_id)}
    return text, {"inline_keyboard": [[button]]}


def count(language: str, number: int) -> str:
    """A count as the customer's language writes it: 1,766 in English, 1 766 in Russian."""
    grouped = f"{number:,}"
    return grouped if language == "en" else grouped.replace(",", "\xa0")


def usd(amount: Decimal) -> str:
    return USD.format(amount)


def partial_refund(price: Decimal, remains: int, quantity: int) -> Decimal:
    """price x remains / quantity, rounded down to the cent: what the customer gets back."""
    return (price * remains / quantity).quantize(Decimal("0.01"), rounding="ROUND_FLOOR")


async def sent_notices(front: Shopfront, chat_id: int) -> list[tuple[str, object]]:
    return [(row.text, row.reply_markup) for row in await front.notices(chat_id)]


# --- batching ------------------------------------------------------------------------------
async def test_a_poll_reads_asks_and_stores_the_active_orders_a_part_at_a_time(
    front: Shopfront, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a poll holds is one part of the active orders, whatever their number; the parts
    take the calls the whole would (here parts of 100, one call each)."""
    monkeypatch.setattr(tracking, "_poll_part", lambda client: 100)
    users = range(1, 6)
    for user in users:
        await front.customer(user)
    orders = await front.place_many(
        [(user, f"{LINK}-{user}-{number}") for user in users for number in range(50)]
    )
    by_id = sorted(orders, key=lambda order: order.id)
    front.to_start()
    front.panel.requests.clear()
    # What the database holds as each status call reaches the panel.
    started_when_asked: list[int] = []
    respond = front.panel.respond

    def respond_and_look(key: str, action: str, fields: Mapping[str, str]) -> JsonValue:
        if action == "status":
            with contextlib.closing(sqlite3.connect(front.db.location)) as conn:
                (started,) = conn.execute(
                    "SELECT COUNT(*) FROM orders WHERE state = 'in_progress'"
                ).fetchone()
            started_when_asked.append(started)
        return respond(key, action, fields)

    monkeypatch.setattr(front.panel, "respond", respond_and_look)

    report = await front.poll()

    asked = [[int(i) for i in call.fields["orders"].split(",")] for call in front.calls("status")]
    parts = [by_id[start : start + 100] for start in range(0, 250, 100)]
    assert [sorted(batch) for batch in asked] == [
        sorted(order.panel_order_id or 0 for order in part) for part in parts
    ]
    # Each part was stored before the next one was asked about.
    assert started_when_asked == [0, 100, 200]
    assert (report.orders_polled, len(report.order_changes)) == (250, 250)
    assert {(await front.order(order.id)).state for order in orders} == {IP}


async def test_an_order_placed_during_a_poll_waits_for_the_next_one(
    front: Shopfront, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A busy shop's poll ends: it asks about the orders there were when it began."""
    monkeypatch.setattr(tracking, "_poll_part", lambda client: 100)
    await front.customer(1)
    orders = await front.place_many([(1, f"{LINK}-{number}") for number in range(150)])
    placed_meanwhile: list[int] = []
    store = front.tracker._store

    async def store_then_place(*args: Any) -> None:
        await store(*args)
        if not placed_meanwhile:
            [order] = await front.place_many([(1, f"{LINK}-meanwhile")])
            placed_meanwhile.append(order.panel_order_id or 0)

    monkeypatch.setattr(front.tracker, "_store", store_then_place)

    report = await front.poll()

    asked = _asked(front)
    assert report.orders_polled == 150
    assert asked == {order.panel_order_id for order in orders}
    front.panel.requests.clear()
    assert (await front.poll()).orders_polled == 151
    asked = _asked(front)
    assert placed_meanwhile[0] in asked


def _asked(front: Shopfront) -> set[int]:
    """The panel ids the panel was asked about in status calls."""
    return {int(i) for call in front.calls("status") for i in call.fields["orders"].split(",")}


async def test_a_panel_down_for_the_whole_poll_fails_it_and_stores_nothing(
    front: Shopfront, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tracking, "_poll_part", lambda client: 100)
    await front.customer(1)
    orders = await front.place_many([(1, f"{LINK}-{number}") for number in range(150)])
    front.to_start()
    front.panel.faults.add(Fault.html_502(action="status", times=10))

    with pytest.raises(PanelError):
        await front.poll()

    assert len(front.calls("status")) == 2
    assert {(await front.order(order.id)).state for order in orders} == {P}


async def test_250_active_orders_take_3_status_calls_a_cycle_each_change_recorded_once(
    front: Shopfront,
) -> None:
    users = range(1, 6)
    for user in users:
        await front.customer(user)
    orders = await front.place_many(
        [(user, f"{LINK}-{user}-{number}") for user in users for number in range(50)]
    )
    panel_ids = {order.panel_order_id or 0 for order in orders}
    assert len(panel_ids) == 250

    async def cycle(active: set[int]) -> tuple[int, int]:
        """One poll: it asks about each active order once, in calls of at most 100 ids;
        ``(status calls, changes recorded)``."""
        front.panel.requests.clear()
        report = await front.poll()
        assert report.orders_polled == len(active)
        calls = front.calls("status")
        assert all(call.fields.keys() == {"orders"} for call in calls)  # never one by one
        batches = [[int(i) for i in call.fields["orders"].split(",")] for call in calls]
        assert all(len(batch) <= 100 for batch in batches)
        asked = [panel_id for batch in batches for panel_id in batch]
        assert sorted(asked) == sorted(active)
        return len(calls), len(report.order_changes)

    assert await cycle(panel_ids) == (3, 0)  # all pending: nothing to record
    front.to_start()
    assert await cycle(panel_ids) == (3, 250)  # all started: 250 transitions
    assert await cycle(panel_ids) == (3, 0)  # the same answers again: none
    front.to_end()
    assert await cycle(panel_ids) == (3, 250)  # all completed
    for _ in range(3):
        assert await cycle(set()) == (0, 0)  # every order is final: nothing left to ask

    for order in orders:
        transitions = [(t.old_state, t.new_state) for t in await front.transitions(order.id)]
        assert transitions == [(S, P), (P, IP), (IP, C)]
        assert (await front.order(order.id)).state is C
    # One "started" and one "completed" notice per order, nothing else.
    rows = [row for row in await front.outbox() if row.kind == NOTICE_KIND]
    assert len(rows) == 500
    assert len({row.dedupe_key for row in rows}) == 500


# --- end states, refunds, notices -------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_every_end_state_is_told_once_in_the_customers_language_with_refund_and_balance(
    front: Shopfront, language: str
) -> None:
    await front.customer(1, language)
    done = await front.place(1, f"{LINK}/done", quantity=1000)
    part = await front.place(1, f"{LINK}/part?{PARTIAL_MARKER}", quantity=3000)
    gone = await front.place(1, f"{LINK}/gone?{CANCEL_MARKER}", quantity=1000)
    assert part.panel_order_id is not None
    front.panel.force_outcome(part.panel_order_id, "partial", remains=1234)
    balance = FUNDS - done.price - part.price - gone.price
    assert await front.balance(1) == balance

    # The panel starts two orders and cancels the third.
    front.to_start()
    report = await front.poll()
    assert [(c.order.id, c.old_state, c.order.state) for c in report.order_changes] == [
        (done.id, P, IP),
        (part.id, P, IP),
        (gone.id, P, CA),
    ]
    balance += gone.price
    assert await front.balance(1) == balance
    start_of = {o.id: front.panel.orders[o.panel_order_id or 0].start_count for o in (done, part)}
    assert (await front.order(done.id)).start_count == start_of[done.id]
    assert await sent_notices(front, 1) == [
        notice(language, "in_progress", done.id, start=count(language, start_of[done.id])),
        notice(language, "in_progress", part.id, start=count(language, start_of[part.id])),
        notice(language, "canceled", gone.id, refund=usd(gone.price), balance=usd(balance)),
    ]

    # One completes, the other ends with 1234 of 3000 undelivered.
    front.to_end()
    report = await front.poll()
    refund = partial_refund(part.price, 1234, 3000)
    # 3000 at 0.90 per 1000 with 30% on top is 3.51; 3.51 x 1234 / 3000 = 1.44378 -> 1.44.
    assert (part.price, refund) == (Decimal("3.51"), Decimal("1.44"))
    assert [(c.order.id, c.order.state, c.refund) for c in report.order_changes] == [
        (done.id, C, 0),
        (part.id, PA, refund),
    ]
    balance += refund
    assert await front.balance(1) == balance
    assert (await sent_notices(front, 1))[3:] == [
        notice(language, "completed", done.id),
        notice(language, "partial", part.id, delivered=count(language, 1766),
               remains=count(language, 1234),
               refund=usd(refund), balance=usd(balance)),
    ]  # fmt: skip

    # Each change recorded once, with the panel's figures.
    assert [(t.old_state, t.new_state) for t in await front.transitions(done.id)] == [
        (S, P), (P, IP), (IP, C)
    ]  # fmt: skip
    part_transitions = await front.transitions(part.id)
    assert [(t.old_state, t.new_state) for t in part_transitions] == [(S, P), (P, IP), (IP, PA)]
    assert part_transitions[-1].remains == 1234
    assert [(t.old_state, t.new_state) for t in await front.transitions(gone.id)] == [
        (S, P), (P, CA)
    ]  # fmt: skip
    assert [r.amount for r in await front.refunds(gone.id)] == [gone.price]
    assert [r.amount for r in await front.refunds(part.id)] == [refund]
    assert await front.refunds(done.id) == []


async def test_refunds_and_notices_happen_once_across_repeated_polls_and_a_restart(
    front: Shopfront,
) -> None:
    await front.customer(1, "ru")
    part = await front.place(1, f"{LINK}/part?{PARTIAL_MARKER}", quantity=999)
    gone = await front.place(1, f"{LINK}/gone?{CANCEL_MARKER}", quantity=999)
    front.to_start()
    await front.poll()
    # A restart while the partial order is still running.
    await front.restart()
    await front.poll()
    front.to_end()
    for _ in range(10):
        await front.poll()

    async def books() -> tuple[Any, ...]:
        return (
            await front.balance(1),
            [r.amount for r in await front.refunds(part.id)],
            [r.amount for r in await front.refunds(gone.id)],
            await sent_notices(front, 1),
            [(t.old_state, t.new_state) for t in await front.transitions(part.id)],
            [(t.old_state, t.new_state) for t in await front.transitions(gone.id)],
        )

    before = await books()
    remains = front.panel.orders[part.panel_order_id or 0].remains
    refund = partial_refund(part.price, remains, 999)
    assert before[1:3] == ([refund], [gone.price])
    assert before[0] == FUNDS - part.price + refund
    assert [text.split("\n")[0] for text, _ in before[3]] == [
        f"🔄 <b>Заказ #{part.id} запущен</b>",
        f"✖️ <b>Заказ #{gone.id} отменён</b>",
        f"◐ <b>Заказ #{part.id} выполнен частично</b>",
    ]

    # Restart again and keep polling: the same books, nothing told twice.
    await front.restart()
    for _ in range(10):
        report = await front.poll()
        assert report.order_changes == []
    assert await books() == before


async def test_a_panel_that_repeats_a_final_answer_does_not_refund_twice(
    front: Shopfront,
) -> None:
    """The same Canceled answer seen by two trackers polling at once (a single loop never
    overlaps itself, but an old and a new process side by side during a deploy could): one
    refund, one notice."""
    await front.customer(1)
    gone = await front.place(1, f"{LINK}/gone?{CANCEL_MARKER}")
    front.to_start()
    first, second = front.tracker, front.another_tracker()
    reports = await asyncio.gather(first.poll_once(), second.poll_once())
    assert sum(len(r.order_changes) for r in reports) == 1
    assert [r.amount for r in await front.refunds(gone.id)] == [gone.price]
    assert len(await front.notices(1)) == 1


# --- refills and cancels ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "link", "end", "states"),
    [
        ("en", LINK, "refill_completed", [RefillState.IN_PROGRESS, RefillState.COMPLETED]),
        ("ru", f"{LINK}?{REFILL_REJECT_MARKER}", "refill_rejected", [RefillState.REJECTED]),
    ],
)
async def test_a_refill_is_requested_then_followed_to_its_end_and_told_once(
    front: Shopfront, language: str, link: str, end: str, states: list[RefillState]
) -> None:
    await front.customer(1, language)
    order = await front.place(1, link)
    front.to_start()
    front.to_end()
    await front.poll()
    assert (await front.order(order.id)).state is C
    told = len(await front.notices(1))

    result = await request_refill(front.db, front.client, order.id, 1)
    assert result.accepted
    assert result.refill.state is RefillState.PENDING
    assert (await front.poll()).refill_changes == []  # the panel has not started it yet

    seen: list[RefillState] = []
    for wait in (front.panel.refill_pending_seconds, front.panel.refill_progress_seconds):
        front.clock.advance(wait + 1)
        seen += [change.refill.state for change in (await front.poll()).refill_changes]
    assert seen == states
    for _ in range(3):
        report = await front.poll()
        assert (report.refills_polled, report.refill_changes) == (0, [])

    assert (await sent_notices(front, 1))[told:] == [notice(language, end, order.id)]
    calls = front.calls("refill_status")
    assert calls
    assert all(call.fields.keys() == {"refills"} for call in calls)  # batched, never one
    assert await front.refunds(order.id) == []
    assert (await front.order(order.id)).state is C


async def test_a_cancel_of_a_pending_order_ends_canceled_with_a_full_refund_told_once(
    front: Shopfront,
) -> None:
    await front.customer(1, "ru")
    order = await front.place(1)
    result = await request_cancel(front.db, front.client, order.id, 1)
    assert result.request.outcome is CancelOutcome.ACCEPTED
    assert [call.fields for call in front.calls("cancel")] == [
        {"orders": str(order.panel_order_id)}
    ]
    # The money comes back with the status that confirms it, not with the request.
    assert await front.balance(1) == FUNDS - order.price

    [change] = (await front.poll()).order_changes
    assert (change.old_state, change.order.state, change.refund) == (P, CA, order.price)
    for _ in range(3):
        assert (await front.poll()).order_changes == []
    assert await front.balance(1) == FUNDS
    assert [r.amount for r in await front.refunds(order.id)] == [order.price]
    assert await sent_notices(front, 1) == [
        notice("ru", "canceled", order.id, refund=usd(order.price), balance=usd(FUNDS))
    ]


async def test_a_cancel_of_a_running_order_refunds_what_was_not_delivered(
    front: Shopfront,
) -> None:
    await front.customer(1)
    order = await front.place(1, quantity=1000)
    front.to_start()
    await front.poll()
    front.clock.advance(front.panel.progress_seconds / 2)
    result = await request_cancel(front.db, front.client, order.id, 1)
    assert result.request.outcome is CancelOutcome.ACCEPTED
    [change] = (await front.poll()).order_changes
    remains = front.panel.orders[order.panel_order_id or 0].remains
    assert 0 < remains < 1000
    refund = partial_refund(order.price, remains, 1000)
    assert (change.order.state, change.order.remains, change.refund) == (PA, remains, refund)
    assert await front.balance(1) == FUNDS - order.price + refund
    assert (await sent_notices(front, 1))[-1] == notice(
        "en", "partial", order.id, delivered=count("en", 1000 - remains),
        remains=count("en", remains), refund=usd(refund), balance=usd(await front.balance(1)),
    )  # fmt: skip


# --- per-item errors and outages ----------------------------------------------------------


async def test_an_order_the_panel_does_not_know_is_counted_alerted_once_and_not_a_state(
    front: Shopfront,
) -> None:
    await front.customer(1)
    tracked = await front.place(1, f"{LINK}/tracked")
    # An order whose answer was lost, which an admin then attaches to a wrong panel id.
    front.panel.faults.add(Fault.html_502(action="add", times=1))
    quote = await quote_order(
        front.db, front.shop, 1, DefaultOrder(service=101, link=f"{LINK}/lost", quantity=100)
    )
    placement = await place_order(
        front.db, front.client, front.alerts, 1, quote.id, terms=front.shop
    )
    assert placement.outcome is PlacementOutcome.HELD
    lost = await attach_panel_order(front.db, placement.order.id, 99_999_999)
    assert lost.state is P
    alerts_before = len(await front.alerts_queued())

    front.to_start()
    for poll in range(1, 7):
        report = await front.poll()
        assert report.order_errors == {lost.id: poll}
        assert (await front.order(lost.id)).item_errors == poll
        assert (await front.order(lost.id)).state is P
        item_alerts = (await front.alerts_queued())[alerts_before:]
        assert len(item_alerts) == (1 if poll >= ITEM_ERROR_ALERT_AFTER else 0)

    [alert] = (await front.alerts_queued())[alerts_before:]
    assert alert.chat_id == ADMIN_CHAT
    assert alert.text == (
        f"⚠️ <b>The panel keeps refusing to report order #{lost.id}</b> (panel order 99999999):"
        f" Incorrect order ID\nCheck it with <code>/order {lost.id}</code>."
    )
    # Not a state: no transition, no refund, nothing told to the customer about it...
    assert [(t.old_state, t.new_state) for t in await front.transitions(lost.id)] == [
        (S, OrderState.UNKNOWN), (OrderState.UNKNOWN, P)
    ]  # fmt: skip
    assert await front.refunds(lost.id) == []
    assert [row.dedupe_key for row in await front.notices(1)] == [
        f"notice:order:{tracked.id}:in_progress"
    ]
    # ...while the other order of the same batch was followed as usual.
    assert (await front.order(tracked.id)).state is IP


@pytest.mark.parametrize("fault", ["html_502", "timeout"])
async def test_an_outage_on_the_second_chunk_keeps_the_others_and_the_next_poll_applies_it_once(
    front: Shopfront, fault: str
) -> None:
    users = range(1, 4)
    for user in users:
        await front.customer(user)
    orders = await front.place_many(
        [(user, f"{LINK}-{user}-{number}") for user in users for number in range(84)]
    )
    assert len(orders) == 252
    front.to_start()
    # One chunk at a time, so "the second chunk" is the second status call.
    async with PanelClient(
        front.client.url, PANEL_KEY, timeouts=aiohttp.ClientTimeout(total=1), concurrency=1
    ) as one_at_a_time:
        tracker = front.another_tracker(one_at_a_time)
        front.panel.faults.add(
            Fault.html_502(action="status", skip=1, times=1)
            if fault == "html_502"
            else Fault.timeout(action="status", skip=1, times=1)
        )
        report = await tracker.poll_once()
        calls = front.calls("status")
        assert len(calls) == 3
        second = {int(i) for i in calls[1].fields["orders"].split(",")}
        assert len(second) == 100
        assert report.orders_unanswered == 100

        # The first and third chunks were stored and told; the second one's orders wait.
        assert len(report.order_changes) == 152
        for order in orders:
            state = (await front.order(order.id)).state
            assert state is (P if order.panel_order_id in second else IP), order
        assert len(await front.outbox()) == 152
        assert tracker.last_poll_at is None  # only the loop sets it; the poll did not fail

        report = await tracker.poll_once()
        assert len(report.order_changes) == 100
        assert {change.order.panel_order_id for change in report.order_changes} == second
        assert (await tracker.poll_once()).order_changes == []
    for order in orders:
        transitions = [(t.old_state, t.new_state) for t in await front.transitions(order.id)]
        assert transitions == [(S, P), (P, IP)]
    assert len(await front.outbox()) == 252


async def test_a_poll_fails_only_when_no_chunk_of_it_was_answered(front: Shopfront) -> None:
    await front.customer(1)
    orders = await front.place_many([(1, f"{LINK}/{n}") for n in range(150)])
    front.to_start()
    front.panel.faults.add(Fault.html_502(action="status", times=2))
    with pytest.raises(PanelError):
        await front.poll()
    for order in orders:
        assert (await front.order(order.id)).state is P
    assert len((await front.poll()).order_changes) == 150


async def test_an_outage_on_one_chunk_of_refill_statuses_keeps_the_others(
    front: Shopfront,
) -> None:
    await front.customer(1, funds=Decimal(1000))
    orders = await front.place_many([(1, f"{LINK}/{n}") for n in range(101)])
    front.to_start()
    front.to_end()
    await front.poll()
    for order in orders:
        assert (await request_refill(front.db, front.client, order.id, 1)).accepted
    front.clock.advance(front.panel.refill_pending_seconds + 1)
    front.panel.faults.add(Fault.html_502(action="refill_status", skip=1, times=1))

    report = await front.poll()
    assert (report.refills_polled, report.refills_unanswered) == (101, 1)
    assert len(report.refill_changes) == 100
    [waiting] = [
        o for o in orders if o.id not in {c.refill.order_id for c in report.refill_changes}
    ]
    assert [c.refill.state for c in report.refill_changes] == [RefillState.IN_PROGRESS] * 100
    [change] = (await front.poll()).refill_changes
    assert (change.refill.order_id, change.refill.state) == (waiting.id, RefillState.IN_PROGRESS)


async def test_one_order_that_cannot_be_stored_never_holds_back_the_others_of_its_page(
    front: Shopfront, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await front.customer(1)
    orders = [await front.place(1, f"{LINK}/{n}?{PARTIAL_MARKER}") for n in range(5)]
    bad = orders[2]
    front.to_start()
    front.to_end()
    original = Notices.order_changed

    async def fails_for_one(self: Notices, tx: Any, order: Any, *args: Any, **kwargs: Any) -> None:
        if order.id == bad.id:
            raise RuntimeError("this notice cannot be rendered")
        await original(self, tx, order, *args, **kwargs)

    monkeypatch.setattr(Notices, "order_changed", fails_for_one)
    report = await front.poll()

    good = [order for order in orders if order is not bad]
    assert sorted(change.order.id for change in report.order_changes) == [o.id for o in good]
    for order in good:
        assert (await front.order(order.id)).state is PA
        [refund] = await front.refunds(order.id)
        assert refund.amount == partial_refund(order.price, order.quantity // 3, order.quantity)
    # The bad one was left as it was, whole: no state, no refund, no notice, one log line.
    assert (await front.order(bad.id)).state is P
    assert await front.refunds(bad.id) == []
    assert len(await front.notices(1)) == 4
    [line] = [r for r in caplog.records if f"order {bad.id}" in r.getMessage()]
    assert "this notice cannot be rendered" in line.getMessage()

    # Once it can be stored, the next poll stores it, once.
    monkeypatch.setattr(Notices, "order_changed", original)
    [change] = (await front.poll()).order_changes
    assert change.order.id == bad.id
    assert [r.amount for r in await front.refunds(bad.id)] == [
        partial_refund(bad.price, bad.quantity // 3, bad.quantity)
    ]
    assert (await front.poll()).order_changes == []


async def test_odd_figures_of_one_order_are_not_stored_and_its_state_still_moves(
    front: Shopfront, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="shop.tracking")
    await front.customer(1)
    odd, plain = await front.place(1, f"{LINK}/odd"), await front.place(1, f"{LINK}/plain")
    assert odd.panel_order_id is not None
    front.panel.override_status(odd.panel_order_id, start_count="-3", remains="-7", charge="-0.5")
    front.to_start()
    report = await front.poll()
    assert sorted(c.order.id for c in report.order_changes) == [odd.id, plain.id]
    stored = await front.order(odd.id)
    assert (stored.state, stored.start_count, stored.remains, stored.panel_charge) == (
        IP, None, None, None
    )  # fmt: skip
    assert (await front.order(plain.id)).start_count is not None
    texts = [row.text for row in await front.notices(1)]
    assert notice("en", "in_progress", odd.id, start="—")[0] in texts
    [line] = [r.getMessage() for r in caplog.records if f"order {odd.id}:" in r.getMessage()]
    assert line == f"order {odd.id}: odd figures ignored: start_count=-3, remains=-7, charge=-0.5"
