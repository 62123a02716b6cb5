"""``python -m bot`` starts for real: it logs in, migrates its database, recovers interrupted
orders, takes the panel's catalogue, polls for updates, and stops cleanly on SIGTERM.

It starts as a new owner starts it, from ``.env.example``; a token Telegram refuses ends it
in one line; Telegram or the panel out of reach at start only delays what needs them."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from api.sandbox import ManualClock, SandboxPanel, create_app
from bot.config import Settings

from ..support.ports import free_port
from ..support.process import ROOT, Child, Launcher
from ..support.telegram.bot_api import BotApiDouble, create_bot_api_app
from ..support.telegram.failures import BAD_GATEWAY, NOT_FOUND, SERVER_ERROR, bad_request

TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-Ew"
PANEL_KEY = "startup-panel-key-5e1"


async def _wait_for(condition: object, seconds: float = 20) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():  # type: ignore[operator]
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.01)


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


def _base_settings(tmp_path: Path, telegram_url: str) -> dict[str, str]:
    return {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram_url,
        "DATABASE_PATH": str(tmp_path / "shop.sqlite3"),
        "LOG_LEVEL": "INFO",
    }


async def test_sandbox_mode_needs_only_a_bot_token(tmp_path: Path, launcher: Launcher) -> None:
    double = BotApiDouble()
    telegram_server = TestServer(create_bot_api_app(double), host="127.0.0.1")
    await telegram_server.start_server()
    settings = _base_settings(tmp_path, str(telegram_server.make_url("")))
    try:
        async with BotProcess(tmp_path, settings, "--sandbox", launcher=launcher) as bot:
            await bot.wait_for(lambda: "getUpdates" in double.methods())
            await bot.wait_for(lambda: _service_count(tmp_path / "shop.sqlite3") > 0)
            assert await bot.terminate() == 0, bot.log
    finally:
        await telegram_server.close()
    assert "SANDBOX MODE" in bot.log
    assert "Traceback" not in bot.log


async def test_webhook_mode_checks_the_secret_and_answers_updates(
    tmp_path: Path, launcher: Launcher
) -> None:
    double = BotApiDouble()
    telegram_server = TestServer(create_bot_api_app(double), host="127.0.0.1")
    await telegram_server.start_server()
    port = free_port()
    settings = _base_settings(tmp_path, str(telegram_server.make_url("")))
    settings.update(
        {
            "PANEL_API_URL": "sandbox",
            "WEBHOOK_URL": "https://shop.example.test",
            "WEBHOOK_PATH": "/hook",
            "WEBHOOK_SECRET": "s3cret-token",
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        }
    )
    update = {"update_id": 1, **_start_update()}
    url = f"http://127.0.0.1:{port}/hook"
    try:
        async with BotProcess(tmp_path, settings, launcher=launcher) as bot:
            await bot.wait_for(lambda: "setWebhook" in double.methods())
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
            await bot.wait_for(lambda: "sendMessage" in double.methods())
            assert await bot.terminate() == 0, bot.log
    finally:
        await telegram_server.close()
    assert "getUpdates" not in double.methods()
    [welcome] = [call for call in double.calls if call.method == "sendMessage"]
    assert welcome.params["chat_id"] == 777
    assert "Hello, Ann!" in welcome.params["text"]
    assert "s3cret-token" not in bot.log


# --- starting as a new owner does, and with Telegram or the panel out of reach -------------

#: Another well-formed token: Telegram answers 401 Unauthorized to it.
REFUSED_TOKEN = "987654321:AAFrefusedrefusedrefusedrefusedrefu"
#: Every setting's variable: none may leak in from the environment the tests run in.
SETTING_VARIABLES = frozenset(name.upper() for name in Settings.model_fields)


def _start_update(user_id: int = 777) -> dict[str, Any]:
    return {
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Ann", "language_code": "en"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        }
    }


class BotProcess:
    """``python -m bot`` in ``workdir`` with exactly ``settings`` (nothing from the tests'
    own environment); its stderr is read as it runs. Forked by ``launcher`` when one is
    given (a process of its own, but without an interpreter's seconds of imports), else a
    new interpreter, as the owner starts it."""

    def __init__(
        self,
        workdir: Path,
        settings: Mapping[str, str],
        *args: str,
        launcher: Launcher | None = None,
    ) -> None:
        self.workdir = workdir
        self.env = {
            key: value for key, value in os.environ.items() if key.upper() not in SETTING_VARIABLES
        }
        self.env.update({"PYTHONPATH": str(ROOT), **settings})
        self.args = args
        self.launcher = launcher
        self._lines: list[str] = []
        self._process: asyncio.subprocess.Process | Child | None = None
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> BotProcess:
        if self.launcher is not None:
            self._process = await self.launcher.run(
                *self.args,
                module="bot",
                env=self.env,
                cwd=self.workdir,
                stderr=self.workdir / "bot.stderr",
            )
            return self
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *self.args, cwd=self.workdir, env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        self._process = process
        self._reader = asyncio.create_task(self._read(process))
        return self

    async def __aexit__(self, *_: object) -> None:
        if self.returncode is None:
            self.process.kill()
            await self.process.wait()
        await self._finished()

    @property
    def process(self) -> asyncio.subprocess.Process | Child:
        assert self._process is not None
        return self._process

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    @property
    def lines(self) -> list[str]:
        """The lines of its stderr so far."""
        if isinstance(self.process, Child):
            return self.process.stderr().splitlines(keepends=True)
        return self._lines

    @property
    def log(self) -> str:
        return "".join(self.lines)

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        while line := await process.stderr.readline():
            self._lines.append(line.decode(errors="replace"))

    async def _finished(self) -> None:
        await asyncio.wait_for(self.process.wait(), 30)
        if self._reader is not None:
            await asyncio.wait_for(self._reader, 10)

    async def wait_for(self, condition: Callable[[], bool], seconds: float = 20) -> None:
        """Until ``condition`` holds; fails at once, with the log, if the bot exits."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not condition():
            assert self.returncode is None, f"the bot exited ({self.returncode}):\n{self.log}"
            assert loop.time() < deadline, f"timed out; the log so far:\n{self.log}"
            await asyncio.sleep(0.01)

    async def exit_status(self, seconds: float = 30) -> int:
        """Wait for the bot to end by itself; its exit status."""
        await asyncio.wait_for(self.process.wait(), seconds)
        await self._finished()
        assert self.returncode is not None
        return self.returncode

    async def terminate(self) -> int:
        """SIGTERM, as systemd and Docker stop it; its exit status."""
        self.process.send_signal(signal.SIGTERM)
        return await self.exit_status()


def assert_quiet_exit(log: str) -> None:
    """No crash, no leak, no secret in a run's log."""
    assert "Traceback" not in log, log
    assert "Unclosed" not in log, log
    assert TOKEN.split(":")[1] not in log, log
    assert REFUSED_TOKEN.split(":")[1] not in log, log


async def serve(app: Any, port: int | None = None) -> TestServer:
    server = TestServer(app, host="127.0.0.1", port=port)
    await server.start_server()
    return server


async def test_the_committed_env_example_runs_with_only_a_bot_token(tmp_path: Path) -> None:
    """``cp .env.example .env`` and a token (the environment wins over .env): the bot
    starts, answers /start, and stops cleanly; the example's panel is out of reach here."""
    shutil.copyfile(ROOT / ".env.example", tmp_path / ".env")
    double = BotApiDouble(token=TOKEN)
    telegram = await serve(create_bot_api_app(double))
    settings = {"BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": str(telegram.make_url(""))}
    try:
        # A new interpreter, exactly as the README starts it.
        async with BotProcess(tmp_path, settings) as bot:
            await bot.wait_for(lambda: "getUpdates" in double.methods())
            double.queue_update(_start_update())
            await bot.wait_for(lambda: bool(double.delivered_to(777)))
            assert double.delivered_to(777)[0].startswith("👋 <b>Hello, Ann!</b>")
            assert await bot.terminate() == 0, bot.log
    finally:
        await telegram.close()
    assert_quiet_exit(bot.log)
    assert (tmp_path / "data" / "bot.sqlite3").exists()


@pytest.mark.parametrize("refusal", ["unauthorized", "not_found"])
async def test_a_token_telegram_refuses_ends_in_one_line(
    tmp_path: Path, refusal: str, launcher: Launcher
) -> None:
    """401 for a token Telegram does not know, 404 for one it cannot read: one line naming
    BOT_TOKEN, exit status 2, nothing else (no database is even created)."""
    double = BotApiDouble(token=TOKEN)
    token = REFUSED_TOKEN
    if refusal == "not_found":
        double.fail_method("getMe", NOT_FOUND, times=100)
        token = TOKEN
    telegram = await serve(create_bot_api_app(double))
    settings = {
        "BOT_TOKEN": token,
        "TELEGRAM_API_URL": str(telegram.make_url("")),
        "PANEL_API_URL": "sandbox",
        "DATABASE_PATH": str(tmp_path / "shop.sqlite3"),
    }
    try:
        async with BotProcess(tmp_path, settings, launcher=launcher) as bot:
            status = await bot.exit_status()
    finally:
        await telegram.close()
    assert status == 2, bot.log
    assert len(bot.lines) == 1, bot.log
    reason = "Unauthorized" if refusal == "unauthorized" else "Not Found"
    assert bot.lines[0] == f"smm-bot: BOT_TOKEN was refused by Telegram ({reason})\n"
    assert_quiet_exit(bot.log)
    assert double.methods() == ["getMe"]
    assert not (tmp_path / "shop.sqlite3").exists()


def _retries(log: str) -> list[str]:
    return [line for line in log.splitlines() if "Telegram did not answer" in line]


async def test_telegram_out_of_reach_at_start_is_waited_for(
    tmp_path: Path, launcher: Launcher
) -> None:
    """Nothing listens where Telegram should be: one line per attempt, tried again after
    1, 2 ... seconds; once it answers, customers are served."""
    port = free_port()
    settings = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{port}",
        "PANEL_API_URL": "sandbox",
        "DATABASE_PATH": str(tmp_path / "shop.sqlite3"),
    }
    double = BotApiDouble(token=TOKEN)
    telegram: TestServer | None = None
    try:
        async with BotProcess(tmp_path, settings, launcher=launcher) as bot:
            await bot.wait_for(lambda: len(_retries(bot.log)) >= 2)
            telegram = await serve(create_bot_api_app(double), port)
            await bot.wait_for(lambda: "getUpdates" in double.methods())
            double.queue_update(_start_update())
            await bot.wait_for(lambda: bool(double.delivered_to(777)))
            assert await bot.terminate() == 0, bot.log
    finally:
        if telegram is not None:
            await telegram.close()
    assert_quiet_exit(bot.log)
    first, second = _retries(bot.log)[:2]
    assert "trying again in 1 s" in first
    assert "trying again in 2 s" in second


async def test_sigterm_while_waiting_for_telegram_stops_cleanly(
    tmp_path: Path, launcher: Launcher
) -> None:
    settings = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{free_port()}",
        "PANEL_API_URL": "sandbox",
        "DATABASE_PATH": str(tmp_path / "shop.sqlite3"),
    }
    async with BotProcess(tmp_path, settings, launcher=launcher) as bot:
        await bot.wait_for(lambda: len(_retries(bot.log)) >= 1)
        assert await bot.terminate() == 0, bot.log
    assert_quiet_exit(bot.log)


async def test_webhook_mode_waits_for_telegram_as_well(tmp_path: Path, launcher: Launcher) -> None:
    """Telegram answers 5xx, then an HTML page from its front: the bot tries again, then
    registers its webhook and takes updates there."""
    double = BotApiDouble(token=TOKEN)
    double.fail_method("getMe", SERVER_ERROR)
    double.fail_method("setWebhook", BAD_GATEWAY)
    telegram = await serve(create_bot_api_app(double))
    port = free_port()
    settings = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": str(telegram.make_url("")),
        "PANEL_API_URL": "sandbox",
        "DATABASE_PATH": str(tmp_path / "shop.sqlite3"),
        "WEBHOOK_URL": "https://shop.example.test",
        "WEBHOOK_SECRET": "s3cret-token",
        "WEBHOOK_PORT": str(port),
    }
    update = {"update_id": 1, **_start_update()}
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
    try:
        async with BotProcess(tmp_path, settings, launcher=launcher) as bot:
            await bot.wait_for(lambda: double.methods().count("setWebhook") == 2)
            async with aiohttp.ClientSession() as http:
                url = f"http://127.0.0.1:{port}/telegram/webhook"
                async with http.post(url, json=update, headers=headers) as accepted:
                    assert accepted.status == 200
            await bot.wait_for(lambda: bool(double.delivered_to(777)))
            assert await bot.terminate() == 0, bot.log
    finally:
        await telegram.close()
    assert_quiet_exit(bot.log)
    assert len(_retries(bot.log)) == 2, bot.log


async def test_a_panel_out_of_reach_at_start_delays_only_the_catalogue(
    tmp_path: Path, launcher: Launcher
) -> None:
    """The panel does not answer at start: customers are served meanwhile, and once it
    answers the catalogue is taken within seconds, not after CATALOGUE_SYNC_MINUTES."""
    port = free_port()
    panel = SandboxPanel(clock=ManualClock())
    panel.add_account(PANEL_KEY, Decimal(10))
    double = BotApiDouble(token=TOKEN)
    telegram = await serve(create_bot_api_app(double))
    database = tmp_path / "shop.sqlite3"
    settings = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": str(telegram.make_url("")),
        "PANEL_API_URL": f"http://127.0.0.1:{port}/api/v2",
        "PANEL_API_KEY": PANEL_KEY,
        "DATABASE_PATH": str(database),
        "CATALOGUE_SYNC_MINUTES": "60",
    }
    panel_server: TestServer | None = None
    try:
        async with BotProcess(tmp_path, settings, launcher=launcher) as bot:
            await bot.wait_for(lambda: "catalogue sync failed" in bot.log)
            double.queue_update(_start_update())
            await bot.wait_for(lambda: bool(double.delivered_to(777)))
            panel_server = await serve(create_app(panel), port)
            await bot.wait_for(lambda: _service_count(database) == len(panel.services), 15)
            assert await bot.terminate() == 0, bot.log
    finally:
        await telegram.close()
        if panel_server is not None:
            await panel_server.close()
    assert_quiet_exit(bot.log)
    failures = [line for line in bot.lines if "catalogue sync failed" in line]
    assert failures, bot.log
    assert "trying again in 2 s" in failures[0]
    # One line per attempt: the panel client does not repeat what the sync says.
    assert "panel services failed" not in bot.log
    assert all(PANEL_KEY not in line for line in bot.lines)


async def test_a_webhook_address_telegram_refuses_ends_in_one_line(
    tmp_path: Path, launcher: Launcher
) -> None:
    double = BotApiDouble(token=TOKEN)
    double.fail_method("setWebhook", bad_request("bad webhook: Failed to resolve host"))
    telegram = await serve(create_bot_api_app(double))
    settings = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": str(telegram.make_url("")),
        "PANEL_API_URL": "sandbox",
        "DATABASE_PATH": str(tmp_path / "shop.sqlite3"),
        "WEBHOOK_URL": "https://shop.example.test",
        "WEBHOOK_PORT": str(free_port()),
    }
    try:
        async with BotProcess(tmp_path, settings, launcher=launcher) as bot:
            status = await bot.exit_status()
    finally:
        await telegram.close()
    assert status == 2, bot.log
    assert bot.lines[-1] == (
        "smm-bot: WEBHOOK_URL was refused by Telegram"
        " (Bad Request: bad webhook: Failed to resolve host)\n"
    )
    assert_quiet_exit(bot.log)


def test_a_bot_on_a_real_panel_and_long_polling_loads_no_sandbox_nor_web_server() -> None:
    """What the process imports stays in its memory for good: the sandboxes and the web
    server are loaded only when the shop runs on the sandbox or a webhook."""
    script = (
        "import sys; import bot.__main__, bot.app, bot.runtime, handlers\n"
        "print(sorted(m for m in sys.modules"
        " if m.startswith(('api.sandbox', 'api.cryptopay.sandbox', 'aiohttp.web'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert (done.returncode, done.stdout.strip()) == (0, "[]"), done.stderr
