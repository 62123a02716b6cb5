"""A Bot API double served over loopback HTTP: it answers the methods the bot calls,
records every call, and hands out the updates a test queues.

Given :class:`~.limits.RateLimits` it also enforces Telegram's sending limits the way the
Bot API does (``429 Too Many Requests`` with a ``retry_after``). A test can also make chats
block the bot (``403``) and inject failures. Without limits (the default) every call is
answered at once.

Like Telegram, it refuses an edit that changes nothing (``400 message is not modified``),
and, given a ``token``, every call made under another token (``401 Unauthorized``).
:meth:`BotApiDouble.fail_method` makes any method fail, getUpdates included, with an error
answer, an HTML page, or a dropped connection. Its Telegram Stars account is the one the
recording session keeps (:class:`~.stars.StarAccount`).

:class:`Activity` tells a driver when the bot is busy: the requests being answered, and
the moment of the last one.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram.types import User
from aiohttp import web

from .failures import (
    BOT_BLOCKED,
    MESSAGE_NOT_MODIFIED,
    UNAUTHORIZED,
    Rejected,
    TelegramFailure,
    flood_wait,
)
from .limits import RateLimits, SendingWindows
from .stars import StarAccount

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Shop", "username": "shop_bot"}

#: Methods that put a message in a chat, so count against the sending limits.
SENDING_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVideo",
        "sendAnimation",
        "sendMediaGroup",
        "sendInvoice",
        "copyMessage",
        "forwardMessage",
    }
)
#: How long getUpdates holds a poll open at most (the bot asks for more).
LONG_POLL_SECONDS = 0.5


@dataclass
class BotApiCall:
    """One request the bot made: the method, its parameters (JSON-decoded), and the result
    the double answered (None until answered, or when refused)."""

    method: str
    params: dict[str, Any]
    result: Any = None
    #: When it was answered or refused (monotonic); None while it is being answered.
    answered_at: float | None = None


@dataclass
class Activity:
    """The requests the bot has in flight at its doubles (long polls left out), and when the
    last one began or ended: while requests are in flight, or one ended a moment ago, the bot
    is still at work. The double reports its own requests; :meth:`middleware` reports those
    of another loopback server (the sandbox panel)."""

    in_flight: int = 0
    last: float = field(default_factory=time.monotonic)
    _changed: asyncio.Event | None = None

    def begin(self) -> None:
        self.in_flight += 1
        self.note()

    def end(self) -> None:
        self.in_flight -= 1
        self.note()

    def note(self) -> None:
        """Something happened: waiters look again."""
        self.last = time.monotonic()
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    def quiet_for(self) -> float:
        """Seconds since the bot was last at work; 0 while it is."""
        return 0.0 if self.in_flight else time.monotonic() - self.last

    async def changed(self, timeout: float) -> None:
        """Until something happens, or ``timeout`` seconds pass."""
        if self._changed is None:
            self._changed = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), max(timeout, 0.0))

    async def until(self, check: Callable[[], bool], timeout: float, what: str) -> None:
        """Until ``check()`` holds, looking again whenever something happens (and at least
        every 20 ms, for a check on state outside the doubles)."""
        deadline = time.monotonic() + timeout
        while not check():
            left = deadline - time.monotonic()
            assert left > 0, f"timed out waiting until {what}"
            await self.changed(min(left, 0.02))

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        self.begin()
        try:
            return await handler(request)
        finally:
            self.end()


@dataclass(frozen=True)
class Delivery:
    """A message the double accepted: the chat, the text, its markup, when it arrived."""

    chat_id: int
    text: str
    reply_markup: Any
    at: float


@dataclass(frozen=True)
class Refusal:
    """A sending call the double refused; ``limit`` names the limit that was broken, or is
    None for a failure the test injected or a blocked chat."""

    chat_id: int
    text: str
    failure: TelegramFailure
    limit: str | None
    at: float


@dataclass
class BotApiDouble:
    """State of the double: the calls seen and the updates waiting for getUpdates.

    As Telegram does, getUpdates hands an update out again until a later call's ``offset``
    confirms it: an update given to a poll that never came back (its bot was killed) goes
    to the next. ``updates`` holds those not handed out yet.

    ``limits`` (None: none) are enforced on every sending call; ``blocked`` chats answer
    403; :meth:`fail` queues failures for a chat. ``clock`` is the double's time source.
    """

    calls: list[BotApiCall] = field(default_factory=list)
    updates: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    limits: RateLimits | None = None
    blocked: set[int] = field(default_factory=set)
    deliveries: list[Delivery] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    clock: Callable[[], float] = time.monotonic
    stars: StarAccount = field(default_factory=StarAccount)
    activity: Activity = field(default_factory=Activity)
    #: Called with each call once it is answered or refused (``result`` then set or None),
    #: e.g. by a benchmark timing the bot's replies; None: nobody is told.
    on_call: Callable[[BotApiCall], None] | None = None
    #: The one token the double accepts; None: any.
    token: str | None = None
    #: The ids of the updates handed out to a poll so far.
    handed_out: set[int] = field(default_factory=set)
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _windows: SendingWindows | None = None
    _injected: dict[int, collections.deque[TelegramFailure]] = field(default_factory=dict)
    _method_failures: dict[str, collections.deque[TelegramFailure]] = field(default_factory=dict)
    _contents: dict[tuple[int, int], tuple[str, Any]] = field(default_factory=dict)
    _unconfirmed: list[dict[str, Any]] = field(default_factory=list)
    _release_polls: asyncio.Event | None = None
    #: The forums (groups with topics) and the thread ids of their topics.
    topics: dict[int, set[int]] = field(default_factory=dict)

    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    def queue_update(self, update: Mapping[str, Any]) -> int:
        """Queue an update for getUpdates; its ``update_id``."""
        message = update.get("message") or {}
        payment = message.get("successful_payment")
        if payment is not None and payment.get("currency") == "XTR":
            # Telegram took the stars before it sent the update.
            self.record_star_payment(
                message["from"],
                payment["invoice_payload"],
                payment["total_amount"],
                payment["telegram_payment_charge_id"],
                date=message.get("date"),
            )
        update_id = next(self._update_ids)
        self.updates.put_nowait({"update_id": update_id, **update})
        return update_id

    def release_polls(self) -> None:
        """Answer the polls being held open at once (with what is queued), as when the bot
        is being stopped: it need not wait out a long poll."""
        if self._release_polls is not None:
            self._release_polls.set()

    @property
    def star_transactions(self) -> list[dict[str, Any]]:
        """The bot's star transactions, oldest first, as the Bot API serialises them."""
        return [_json(transaction) for transaction in self.stars.transactions]

    def record_star_payment(
        self,
        user: Mapping[str, Any],
        payload: str,
        stars: int,
        charge_id: str,
        *,
        date: int | None = None,
    ) -> None:
        """The user paid an invoice: an incoming star transaction whose id is the charge id
        (once per charge id)."""
        self.stars.record_payment(
            User.model_validate(dict(user)),
            payload,
            stars,
            charge_id,
            date=None if date is None else datetime.fromtimestamp(date, UTC),
        )

    def fail(self, chat_id: int, failure: TelegramFailure, times: int = 1) -> None:
        """Answer the next ``times`` messages to ``chat_id`` with ``failure``."""
        self._injected.setdefault(chat_id, collections.deque()).extend([failure] * times)

    def fail_method(self, method: str, failure: TelegramFailure, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` (any chat) with ``failure``."""
        self._method_failures.setdefault(method, collections.deque()).extend([failure] * times)

    def delivered_to(self, chat_id: int) -> list[str]:
        """Texts delivered to ``chat_id``, in the order they arrived."""
        return [d.text for d in self.deliveries if d.chat_id == chat_id]

    def limit_refusals(self) -> list[Refusal]:
        """Refusals caused by the bot going faster than the limits allow."""
        return [refusal for refusal in self.refusals if refusal.limit is not None]

    async def until(self, check: Callable[[], bool], timeout: float = 20, what: str = "") -> None:
        """Until ``check()`` holds, looking again at every call the bot makes."""
        await self.activity.until(check, timeout, what or "the bot did what was awaited")

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset")
        if isinstance(offset, int):
            self._unconfirmed = [u for u in self._unconfirmed if u["update_id"] >= offset]
        if not self._unconfirmed:
            timeout = min(float(params.get("timeout") or 0), LONG_POLL_SECONDS)
            if timeout:
                await self._next_update(timeout)
        while not self.updates.empty():
            self._unconfirmed.append(self.updates.get_nowait())
        self.handed_out.update(update["update_id"] for update in self._unconfirmed)
        return list(self._unconfirmed)

    async def _next_update(self, timeout: float) -> None:
        """Until an update is queued, the polls are released, or ``timeout`` passes."""
        if self._release_polls is None or self._release_polls.is_set():
            self._release_polls = asyncio.Event()
        waits = [
            asyncio.ensure_future(self._peek()),
            asyncio.ensure_future(self._release_polls.wait()),
        ]
        try:
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
            await asyncio.gather(*waits, return_exceptions=True)

    async def _peek(self) -> None:
        """Until an update is queued; it stays in the queue."""
        update = await self.updates.get()
        self._unconfirmed.append(update)

    def _sending_windows(self) -> SendingWindows | None:
        if self.limits is None:
            self._windows = None
        elif self._windows is None or self._windows.limits is not self.limits:
            self._windows = SendingWindows(self.limits)
        return self._windows

    def check(self, method: str, params: dict[str, Any]) -> TelegramFailure | None:
        """The error answer to a call, or None when it succeeds (and then it is counted)."""
        queued = self._method_failures.get(method)
        if queued:
            return queued.popleft()
        if method == "editMessageText":
            return self._check_edit(params)
        if method not in SENDING_METHODS:
            return None
        chat_id = int(params.get("chat_id", 0))
        text = str(params.get("text", ""))
        now = self.clock()
        injected = self._injected.get(chat_id)
        windows = self._sending_windows()
        failure: TelegramFailure | None = None
        limit: str | None = None
        if injected:
            failure = injected.popleft()
        elif chat_id in self.blocked:
            failure = BOT_BLOCKED
        elif windows is not None and (over := windows.over_limit(chat_id, now)) is not None:
            limit, wait = over
            failure = flood_wait(max(1, math.ceil(wait)))
        if failure is not None:
            self.refusals.append(Refusal(chat_id, text, failure, limit, now))
            return failure
        if windows is not None:
            windows.accept(chat_id, now)
        if method == "sendMessage":
            self.deliveries.append(Delivery(chat_id, text, params.get("reply_markup"), now))
        return None

    def _check_edit(self, params: dict[str, Any]) -> TelegramFailure | None:
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        if self._contents.get(key) == (str(params.get("text", "")), params.get("reply_markup")):
            return MESSAGE_NOT_MODIFIED
        return None

    async def answer(self, method: str, params: dict[str, Any]) -> Any:
        """The ``result`` of a successful call of ``method``; :class:`Rejected` for a call
        Telegram refuses."""
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "getMe":
            return BOT_USER
        if method == "getStarTransactions":
            return _json(self.stars.page(params.get("offset"), params.get("limit")))
        if method == "refundStarPayment":
            self.stars.refund(int(params["user_id"]), str(params["telegram_payment_charge_id"]))
            return True
        if method in {"getChat", "createForumTopic", "copyMessage"} or params.get(
            "message_thread_id"
        ):
            return self._forum_answer(method, params)
        if method in {"sendMessage", "editMessageText", "sendInvoice"}:
            edited = params.get("message_id") if method == "editMessageText" else None
            message_id = int(edited) if edited else next(self._message_ids)
            chat_id = int(params.get("chat_id", 0))
            self._contents[chat_id, message_id] = (
                str(params.get("text", "")),
                params.get("reply_markup"),
            )
            return _with_keyboard(
                {
                    "message_id": message_id,
                    "date": 0,
                    "chat": {"id": chat_id, "type": "private"},
                    "text": params.get("text", ""),
                },
                params,
            )
        return True

    def _forum_answer(self, method: str, params: dict[str, Any]) -> Any:
        """getChat, createForumTopic, copyMessage, and messages into a topic."""
        chat_id = int(params.get("chat_id", 0))
        if method == "getChat":
            return {
                "id": chat_id,
                "type": "supergroup" if chat_id < 0 else "private",
                "is_forum": chat_id in self.topics,
                "accent_color_id": 0,
                "max_reaction_count": 0,
                "accepted_gift_types": dict.fromkeys(
                    (
                        "unlimited_gifts",
                        "limited_gifts",
                        "unique_gifts",
                        "premium_subscription",
                        "gifts_from_channels",
                    ),
                    False,
                ),
            }
        if method == "createForumTopic":
            if chat_id not in self.topics:
                raise Rejected(TelegramFailure(400, "Bad Request: the chat is not a forum"))
            thread_id = next(self._message_ids)
            self.topics[chat_id].add(thread_id)
            return {"message_thread_id": thread_id, "name": params["name"], "icon_color": 0}
        thread = params.get("message_thread_id")
        if thread is not None and int(thread) not in self.topics.get(chat_id, set()):
            raise Rejected(TelegramFailure(400, "Bad Request: message thread not found"))
        message_id = next(self._message_ids)
        if method == "copyMessage":
            return {"message_id": message_id}
        return _with_keyboard(
            {
                "message_id": message_id,
                "date": 0,
                "chat": {"id": chat_id, "type": "supergroup" if chat_id < 0 else "private"},
                "message_thread_id": thread,
                "text": params.get("text", ""),
            },
            params,
        )


def _with_keyboard(message: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """``message`` as Telegram returns it: with the inline keyboard it was sent with."""
    markup = params.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        message["reply_markup"] = markup
    return message


def _json(value: Any) -> Any:
    """A model as the Bot API serialises it."""
    return value.model_dump(mode="json", exclude_none=True, by_alias=True)


#: Parameters that are text as sent, never JSON.
_PLAIN_TEXT = frozenset({"text", "caption"})


def _decode(form: Mapping[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in form.items():
        if key in _PLAIN_TEXT:
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def create_bot_api_app(double: BotApiDouble) -> web.Application:
    """``/bot<token>/<method>`` as the Bot API serves it."""

    async def handle(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = _decode(await request.post())
        call = BotApiCall(method, params)
        double.calls.append(call)
        polling = method == "getUpdates"
        if not polling:
            double.activity.begin()
        try:
            return await respond(request, call)
        finally:
            call.answered_at = time.monotonic()
            if not polling:
                double.activity.end()
            elif call.result:
                # Updates handed out: the bot is about to handle them.
                double.activity.note()
            if double.on_call is not None:
                double.on_call(call)

    async def respond(request: web.Request, call: BotApiCall) -> web.Response:
        method, params = call.method, call.params
        if double.token is not None and request.match_info["token"] != double.token:
            return failed(UNAUTHORIZED)
        failure = double.check(method, params)
        if failure is not None and failure.disconnect:
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)
        if failure is not None and failure.html is not None:
            return web.Response(status=failure.status, text=failure.html, content_type="text/html")
        if failure is not None:
            return failed(failure)
        try:
            call.result = await double.answer(method, params)
        except Rejected as rejected:
            return failed(rejected.failure)
        return web.json_response({"ok": True, "result": call.result})

    def failed(failure: TelegramFailure) -> web.Response:
        return web.json_response(failure.response(), status=failure.status)

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", handle)
    return app
