"""A customer's chat with the bot process, seen through the Bot API double: what they type
and tap goes in as updates by getUpdates; what the bot sends and edits makes the screen."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from ..support.bot_api import BotApiCall, BotApiDouble

_callback_ids = itertools.count(1)
_message_ids = itertools.count(100_000)


def text_message(chat: dict[str, Any], user: dict[str, Any], text: str) -> dict[str, Any]:
    """The ``message`` of an update in which ``user`` writes ``text`` in ``chat``; a
    leading command is marked as Telegram marks it."""
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": user,
        "text": text,
    }
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return message


@dataclass
class Screen:
    """One bot message as the customer sees it now."""

    message_id: int
    text: str
    markup: dict[str, Any] | None

    @property
    def buttons(self) -> list[tuple[str, str]]:
        rows = (self.markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


@dataclass
class Customer:
    """A Telegram user writing to the bot in a private chat."""

    double: BotApiDouble
    user_id: int
    first_name: str = "Ann"
    language_code: str = "en"
    #: The chat they write in: their private chat, or a group's id (negative).
    chat_id: int | None = None
    seen: int = field(default=0)

    @property
    def user(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }

    @property
    def chat(self) -> dict[str, Any]:
        if self.chat_id is not None and self.chat_id < 0:
            return {"id": self.chat_id, "type": "supergroup", "title": "Shop staff"}
        return {"id": self.user_id, "type": "private", "first_name": self.first_name}

    def screens(self) -> list[Screen]:
        """The bot's messages in this chat, edits applied, oldest first."""
        shown: dict[int, Screen] = {}
        for call in self.double.calls:
            message_id = self.shown_by(call)
            if message_id is None:
                continue
            shown[message_id] = Screen(
                message_id, str(call.params.get("text", "")), call.params.get("reply_markup")
            )
        return list(shown.values())

    def shown_by(self, call: BotApiCall) -> int | None:
        """The message in this chat that ``call`` sent or changed, if it did."""
        if call.params.get("chat_id") != self.chat["id"] or call.result is None:
            return None
        if call.method == "sendMessage":
            return int(call.result["message_id"])
        if call.method == "editMessageText":
            return int(call.params["message_id"])
        return None

    @property
    def last(self) -> Screen:
        return self.screens()[-1]

    async def settle(self, timeout: float = 20.0, quiet: float = 0.4) -> None:
        """Wait until the bot has answered and then stayed quiet for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.double.calls) == self.seen:
            assert time.monotonic() < deadline, "the bot did not answer"
            await asyncio.sleep(0.05)
        count = len(self.double.calls)
        while True:
            await asyncio.sleep(quiet)
            if len(self.double.calls) == count:
                break
            count = len(self.double.calls)
        self.seen = count

    def mark(self) -> None:
        """From now on, :meth:`settle` waits for the bot's next answer."""
        self.seen = len(self.double.calls)

    async def send(self, text: str) -> None:
        self.mark()
        self.double.queue_update({"message": text_message(self.chat, self.user, text)})
        await self.settle()

    async def send_payment(self, payload: str, stars: int, charge_id: str) -> None:
        """Telegram's message that the customer paid an invoice."""
        self.mark()
        self.double.queue_update(
            {
                "message": {
                    "message_id": next(_message_ids),
                    "date": int(time.time()),
                    "chat": self.chat,
                    "from": self.user,
                    "successful_payment": {
                        "currency": "XTR",
                        "total_amount": stars,
                        "invoice_payload": payload,
                        "telegram_payment_charge_id": charge_id,
                        "provider_payment_charge_id": "",
                    },
                }
            }
        )
        await self.settle()

    async def click(self, label: str) -> None:
        """Tap the newest button whose label starts with ``label``."""
        for screen in reversed(self.screens()):
            for text, data in screen.buttons:
                if text == label or text.startswith(label) or label in text:
                    await self._tap(screen, data)
                    return
        raise AssertionError(f"no button {label!r}: {[s.buttons for s in self.screens()]}")

    async def _tap(self, screen: Screen, data: str) -> None:
        self.mark()
        message: dict[str, Any] = {
            "message_id": screen.message_id,
            "date": int(time.time()),
            "chat": self.chat,
            "text": screen.text,
        }
        if screen.markup:
            message["reply_markup"] = screen.markup
        self.double.queue_update(
            {
                "callback_query": {
                    "id": str(next(_callback_ids)),
                    "from": self.user,
                    "chat_instance": "e2e",
                    "message": message,
                    "data": data,
                }
            }
        )
        await self.settle()

    async def wait_for(self, words: str, timeout: float = 30.0) -> Screen:
        """The first bot message containing ``words``, waiting for it to come."""
        deadline = time.monotonic() + timeout
        while True:
            for screen in self.screens():
                if words in screen.text:
                    return screen
            assert time.monotonic() < deadline, f"no message with {words!r}"
            await asyncio.sleep(0.1)
