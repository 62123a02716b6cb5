"""A customer's topic that is gone: the message's second try and the new topic it needs go
out within Telegram's limits, as every other message does (against the Bot API double over
loopback HTTP, which refuses a message sent too soon after the last one to the chat)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiohttp.test_utils import TestServer

from bot.notifier import Notifier, SendLimits
from shop.storage import Database, OutboxState
from shop.support import SUPPORT_IN_KIND

from ..conftest import TOKEN
from ..support.telegram.bot_api import BotApiDouble, create_bot_api_app
from ..support.telegram.limits import RateLimits

GROUP = -100_880
CUSTOMER = 42
#: A topic the staff deleted.
GONE_THREAD = 999
#: A message to one chat at most every 0.2 s: the notifier is told the same.
LIMITS = RateLimits(per_window=300, chat_interval_seconds=0.2, group_per_window=100)
SEND = SendLimits(per_second=300, chat_interval_seconds=0.2, group_per_minute=100)


@pytest.fixture
async def double() -> AsyncIterator[tuple[BotApiDouble, str]]:
    telegram = BotApiDouble(limits=LIMITS)
    telegram.topics[GROUP] = set()
    server = TestServer(create_bot_api_app(telegram), host="127.0.0.1")
    await server.start_server()
    yield telegram, str(server.make_url(""))
    await server.close()


async def test_the_retry_after_a_gone_topic_and_its_new_topic_wait_their_turn(
    double: tuple[BotApiDouble, str], tmp_path: Path
) -> None:
    telegram, url = double
    db = await Database.open(tmp_path / "shop.sqlite3")
    bot = Bot(
        TOKEN,
        session=AiohttpSession(api=TelegramAPIServer.from_base(url)),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    try:
        async with db.transaction() as tx:
            await tx.users.upsert(CUSTOMER, "ann", "Ann", "en")
            await tx.support.set_topic(CUSTOMER, GROUP, GONE_THREAD)
            row_id = await tx.outbox.enqueue(
                GROUP, "", SUPPORT_IN_KIND, copy_of=(CUSTOMER, 7), topic_user_id=CUSTOMER
            )
        assert row_id is not None
        notifier = Notifier(db, bot, SEND)

        task = asyncio.create_task(notifier.run())
        deadline = time.monotonic() + 10
        try:
            while True:
                async with db.read() as r:
                    row = await r.outbox.get(row_id)
                assert row is not None
                if row.state is not OutboxState.PENDING or task.done():
                    break
                assert time.monotonic() < deadline, "not delivered"
                await asyncio.sleep(0.01)
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        async with db.read() as r:
            thread = await r.support.topic(CUSTOMER, GROUP)
    finally:
        await bot.session.close()
        await db.close()

    assert (row.state, row.attempts) == (OutboxState.SENT, 1)
    assert telegram.refusals == []
    calls = [(c.method, c.params.get("message_thread_id")) for c in telegram.calls]
    assert calls == [
        ("copyMessage", GONE_THREAD),
        ("createForumTopic", None),
        ("copyMessage", thread),
    ]
