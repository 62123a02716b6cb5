"""Benchmark: 3,000 notifications to 1,000 chats through the notifier, against a Bot API
double that enforces Telegram's limits, on a scaled clock.

The double (``tests/support/bot_api.py``) runs in a process of its own on 127.0.0.1 and
answers 429 with ``retry_after`` to any message over the limits: 30 a second in all, one a
second to a chat, 20 a minute to a group, all ``--scale`` times faster (x10: 300 a second,
one every 0.1 s to a chat). The notifier, with a real aiogram Bot, is given the same scaled
limits and drains an outbox (a real SQLite file) holding ``--messages`` notices for
``--chats`` customers, queued in a shuffled order as polls produce them.

Prints the achieved rate as a share of the allowed rate (the global limit is the one that
binds: no chat gets more than a few messages), the 429s seen (must be 0), and whether every
chat got its messages once and in order.

    python bench/notifier.py [--messages 3000] [--chats 1000] [--scale 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import platform
import random
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiohttp import web

from bot.notifier import Notifier, SendLimits
from shop.storage import Database, OutboxState

# The double lives with the tests; run as a script, the project's root is not on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.telegram.bot_api import BotApiDouble, create_bot_api_app  # noqa: E402
from tests.support.telegram.limits import RateLimits  # noqa: E402

TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-Ew"
FIRST_CHAT = 500_000


# --- the double, in its own process -------------------------------------------------------


def _serve_double(scale: float, pipe: Connection) -> None:
    """Child process: serve the rate-enforcing double until told to stop; then send back
    what it saw."""

    async def serve() -> None:
        double = BotApiDouble(limits=RateLimits.scaled(scale))
        runner = web.AppRunner(create_bot_api_app(double), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        pipe.send(runner.addresses[0][1])
        await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
        await runner.cleanup()
        pipe.send(
            {
                "deliveries": [(d.chat_id, d.text, d.at) for d in double.deliveries],
                "refusals": [(r.chat_id, r.failure.status, r.limit) for r in double.refusals],
            }
        )

    asyncio.run(serve())


# --- the run --------------------------------------------------------------------------------


def _plan(messages: int, chats: int, seed: int = 1) -> list[tuple[int, str]]:
    """``messages`` notices spread evenly over ``chats``, in a shuffled order; each chat's
    notices are numbered in the order they are queued."""
    targets = [FIRST_CHAT + number % chats for number in range(messages)]
    random.Random(seed).shuffle(targets)
    seen: dict[int, int] = {}
    plan = []
    for chat_id in targets:
        seen[chat_id] = seen.get(chat_id, 0) + 1
        plan.append((chat_id, f"notice {seen[chat_id]} to {chat_id}"))
    return plan


async def run(messages: int, chats: int, scale: float) -> None:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=_serve_double, args=(scale, theirs), daemon=True)
    child.start()
    port = ours.recv()
    url = f"http://127.0.0.1:{port}"
    limits = SendLimits(
        per_second=30 * scale,
        chat_interval_seconds=1 / scale,
        group_per_minute=round(20 * scale),
    )
    plan = _plan(messages, chats)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-notifier-") as folder:
            async with await Database.open(Path(folder) / "shop.sqlite3") as db:
                async with db.transaction() as tx:
                    for chat_id in sorted({chat for chat, _ in plan}):
                        await tx.users.upsert(chat_id, None, f"Customer {chat_id}", "en")
                    for chat_id, text in plan:
                        await tx.outbox.enqueue(chat_id, text, "bench", user_id=chat_id)
                bot = Bot(
                    TOKEN,
                    session=AiohttpSession(api=TelegramAPIServer.from_base(url)),
                    default=DefaultBotProperties(parse_mode=ParseMode.HTML),
                )
                notifier = Notifier(db, bot, limits)
                started = time.perf_counter()
                task = asyncio.create_task(notifier.run())
                while notifier.counts.sent + notifier.counts.failed < messages:
                    if task.done():
                        task.result()
                    await asyncio.sleep(0.01)
                elapsed = time.perf_counter() - started
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                await bot.session.close()
                async with db.read() as r:
                    states = await r.outbox.counts_by_state()
    finally:
        ours.send("stop")
        seen = ours.recv()
        child.join(timeout=10)

    deliveries: list[tuple[int, str, float]] = seen["deliveries"]
    refusals: list[tuple[int, int, str | None]] = seen["refusals"]
    too_fast = [r for r in refusals if r[2] is not None]
    allowed = 30 * scale
    achieved = messages / elapsed
    span = deliveries[-1][2] - deliveries[0][2] if len(deliveries) > 1 else float("nan")
    at_double = (len(deliveries) - 1) / span
    expected: dict[int, list[str]] = {}
    for chat_id, text in plan:
        expected.setdefault(chat_id, []).append(text)
    got: dict[int, list[str]] = {}
    for chat_id, text, _ in deliveries:
        got.setdefault(chat_id, []).append(text)
    in_order = got == expected

    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}")  # fmt: skip
    print(f"notifications: {messages} to {chats} chats; clock scaled x{scale:g}")
    print(f"limits (scaled): {allowed:g}/s in all, one per {1 / scale:g} s to a chat,"
          f" {round(20 * scale)}/min to a group")  # fmt: skip
    print(
        f"delivered: {len(deliveries)}, outbox: "
        + ", ".join(f"{state.value} {n}" for state, n in sorted(states.items()))
    )
    print(f"wall time: {elapsed:.2f} s (at least {messages / allowed:.2f} s at the allowed rate)")
    print(
        f"achieved rate: {achieved:,.1f}/s = {achieved / allowed:.1%} of the allowed {allowed:g}/s"
    )
    print(f"rate seen by Telegram (first to last delivery): {at_double:,.1f}/s"
          f" = {at_double / allowed:.1%}")  # fmt: skip
    print(f"429s seen: {len(refusals)} (caused by going too fast: {len(too_fast)}; must be 0)")
    print(f"every chat got its messages once and in order: {'yes' if in_order else 'NO'}")
    if refusals or not in_order or states.get(OutboxState.SENT) != messages:
        raise SystemExit("FAILED")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3_000)
    parser.add_argument("--chats", type=int, default=1_000)
    parser.add_argument("--scale", type=float, default=10.0, help="limits run this much faster")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(run(args.messages, args.chats, args.scale))


if __name__ == "__main__":
    main()
