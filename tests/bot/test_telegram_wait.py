"""Start-up waits for Telegram: a call is tried again until Telegram answers it, whatever
kept the answer (no answer in time, 429, an HTML page), one log line per attempt; a refused
token ends the wait at once; a stop request ends it cleanly."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot import app
from bot.app import TelegramRefused, until_telegram_answers
from shop.supervisor import Backoff

from ..support.telegram.bot_api import BotApiDouble, create_bot_api_app
from ..support.telegram.failures import BAD_GATEWAY, UNAUTHORIZED, flood_wait

TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-Ew"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app, "TELEGRAM_BACKOFF", Backoff(0.01, 0.02))
    monkeypatch.setattr(app, "TELEGRAM_ATTEMPT_SECONDS", 0.2)


async def bot_at(server: TestServer) -> Bot:
    api = TelegramAPIServer.from_base(str(server.make_url("")))
    return Bot(TOKEN, session=AiohttpSession(api=api))


@pytest.fixture
async def double() -> AsyncIterator[tuple[BotApiDouble, Bot]]:
    fake = BotApiDouble()
    server = TestServer(create_bot_api_app(fake), host="127.0.0.1")
    await server.start_server()
    bot = await bot_at(server)
    yield fake, bot
    await bot.session.close()
    await server.close()


def retries(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "Telegram did not answer" in r.getMessage()]


async def test_an_unanswered_call_is_asked_again_until_answered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Telegram takes the request and says nothing: after TELEGRAM_ATTEMPT_SECONDS the
    attempt counts as failed, and the next one comes."""
    calls = 0

    async def get_me(_: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        if calls <= 2:
            await asyncio.sleep(5)
        return web.json_response(
            {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "Shop"}}
        )

    web_app = web.Application()
    web_app.router.add_post("/bot{token}/getMe", get_me)
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    bot = await bot_at(server)
    try:
        me = await until_telegram_answers(bot.get_me, "getMe", asyncio.Event())
    finally:
        await bot.session.close()
        await server.close()
    assert me.first_name == "Shop"
    assert calls == 3
    assert len(retries(caplog)) == 2
    assert "(TimeoutError: no answer in time)" in retries(caplog)[0]


async def test_a_429_is_waited_out_as_telegram_asks(
    double: tuple[BotApiDouble, Bot], caplog: pytest.LogCaptureFixture
) -> None:
    fake, bot = double
    fake.fail_method("getMe", flood_wait(1))
    fake.fail_method("getMe", BAD_GATEWAY)
    started = time.monotonic()
    await until_telegram_answers(bot.get_me, "getMe", asyncio.Event())
    assert time.monotonic() - started >= 1.0
    first, second = retries(caplog)
    assert "trying again in 1 s" in first
    assert "ClientDecodeError" in second
    assert "\n" not in second


async def test_a_refused_token_is_not_asked_again(double: tuple[BotApiDouble, Bot]) -> None:
    fake, bot = double
    fake.fail_method("getMe", UNAUTHORIZED)
    with pytest.raises(TelegramRefused) as refused:
        await until_telegram_answers(bot.get_me, "getMe", asyncio.Event())
    assert str(refused.value) == "BOT_TOKEN was refused by Telegram (Unauthorized)"
    assert fake.methods() == ["getMe"]


async def test_a_stop_request_ends_the_wait_even_mid_attempt(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def never(_: web.Request) -> web.Response:
        await asyncio.sleep(60)
        raise AssertionError("unreachable")

    web_app = web.Application()
    web_app.router.add_post("/bot{token}/getMe", never)
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    bot = await bot_at(server)
    stopping = asyncio.Event()
    waiting = asyncio.create_task(until_telegram_answers(bot.get_me, "getMe", stopping))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    stopping.set()
    try:
        with pytest.raises(app._StopRequested):
            await waiting
        assert time.monotonic() - started < 0.1
    finally:
        await bot.session.close()
        await server.close()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
