"""The tracking loop as the bot runs it: a task polling every interval that survives a
failing panel, backs off, tells the admins once, never overlaps a slow poll, and stops
cleanly when cancelled."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp.test_utils import TestServer

from api import DefaultOrder
from api.sandbox import Fault, SandboxPanel
from bot.app import Runtime
from shop.ledger import credit
from shop.ordering import place_order, quote_order
from shop.storage import LedgerReason, OrderState
from shop.tracking import FAILED_POLLS_ALERT_AFTER

from ..support.telegram.bot_api import BotApiDouble, create_bot_api_app
from .conftest import ADMIN_CHAT, LINK, REFILL_AND_CANCEL, TOKEN, Shopfront


async def wait_until(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.002)


async def arrivals(front: Shopfront, count: int, seconds: float = 10) -> list[float]:
    """When each of the next ``count`` status calls reached the panel (monotonic time)."""
    seen, times = len(front.calls("status")), []
    deadline = time.monotonic() + seconds
    while len(times) < count:
        assert time.monotonic() < deadline, f"only {len(times)} status calls came"
        now = len(front.calls("status"))
        times += [time.monotonic()] * (now - seen)
        seen = now
        await asyncio.sleep(0.001)
    return times


async def stop(task: asyncio.Task[None]) -> float:
    """Cancel the loop; how long it took to stop."""
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()
    return time.monotonic() - started


async def test_the_loop_survives_a_failing_panel_backs_off_alerts_once_and_recovers(
    front: Shopfront,
) -> None:
    await front.customer(1)
    orders = [await front.place(1, f"{LINK}/{n}") for n in range(3)]
    front.to_start()
    front.panel.faults.add(Fault.html_502(action="status"))
    interval = 0.005
    loop = asyncio.create_task(front.tracker.run(interval))

    failed = await arrivals(front, FAILED_POLLS_ALERT_AFTER + 2)
    # Each failure doubles the wait before the next poll: 0.02 s, 0.04 s, 0.08 s...
    gaps = [later - earlier for earlier, later in zip(failed, failed[1:], strict=False)]
    for number, gap in enumerate(gaps, start=1):
        assert gap >= 0.8 * interval * 2**number, gaps
    assert not loop.done()
    # The admins were told once, after the fifth failure in a row.
    [alert] = await front.alerts_queued()
    assert alert.chat_id == ADMIN_CHAT
    assert alert.text.startswith(
        f"🛑 <b>The panel has not answered {FAILED_POLLS_ALERT_AFTER} status checks in a row"
        "</b>: status: "
    )
    assert alert.text.endswith(
        "\nOrders are not being followed until it answers again; nothing is lost."
    )
    assert front.tracker.last_poll_at is None
    for order in orders:
        assert (await front.order(order.id)).state is OrderState.PENDING

    # The panel comes back: the next poll catches up, and polls are frequent again.
    front.panel.faults.clear()
    await wait_until(lambda: front.tracker.last_poll_at is not None)
    for order in orders:
        assert (await front.order(order.id)).state is OrderState.IN_PROGRESS
    recovered = await arrivals(front, 5)
    assert recovered[-1] - recovered[0] < 1.0
    assert len(await front.alerts_queued()) == 1
    assert await stop(loop) < 0.5


async def test_a_poll_slower_than_the_interval_is_never_overlapped(front: Shopfront) -> None:
    await front.customer(1)
    await front.place(1)
    slow = 0.15
    front.panel.faults.add(Fault.latency(slow, action="status"))
    loop = asyncio.create_task(front.tracker.run(0.01))
    started = await arrivals(front, 5)
    # A poll starts only once the previous one was answered, and then without delay. (An
    # asyncio timer may fire up to a clock tick early, so the panel's answer too: the gaps
    # are measured to within a few milliseconds; overlapping polls would be 0.01 s apart.)
    gaps = [later - earlier for earlier, later in zip(started, started[1:], strict=False)]
    assert all(gap >= slow - 0.005 for gap in gaps), gaps
    assert not loop.done()
    assert await stop(loop) < 0.5


async def test_a_loop_cancelled_mid_poll_leaves_nothing_half_done(front: Shopfront) -> None:
    await front.customer(1)
    orders = await front.place_many([(1, f"{LINK}/{n}") for n in range(150)])
    front.to_start()
    front.panel.faults.add(Fault.latency(0.3, action="status", times=1))
    loop = asyncio.create_task(front.tracker.run(0.01))
    await arrivals(front, 2)  # both chunks sent; one is answered late
    assert await stop(loop) < 0.2
    for order in orders:
        assert (await front.order(order.id)).state is OrderState.PENDING
    assert await front.outbox() == []
    # The next tracker picks everything up, once.
    assert len((await front.poll()).order_changes) == 150
    assert (await front.poll()).order_changes == []


async def test_the_loop_outlives_failures_of_its_own_alerts(
    front: Shopfront, caplog: pytest.LogCaptureFixture
) -> None:
    """Even when the alert about failing polls cannot be written (here the database went
    away under the loop), the loop logs it and keeps going."""
    await front.customer(1)
    await front.place(1)
    loop = asyncio.create_task(front.tracker.run(0.002))
    await front.db.close()

    def failed_polls() -> int:
        return sum("poll failed" in record.getMessage() for record in caplog.records)

    await wait_until(lambda: failed_polls() > FAILED_POLLS_ALERT_AFTER + 1 or loop.done())
    assert not loop.done(), loop.exception()
    assert await stop(loop) < 0.5
    await front.restart()  # the books are checked after the test


async def test_the_bot_starts_its_loops_and_stops_them_cleanly(
    services: Runtime, panel: SandboxPanel
) -> None:
    """``Runtime.start`` (the dispatcher's startup hook) runs the tracker and the
    notifier as kept tasks; ``stop`` (shutdown) cancels and awaits them."""
    async with services.db.transaction() as tx:
        await tx.users.upsert(1, "alice", "Alice", "en")
        await credit(tx, 1, Decimal(10), LedgerReason.TOPUP, "topup:test:1")
    request = DefaultOrder(service=REFILL_AND_CANCEL, link=LINK, quantity=100)
    quote = await quote_order(services.db, services.terms, 1, request)
    await place_order(
        services.db, services.panel, services.alerts, 1, quote.id, terms=services.terms
    )
    double = BotApiDouble()
    telegram = TestServer(create_bot_api_app(double), host="127.0.0.1")
    await telegram.start_server()
    server = TelegramAPIServer.from_base(str(telegram.make_url("")))
    bot = Bot(TOKEN, session=AiohttpSession(api=server))
    try:
        services.start(bot)
        tasks = list(services.tasks)
        assert {task.get_name() for task in tasks} == {
            "catalogue-sync",
            "tracker",
            "notifier",
            "star-reconciler",
            "housekeeping",
        }
        # The first poll comes at once: the order placed before start-up is asked about.
        await wait_until(lambda: any(r.action == "status" for r in panel.requests))
        assert all(not task.done() for task in tasks)
        started = time.monotonic()
        await services.stop()
        assert time.monotonic() - started < 1
        assert services.tasks == []
        assert all(task.cancelled() for task in tasks)
    finally:
        await bot.session.close()
        await telegram.close()
