"""Benchmark: customers ordering through the bot's Dispatcher, against a bare echo bot.

Each simulated customer runs a whole order conversation, one update after another as a
person tapping through the bot would: /start, New order, a category, a service, Order, the
link, the quantity, No (no drip-feed), Confirm. All customers talk at once. The bot is the
real one (``create_dispatcher``: middlewares, translations, FSM state in SQLite, the
catalogue, quotes and exactly-once placement); the shop runs on a real SQLite file in a
temporary folder and the panel is the sandbox served on 127.0.0.1 in this process. Telegram
is a lean in-memory session that answers every Bot API call as soon as the event loop comes
back to it (a call over the network always lets other tasks run first) and keeps each chat's
latest screen, so the customers can tap the buttons they are shown. The garbage collector is
set as the bot sets it once started (``bot.heap.settle``).

The reference, in the same run: a bare aiogram Dispatcher with one handler that answers the
text it gets, fed the same number of updates at the same concurrency through the same kind of
session, with Python's default garbage collector.

Prints, for both: updates handled per second (all updates over the wall time) and the time
to handle one update (``Dispatcher.feed_update``) at p50, p99 and max. Checks that every
customer got their order placed, once. The shop and the echo bot run one after the other
``--rounds`` times (each round a new shop); the shares of each round and their median are
printed, since the machine's speed may move between two runs.

    python bench/conversation.py [--customers 500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import logging
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.methods import EditMessageText, GetMe, SendMessage, TelegramMethod
from aiogram.types import (
    Chat,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from aiohttp import web

from api import OrderType
from api.sandbox import ManualClock, SandboxPanel, create_app
from bot import heap, telegram_objects
from bot.app import create_dispatcher, open_runtime
from bot.config import load_settings
from bot.telegram_session import KeepResponseModels
from shop.catalogue import sync_catalogue
from shop.ledger import credit
from shop.storage import LedgerReason, OrderState

# The update builders live with the tests; run as a script, the project's root is not on the
# path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.telegram import updates  # noqa: E402
from tests.support.telegram.keyboards import inline_rows  # noqa: E402

KEY = "bench-key"
TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-Ew"
FIRST_USER = 100_000
QUANTITY = 1000
TOP_UP = Decimal(100)
DEFAULT_GC_THRESHOLDS = gc.get_threshold()
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Shop", "username": "shop_bot"}


# --- Telegram, in memory --------------------------------------------------------------------


@dataclass
class Screen:
    """A chat as the customer sees it: the bot's latest message with buttons, as the Bot API
    answered it (JSON, as an update quotes it)."""

    chat: Chat
    message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    keyboard_message: dict[str, Any] | None = None
    last_text: str = ""


class LeanSession(BaseSession):
    """Just enough of the Bot API for a benchmark: sends and edits are answered at once
    (with the message they make), everything else with ``true``."""

    def __init__(self) -> None:
        super().__init__()
        self.screens: dict[int, Screen] = {}
        self.requests = 0

    def screen(self, chat_id: int) -> Screen:
        if chat_id not in self.screens:
            self.screens[chat_id] = Screen(Chat(id=chat_id, type="private"))
        return self.screens[chat_id]

    async def close(self) -> None:
        """Nothing to close."""

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        self.requests += 1
        # As a call over the network does, the request lets other tasks run before its
        # answer: a bot never goes from one update to the next without yielding.
        await asyncio.sleep(0)
        result = self._answer(method)
        response = self.check_response(
            bot, method, 200, json.dumps({"ok": True, "result": result})
        )
        return response.result

    def _answer(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return BOT_USER
        if isinstance(method, SendMessage | EditMessageText) and isinstance(method.chat_id, int):
            screen = self.screen(method.chat_id)
            message_id = (
                method.message_id
                if isinstance(method, EditMessageText) and method.message_id is not None
                else next(screen.message_ids)
            )
            message = Message(
                message_id=message_id,
                date=datetime.now(UTC),
                chat=screen.chat,
                from_user=User.model_validate(BOT_USER),
                text=method.text,
                reply_markup=method.reply_markup,
            )
            screen.last_text = method.text
            answer = message.model_dump(mode="json", exclude_none=True, by_alias=True)
            if isinstance(method.reply_markup, InlineKeyboardMarkup):
                screen.keyboard_message = answer
            return answer
        return True


# --- customers ------------------------------------------------------------------------------


@dataclass
class Timings:
    """Seconds spent handling each update."""

    per_update: list[float] = field(default_factory=list)


class Customer:
    """One user sending text and tapping the buttons of the screen they were last shown: the
    updates are the ones the tests' chat driver queues at the Bot API double
    (``tests.support.telegram.updates``), validated as polling validates them."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        session: LeanSession,
        user_id: int,
        timings: Timings,
    ) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.session = session
        self.user_id = user_id
        self.user = updates.user(user_id, f"Customer {user_id}", language_code=None)
        self.chat = updates.private_chat(user_id, f"Customer {user_id}")
        self.screen = session.screen(user_id)
        self.timings = timings
        self.update_ids = itertools.count(user_id * 100)
        self.callback_ids = itertools.count(1)

    async def _feed(self, **update: Any) -> None:
        started = time.perf_counter()
        # Bound to the bot as polling binds it; an unbound update is read a second time by
        # feed_update.
        event = Update.model_validate(
            {"update_id": next(self.update_ids), **update}, context={"bot": self.bot}
        )
        await self.dispatcher.feed_update(self.bot, event)
        self.timings.per_update.append(time.perf_counter() - started)

    async def send(self, text: str) -> None:
        message_id = next(self.screen.message_ids)
        await self._feed(
            message=updates.text_message(self.chat, self.user, text, message_id=message_id)
        )

    async def tap(self, wanted: Callable[[str], bool]) -> None:
        """Tap the button ``wanted`` picks, paging forward (▶) until it is shown."""
        message = self.screen.keyboard_message
        assert message is not None, "no keyboard shown"
        buttons = [button for row in inline_rows(message["reply_markup"]) for button in row]
        data = next((data for label, data in buttons if wanted(label)), None)
        if data is None:
            await self.tap(lambda label: label == "▶")
            await self.tap(wanted)
            return
        query_id = f"{self.user_id}-{next(self.callback_ids)}"
        query = updates.callback_query(query_id, self.user, data, message, str(self.user_id))
        await self._feed(callback_query=query)


async def order_conversation(customer: Customer, category: str, service: str) -> None:
    """/start to a placed order: nine updates, and a tap on ▶ per list page turned."""
    await customer.send("/start")
    await customer.tap(lambda label: label.endswith("New order"))
    await customer.tap(lambda label: label.startswith(f"{category} ("))
    await customer.tap(lambda label: label.startswith(f"{service} — "))
    await customer.tap(lambda label: label.endswith("Order"))
    await customer.send(f"https://instagram.com/p/bench-{customer.user_id}")
    await customer.send(str(QUANTITY))
    await customer.tap(lambda label: label == "No")
    await customer.tap(lambda label: label.endswith("Confirm"))


async def echo_conversation(customer: Customer, messages: int) -> None:
    for number in range(messages):
        await customer.send(f"hello number {number}")


def echo_dispatcher() -> Dispatcher:
    router = Router(name="echo")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


def make_bot(session: LeanSession) -> Bot:
    return Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


# --- the run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    updates: int
    seconds: float
    per_update: list[float]

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.per_update)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _serve(panel: SandboxPanel) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(create_app(panel), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/api/v2"


def _drip_feed_services(panel: SandboxPanel) -> list[tuple[str, str]]:
    """(category, name) of the Default services offering drip-feed that take 1000 units."""
    chosen = []
    for row in panel.services:
        service = panel.service(int(str(row["service"])))
        if (
            service.order_type is OrderType.DEFAULT
            and service.dripfeed
            and service.min <= QUANTITY <= service.max
        ):
            chosen.append((service.category, service.name))
    return chosen


async def run_shop(customers: int) -> tuple[Figures, int, int]:
    """The shop's figures, the customers whose order was placed, and the panel's orders."""
    panel = SandboxPanel(clock=ManualClock(), seed=1)
    panel.record_requests = False
    panel.add_account(KEY, Decimal(10) ** 9)
    runner, url = await _serve(panel)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-conversation-") as folder:
            settings = load_settings(
                env_file=None,
                bot_token=TOKEN,
                panel_api_key=KEY,
                panel_api_url=url,
                database_path=Path(folder) / "shop.sqlite3",
            )
            services = await open_runtime(settings)
            try:
                await sync_catalogue(services.db, services.panel)
                # Returning customers with money on their balance.
                async with services.db.transaction() as tx:
                    for index in range(customers):
                        user_id = FIRST_USER + index
                        await tx.users.upsert(user_id, None, f"Customer {user_id}", "en")
                        await credit(tx, user_id, TOP_UP, LedgerReason.TOPUP, f"topup:{user_id}")
                dispatcher = create_dispatcher(services)
                # As the bot does once started (bot.app.run).
                heap.settle()
                telegram_objects.bind_quickly()
                session = LeanSession()
                # As the bot's own session does (bot.app.create_bot): answer models are kept.
                session.middleware(KeepResponseModels())
                bot = make_bot(session)
                timings = Timings()
                offered = _drip_feed_services(panel)
                started = time.perf_counter()
                await asyncio.gather(
                    *(
                        order_conversation(
                            Customer(dispatcher, bot, session, FIRST_USER + index, timings),
                            *offered[index % len(offered)],
                        )
                        for index in range(customers)
                    )
                )
                elapsed = time.perf_counter() - started
                placed = sum(
                    screen.last_text.startswith("✅ <b>Order #")
                    for screen in session.screens.values()
                )
                async with services.db.read() as r:
                    pending = len(await r.orders.in_states([OrderState.PENDING], 0, customers + 1))
            finally:
                await services.aclose()
                # The echo bot, measured next, is bare aiogram: Python's defaults.
                telegram_objects.unbind()
                gc.unfreeze()
                gc.set_threshold(*DEFAULT_GC_THRESHOLDS)
    finally:
        await runner.cleanup()
    figures = Figures(len(timings.per_update), elapsed, timings.per_update)
    return figures, min(placed, pending), len(panel.orders)


async def run_echo(customers: int, updates: int) -> Figures:
    """The echo bot's figures for ``updates`` messages from ``customers`` users at once."""
    dispatcher = echo_dispatcher()
    session = LeanSession()
    bot = make_bot(session)
    timings = Timings()
    share, extra = divmod(updates, customers)
    started = time.perf_counter()
    await asyncio.gather(
        *(
            echo_conversation(
                Customer(dispatcher, bot, session, FIRST_USER + index, timings),
                share + (1 if index < extra else 0),
            )
            for index in range(customers)
        )
    )
    elapsed = time.perf_counter() - started
    return Figures(len(timings.per_update), elapsed, timings.per_update)


def _line(name: str, figures: Figures) -> str:
    return (
        f"{name:<10} {figures.updates:>8,} {figures.seconds:>9.2f} {figures.per_second:>10,.0f}"
        f" {figures.percentile(0.50) * 1000:>9.1f} {figures.percentile(0.99) * 1000:>9.1f}"
        f" {max(figures.per_update) * 1000:>9.1f}"
    )


async def run(customers: int, rounds: int) -> None:
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}")  # fmt: skip
    rates: list[tuple[float, float]] = []
    tails: list[tuple[float, float]] = []
    for number in range(1, rounds + 1):
        # The shop, then the echo bot at once, in each round: the machine's speed moves
        # between rounds (by a third on a shared machine), so each pair is compared.
        shop, placed, at_panel = await run_shop(customers)
        echo = await run_echo(customers, shop.updates)
        print(f"round {number} of {rounds}: customers at once: {customers}, updates per"
              f" customer: {shop.updates / customers:.1f}; orders placed: {placed} of"
              f" {customers}; orders at the panel: {at_panel}")  # fmt: skip
        print(f"{'':<10} {'updates':>8} {'wall s':>9} {'updates/s':>10} {'p50 ms':>9} "
              f"{'p99 ms':>9} {'max ms':>9}")  # fmt: skip
        print(_line("shop", shop))
        print(_line("echo", echo))
        print(
            f"the shop handles {shop.per_second / echo.per_second:.1%} of the echo bot's rate;"
            f" p99 is {shop.percentile(0.99) / echo.percentile(0.99):.1f}x the echo bot's"
        )
        if placed != customers or at_panel != customers:
            raise SystemExit("FAILED: not every customer got exactly one order")
        rates.append((shop.per_second, echo.per_second))
        tails.append((shop.percentile(0.99), echo.percentile(0.99)))
    if rounds > 1:
        shares = [shop / echo for shop, echo in rates]
        ratios = [shop / echo for shop, echo in tails]
        print(
            f"median of {rounds} rounds: the shop handles {statistics.median(shares):.1%} of the"
            f" echo bot's rate (rounds: {', '.join(f'{share:.1%}' for share in shares)}); p99 is"
            f" {statistics.median(ratios):.1f}x the echo bot's"
            f" (rounds: {', '.join(f'{ratio:.1f}x' for ratio in ratios)})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument(
        "--rounds", type=int, default=3, help="shop-then-echo pairs run; their median is printed"
    )
    args = parser.parse_args()
    if args.customers < 1 or args.rounds < 1:
        parser.error("--customers and --rounds must be positive")
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(run(args.customers, args.rounds))


if __name__ == "__main__":
    main()
