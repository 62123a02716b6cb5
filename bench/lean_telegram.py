"""A bare aiogram echo bot, and Telegram in memory for benchmarks.

Telegram is a lean in-memory session that answers every Bot API call as soon as the event
loop comes back to it (a call over the network always lets other tasks run first) and keeps
each chat's latest screen, so simulated customers can tap the buttons they are shown.

Run as a script, it measures the echo bot alone, in a process of its own: bare aiogram, with
nothing of the shop imported and Python's default garbage collector, as the reference
``bench/conversation.py`` compares the shop with. It prints the figures as JSON.

    python bench/lean_telegram.py --customers 500 --updates 4914
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.methods import EditMessageText, GetMe, SendMessage, TelegramMethod
from aiogram.types import Chat, InlineKeyboardMarkup, Message, Update, User

# The update builders live with the tests; run as a script, the project's root is not on the
# path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.telegram import updates  # noqa: E402
from tests.support.telegram.keyboards import inline_rows  # noqa: E402
from tests.support.telegram.offline import OfflineSession  # noqa: E402

TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-Ew"
FIRST_USER = 100_000
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


class LeanSession(OfflineSession):
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
    """Seconds spent handling each update, and the same by the step each was sent at."""

    per_update: list[float] = field(default_factory=list)
    by_step: dict[str, list[float]] = field(default_factory=dict)


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
        #: The step of the conversation the next updates belong to, for the figures by step.
        self.step = ""

    async def _feed(self, **update: Any) -> None:
        started = time.perf_counter()
        # Bound to the bot as polling binds it; an unbound update is read a second time by
        # feed_update.
        event = Update.model_validate(
            {"update_id": next(self.update_ids), **update}, context={"bot": self.bot}
        )
        await self.dispatcher.feed_update(self.bot, event)
        took = time.perf_counter() - started
        self.timings.per_update.append(took)
        self.timings.by_step.setdefault(self.step, []).append(took)

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


@dataclass(frozen=True)
class Figures:
    updates: int
    seconds: float
    per_update: list[float]
    by_step: dict[str, list[float]] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    def percentile(self, share: float) -> float:
        return percentile(self.per_update, share)

    @property
    def mean(self) -> float:
        return sum(self.per_update) / len(self.per_update)

    @property
    def spread(self) -> float:
        """p99 over the mean: how much longer the slow updates take than the average."""
        return self.percentile(0.99) / self.mean


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


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


def main() -> None:
    parser = argparse.ArgumentParser(description="The bare aiogram echo bot's figures, as JSON")
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--updates", type=int, required=True)
    args = parser.parse_args()
    figures = asyncio.run(run_echo(args.customers, args.updates))
    json.dump({"seconds": figures.seconds, "per_update": figures.per_update}, sys.stdout)


if __name__ == "__main__":
    main()
