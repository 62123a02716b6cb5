"""The catalogue: the panel's services as last synced, with the owner's switches."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from api.models import OrderType, Service
from shop.storage.session import Params, Row, Session, json_list
from shop.storage.times import from_db_time, to_db_time


@dataclass(frozen=True, slots=True)
class ServiceRow:
    """A service of the panel. ``rate`` is the panel's price per 1000 units, exact.

    ``on_panel`` is False when the last sync no longer found it; ``enabled`` is the owner's
    switch; ``markup_override`` is a percent that replaces the default markup, or None.
    """

    id: int
    name: str
    type: str
    category: str
    rate: Decimal
    min: int
    max: int
    refill: bool
    cancel: bool
    dripfeed: bool
    on_panel: bool
    enabled: bool
    markup_override: Decimal | None
    synced_at: datetime

    @property
    def order_type(self) -> OrderType | None:
        """The known order type, or None for a type this code does not know."""
        return OrderType.parse(self.type)

    @property
    def least_quantity(self) -> int:
        """The smallest quantity a customer may order: the panel's minimum, and never less
        than 1 (panels list a minimum of 0; a quantity of 0 is no order)."""
        return max(1, self.min)

    @property
    def sellable(self) -> bool:
        """True when the shop can sell it: a rate above zero (a free service cannot be
        charged for) and limits some quantity fits."""
        return self.rate > 0 and self.max >= self.least_quantity

    @property
    def available(self) -> bool:
        """True when customers may order it: on the panel, enabled by the owner, of an order
        type this shop knows how to take, and sellable."""
        return self.on_panel and self.enabled and self.order_type is not None and self.sellable

    @classmethod
    def from_row(cls, row: Row) -> ServiceRow:
        """The service stored in ``row``."""
        override = row["markup_override"]
        return cls(
            id=row["id"],
            name=row["name"],
            type=row["type"],
            category=row["category"],
            rate=Decimal(row["rate"]),
            min=row["min"],
            max=row["max"],
            refill=bool(row["refill"]),
            cancel=bool(row["cancel"]),
            dripfeed=bool(row["dripfeed"]),
            on_panel=bool(row["on_panel"]),
            enabled=bool(row["enabled"]),
            markup_override=None if override is None else Decimal(override),
            synced_at=from_db_time(row["synced_at"]),
        )


@dataclass(frozen=True, slots=True)
class CategoryRow:
    """A category of available services.

    ``first_service_id`` is the smallest id in it: a short, stable handle for callback data,
    where a category name may not fit (``services.get(first_service_id).category``).
    """

    name: str
    service_count: int
    first_service_id: int


class SyncCounts(NamedTuple):
    """What one catalogue sync did to the stored services."""

    inserted: int
    updated: int
    unchanged: int


def _decimal_text(value: Decimal) -> str:
    # Fixed-point text, never "1E+1": exact and readable in the database.
    return format(value, "f")


_PanelFields = tuple[str, str, str, Decimal, int, int, bool, bool, bool]


def _panel_fields(service: Service) -> _PanelFields:
    return (
        service.name,
        service.type,
        service.category,
        service.rate,
        service.min,
        service.max,
        service.refill,
        service.cancel,
        service.dripfeed,
    )


def _stored_panel_fields(row: Row) -> _PanelFields:
    return (
        row["name"],
        row["type"],
        row["category"],
        Decimal(row["rate"]),
        row["min"],
        row["max"],
        bool(row["refill"]),
        bool(row["cancel"]),
        bool(row["dripfeed"]),
    )


def _panel_params(service: Service) -> tuple[str, str, str, str, int, int, int, int, int]:
    return (
        service.name,
        service.type,
        service.category,
        _decimal_text(service.rate),
        service.min,
        service.max,
        int(service.refill),
        int(service.cancel),
        int(service.dripfeed),
    )


# A service is offered when it is on the panel, enabled, and of an order type the shop
# knows (its canonical spelling, bound as a JSON list).
_OFFERED = "enabled = 1 AND on_panel = 1 AND type IN (SELECT value FROM json_each(?))"
# ServiceRow.sellable in SQL. Rates are stored as fixed-point text ("0.0045", never "4.5E-3"),
# so a rate is above zero exactly when it has a digit other than 0 and no minus sign.
_SELLABLE = "rate GLOB '*[1-9]*' AND rate NOT LIKE '-%' AND \"max\" >= max(1, \"min\")"
# Customers see a service when it is offered and sellable.
_AVAILABLE = f"{_OFFERED} AND {_SELLABLE}"


class ServiceRepository:
    """SQL for the ``services`` table."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._orderable = json_list([order_type.value for order_type in OrderType])

    async def upsert_many(self, services: Iterable[Service], synced_at: datetime) -> SyncCounts:
        """Store the panel's services; the owner's switches and overrides are kept.

        A service that was off the panel and is listed again comes back (``on_panel``). When
        the panel lists an id twice, the last entry wins.
        """
        latest = {service.id: service for service in services}
        synced = to_db_time(synced_at)
        stored = {
            row["id"]: row
            for row in await self._session.fetch_all(
                "SELECT * FROM services WHERE id IN (SELECT value FROM json_each(?))",
                (json_list(latest),),
            )
        }
        inserts: list[Params] = []
        updates: list[Params] = []
        unchanged: list[Params] = []
        for service_id, service in latest.items():
            row = stored.get(service_id)
            if row is None:
                inserts.append((service_id, *_panel_params(service), synced))
            elif row["on_panel"] and _stored_panel_fields(row) == _panel_fields(service):
                # Compared as values: "0.90" and "0.9" are the same rate.
                unchanged.append((synced, service_id))
            else:
                updates.append((*_panel_params(service), synced, service_id))
        if inserts:
            await self._session.execute_many(
                "INSERT INTO services (id, name, type, category, rate, min, max, refill, cancel,"
                " dripfeed, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                inserts,
            )
        if updates:
            await self._session.execute_many(
                "UPDATE services SET name = ?, type = ?, category = ?, rate = ?, min = ?,"
                " max = ?, refill = ?, cancel = ?, dripfeed = ?, on_panel = 1, synced_at = ?"
                " WHERE id = ?",
                updates,
            )
        if unchanged:
            await self._session.execute_many(
                "UPDATE services SET synced_at = ? WHERE id = ?", unchanged
            )
        return SyncCounts(len(inserts), len(updates), len(unchanged))

    async def mark_missing_off_panel(
        self, present_ids: Collection[int], synced_at: datetime
    ) -> int:
        """Mark every service not in ``present_ids`` as gone from the panel; how many were."""
        return await self._session.execute(
            "UPDATE services SET on_panel = 0, synced_at = ?"
            " WHERE on_panel = 1 AND id NOT IN (SELECT value FROM json_each(?))",
            (to_db_time(synced_at), json_list(present_ids)),
        )

    async def get(self, service_id: int) -> ServiceRow | None:
        """The service with this panel id, or None."""
        row = await self._session.fetch_one("SELECT * FROM services WHERE id = ?", (service_id,))
        return None if row is None else ServiceRow.from_row(row)

    async def categories(self) -> list[CategoryRow]:
        """Categories that hold available services, sorted by name."""
        rows = await self._session.fetch_all(
            "SELECT category, COUNT(*) AS service_count, MIN(id) AS first_service_id"
            f" FROM services WHERE {_AVAILABLE}"
            " GROUP BY category ORDER BY category",
            (self._orderable,),
        )
        return [
            CategoryRow(row["category"], row["service_count"], row["first_service_id"])
            for row in rows
        ]

    async def count_in_category(self, category: str) -> int:
        """Number of available services in a category."""
        return int(
            await self._session.fetch_value(
                f"SELECT COUNT(*) FROM services WHERE category = ? AND {_AVAILABLE}",
                (category, self._orderable),
            )
        )

    async def in_category(
        self, category: str, offset: int = 0, limit: int = 10
    ) -> list[ServiceRow]:
        """A page of the available services of a category, by id."""
        rows = await self._session.fetch_all(
            f"SELECT * FROM services WHERE category = ? AND {_AVAILABLE}"
            " ORDER BY id LIMIT ? OFFSET ?",
            (category, self._orderable, limit, offset),
        )
        return [ServiceRow.from_row(row) for row in rows]

    async def search(
        self, text: str, limit: int = 10, *, include_unavailable: bool = False
    ) -> list[ServiceRow]:
        """Services whose id is ``text`` or whose name contains it (any case); id match first.

        Only available services unless ``include_unavailable`` (for the owner's tools).
        """
        needle = text.strip()
        if not needle:
            return []
        # Ids are SQLite integers: longer digit strings cannot be one.
        is_id = needle.isascii() and needle.isdigit() and len(needle) <= 18
        exact_id = int(needle) if is_id else None
        rows = await self._session.fetch_all(
            "SELECT * FROM services"
            " WHERE (id = ? OR instr(casefold(name), ?) > 0)"
            f" AND (? OR ({_AVAILABLE}))"
            " ORDER BY id IS ? DESC, id LIMIT ?",
            (
                exact_id,
                needle.casefold(),
                int(include_unavailable),
                self._orderable,
                exact_id,
                limit,
            ),
        )
        return [ServiceRow.from_row(row) for row in rows]

    async def offered_but_unsellable(self) -> list[ServiceRow]:
        """Services that would be on sale but cannot be sold (see ``ServiceRow.sellable``),
        by id."""
        rows = await self._session.fetch_all(
            f"SELECT * FROM services WHERE {_OFFERED} AND NOT ({_SELLABLE}) ORDER BY id",
            (self._orderable,),
        )
        return [ServiceRow.from_row(row) for row in rows]

    async def set_enabled(self, service_id: int, enabled: bool) -> bool:
        """Switch a service on or off for customers; False when there is no such service."""
        changed = await self._session.execute(
            "UPDATE services SET enabled = ? WHERE id = ?", (int(enabled), service_id)
        )
        return changed == 1

    async def set_markup_override(self, service_id: int, percent: Decimal | None) -> bool:
        """Set the service's own markup percent (None: back to the default markup)."""
        if percent is not None and not percent.is_finite():
            raise ValueError(f"a markup must be a finite percent, not {percent}")
        changed = await self._session.execute(
            "UPDATE services SET markup_override = ? WHERE id = ?",
            (None if percent is None else _decimal_text(percent), service_id),
        )
        return changed == 1

    async def count(self, *, available_only: bool = False) -> int:
        """Number of stored services, or of those customers may order."""
        return int(
            await self._session.fetch_value(
                f"SELECT COUNT(*) FROM services WHERE NOT ? OR ({_AVAILABLE})",
                (int(available_only), self._orderable),
            )
        )
