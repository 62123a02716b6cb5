"""A Bot API double served over loopback HTTP: it answers the methods the bot calls,
records every call, and hands out the updates a test queues.

Given :class:`RateLimits` it also enforces Telegram's sending limits the way the Bot API
does: a message over the global rate, too soon after the previous one to the same chat, or
over a group's per-minute allowance is refused with ``429 Too Many Requests`` and a
``retry_after``. A test can also make chats block the bot (``403``) and inject failures.
Without limits (the default) every call is answered at once, as before.

Like Telegram, it refuses an edit that changes nothing (``400 message is not modified``),
and, given a ``token``, every call made under another token (``401 Unauthorized``).
:meth:`BotApiDouble.fail_method` makes any method fail, getUpdates included, with an error
answer, an HTML page, or a dropped connection.

It keeps the bot's Telegram Stars account as well: a queued successful payment is an incoming
star transaction (``getStarTransactions`` lists it), ``refundStarPayment`` returns it once,
and :meth:`BotApiDouble.record_star_payment` makes a payment whose update never arrives.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

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


@dataclass
class BotApiCall:
    """One request the bot made: the method, its parameters (JSON-decoded), and the result
    the double answered (None until answered, or when refused)."""

    method: str
    params: dict[str, Any]
    result: Any = None


@dataclass(frozen=True)
class RateLimits:
    """Telegram's sending limits, as the double enforces them.

    Real values by default; tests and benchmarks scale them (e.g. ``RateLimits.scaled(10)``
    allows ten times the rate in the same windows, so a run is ten times shorter).
    """

    #: Messages in any ``window_seconds`` across all chats.
    per_window: int = 30
    window_seconds: float = 1.0
    #: Least time between two messages to one chat.
    chat_interval_seconds: float = 1.0
    #: Messages to one group (chat id below zero) in any ``group_window_seconds``.
    group_per_window: int = 20
    group_window_seconds: float = 60.0

    @classmethod
    def scaled(cls, factor: float) -> RateLimits:
        """The real limits run ``factor`` times faster: ``factor`` times the global and
        group allowances, chat intervals ``factor`` times shorter."""
        return cls(
            per_window=round(30 * factor),
            chat_interval_seconds=1.0 / factor,
            group_per_window=round(20 * factor),
        )


@dataclass(frozen=True)
class ApiFailure:
    """An error answer of the Bot API; with ``html``, the page a proxy in front of it
    answers instead of JSON (as Telegram's front does in an outage)."""

    status: int
    description: str
    retry_after: int | None = None
    html: str | None = None
    #: Close the connection without answering, as a network failure does.
    disconnect: bool = False
    #: The supergroup a group became, as Telegram names it when refusing a send there.
    migrate_to_chat_id: int | None = None

    def body(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            answer["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            answer["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return answer


BLOCKED = ApiFailure(403, "Forbidden: bot was blocked by the user")


def too_many_requests(retry_after: int) -> ApiFailure:
    return ApiFailure(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def migrated(to_chat_id: int) -> ApiFailure:
    """The answer to a send to a group that became the supergroup ``to_chat_id``."""
    return ApiFailure(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=to_chat_id,
    )


def bad_request(description: str) -> ApiFailure:
    return ApiFailure(400, f"Bad Request: {description}")


BAD_GATEWAY = ApiFailure(
    502, "Bad Gateway", html="<html><head><title>502 Bad Gateway</title></head></html>"
)


#: The connection drops before any answer.
DISCONNECT = ApiFailure(0, "connection reset", disconnect=True)

SERVER_ERROR = ApiFailure(500, "Internal Server Error")

#: Telegram's answer to a call under a token it does not know (revoked, or mistyped).
UNAUTHORIZED = ApiFailure(401, "Unauthorized")

#: Telegram's answer to a call under something that is not a token at all.
NOT_FOUND = ApiFailure(404, "Not Found")


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
    failure: ApiFailure
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
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _recent: collections.deque[float] = field(default_factory=collections.deque)
    _chat_last: dict[int, float] = field(default_factory=dict)
    _group_recent: dict[int, collections.deque[float]] = field(default_factory=dict)
    _injected: dict[int, collections.deque[ApiFailure]] = field(default_factory=dict)
    _method_failures: dict[str, collections.deque[ApiFailure]] = field(default_factory=dict)
    _contents: dict[tuple[int, int], tuple[str, Any]] = field(default_factory=dict)
    _unconfirmed: list[dict[str, Any]] = field(default_factory=list)
    #: The bot's star transactions, oldest first, as the Bot API serialises them.
    star_transactions: list[dict[str, Any]] = field(default_factory=list)
    #: Called with each call once it is answered or refused (``result`` then set or None),
    #: e.g. by a benchmark timing the bot's replies; None: nobody is told.
    on_call: Callable[[BotApiCall], None] | None = None
    #: The one token the double accepts; None: any.
    token: str | None = None

    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    def queue_update(self, update: Mapping[str, Any]) -> None:
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
        self.updates.put_nowait({"update_id": next(self._update_ids), **update})

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
        if any(t["id"] == charge_id and "source" in t for t in self.star_transactions):
            return
        self.star_transactions.append(
            {
                "id": charge_id,
                "amount": stars,
                "date": int(time.time()) if date is None else date,
                "source": {
                    "type": "user",
                    "transaction_type": "invoice_payment",
                    "user": dict(user),
                    "invoice_payload": payload,
                },
            }
        )

    def _check_refund(self, params: dict[str, Any]) -> ApiFailure | None:
        charge_id = str(params.get("telegram_payment_charge_id", ""))
        user_id = params.get("user_id")
        paid = [
            t
            for t in self.star_transactions
            if t["id"] == charge_id and t.get("source", {}).get("user", {}).get("id") == user_id
        ]
        if not paid:
            return bad_request("CHARGE_NOT_FOUND")
        if any(t["id"] == charge_id and "receiver" in t for t in self.star_transactions):
            return bad_request("CHARGE_ALREADY_REFUNDED")
        return None

    def _refund(self, params: dict[str, Any]) -> bool:
        charge_id = str(params["telegram_payment_charge_id"])
        [payment] = [t for t in self.star_transactions if t["id"] == charge_id]
        self.star_transactions.append(
            {
                "id": charge_id,
                "amount": payment["amount"],
                "date": int(time.time()),
                "receiver": {
                    "type": "user",
                    "transaction_type": "invoice_payment",
                    "user": payment["source"]["user"],
                },
            }
        )
        return True

    def fail(self, chat_id: int, failure: ApiFailure, times: int = 1) -> None:
        """Answer the next ``times`` messages to ``chat_id`` with ``failure``."""
        self._injected.setdefault(chat_id, collections.deque()).extend([failure] * times)

    def fail_method(self, method: str, failure: ApiFailure, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` (any chat) with ``failure``."""
        self._method_failures.setdefault(method, collections.deque()).extend([failure] * times)

    def delivered_to(self, chat_id: int) -> list[str]:
        """Texts delivered to ``chat_id``, in the order they arrived."""
        return [d.text for d in self.deliveries if d.chat_id == chat_id]

    def limit_refusals(self) -> list[Refusal]:
        """Refusals caused by the bot going faster than the limits allow."""
        return [refusal for refusal in self.refusals if refusal.limit is not None]

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset")
        if isinstance(offset, int):
            self._unconfirmed = [u for u in self._unconfirmed if u["update_id"] >= offset]
        if not self._unconfirmed:
            timeout = min(float(params.get("timeout") or 0), 0.5)
            try:
                first = await asyncio.wait_for(self.updates.get(), timeout) if timeout else None
            except TimeoutError:
                return []
            if first is not None:
                self._unconfirmed.append(first)
        while not self.updates.empty():
            self._unconfirmed.append(self.updates.get_nowait())
        return list(self._unconfirmed)

    def _over_limit(self, chat_id: int, now: float) -> tuple[str, float] | None:
        """The limit a message to ``chat_id`` arriving ``now`` breaks, and the seconds until
        it would not; None when it may go."""
        limits = self.limits
        if limits is None:
            return None
        while self._recent and self._recent[0] <= now - limits.window_seconds:
            self._recent.popleft()
        if len(self._recent) >= limits.per_window:
            return "global", self._recent[0] + limits.window_seconds - now
        last = self._chat_last.get(chat_id)
        if last is not None and now - last < limits.chat_interval_seconds:
            return "chat", last + limits.chat_interval_seconds - now
        if chat_id < 0:
            window = self._group_recent.setdefault(chat_id, collections.deque())
            while window and window[0] <= now - limits.group_window_seconds:
                window.popleft()
            if len(window) >= limits.group_per_window:
                return "group", window[0] + limits.group_window_seconds - now
        return None

    def _accept(self, chat_id: int, now: float) -> None:
        if self.limits is None:
            return
        self._recent.append(now)
        self._chat_last[chat_id] = now
        if chat_id < 0:
            self._group_recent.setdefault(chat_id, collections.deque()).append(now)

    def check(self, method: str, params: dict[str, Any]) -> ApiFailure | None:
        """The error answer to a call, or None when it succeeds (and then it is counted)."""
        queued = self._method_failures.get(method)
        if queued:
            return queued.popleft()
        if method == "editMessageText":
            return self._check_edit(params)
        if method == "refundStarPayment":
            return self._check_refund(params)
        if method not in SENDING_METHODS:
            return None
        chat_id = int(params.get("chat_id", 0))
        text = str(params.get("text", ""))
        now = self.clock()
        injected = self._injected.get(chat_id)
        failure: ApiFailure | None = None
        limit: str | None = None
        if injected:
            failure = injected.popleft()
        elif chat_id in self.blocked:
            failure = BLOCKED
        elif (over := self._over_limit(chat_id, now)) is not None:
            limit, wait = over
            failure = too_many_requests(max(1, math.ceil(wait)))
        if failure is not None:
            self.refusals.append(Refusal(chat_id, text, failure, limit, now))
            return failure
        self._accept(chat_id, now)
        if method == "sendMessage":
            self.deliveries.append(Delivery(chat_id, text, params.get("reply_markup"), now))
        return None

    def _check_edit(self, params: dict[str, Any]) -> ApiFailure | None:
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        if self._contents.get(key) == (str(params.get("text", "")), params.get("reply_markup")):
            return bad_request(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        return None

    async def answer(self, method: str, params: dict[str, Any]) -> Any:
        """The ``result`` of a successful call of ``method``."""
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "getMe":
            return BOT_USER
        if method == "getStarTransactions":
            offset = int(params.get("offset") or 0)
            limit = int(params.get("limit") or 100)
            return {"transactions": self.star_transactions[offset : offset + limit]}
        if method == "refundStarPayment":
            return self._refund(params)
        if method in {"sendMessage", "editMessageText", "sendInvoice"}:
            edited = params.get("message_id") if method == "editMessageText" else None
            message_id = int(edited) if edited else next(self._message_ids)
            chat_id = int(params.get("chat_id", 0))
            self._contents[chat_id, message_id] = (
                str(params.get("text", "")),
                params.get("reply_markup"),
            )
            return {
                "message_id": message_id,
                "date": 0,
                "chat": {"id": chat_id, "type": "private"},
                "text": params.get("text", ""),
            }
        return True


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
        try:
            return await respond(request, call)
        finally:
            if double.on_call is not None:
                double.on_call(call)

    async def respond(request: web.Request, call: BotApiCall) -> web.Response:
        method, params = call.method, call.params
        if double.token is not None and request.match_info["token"] != double.token:
            return web.json_response(UNAUTHORIZED.body(), status=UNAUTHORIZED.status)
        failure = double.check(method, params)
        if failure is not None and failure.disconnect:
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)
        if failure is not None and failure.html is not None:
            return web.Response(status=failure.status, text=failure.html, content_type="text/html")
        if failure is not None:
            return web.json_response(failure.body(), status=failure.status)
        call.result = await double.answer(method, params)
        return web.json_response({"ok": True, "result": call.result})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", handle)
    return app
