"""The bot's Telegram session reads answers without building a pydantic model per call."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp.test_utils import TestServer
from pydantic._internal import _generics

from ..support.telegram.bot_api import BotApiDouble, create_bot_api_app
from ..support.telegram.session import _RESPONSE_MODELS as _TESTS_RESPONSE_MODELS
from ..support.telegram.shop_bot import TOKEN, shop_bot_on


@pytest.fixture
def model_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the generic models pydantic builds from now on, with no answer model kept
    alive by the tests' own sessions (they keep them, for speed, across tests; they get them
    back as they use them), and none found in pydantic's cache: an earlier test's recorded
    error may still hold a model alive until its session is collected."""
    _TESTS_RESPONSE_MODELS._models.clear()
    monkeypatch.setattr(_generics, "_GENERIC_TYPES_CACHE", _generics.GenericTypesCache())
    built: list[str] = []
    build: Callable[..., Any] = _generics.create_generic_submodel

    def counting(name: str, *args: Any) -> Any:
        built.append(name)
        return build(name, *args)

    monkeypatch.setattr(_generics, "create_generic_submodel", counting)
    return built


async def _send_after_collections(bot: Bot, times: int) -> None:
    for number in range(times):
        gc.collect()
        message = await bot.send_message(7, f"message {number}")
        assert message.text == f"message {number}"


async def test_answers_are_read_without_building_their_model_again(
    model_builds: list[str],
) -> None:
    double = BotApiDouble()
    async with shop_bot_on(double) as bot:
        await _send_after_collections(bot, 5)
    assert len(model_builds) <= 1  # the first answer's, at most
    assert [call.method for call in double.calls] == ["sendMessage"] * 5


async def test_without_keeping_the_models_each_answer_after_a_collection_builds_one(
    model_builds: list[str],
) -> None:
    """The cost the session removes, shown: plain aiogram builds a model again each time."""
    double = BotApiDouble()
    server = TestServer(create_bot_api_app(double), host="127.0.0.1")
    await server.start_server()
    bot = Bot(
        TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(str(server.make_url(""))))
    )
    try:
        await _send_after_collections(bot, 5)
    finally:
        await bot.session.close()
        await server.close()
    assert len(model_builds) == 5
