"""The bot's background jobs: each loop outlives any error of one turn, backs off while it
fails, and shutdown closes everything even when a job died; housekeeping purges what nobody
can look at any more."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp.test_utils import TestServer

from api import PanelClient
from api.sandbox import SandboxPanel
from bot.app import Runtime, open_runtime
from bot.config import load_settings
from shop.catalogue import keep_catalogue_synced
from shop.housekeeping import keep_house
from shop.storage import ClosedError, Database, OutboxState, utc_now
from shop.supervisor import Backoff, keep_running

from ..conftest import PANEL_KEY, TOKEN
from ..db.factories import add_order, add_quote, add_service, add_user
from ..support.telegram.bot_api import BotApiDouble, create_bot_api_app

#: The lifetime of the invoices made here.
HOUR = timedelta(hours=1)


async def wait_until(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def stopped(task: asyncio.Task[None]) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with await Database.open(tmp_path / "shop.sqlite3") as database:
        yield database


async def stored_services(db: Database) -> int:
    async with db.read() as r:
        return await r.services.count()


# --- the supervisor ------------------------------------------------------------------------


async def test_a_failing_turn_is_retried_later_and_later_and_logged_with_one_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started: list[float] = []
    failures_seen: list[int] = []

    async def turn() -> float:
        started.append(time.monotonic())
        if len(started) <= 4:
            raise RuntimeError(f"broken {len(started)}")
        return 60.0

    async def failed(failures: int, _: Exception) -> None:
        failures_seen.append(failures)

    with caplog.at_level(logging.INFO, logger="shop"):
        loop = asyncio.create_task(
            keep_running("the job", turn, Backoff(0.02, 0.05), on_failure=failed)
        )
        await wait_until(lambda: len(started) == 5)
        await stopped(loop)
    gaps = [later - earlier for earlier, later in zip(started, started[1:], strict=False)]
    assert [round(min(gap, 0.05), 2) for gap in gaps][:2] == [0.02, 0.04]
    assert all(gap >= 0.019 for gap in gaps), gaps
    assert failures_seen == [1, 2, 3, 4]
    failures = [r for r in caplog.records if "the job failed" in r.getMessage()]
    assert len(failures) == 4
    assert [r.exc_info is not None for r in failures] == [True, False, False, False]
    assert "broken 3" in failures[2].getMessage()
    assert "trying again in 0.04 s" in failures[1].getMessage()
    assert any("the job works again" in r.getMessage() for r in caplog.records)


async def test_an_expected_failure_is_one_line_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    turns = 0

    async def turn() -> float:
        nonlocal turns
        turns += 1
        raise LookupError("the usual trouble")

    loop = asyncio.create_task(
        keep_running("the job", turn, Backoff(0.001, 0.001), expected=(LookupError,))
    )
    await wait_until(lambda: turns >= 3)
    await stopped(loop)
    failures = [r for r in caplog.records if "the job failed" in r.getMessage()]
    assert failures
    assert all(r.exc_info is None and r.levelno == logging.WARNING for r in failures)


async def test_a_failing_failure_report_does_not_end_the_loop() -> None:
    turns = 0

    async def turn() -> float:
        nonlocal turns
        turns += 1
        raise RuntimeError("down")

    async def failed(_: int, __: Exception) -> None:
        raise ClosedError("the database is closed")

    loop = asyncio.create_task(keep_running("job", turn, Backoff(0.001, 0.001), on_failure=failed))
    await wait_until(lambda: turns >= 3)
    assert not loop.done()
    await stopped(loop)


# --- the catalogue sync --------------------------------------------------------------------


async def test_the_catalogue_loop_outlives_an_unexpected_error_and_syncs_next_time(
    db: Database, panel: SandboxPanel, panel_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with PanelClient(panel_url, PANEL_KEY) as client:
        real_services = client.services
        calls = 0

        async def services_failing_once() -> object:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise RuntimeError("a bug far from the panel")
            return await real_services()

        monkeypatch.setattr(client, "services", services_failing_once)
        loop = asyncio.create_task(keep_catalogue_synced(db, client, interval=0.05))
        deadline = time.monotonic() + 10
        while await stored_services(db) < len(panel.services):
            assert not loop.done(), loop.exception()
            assert time.monotonic() < deadline, "the catalogue never came"
            await asyncio.sleep(0.01)
        await stopped(loop)
    assert calls >= 2


async def test_the_catalogue_sync_retries_within_seconds_while_the_panel_is_down(
    db: Database,
) -> None:
    """A panel out of reach is asked again after a growing wait, from seconds up to the
    sync interval: never a whole interval after the first failure."""
    async with PanelClient("http://127.0.0.1:9/api/v2", PANEL_KEY) as client:
        loop = asyncio.create_task(keep_catalogue_synced(db, client, interval=3600))
        await wait_until(lambda: client.calls >= 2, seconds=5)
        await stopped(loop)


# --- shutdown ------------------------------------------------------------------------------


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[BotApiDouble, Bot]]:
    double = BotApiDouble()
    server = TestServer(create_bot_api_app(double), host="127.0.0.1")
    await server.start_server()
    bot = Bot(
        TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(str(server.make_url(""))))
    )
    yield double, bot
    await bot.session.close()
    await server.close()


@pytest.fixture
async def services(tmp_path: Path, panel_url: str) -> Runtime:
    settings = load_settings(
        env_file=None,
        bot_token=TOKEN,
        panel_api_key=PANEL_KEY,
        panel_api_url=panel_url,
        database_path=tmp_path / "services.sqlite3",
    )
    return await open_runtime(settings)


async def _died() -> None:
    raise RuntimeError("a job died")


async def _raises_when_cancelled() -> None:
    try:
        await asyncio.sleep(3600)
    finally:
        raise RuntimeError("cleaning up failed")  # noqa: B012


@pytest.mark.parametrize("job", [_died, _raises_when_cancelled])
async def test_shutdown_flushes_and_closes_everything_even_after_a_job_died(
    services: Runtime,
    telegram: tuple[BotApiDouble, Bot],
    job: Callable[[], asyncio.Future[None]],
) -> None:
    double, bot = telegram
    services.start(bot)
    broken = asyncio.create_task(job())
    services.tasks.append(broken)
    await asyncio.sleep(0.05)
    async with services.db.transaction() as tx:
        await tx.outbox.enqueue(777, "goodbye", "notice")
    await services.aclose()
    assert double.delivered_to(777) == ["goodbye"]
    assert services.http.closed
    with pytest.raises(ClosedError):
        async with services.db.read() as r:
            await r.outbox.counts_by_state()
    assert broken.done()


# --- housekeeping --------------------------------------------------------------------------


async def test_housekeeping_purges_at_start_and_then_on_schedule(db: Database) -> None:
    now = utc_now()
    async with db.transaction() as tx:
        order = await add_order(tx)
        stale_quote = await add_quote(tx, expires_in=timedelta(minutes=-5))
        sent = await tx.outbox.enqueue(1, "sent", "notice")
        failed = await tx.outbox.enqueue(1, "failed", "notice")
        assert sent is not None
        assert failed is not None
        await tx.outbox.mark_sent(sent, now)
        await tx.outbox.mark_failed(failed, "400 Bad Request")
        unpaid = await tx.invoices.create(1, 100, Decimal("1.30"), HOUR)
        paid = await tx.invoices.create(1, 100, Decimal("1.30"), HOUR)
        await tx.invoices.mark_paid(paid.id, "charge-1")
    # The loop runs with a clock 60 days ahead: everything finished is old enough to go.
    later: list[datetime] = [now + timedelta(days=60)]
    loop = asyncio.create_task(keep_house(db, every=0.05, clock=lambda: later[0]))

    async def gone() -> bool:
        async with db.read() as r:
            return (
                await r.quotes.get(stale_quote.id) is None
                and await r.outbox.get(sent) is None
                and await r.invoices.get(unpaid.id) is None
            )

    deadline = time.monotonic() + 5
    while not await gone():
        assert time.monotonic() < deadline, "nothing was purged"
        await asyncio.sleep(0.01)

    # Rows that came after the first turn go at a later turn.
    async with db.transaction() as tx:
        await add_user(tx, 2)
        await add_service(tx, 102)
        newer = await add_quote(tx, user_id=2, service_id=102, expires_in=timedelta(0))
    deadline = time.monotonic() + 5
    while True:
        async with db.read() as r:
            if await r.quotes.get(newer.id) is None:
                break
        assert time.monotonic() < deadline, "the second turn never came"
        await asyncio.sleep(0.01)
    await stopped(loop)

    async with db.read() as r:
        assert await r.quotes.get(order.quote_id) is not None
        assert (await r.outbox.get(failed)) is not None
        assert await r.invoices.get(paid.id) is not None
        assert await r.outbox.counts_by_state() == {OutboxState.FAILED: 1}


async def test_the_bot_runs_housekeeping_with_its_other_loops(
    services: Runtime, telegram: tuple[BotApiDouble, Bot]
) -> None:
    _, bot = telegram
    services.start(bot)
    try:
        names = {task.get_name() for task in services.tasks}
        assert {"catalogue-sync", "tracker", "notifier", "housekeeping"} <= names
    finally:
        await services.aclose()
