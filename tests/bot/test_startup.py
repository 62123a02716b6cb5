"""``python -m bot`` starts for real: it logs in, migrates its database, recovers interrupted
orders, takes the panel's catalogue, polls for updates, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from decimal import Decimal
from pathlib import Path

from aiohttp.test_utils import TestServer

from api.sandbox import ManualClock, SandboxPanel, create_app

from ..support.bot_api import BotApiDouble, create_bot_api_app

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-Ew"
PANEL_KEY = "startup-panel-key-5e1"


async def _wait_for(condition: object, seconds: float = 20) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():  # type: ignore[operator]
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def _service_count(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM services").fetchone()[0])
    except sqlite3.Error:
        return 0


async def test_the_bot_starts_syncs_the_catalogue_and_stops_on_sigterm(tmp_path: Path) -> None:
    panel = SandboxPanel(clock=ManualClock())
    panel.add_account(PANEL_KEY, Decimal(10))
    double = BotApiDouble()
    panel_server = TestServer(create_app(panel), host="127.0.0.1")
    telegram_server = TestServer(create_bot_api_app(double), host="127.0.0.1")
    await panel_server.start_server()
    await telegram_server.start_server()
    database = tmp_path / "data" / "shop.sqlite3"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "PANEL_API_KEY": PANEL_KEY,
        "PANEL_API_URL": str(panel_server.make_url("/api/v2")),
        "TELEGRAM_API_URL": str(telegram_server.make_url("")),
        "DATABASE_PATH": str(database),
        "LOG_LEVEL": "INFO",
    }
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await _wait_for(lambda: "getUpdates" in double.methods())
        await _wait_for(lambda: _service_count(database) == len(panel.services))
    finally:
        bot.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(bot.communicate(), 30)
        await panel_server.close()
        await telegram_server.close()
    log = stderr.decode()
    assert bot.returncode == 0, log
    assert "Traceback" not in log
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log
    assert PANEL_KEY not in log
    assert "getMe" in double.methods()
    assert [r.action for r in panel.requests].count("services") == 1
