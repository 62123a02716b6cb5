"""Customers of the shop, keyed by their Telegram user id."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from shop.storage.kept_rows import KeptRows
from shop.storage.session import Row, Session, json_list
from shop.storage.times import from_db_time, optional_from_db_time, to_db_time, utc_now


@dataclass(frozen=True, slots=True)
class UserRow:
    """A customer. ``blocked`` means the user blocked the bot, so nothing is sent to them;
    ``banned_at`` that the staff banned them, so the shop serves them nothing more."""

    id: int
    username: str | None
    first_name: str | None
    language: str
    referrer_id: int | None
    blocked: bool
    created_at: datetime
    banned_at: datetime | None = None
    ban_reason: str | None = None

    @property
    def banned(self) -> bool:
        return self.banned_at is not None

    @classmethod
    def from_row(cls, row: Row) -> UserRow:
        """The user stored in ``row``."""
        # Bans are absent from a database at a schema version before them.
        columns = set(row.keys())
        banned_at = row["banned_at"] if "banned_at" in columns else None
        return cls(
            id=row["id"],
            username=row["username"],
            first_name=row["first_name"],
            language=row["language"],
            referrer_id=row["referrer_id"],
            blocked=bool(row["blocked"]),
            created_at=from_db_time(row["created_at"]),
            banned_at=optional_from_db_time(banned_at),
            ban_reason=row["ban_reason"] if "ban_reason" in columns else None,
        )


class UserRepository:
    """SQL for the ``users`` table. Reads outside a transaction take a customer read before
    from ``kept``, and every write makes what is kept stale (see
    :mod:`shop.storage.kept_rows`)."""

    def __init__(self, session: Session, kept: KeptRows[UserRow]) -> None:
        self._session = session
        self._kept = kept

    async def get(self, user_id: int) -> UserRow | None:
        """The user with this Telegram id, or None (outside a transaction, as kept)."""
        if self._session.writable:
            return await self._read(user_id)
        return await self._kept.read_through(user_id, lambda: self._read(user_id))

    async def _read(self, user_id: int) -> UserRow | None:
        row = await self._session.fetch_one("SELECT * FROM users WHERE id = ?", (user_id,))
        return None if row is None else UserRow.from_row(row)

    async def get_many(self, user_ids: Iterable[int]) -> dict[int, UserRow]:
        """The users among ``user_ids`` that exist, by id, in one query."""
        rows = await self._session.fetch_all(
            "SELECT * FROM users WHERE id IN (SELECT value FROM json_each(?))",
            (json_list(set(user_ids)),),
        )
        return {row["id"]: UserRow.from_row(row) for row in rows}

    async def upsert(
        self, user_id: int, username: str | None, first_name: str | None, language: str
    ) -> tuple[UserRow, bool]:
        """Create the user, or refresh the names of an existing one; ``(user, created)``.

        ``language`` is used only for a new user: an existing user's choice is kept. Telegram
        usernames are unique at any moment, so the username is taken off any other user who
        still carries it from before.
        """
        self._kept.written()
        if username is not None:
            await self._session.execute(
                "UPDATE users SET username = NULL WHERE username = ? COLLATE NOCASE AND id <> ?",
                (username, user_id),
            )
        created = await self._session.execute_returning(
            "INSERT INTO users (id, username, first_name, language, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING *",
            (user_id, username, first_name, language, to_db_time(utc_now())),
        )
        if created:
            return UserRow.from_row(created[0]), True
        updated = await self._session.execute_returning(
            "UPDATE users SET username = ?, first_name = ? WHERE id = ? RETURNING *",
            (username, first_name, user_id),
        )
        return UserRow.from_row(updated[0]), False

    async def set_language(self, user_id: int, language: str) -> bool:
        """Store the user's language; False when there is no such user."""
        self._kept.written()
        changed = await self._session.execute(
            "UPDATE users SET language = ? WHERE id = ?", (language, user_id)
        )
        return changed == 1

    async def set_referrer_once(self, user_id: int, referrer_id: int) -> bool:
        """Record who referred the user; True only if it was unset, not self and known."""
        self._kept.written()
        changed = await self._session.execute(
            "UPDATE users SET referrer_id = ?"
            " WHERE id = ? AND referrer_id IS NULL AND id <> ?"
            " AND EXISTS (SELECT 1 FROM users WHERE id = ?)",
            (referrer_id, user_id, referrer_id, referrer_id),
        )
        return changed == 1

    async def set_blocked(self, user_id: int, blocked: bool) -> bool:
        """Record whether the user has blocked the bot; False when there is no such user."""
        self._kept.written()
        changed = await self._session.execute(
            "UPDATE users SET blocked = ? WHERE id = ?", (int(blocked), user_id)
        )
        return changed == 1

    async def ban(self, user_id: int, reason: str | None, at: datetime) -> bool:
        """Ban the user; False when there is no such user or they are banned already."""
        self._kept.written()
        changed = await self._session.execute(
            "UPDATE users SET banned_at = ?, ban_reason = ? WHERE id = ? AND banned_at IS NULL",
            (to_db_time(at), reason, user_id),
        )
        return changed == 1

    async def unban(self, user_id: int) -> bool:
        """Lift the user's ban; False when they were not banned."""
        self._kept.written()
        changed = await self._session.execute(
            "UPDATE users SET banned_at = NULL, ban_reason = NULL"
            " WHERE id = ? AND banned_at IS NOT NULL",
            (user_id,),
        )
        return changed == 1

    async def banned(self, limit: int) -> tuple[list[UserRow], int]:
        """Up to ``limit`` banned users, latest ban first, and how many there are."""
        rows = await self._session.fetch_all(
            "SELECT * FROM users WHERE banned_at IS NOT NULL ORDER BY banned_at DESC LIMIT ?",
            (limit,),
        )
        total = await self._session.fetch_value(
            "SELECT COUNT(*) FROM users WHERE banned_at IS NOT NULL"
        )
        return [UserRow.from_row(row) for row in rows], int(total or 0)

    async def count(self) -> int:
        """Number of users."""
        return int(await self._session.fetch_value("SELECT COUNT(*) FROM users"))

    async def count_referrals(self, user_id: int) -> int:
        """Number of users this user referred."""
        return int(
            await self._session.fetch_value(
                "SELECT COUNT(*) FROM users WHERE referrer_id = ?", (user_id,)
            )
        )

    async def ids_not_blocked(self, after_id: int = 0, limit: int = 500) -> list[int]:
        """Ids of users who have not blocked the bot, ascending, after ``after_id``.

        Pass the last id of one page as ``after_id`` of the next (keyset paging stays cheap
        and skips nobody while users join during a broadcast).
        """
        rows = await self._session.fetch_all(
            "SELECT id FROM users WHERE id > ? AND blocked = 0 ORDER BY id LIMIT ?",
            (after_id, limit),
        )
        return [int(row["id"]) for row in rows]

    async def find_by_username(self, username: str) -> UserRow | None:
        """The user with this username (``@`` optional, case ignored), or None."""
        row = await self._session.fetch_one(
            "SELECT * FROM users WHERE username = ? COLLATE NOCASE ORDER BY id LIMIT 1",
            (username.removeprefix("@"),),
        )
        return None if row is None else UserRow.from_row(row)
