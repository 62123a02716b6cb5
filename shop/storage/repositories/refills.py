"""Refill requests for orders whose count dropped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shop.storage.enums import ACTIVE_REFILL_STATES, RefillState
from shop.storage.session import Row, Session, json_list
from shop.storage.times import from_db_time, to_db_time, utc_now

#: Refill states the panel is still working on, so the tracker polls them.
_POLLED_STATES = sorted(ACTIVE_REFILL_STATES - {RefillState.REQUESTING})


@dataclass(frozen=True, slots=True)
class RefillRow:
    """A refill request; ``panel_status`` is the panel's raw text, ``error`` why it failed."""

    id: int
    order_id: int
    user_id: int
    state: RefillState
    #: The panel of its order, where it was requested.
    panel: str
    panel_refill_id: int | None
    panel_status: str | None
    error: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> RefillRow:
        """The refill stored in ``row``."""
        return cls(
            id=row["id"],
            order_id=row["order_id"],
            user_id=row["user_id"],
            state=RefillState(row["state"]),
            panel=row["panel"],
            panel_refill_id=row["panel_refill_id"],
            panel_status=row["panel_status"],
            error=row["error"],
            created_at=from_db_time(row["created_at"]),
            updated_at=from_db_time(row["updated_at"]),
        )


class RefillRepository:
    """SQL for the ``refills`` table. The schema allows one unfinished refill per order."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def insert_requesting(self, order_id: int, user_id: int) -> RefillRow | None:
        """Start a refill request; None when the order already has an unfinished one."""
        now = to_db_time(utc_now())
        rows = await self._session.execute_returning(
            # A refill is asked of the panel of its order.
            "INSERT INTO refills (order_id, user_id, state, panel, created_at, updated_at)"
            " VALUES (?, ?, ?, (SELECT panel FROM orders WHERE id = ?), ?, ?)"
            " ON CONFLICT DO NOTHING RETURNING *",
            (order_id, user_id, RefillState.REQUESTING.value, order_id, now, now),
        )
        return RefillRow.from_row(rows[0]) if rows else None

    async def get(self, refill_id: int) -> RefillRow | None:
        """The refill with this id, or None."""
        row = await self._session.fetch_one("SELECT * FROM refills WHERE id = ?", (refill_id,))
        return None if row is None else RefillRow.from_row(row)

    async def set_created(self, refill_id: int, panel_refill_id: int) -> bool:
        """The panel accepted the request: ``requesting`` -> ``pending`` with its id."""
        changed = await self._session.execute(
            "UPDATE refills SET state = ?, panel_refill_id = ?, updated_at = ?"
            " WHERE id = ? AND state = ?",
            (
                RefillState.PENDING.value,
                panel_refill_id,
                to_db_time(utc_now()),
                refill_id,
                RefillState.REQUESTING.value,
            ),
        )
        return changed == 1

    async def set_refused(self, refill_id: int, error: str) -> bool:
        """The request did not go through: ``requesting`` -> ``refused`` with the reason."""
        changed = await self._session.execute(
            "UPDATE refills SET state = ?, error = ?, updated_at = ? WHERE id = ? AND state = ?",
            (
                RefillState.REFUSED.value,
                error,
                to_db_time(utc_now()),
                refill_id,
                RefillState.REQUESTING.value,
            ),
        )
        return changed == 1

    async def active_with_panel_id(
        self, after_id: int = 0, limit: int = 100, *, panel: str | None = None
    ) -> list[RefillRow]:
        """A page of refills a panel is still working on, by id, after ``after_id``: those of
        ``panel``, or of every panel when it is None."""
        rows = await self._session.fetch_all(
            "SELECT * FROM refills WHERE panel_refill_id IS NOT NULL AND id > ?"
            " AND (? IS NULL OR panel = ?)"
            " AND state IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ?",
            (after_id, panel, panel, json_list(_POLLED_STATES), limit),
        )
        return [RefillRow.from_row(row) for row in rows]

    async def count_active(self) -> int:
        """Number of refills not yet final."""
        return int(
            await self._session.fetch_value(
                "SELECT COUNT(*) FROM refills WHERE state IN (SELECT value FROM json_each(?))",
                (json_list(sorted(ACTIVE_REFILL_STATES)),),
            )
        )

    async def apply_status(
        self, refill_id: int, *, state: RefillState, panel_status: str, now: datetime
    ) -> bool:
        """Store what the panel reported for a polled refill; True when its state changed.

        Refills no longer polled are left alone, so a late answer cannot undo a final state.
        """
        old = await self._session.fetch_value(
            "SELECT state FROM refills WHERE id = ?", (refill_id,)
        )
        if old is None or old not in _POLLED_STATES:
            return False
        await self._session.execute(
            "UPDATE refills SET panel_status = ?, state = ?,"
            " updated_at = CASE WHEN state = ? THEN updated_at ELSE ? END"
            " WHERE id = ? AND state = ?",
            (
                panel_status,
                RefillState(state).value,
                RefillState(state).value,
                to_db_time(now),
                refill_id,
                old,
            ),
        )
        return bool(old != state)

    async def latest_for_order(self, order_id: int) -> RefillRow | None:
        """The order's newest refill request, or None."""
        row = await self._session.fetch_one(
            "SELECT * FROM refills WHERE order_id = ? ORDER BY id DESC LIMIT 1", (order_id,)
        )
        return None if row is None else RefillRow.from_row(row)

    async def for_order(self, order_id: int) -> list[RefillRow]:
        """The order's refills, newest first."""
        rows = await self._session.fetch_all(
            "SELECT * FROM refills WHERE order_id = ? ORDER BY id DESC", (order_id,)
        )
        return [RefillRow.from_row(row) for row in rows]
