"""Support conversations: customers' topics in the admin group, tickets, and which message
in the group is which in a customer's chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shop.storage.session import Row, Session
from shop.storage.times import from_db_time, optional_from_db_time, to_db_time, utc_now


class TicketState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Direction(StrEnum):
    """``in``: the customer wrote to the shop; ``out``: the staff answered."""

    IN = "in"
    OUT = "out"


@dataclass(frozen=True, slots=True)
class TicketRow:
    """A support conversation with one customer."""

    id: int
    user_id: int
    order_id: int | None
    state: TicketState
    opened_at: datetime
    closed_at: datetime | None
    closed_by: int | None
    warned_at: datetime | None

    @classmethod
    def from_row(cls, row: Row) -> TicketRow:
        """The ticket stored in ``row``."""
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            order_id=row["order_id"],
            state=TicketState(row["state"]),
            opened_at=from_db_time(row["opened_at"]),
            closed_at=optional_from_db_time(row["closed_at"]),
            closed_by=row["closed_by"],
            warned_at=optional_from_db_time(row["warned_at"]),
        )


@dataclass(frozen=True, slots=True)
class OpenTicket:
    """An open ticket as /tickets lists it: with its customer's name and message count."""

    ticket: TicketRow
    first_name: str | None
    username: str | None
    messages: int


class SupportRepository:
    """SQL for ``support_topics``, ``support_tickets`` and ``support_messages``."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # --- topics ----------------------------------------------------------------------------

    async def topic(self, user_id: int, chat_id: int) -> int | None:
        """The thread id of the customer's topic in the group ``chat_id``, if it has one."""
        value = await self._session.fetch_value(
            "SELECT thread_id FROM support_topics WHERE user_id = ? AND chat_id = ?",
            (user_id, chat_id),
        )
        return None if value is None else int(value)

    async def set_topic(self, user_id: int, chat_id: int, thread_id: int) -> None:
        """The customer's topic is now ``thread_id`` in the group ``chat_id``."""
        await self._session.execute(
            "INSERT INTO support_topics (user_id, chat_id, thread_id, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
            " chat_id = excluded.chat_id, thread_id = excluded.thread_id,"
            " created_at = excluded.created_at",
            (user_id, chat_id, thread_id, to_db_time(utc_now())),
        )

    async def forget_topic(self, user_id: int) -> None:
        """The customer's topic is gone (deleted or closed by the staff)."""
        await self._session.execute("DELETE FROM support_topics WHERE user_id = ?", (user_id,))

    async def topic_owner(self, chat_id: int, thread_id: int) -> int | None:
        """The customer whose topic ``thread_id`` is, if any."""
        value = await self._session.fetch_value(
            "SELECT user_id FROM support_topics WHERE chat_id = ? AND thread_id = ?",
            (chat_id, thread_id),
        )
        return None if value is None else int(value)

    # --- tickets ---------------------------------------------------------------------------

    async def open_ticket(self, user_id: int) -> TicketRow | None:
        """The customer's open ticket, if any."""
        row = await self._session.fetch_one(
            "SELECT * FROM support_tickets WHERE user_id = ? AND state = ?",
            (user_id, TicketState.OPEN.value),
        )
        return None if row is None else TicketRow.from_row(row)

    async def latest_ticket(self, user_id: int) -> TicketRow | None:
        """The customer's newest ticket, open or closed."""
        row = await self._session.fetch_one(
            "SELECT * FROM support_tickets WHERE user_id = ? ORDER BY id DESC LIMIT 1",
            (user_id,),
        )
        return None if row is None else TicketRow.from_row(row)

    async def get_ticket(self, ticket_id: int) -> TicketRow | None:
        row = await self._session.fetch_one(
            "SELECT * FROM support_tickets WHERE id = ?", (ticket_id,)
        )
        return None if row is None else TicketRow.from_row(row)

    async def create_ticket(self, user_id: int, order_id: int | None) -> TicketRow:
        """Open a ticket for the customer (who has none open)."""
        rows = await self._session.execute_returning(
            "INSERT INTO support_tickets (user_id, order_id, opened_at) VALUES (?, ?, ?)"
            " RETURNING *",
            (user_id, order_id, to_db_time(utc_now())),
        )
        return TicketRow.from_row(rows[0])

    async def set_ticket_order(self, ticket_id: int, order_id: int) -> None:
        await self._session.execute(
            "UPDATE support_tickets SET order_id = ? WHERE id = ?", (order_id, ticket_id)
        )

    async def close_ticket(self, ticket_id: int, closed_by: int, at: datetime) -> bool:
        """Close an open ticket; False when it was not open."""
        changed = await self._session.execute(
            "UPDATE support_tickets SET state = ?, closed_at = ?, closed_by = ?"
            " WHERE id = ? AND state = ?",
            (
                TicketState.CLOSED.value,
                to_db_time(at),
                closed_by,
                ticket_id,
                TicketState.OPEN.value,
            ),
        )
        return changed == 1

    async def set_warned(self, ticket_id: int, at: datetime) -> None:
        await self._session.execute(
            "UPDATE support_tickets SET warned_at = ? WHERE id = ?", (to_db_time(at), ticket_id)
        )

    async def open_tickets(self, limit: int) -> tuple[list[OpenTicket], int]:
        """Up to ``limit`` open tickets, oldest first, and how many are open in all."""
        rows = await self._session.fetch_all(
            "SELECT t.*, u.first_name, u.username, (SELECT COUNT(*) FROM support_messages AS m"
            " WHERE m.ticket_id = t.id AND m.direction = ? AND m.is_header = 0) AS messages"
            " FROM support_tickets AS t JOIN users AS u ON u.id = t.user_id"
            " WHERE t.state = ? ORDER BY t.opened_at, t.id LIMIT ?",
            (Direction.IN.value, TicketState.OPEN.value, limit),
        )
        total = await self._session.fetch_value(
            "SELECT COUNT(*) FROM support_tickets WHERE state = ?", (TicketState.OPEN.value,)
        )
        return [
            OpenTicket(
                TicketRow.from_row(row), row["first_name"], row["username"], int(row["messages"])
            )
            for row in rows
        ], int(total)

    # --- messages --------------------------------------------------------------------------

    async def add_message(
        self,
        ticket_id: int,
        direction: Direction,
        *,
        outbox_id: int,
        customer_message_id: int | None = None,
        group_message: tuple[int, int] | None = None,
        is_header: bool = False,
    ) -> None:
        """Record a message of the ticket's conversation, queued as the outbox row
        ``outbox_id``; ``group_message`` is ``(chat id, message id)`` in the group. The side
        not known yet is filled in by :meth:`delivered`."""
        group_chat_id, group_message_id = group_message or (None, None)
        await self._session.execute(
            "INSERT INTO support_messages (ticket_id, user_id, direction, is_header,"
            " customer_message_id, group_chat_id, group_message_id, outbox_id, created_at)"
            " SELECT id, user_id, ?, ?, ?, ?, ?, ?, ? FROM support_tickets WHERE id = ?",
            (
                direction.value,
                int(is_header),
                customer_message_id,
                group_chat_id,
                group_message_id,
                outbox_id,
                to_db_time(utc_now()),
                ticket_id,
            ),
        )

    async def delivered(self, outbox_id: int, chat_id: int, message_id: int) -> None:
        """The outbox row ``outbox_id`` became Telegram's message ``message_id`` in the chat
        ``chat_id``: the group, for what the customer wrote; the customer's chat, for an
        answer."""
        await self._session.execute(
            "UPDATE support_messages SET"
            " group_chat_id = CASE direction WHEN 'in' THEN ? ELSE group_chat_id END,"
            " group_message_id = CASE direction WHEN 'in' THEN ? ELSE group_message_id END,"
            " customer_message_id = CASE direction WHEN 'out' THEN ? ELSE customer_message_id"
            " END WHERE outbox_id = ?",
            (chat_id, message_id, message_id, outbox_id),
        )

    async def by_group_message(self, chat_id: int, message_id: int) -> tuple[int, int] | None:
        """``(user_id, ticket_id)`` of the message ``message_id`` of the group ``chat_id``,
        when it belongs to a ticket."""
        row = await self._session.fetch_one(
            "SELECT user_id, ticket_id FROM support_messages WHERE group_chat_id = ?"
            " AND group_message_id = ? ORDER BY id DESC LIMIT 1",
            (chat_id, message_id),
        )
        return None if row is None else (int(row["user_id"]), int(row["ticket_id"]))

    async def has_message(
        self, user_id: int, customer_message_id: int, direction: Direction
    ) -> bool:
        """Whether the customer's chat message ``customer_message_id`` is in a conversation
        in ``direction``: relayed already (in), or a staff answer (out)."""
        value = await self._session.fetch_value(
            "SELECT 1 FROM support_messages WHERE user_id = ? AND customer_message_id = ?"
            " AND direction = ?",
            (user_id, customer_message_id, direction.value),
        )
        return value is not None

    async def count_in_since(self, user_id: int, since: datetime) -> tuple[int, datetime | None]:
        """How many messages the customer wrote since ``since``, and when the first was."""
        row = await self._session.fetch_one(
            "SELECT COUNT(*) AS n, MIN(created_at) AS first FROM support_messages"
            " WHERE user_id = ? AND direction = ? AND is_header = 0 AND created_at >= ?",
            (user_id, Direction.IN.value, to_db_time(since)),
        )
        assert row is not None
        return int(row["n"]), optional_from_db_time(row["first"])
