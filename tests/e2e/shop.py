"""The shop as its owner runs it: ``python -m bot`` in a process of its own, talking over
loopback HTTP to a Bot API double and to the sandbox panel, both served by the test.

A :class:`Shop` can be stopped with SIGTERM, killed with SIGKILL and started again on the
same database, as a crash and a restart would. Each run is forked by the tests'
:class:`~tests.support.process.Launcher`, so a start costs a fraction of a second rather
than the seconds of a new interpreter's imports.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from aiohttp.test_utils import TestServer

from api import OrderType, Service
from api.sandbox import ManualClock, SandboxPanel, create_app

from ..support.process import ROOT, Child, Launcher
from ..support.telegram.bot_api import BotApiDouble, create_bot_api_app

TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-Ew"
PANEL_KEY = "e2e-panel-key"
ADMIN_CHAT = -1009999
OWNER = 4444


@dataclass
class Shop:
    """The bot process and the two servers it talks to."""

    panel: SandboxPanel
    clock: ManualClock
    telegram: BotApiDouble
    env: dict[str, str]
    workdir: Path
    launcher: Launcher
    process: Child | None = None
    #: stderr of every run that has ended, oldest first.
    logs: list[str] = field(default_factory=list)

    @property
    def database(self) -> Path:
        return Path(self.env["DATABASE_PATH"])

    async def start(self, ready: str = "getUpdates") -> None:
        """Start the bot and wait until it polls for updates (or makes another ``ready``
        call: ``setWebhook`` in webhook mode)."""
        assert self.process is None, "already running"
        polls = self.telegram.methods().count(ready)
        self.process = await self.launcher.run(
            module="bot",
            env=self.env,
            cwd=self.workdir,
            stderr=self.workdir / f"run-{len(self.logs)}.log",
        )
        process = self.process

        def polling() -> bool:
            return self.telegram.methods().count(ready) > polls

        with contextlib.suppress(AssertionError):
            await self.until(
                lambda: polling() or process.returncode is not None, 30, "the bot polls"
            )
        if polling():
            return
        process.kill()
        await self._collect()
        raise AssertionError(f"the bot did not start:\n{self.logs[-1]}")

    async def catalogue_taken(self, timeout: float = 30) -> None:
        """Wait until the running bot has stored the panel's catalogue: it is taken in the
        background, while the bot already answers."""
        await self.until(
            lambda: bool(self.query("SELECT COUNT(*) FROM services")[0][0]),
            timeout,
            "the catalogue is taken",
        )

    async def until(self, check: Callable[[], bool], timeout: float, what: str) -> None:
        """Until ``check()`` holds, looking every few milliseconds."""
        deadline = time.monotonic() + timeout
        while not check():
            assert time.monotonic() < deadline, f"timed out waiting until {what}"
            await asyncio.sleep(0.01)

    async def stop(self) -> str:
        """SIGTERM, as systemd and Docker stop it; returns the run's log after checking it
        exited cleanly and kept every secret out of it."""
        assert self.process is not None, "not running"
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            # The bot need not wait out its long poll to stop.
            self.telegram.release_polls()
        returncode = await self._collect()
        log = self.logs[-1]
        assert returncode == 0, log
        assert_clean_log(log)
        return log

    async def kill(self) -> str:
        """SIGKILL: the process ends at once, wherever it was. Returns the run's log."""
        assert self.process is not None, "not running"
        if self.process.returncode is None:
            self.process.kill()
        await self._collect()
        return self.logs[-1]

    async def _collect(self) -> int:
        assert self.process is not None
        _, stderr = await asyncio.wait_for(self.process.communicate(), 30)
        returncode = self.process.returncode
        assert returncode is not None
        self.logs.append(stderr.decode(errors="replace"))
        self.process = None
        return returncode

    def query(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        """Rows of a read-only query of the shop's database (the bot may be running)."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=10) as conn:
            return list(conn.execute(sql, params).fetchall())


def assert_clean_log(log: str) -> None:
    """No crash and no secret in a run's log."""
    assert "Traceback" not in log, log
    assert TOKEN.split(":")[1] not in log
    assert PANEL_KEY not in log


@asynccontextmanager
async def running_shop(
    workdir: Path,
    launcher: Launcher,
    env: Mapping[str, str] | None = None,
    *,
    panel_balance: Decimal = Decimal(1000),
    start: bool = True,
) -> AsyncIterator[Shop]:
    """A shop on a fresh database in ``workdir``; ``env`` adds or overrides settings.
    On leaving, a running bot is stopped with SIGTERM and must exit cleanly."""
    clock = ManualClock()
    panel = SandboxPanel(clock=clock)
    panel.add_account(PANEL_KEY, panel_balance)
    telegram = BotApiDouble()
    panel_app = create_app(panel)
    # The panel's requests count as the bot being busy, for the chats' settle.
    panel_app.middlewares.append(telegram.activity.middleware)
    panel_server = TestServer(panel_app, host="127.0.0.1")
    telegram_server = TestServer(create_bot_api_app(telegram), host="127.0.0.1")
    await panel_server.start_server()
    await telegram_server.start_server()
    settings = {key: value for key, value in os.environ.items() if not key.startswith("PANEL_")}
    settings.update(
        {
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": TOKEN,
            "PANEL_API_KEY": PANEL_KEY,
            "PANEL_API_URL": str(panel_server.make_url("/api/v2")),
            "TELEGRAM_API_URL": str(telegram_server.make_url("")),
            "DATABASE_PATH": str(workdir / "shop.sqlite3"),
            "POLL_INTERVAL_SECONDS": "5",
            "ADMIN_CHAT_ID": str(ADMIN_CHAT),
            "ADMIN_IDS": str(OWNER),
        }
    )
    settings.update(env or {})
    shop = Shop(panel, clock, telegram, settings, workdir, launcher)
    try:
        if start:
            await shop.start()
        yield shop
        if shop.process is not None:
            await shop.stop()
    finally:
        if shop.process is not None and shop.process.returncode is None:
            shop.process.kill()
            await shop.process.wait()
        await panel_server.close()
        await telegram_server.close()


def service_of(panel: SandboxPanel, order_type: OrderType, category: str | None = None) -> Service:
    """The sandbox's first service of ``order_type`` (in ``category``, if given)."""
    for row in panel.services:
        service = panel.service(int(str(row["service"])))
        if service.order_type is order_type and category in (None, service.category):
            return service
    raise AssertionError(f"no {order_type} service")
