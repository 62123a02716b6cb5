"""Delivering the outbox to Telegram within its limits.

Telegram allows a bot about 30 messages a second in all, one a second to a chat, and 20 a
minute to a group. The notifier keeps under those limits by itself, so it is not the cause
of a 429; when Telegram answers 429 anyway it waits the ``retry_after`` it was given.
Replies the bot sends outside the outbox count against the same limits, so the notifier
is told of them (:class:`OtherSends`) and leaves them room.
A customer who blocked the bot (403) is marked and their pending messages dropped. Other
failures are retried a bounded number of times, then recorded. Messages stay in the
outbox until delivered, so nothing queued is lost across restarts; each chat's messages go
out in the order they were queued.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

import aiohttp
from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.methods import (
    CopyMessage,
    ForwardMessage,
    Response,
    SendDocument,
    SendInvoice,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup, ReplyParameters

from shop.storage import Database, OutboxRow, utc_now
from shop.supervisor import Backoff, keep_running
from shop.support import SUPPORT_KINDS, SupportDesk, topic_title

logger = logging.getLogger(__name__)

#: How long the notifier sleeps when nothing is due and nobody wakes it.
IDLE_SECONDS: Final = 1.0
#: Longest wait between rounds while delivering keeps failing.
MAX_BACKOFF_SECONDS: Final = 30.0
_BATCH: Final = 200
#: Requests that put a message in a chat, so count against Telegram's sending limits.
_SENDING: Final = (
    SendMessage,
    SendInvoice,
    SendPhoto,
    SendDocument,
    SendMediaGroup,
    CopyMessage,
    ForwardMessage,
)
#: True while the notifier itself sends: it counts its own messages.
_from_outbox: ContextVar[bool] = ContextVar("from_outbox", default=False)
#: What Telegram answers about a forum topic that is gone: deleted, or closed by the staff.
TOPIC_GONE: Final = (
    "message thread not found",
    "topic_deleted",
    "topic_closed",
    "topic_id_invalid",
)
#: What Telegram answers createForumTopic when the bot may not manage the group's topics.
NO_TOPIC_RIGHTS: Final = (
    "not enough rights",
    "chat_admin_required",
    "need administrator rights",
)
#: What Telegram answers when the message to copy is gone (its sender deleted it) or may not
#: be copied: final, as no retry brings it back.
COPY_IMPOSSIBLE: Final = (
    "message to copy not found",
    "message can't be copied",
)


class _TopicGone(Exception):
    """The customer's topic in the group is gone: a new one is made."""


@dataclass(frozen=True, slots=True)
class SendLimits:
    """Telegram's sending limits, as the notifier keeps them."""

    per_second: float = 30.0
    chat_interval_seconds: float = 1.0
    group_per_minute: int = 20
    #: Deliveries tried before a message is recorded as failed.
    max_attempts: int = 5


@dataclass(slots=True)
class DeliveryCounts:
    """What the notifier did since it started."""

    sent: int = 0
    failed: int = 0
    blocked: int = 0
    retried: int = 0
    flood_waits: int = 0


class Notifier:
    """Drains the outbox; :meth:`wake` after queueing makes it look at once."""

    def __init__(
        self,
        db: Database,
        bot: Bot,
        limits: SendLimits | None = None,
        support: SupportDesk | None = None,
    ) -> None:
        """``support`` is told when a topic fails and when a staff answer finds its
        customer blocked the bot."""
        self._db = db
        self._bot = bot
        self._support = support
        self._limits = limits or SendLimits()
        self._wake = asyncio.Event()
        self._next_send = 0.0
        self._paused_until = 0.0
        self._chat_last: dict[int, float] = {}
        self._group_sent: dict[int, collections.deque[float]] = {}
        #: When each of the last ``per_second`` sends was answered.
        self._recent: collections.deque[float] = collections.deque()
        self.counts = DeliveryCounts()

    def wake(self) -> None:
        """Something was queued: look at the outbox now rather than at the next tick."""
        self._wake.set()

    async def run(self) -> None:
        """Deliver until cancelled. A failing round (the database failing for a moment) is
        tried again after 1 s, then longer, up to :data:`MAX_BACKOFF_SECONDS`: it never stops
        delivery for good."""
        await keep_running(
            "delivering the outbox",
            self.deliver_due,
            Backoff(IDLE_SECONDS, MAX_BACKOFF_SECONDS),
            wake=self._wake,
            log=logger,
        )

    async def flush(self, timeout: float) -> None:
        """Deliver what is due now, for up to ``timeout`` seconds (used at shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            wait = await self.deliver_due(deadline)
            async with self._db.read() as r:
                if not await r.outbox.due_per_chat(utc_now(), 1):
                    return
            await asyncio.sleep(min(wait, max(0.0, deadline - time.monotonic())))

    async def deliver_due(self, deadline: float | None = None) -> float:
        """Send every message that may go now; the seconds until the next one may."""
        async with self._db.read() as r:
            rows = await r.outbox.due_per_chat(utc_now(), _BATCH)
        if not rows:
            return IDLE_SECONDS
        soonest, sent = IDLE_SECONDS, False
        for row in rows:
            if deadline is not None and time.monotonic() >= deadline:
                break
            if row.outside_topic_only and await self._goes_into_topic(row):
                # A header the customer's topic makes needless: nothing to send.
                async with self._db.transaction() as tx:
                    await tx.outbox.drop(row.id)
                sent = True
                continue
            ready_in = self._ready_in(row.chat_id)
            if ready_in > 0:
                soonest = min(soonest, ready_in)
                continue
            await self._pace()
            await self._deliver(row)
            sent = True
        # After a round that sent, look again at once: more may be due behind it.
        return 0.0 if sent else soonest

    # --- pacing ----------------------------------------------------------------------------

    def _ready_in(self, chat_id: int) -> float:
        """Seconds until the chat may receive a message (0: now)."""
        now = time.monotonic()
        waits = [self._paused_until - now]
        last = self._chat_last.get(chat_id)
        if last is not None:
            waits.append(last + self._limits.chat_interval_seconds - now)
        if chat_id < 0:
            window = self._group_sent.get(chat_id)
            if window is not None:
                while window and window[0] <= now - 60:
                    window.popleft()
                if len(window) >= self._limits.group_per_minute:
                    waits.append(window[0] + 60 - now)
        return max(0.0, *waits)

    async def _pace(self) -> None:
        """Keep the overall rate under the limit: sends evenly spaced, and never more than
        ``per_second`` of them reaching Telegram within one second."""
        per_window = max(1, int(self._limits.per_second))
        entered = time.monotonic()
        while True:
            now = time.monotonic()
            # A send reached Telegram before its answer came back, so a send that starts a
            # second after the answer to the one ``per_window`` sends back arrives more than
            # a second after it, however long each request took on the way.
            window_opens = self._recent[0] + 1.0 if len(self._recent) >= per_window else 0.0
            start = max(self._next_send, self._paused_until, window_opens)
            if start <= now:
                break
            await asyncio.sleep(start - now)
        # Spaced from when this send was due, so a late wake-up does not slow the next.
        self._next_send = max(start, entered) + 1 / self._limits.per_second

    async def _turn(self, chat_id: int) -> None:
        """Wait until ``chat_id`` may receive another request, within every limit (for a
        second request made while delivering one message)."""
        while (ready_in := self._ready_in(chat_id)) > 0:
            await asyncio.sleep(ready_in)
        await self._pace()

    def count_send(self, chat_id: int) -> None:
        """The bot sent a message to ``chat_id`` outside the outbox (a reply): Telegram
        counts it against the same limits, so the outbox leaves room for it."""
        self._record_send(chat_id)

    def _record_send(self, chat_id: int) -> None:
        """A send to ``chat_id`` was answered (or given up): the limits count from now,
        a moment no earlier than when Telegram received it."""
        now = time.monotonic()
        self._chat_last[chat_id] = now
        self._recent.append(now)
        while len(self._recent) > max(1, int(self._limits.per_second)):
            self._recent.popleft()
        if chat_id < 0:
            self._group_sent.setdefault(chat_id, collections.deque()).append(now)

    # --- delivery --------------------------------------------------------------------------

    async def _deliver(self, row: OutboxRow) -> None:
        try:
            try:
                sent = await self._send(row)
            except _TopicGone:
                # Once: a topic made just now that is gone again is a failure like any other.
                await self._turn(row.chat_id)
                sent = await self._send(row)
        except TelegramRetryAfter as exc:
            # Telegram asks the whole bot to wait; the message stays first in its chat.
            self.counts.flood_waits += 1
            self._paused_until = time.monotonic() + exc.retry_after
            logger.warning("Telegram asked to wait %ss", exc.retry_after)
        except TelegramForbiddenError:
            await self._blocked(row)
        except TelegramMigrateToChat as exc:
            await self._moved(row.chat_id, exc.migrate_to_chat_id)
        except (
            _TopicGone,
            TelegramAPIError,
            TelegramNetworkError,
            # An answer that is not the Bot API's JSON: an HTML error page of its front.
            ClientDecodeError,
            aiohttp.ClientError,
            TimeoutError,
        ) as exc:
            # Final for this row: retried, it would hold the chat's queue behind it (the
            # admin group's, for a customer's message) for nothing.
            final = row.copy_message_id is not None and _matches(exc, COPY_IMPOSSIBLE)
            await self._failed(row, f"{type(exc).__name__}: {exc}"[:500], final=final)
        else:
            async with self._db.transaction() as tx:
                await tx.outbox.mark_sent(row.id, sent_message_id=sent)
                if row.kind in SUPPORT_KINDS:
                    await tx.support.delivered(row.id, row.chat_id, sent)
            self.counts.sent += 1

    async def _send(self, row: OutboxRow) -> int:
        """Send the row's message (a copy, into a topic, as a reply, as it says); the id of
        the message it became."""
        thread = None if row.topic_user_id is None else await self._topic(row)
        reply_to = row.reply_to_message_id
        # In a topic, a message needs no reply to its header: the topic says whose it is.
        if reply_to is None and row.reply_to_outbox_id is not None and thread is None:
            async with self._db.read() as r:
                reply_to = await r.outbox.sent_message_id(row.reply_to_outbox_id)
        reply = (
            None
            if reply_to is None
            else ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
        )
        token = _from_outbox.set(True)
        try:
            if row.copy_from_chat_id is not None and row.copy_message_id is not None:
                copied = await self._bot.copy_message(
                    row.chat_id,
                    row.copy_from_chat_id,
                    row.copy_message_id,
                    message_thread_id=thread,
                    reply_parameters=reply,
                )
                return copied.message_id
            markup = (
                InlineKeyboardMarkup.model_validate(row.reply_markup) if row.reply_markup else None
            )
            message = await self._bot.send_message(
                row.chat_id,
                row.text,
                reply_markup=markup,
                message_thread_id=thread,
                reply_parameters=reply,
            )
            return message.message_id
        except TelegramBadRequest as exc:
            if thread is not None and row.topic_user_id is not None and _matches(exc, TOPIC_GONE):
                await self._forget_topic(row.chat_id, row.topic_user_id)
                raise _TopicGone(exc.message) from exc
            raise
        finally:
            _from_outbox.reset(token)
            self._record_send(row.chat_id)

    async def _goes_into_topic(self, row: OutboxRow) -> bool:
        """Whether the row goes into its customer's topic, which exists already."""
        if row.topic_user_id is None:
            return False
        if self._support is not None and not self._support.topics_usable(row.chat_id):
            return False
        async with self._db.read() as r:
            return await r.support.topic(row.topic_user_id, row.chat_id) is not None

    async def _topic(self, row: OutboxRow) -> int | None:
        """The thread of the row's customer's topic in the group, made now when missing;
        None when the group has no topics the bot may use (the message goes to General)."""
        assert row.topic_user_id is not None
        async with self._db.read() as r:
            thread = await r.support.topic(row.topic_user_id, row.chat_id)
            customer = await r.users.get(row.topic_user_id)
        if thread is not None:
            return thread
        if self._support is not None and not self._support.topics_usable(row.chat_id):
            return None
        name = topic_title(customer) if customer is not None else str(row.topic_user_id)
        try:
            topic = await self._bot.create_forum_topic(row.chat_id, name)
        except TelegramBadRequest as exc:
            # Topics switched off, or the bot may not manage them: the group gets the
            # message all the same, and the next ones are posted as for a plain group.
            logger.warning("no topic made in chat %d: %s", row.chat_id, exc.message)
            if self._support is not None:
                await self._support.topics_refused(
                    row.chat_id,
                    exc.message.removeprefix("Bad Request: "),
                    lacks_rights=_matches(exc, NO_TOPIC_RIGHTS),
                )
            topic = None
        finally:
            # The topic's first message (its creation) counts against the group's limits.
            self._record_send(row.chat_id)
        # The message itself is a second request: it waits its turn as any other.
        await self._turn(row.chat_id)
        if topic is None:
            return None
        async with self._db.transaction() as tx:
            await tx.support.set_topic(row.topic_user_id, row.chat_id, topic.message_thread_id)
        return topic.message_thread_id

    async def _forget_topic(self, chat_id: int, user_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.support.forget_topic(user_id)
        if self._support is not None:
            self._support.forget_forum(chat_id)
        logger.info("topic of customer %d in chat %d is gone; a new one is made", user_id, chat_id)

    async def _blocked(self, row: OutboxRow) -> None:
        async with self._db.transaction() as tx:
            if row.user_id is not None:
                await tx.users.set_blocked(row.user_id, True)
            dropped = await tx.outbox.drop_pending_for_chat(row.chat_id)
            if self._support is not None:
                await self._support.undelivered(tx, row)
        self.counts.blocked += 1
        logger.info("chat %d blocked the bot; %d messages dropped", row.chat_id, dropped)

    async def _moved(self, chat_id: int, to_chat_id: int) -> None:
        """A group became a supergroup: its messages go to the new chat, at once."""
        async with self._db.transaction() as tx:
            moved = await tx.outbox.move_pending(chat_id, to_chat_id)
        logger.error(
            "chat %d is now the supergroup %d; %d messages go there. If it is the admin "
            "group, set ADMIN_CHAT_ID=%d so its commands are taken there too",
            chat_id,
            to_chat_id,
            moved,
            to_chat_id,
        )

    async def _failed(self, row: OutboxRow, error: str, *, final: bool = False) -> None:
        """Delivery of ``row`` failed: tried again later, unless ``final`` or out of
        attempts."""
        async with self._db.transaction() as tx:
            if final or row.attempts + 1 >= self._limits.max_attempts:
                await tx.outbox.mark_failed(row.id, error)
                self.counts.failed += 1
                logger.warning("message %d to %d failed for good: %s", row.id, row.chat_id, error)
                return
            backoff = timedelta(seconds=2 ** (row.attempts + 1))
            await tx.outbox.mark_retry(row.id, utc_now() + backoff, error)
            self.counts.retried += 1


def _matches(error: BaseException, markers: tuple[str, ...]) -> bool:
    """Whether ``error`` is a Bad Request whose words contain one of ``markers``."""
    if not isinstance(error, TelegramBadRequest):
        return False
    message = error.message.lower()
    return any(marker in message for marker in markers)


class OtherSends(BaseRequestMiddleware):
    """A request middleware for the Bot's session: tells the notifier of every message the
    bot sends other than its own (replies to customers and admins)."""

    def __init__(self, notifier: Notifier) -> None:
        self._notifier = notifier

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        finally:
            chat_id = getattr(method, "chat_id", None)
            outside_outbox = isinstance(method, _SENDING) and not _from_outbox.get()
            if outside_outbox and isinstance(chat_id, int):
                self._notifier.count_send(chat_id)
