"""``python -m bot`` starts for real: it logs in, migrates its database, recovers interrupted
orders, takes the panel's catalogue, polls for updates, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import sys
from decimal import Decimal
from pathlib import Path

import aiohttp
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


def _base_env(tmp_path: Path, telegram_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PANEL_")}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": telegram_url,
            "DATABASE_PATH": str(tmp_path / "shop.sqlite3"),
            "LOG_LEVEL": "INFO",
        }
    )
    return env


async def test_sandbox_mode_needs_only_a_bot_token(tmp_path: Path) -> None:
    double = BotApiDouble()
    telegram_server = TestServer(create_bot_api_app(double), host="127.0.0.1")
    await telegram_server.start_server()
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--sandbox", cwd=tmp_path,
        env=_base_env(tmp_path, str(telegram_server.make_url(""))),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await _wait_for(lambda: "getUpdates" in double.methods())
        await _wait_for(lambda: _service_count(tmp_path / "shop.sqlite3") > 0)
    finally:
        bot.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(bot.communicate(), 30)
        await telegram_server.close()
    log = stderr.decode()
    assert bot.returncode == 0, log
    assert "SANDBOX MODE" in log
    assert "Traceback" not in log


async def test_webhook_mode_checks_the_secret_and_answers_updates(tmp_path: Path) -> None:
    double = BotApiDouble()
    telegram_server = TestServer(create_bot_api_app(double), host="127.0.0.1")
    await telegram_server.start_server()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = _base_env(tmp_path, str(telegram_server.make_url("")))
    env.update(
        {
            "PANEL_API_URL": "sandbox",
            "WEBHOOK_URL": "https://shop.example.test",
            "WEBHOOK_PATH": "/hook",
            "WEBHOOK_SECRET": "s3cret-token",
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        }
    )
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 777, "type": "private"},
            "from": {"id": 777, "is_bot": False, "first_name": "Ann", "language_code": "en"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    url = f"http://127.0.0.1:{port}/hook"
    try:
        await _wait_for(lambda: "setWebhook" in double.methods())
        [hook] = [call for call in double.calls if call.method == "setWebhook"]
        assert hook.params["url"] == "https://shop.example.test/hook"
        assert hook.params["secret_token"] == "s3cret-token"
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=update) as refused:
                assert refused.status in (401, 403)
            async with http.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
            ) as accepted:
                assert accepted.status == 200
        await _wait_for(lambda: "sendMessage" in double.methods())
    finally:
        bot.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(bot.communicate(), 30)
        await telegram_server.close()
    log = stderr.decode()
    assert bot.returncode == 0, log
    assert "getUpdates" not in double.methods()
    [welcome] = [call for call in double.calls if call.method == "sendMessage"]
    assert welcome.params["chat_id"] == 777
    assert "Hello, Ann!" in welcome.params["text"]
    assert "s3cret-token" not in log
