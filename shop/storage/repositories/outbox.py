"""The outbox: messages to send to chats, kept until the notifier has delivered them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict, Unpack

from shop.storage.enums import OutboxState
from shop.storage.session import Row, Session
from shop.storage.times import from_db_time, optional_from_db_time, to_db_time, utc_now


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A message waiting for, or done with, delivery.

    ``reply_markup`` is the JSON object of Telegram's reply markup (as produced by
    ``markup.model_dump(exclude_none=True)``), or None. A row with ``copy_message_id`` is
    delivered as a copy of that message (``text`` unused); see :class:`Delivery` for the
    rest.
    """

    id: int
    chat_id: int
    user_id: int | None
    text: str
    reply_markup: dict[str, Any] | None
    kind: str
    dedupe_key: str | None
    state: OutboxState
    attempts: int
    not_before: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    copy_from_chat_id: int | None = None
    copy_message_id: int | None = None
    topic_user_id: int | None = None
    reply_to_message_id: int | None = None
    reply_to_outbox_id: int | None = None
    sent_message_id: int | None = None
    outside_topic_only: bool = False

    @classmethod
    def from_row(cls, row: Row) -> OutboxRow:
        """The message stored in ``row``."""
        markup = row["reply_markup"]
        return cls(
            id=row["id"],
            chat_id=row["chat_id"],
            user_id=row["user_id"],
            text=row["text"],
            reply_markup=None if markup is None else json.loads(markup),
            kind=row["kind"],
            dedupe_key=row["dedupe_key"],
            state=OutboxState(row["state"]),
            attempts=row["attempts"],
            not_before=from_db_time(row["not_before"]),
            last_error=row["last_error"],
            created_at=from_db_time(row["created_at"]),
            sent_at=optional_from_db_time(row["sent_at"]),
            copy_from_chat_id=row["copy_from_chat_id"],
            copy_message_id=row["copy_message_id"],
            topic_user_id=row["topic_user_id"],
            reply_to_message_id=row["reply_to_message_id"],
            reply_to_outbox_id=row["reply_to_outbox_id"],
            sent_message_id=row["sent_message_id"],
            outside_topic_only=bool(row["outside_topic_only"]),
        )


class Delivery(TypedDict, total=False):
    """How a queued message is delivered, each optional."""

    #: Inline keyboard, as the Bot API takes it.
    reply_markup: Mapping[str, Any] | None
    #: The customer the message is for, when it goes to a customer.
    user_id: int | None
    #: A message with the same key is queued once only.
    dedupe_key: str | None
    #: Not sent before this moment (default: now).
    not_before: datetime | None
    #: Deliver a copy of this message (chat, message id) instead of the text.
    copy_of: tuple[int, int] | None
    #: Into this customer's forum topic in the group (created when it has none).
    topic_user_id: int | None
    #: As a reply to this message of the chat.
    reply_to_message_id: int | None
    #: As a reply to the message the outbox row with this id became (outside a topic).
    reply_to_outbox_id: int | None
    #: Wanted only where it does not go into the customer's existing topic (a header that
    #: a topic makes needless): dropped unsent there.
    outside_topic_only: bool


class OutboxRepository:
    """SQL for the ``outbox`` table."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def enqueue(
        self,
        chat_id: int,
        text: str,
        kind: str,
        **options: Unpack[Delivery],
    ) -> int | None:
        """Queue a message; its id, or None when a message with ``dedupe_key`` exists.

        ``kind`` names what the message is about (e.g. ``order_status``, ``broadcast``), for
        counting; see :class:`Delivery` for the options.
        """
        now = utc_now()
        reply_markup = options.get("reply_markup")
        copy_from, copy_id = options.get("copy_of") or (None, None)
        rows = await self._session.execute_returning(
            "INSERT INTO outbox (chat_id, user_id, text, reply_markup, kind, dedupe_key,"
            " not_before, created_at, copy_from_chat_id, copy_message_id, topic_user_id,"
            " reply_to_message_id, reply_to_outbox_id, outside_topic_only)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            (
                chat_id,
                options.get("user_id"),
                text,
                None if reply_markup is None else json.dumps(dict(reply_markup)),
                kind,
                options.get("dedupe_key"),
                to_db_time(options.get("not_before") or now),
                to_db_time(now),
                copy_from,
                copy_id,
                options.get("topic_user_id"),
                options.get("reply_to_message_id"),
                options.get("reply_to_outbox_id"),
                int(options.get("outside_topic_only", False)),
            ),
        )
        return int(rows[0]["id"]) if rows else None

    async def get(self, message_id: int) -> OutboxRow | None:
        """The message with this id, or None."""
        row = await self._session.fetch_one("SELECT * FROM outbox WHERE id = ?", (message_id,))
        return None if row is None else OutboxRow.from_row(row)

    async def due(self, now: datetime, limit: int = 100) -> list[OutboxRow]:
        """Pending messages whose time has come, oldest due first."""
        rows = await self._session.fetch_all(
            "SELECT * FROM outbox WHERE state = ? AND not_before <= ?"
            " ORDER BY not_before, id LIMIT ?",
            (OutboxState.PENDING.value, to_db_time(now), limit),
        )
        return [OutboxRow.from_row(row) for row in rows]

    async def due_per_chat(self, now: datetime, limit: int = 100) -> list[OutboxRow]:
        """The oldest pending message of each chat, where its time has come, oldest due
        first: sending only these keeps every chat's messages in the order queued."""
        rows = await self._session.fetch_all(
            "SELECT * FROM outbox AS o WHERE state = ? AND not_before <= ?"
            " AND id = (SELECT MIN(id) FROM outbox AS p WHERE p.chat_id = o.chat_id"
            " AND p.state = ?) ORDER BY not_before, id LIMIT ?",
            (OutboxState.PENDING.value, to_db_time(now), OutboxState.PENDING.value, limit),
        )
        return [OutboxRow.from_row(row) for row in rows]

    async def mark_sent(
        self, message_id: int, now: datetime | None = None, sent_message_id: int | None = None
    ) -> bool:
        """A pending message was delivered (as Telegram's message ``sent_message_id``, when
        known); False when it was not pending."""
        changed = await self._session.execute(
            "UPDATE outbox SET state = ?, attempts = attempts + 1, sent_at = ?,"
            " sent_message_id = ? WHERE id = ? AND state = ?",
            (
                OutboxState.SENT.value,
                to_db_time(now or utc_now()),
                sent_message_id,
                message_id,
                OutboxState.PENDING.value,
            ),
        )
        return changed == 1

    async def sent_message_id(self, outbox_id: int) -> int | None:
        """The Telegram message the row ``outbox_id`` became, once sent."""
        value = await self._session.fetch_value(
            "SELECT sent_message_id FROM outbox WHERE id = ?", (outbox_id,)
        )
        return None if value is None else int(value)

    async def mark_retry(self, message_id: int, not_before: datetime, error: str) -> bool:
        """Delivery failed for now: try again at ``not_before``; False when not pending."""
        changed = await self._session.execute(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ?"
            " WHERE id = ? AND state = ?",
            (to_db_time(not_before), error, message_id, OutboxState.PENDING.value),
        )
        return changed == 1

    async def mark_failed(self, message_id: int, error: str) -> bool:
        """Delivery failed for good; False when the message was not pending."""
        changed = await self._session.execute(
            "UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ?"
            " WHERE id = ? AND state = ?",
            (OutboxState.FAILED.value, error, message_id, OutboxState.PENDING.value),
        )
        return changed == 1

    async def drop(self, message_id: int) -> bool:
        """A pending message is not wanted after all: it is never sent; False when it was
        not pending."""
        changed = await self._session.execute(
            "UPDATE outbox SET state = ? WHERE id = ? AND state = ?",
            (OutboxState.DROPPED.value, message_id, OutboxState.PENDING.value),
        )
        return changed == 1

    async def drop_pending_for_chat(self, chat_id: int) -> int:
        """Give up every pending message to a chat (e.g. the user blocked the bot); how many."""
        return await self._session.execute(
            "UPDATE outbox SET state = ? WHERE chat_id = ? AND state = ?",
            (OutboxState.DROPPED.value, chat_id, OutboxState.PENDING.value),
        )

    async def move_pending(self, chat_id: int, to_chat_id: int) -> int:
        """Send every pending message of a chat to another instead (a group that became a
        supergroup has a new id); how many. Their order is kept."""
        return await self._session.execute(
            "UPDATE outbox SET chat_id = ? WHERE chat_id = ? AND state = ?",
            (to_chat_id, chat_id, OutboxState.PENDING.value),
        )

    async def counts_by_state(self, kind: str | None = None) -> dict[OutboxState, int]:
        """Number of messages in each state that has any, of one ``kind`` or of all."""
        rows = await self._session.fetch_all(
            "SELECT state, COUNT(*) AS n FROM outbox WHERE ? IS NULL OR kind = ?"
            " GROUP BY state ORDER BY state",
            (kind, kind),
        )
        return {OutboxState(row["state"]): int(row["n"]) for row in rows}

    async def purge_finished(self, before: datetime, limit: int = 500) -> int:
        """Delete up to ``limit`` messages sent before ``before``, or dropped and queued
        before it; how many. Pending and failed messages stay.

        Their dedupe keys go with them, so keep well past the time a duplicate could arrive.
        """
        # A message is due no later than it is sent, so ``not_before`` bounds both kinds
        # and lets the scan use the index on (state, not_before).
        return await self._session.execute(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state IN (?, ?)"
            " AND not_before < ? AND COALESCE(sent_at, created_at) < ? LIMIT ?)",
            (
                OutboxState.SENT.value,
                OutboxState.DROPPED.value,
                to_db_time(before),
                to_db_time(before),
                limit,
            ),
        )
