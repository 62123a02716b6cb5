"""A person's chat with the bot running as a process, seen through the Bot API double: what
they type and tap goes in as updates by getUpdates; what the bot sends and edits makes the
screen.

After each step :meth:`Customer.settle` waits for the bot's answer to it, then for the bot
to be idle a moment: no request in flight at its doubles (the Bot API double and, when it is
wired to the same :class:`~.bot_api.Activity`, the panel) and none for :data:`QUIET`
seconds. A tapped button's callback answer, or a message in the chat, is the answer."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import updates
from .bot_api import BotApiCall, BotApiDouble
from .keyboards import inline_rows, match_label

#: Seconds without any request that tell the bot has finished answering.
QUIET = 0.1
#: Seconds without a request concerning the chat, when only the chat is watched.
CHAT_QUIET = 0.2
#: An update taken by the bot and answered with nothing: how long the bot must then stay
#: idle to count it as handled.
SILENCE = 1.0
#: Sent or edited messages: what a chat shows.
SCREEN_METHODS = frozenset({"sendMessage", "editMessageText", "sendInvoice"})

_callback_ids = itertools.count(1)


@dataclass(frozen=True)
class Screen:
    """One bot message as the person sees it now: its id, the text as sent (markup
    included), its inline keyboard as the Bot API received it."""

    message_id: int
    text: str
    markup: dict[str, Any] | None

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """``(label, callback data or url)`` of every button, row by row."""
        return [(label, data or "") for row in inline_rows(self.markup) for label, data in row]

    def button(self, wanted: Callable[[str, str], bool]) -> str | None:
        """The callback data of the first button ``wanted(label, data)`` picks."""
        return next((data for label, data in self.buttons if wanted(label, data)), None)


def shown_in(chat_id: int, call: BotApiCall) -> int | None:
    """The message in chat ``chat_id`` that ``call`` sent or changed, if it did."""
    if call.params.get("chat_id") != chat_id or call.result is None:
        return None
    if call.method in ("sendMessage", "sendInvoice"):
        return int(call.result["message_id"])
    if call.method == "editMessageText":
        return int(call.params["message_id"])
    return None


def screen_of(call: BotApiCall, message_id: int) -> Screen:
    return Screen(message_id, str(call.params.get("text", "")), call.params.get("reply_markup"))


@dataclass
class Customer:
    """A Telegram user writing to the bot: in a private chat, or in a group (``chat_id``
    below zero)."""

    double: BotApiDouble
    user_id: int
    first_name: str = "Ann"
    language_code: str = "en"
    #: The chat they write in: their private chat, or a group's id (negative).
    chat_id: int | None = None
    #: Calls from this index on are the answer to the customer's latest step.
    seen: int = field(default=0)
    #: Where the customer's latest step began in the double's calls.
    asked: int = field(default=0)
    #: Whether :meth:`settle` waits for the whole bot to fall idle, or only for this chat
    #: to fall quiet (while another customer's order waits on a slow panel, say).
    whole_bot: bool = True
    _update_id: int | None = None
    #: The callback or pre-checkout query of the latest step, answered by the bot.
    _query_id: str | None = None

    @property
    def user(self) -> dict[str, Any]:
        return updates.user(self.user_id, self.first_name, language_code=self.language_code)

    @property
    def chat(self) -> dict[str, Any]:
        if self.chat_id is not None and self.chat_id < 0:
            return updates.group_chat(self.chat_id)
        return updates.private_chat(self.user_id, self.first_name)

    @property
    def query_id(self) -> str | None:
        """The id of the callback or pre-checkout query of the latest step, if it was one."""
        return self._query_id

    # --- what the chat shows ----------------------------------------------------------------

    def shown_by(self, call: BotApiCall) -> int | None:
        """The message in this chat that ``call`` sent or changed, if it did."""
        return shown_in(self.chat["id"], call)

    def screens(self) -> list[Screen]:
        """The bot's messages in this chat, edits applied, oldest first."""
        shown: dict[int, Screen] = {}
        for call in self.double.calls:
            message_id = self.shown_by(call)
            if message_id is not None:
                shown[message_id] = screen_of(call, message_id)
        return list(shown.values())

    @property
    def last(self) -> Screen:
        """The newest message in the chat."""
        return self.screens()[-1]

    @property
    def latest(self) -> Screen:
        """The message the bot sent or edited last in this chat, as it reads now (an older
        message, when that is the one edited last)."""
        for call in reversed(self.double.calls):
            message_id = self.shown_by(call)
            if message_id is not None:
                return next(s for s in self.screens() if s.message_id == message_id)
        raise AssertionError(f"the bot has shown nothing in chat {self.chat['id']}")

    def texts(self, words: str) -> list[str]:
        """The bot's messages in this chat that contain ``words``."""
        return [screen.text for screen in self.screens() if words in screen.text]

    # --- doing things -----------------------------------------------------------------------

    def mark(self) -> None:
        """From now on, :meth:`settle` waits for the bot's next answer."""
        self.seen = self.asked = len(self.double.calls)
        self._update_id = self._query_id = None

    def post(self, update: dict[str, Any]) -> int:
        """Queue ``update`` (a message or a callback query of this customer) without waiting;
        the index in the double's calls from which to look for the answer."""
        since = len(self.double.calls)
        self._update_id = self.double.queue_update(update)
        query = update.get("callback_query") or update.get("pre_checkout_query")
        self._query_id = None if query is None else str(query["id"])
        return since

    def post_text(self, text: str) -> int:
        return self.post({"message": updates.text_message(self.chat, self.user, text)})

    def post_tap(
        self, data: str, message_id: int, text: str = "…", markup: dict[str, Any] | None = None
    ) -> int:
        """Queue a tap on the button with ``data`` under message ``message_id``."""
        message = updates.bot_message(self.chat, message_id, text, markup)
        query = updates.callback_query(
            f"{self.user_id}:{next(_callback_ids)}", self.user, data, message, "e2e"
        )
        return self.post({"callback_query": query})

    async def send(self, text: str) -> None:
        self.mark()
        self.post_text(text)
        await self.settle()

    async def send_payment(self, payload: str, stars: int, charge_id: str) -> None:
        """Telegram's message that the customer paid an invoice."""
        self.mark()
        self.post(
            {
                "message": updates.successful_payment(
                    self.chat, self.user, payload, stars, charge_id
                )
            }
        )
        await self.settle()

    async def pre_checkout(self, query_id: str, payload: str, stars: int) -> None:
        """Telegram asks the bot whether the customer may pay."""
        self.mark()
        query = updates.pre_checkout_query(query_id, self.user, payload, stars)
        self.post({"pre_checkout_query": query})
        await self.settle()

    async def click(self, label: str) -> None:
        """Tap the button ``label`` names (see :func:`~.keyboards.match_label`) on the
        newest message that has one."""
        for screen in reversed(self.screens()):
            matches = match_label([text for text, _ in screen.buttons], label)
            if matches:
                data = next(data for text, data in screen.buttons if text == matches[0])
                await self.tap(data, screen)
                return
        raise AssertionError(f"no button {label!r}: {[s.buttons for s in self.screens()]}")

    async def tap(self, data: str, screen: Screen) -> None:
        """Tap the button with ``data`` on ``screen``."""
        self.mark()
        self.post_tap(data, screen.message_id, screen.text, screen.markup)
        await self.settle()

    # --- waiting ----------------------------------------------------------------------------

    def _answers(self, call: BotApiCall) -> bool:
        if call.method == "answerCallbackQuery":
            return call.params.get("callback_query_id") == self._query_id
        if call.method == "answerPreCheckoutQuery":
            return call.params.get("pre_checkout_query_id") == self._query_id
        return call.params.get("chat_id") == self.chat["id"]

    async def settle(self, timeout: float = 20.0, quiet: float = QUIET) -> None:
        """Wait until the bot has answered the customer's latest step, and then done nothing
        for ``quiet`` seconds. An update the bot takes and answers with nothing counts as
        answered once it has been idle for :data:`SILENCE` seconds."""
        activity = self.double.activity
        deadline = time.monotonic() + timeout

        def answered() -> bool:
            if any(self._answers(call) for call in self.double.calls[self.seen :]):
                return True
            taken = self._update_id is None or self._update_id in self.double.handed_out
            return taken and activity.quiet_for() >= SILENCE

        while not answered():
            assert time.monotonic() < deadline, "the bot did not answer"
            await activity.changed(0.02)
        if self.whole_bot:
            while (idle := activity.quiet_for()) < quiet:
                await activity.changed(quiet - idle)
        else:
            while (idle := self._chat_quiet_for()) < CHAT_QUIET:
                await activity.changed(CHAT_QUIET - idle)
        self.seen = len(self.double.calls)

    def _chat_quiet_for(self) -> float:
        """Seconds since the bot last answered in this chat; 0 while it is answering."""
        calls = self.double.calls[self.asked :]
        ends = [call.answered_at for call in calls if self._answers(call)]
        if not ends or None in ends:
            return 0.0
        return time.monotonic() - max(end for end in ends if end is not None)

    async def answer(self, words: str, timeout: float = 30.0) -> Screen:
        """The newest message sent or edited in this chat since the customer's latest step
        that contains ``words``, waiting for it to come. A notice or an alert arriving
        meanwhile does not get in the way."""
        found: list[Screen] = []

        def arrived() -> bool:
            for call in reversed(self.double.calls[self.asked :]):
                message_id = self.shown_by(call)
                if message_id is not None and words in str(call.params.get("text", "")):
                    found.append(screen_of(call, message_id))
                    return True
            return False

        await self.double.until(arrived, timeout, f"an answer with {words!r}")
        return found[-1]

    async def wait_for(self, words: str, timeout: float = 30.0) -> Screen:
        """The first bot message in this chat containing ``words``, waiting for it to come."""
        found: list[Screen] = []

        def arrived() -> bool:
            found.extend(screen for screen in self.screens() if words in screen.text)
            return bool(found)

        await self.double.until(arrived, timeout, f"a message with {words!r}")
        return found[0]
