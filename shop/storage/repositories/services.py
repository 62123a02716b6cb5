"""The catalogue: the shop's services, each showing its preferred panel's listing, with the
owner's switches."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from api.models import OrderType, Service
from shop.storage.kept_rows import KeptRows
from shop.storage.repositories.listings import (
    MAIN_PANEL,
    ListingRepository,
    SyncCounts,
    decimal_text,
)
from shop.storage.session import Row, Session, json_list
from shop.storage.times import from_db_time


@dataclass(frozen=True, slots=True)
class ServiceRow:
    """A shop service, with the panel terms of the listing it shows (see
    :mod:`~shop.storage.repositories.listings`). ``rate`` is that panel's price per 1000
    units, exact.

    ``on_panel`` is False when the last sync no longer found it; ``enabled`` is the owner's
    switch; ``markup_override`` is a percent that replaces the default markup, or None;
    ``prefer`` is the panel it is sold from, or ``cheapest``.
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
    prefer: str = MAIN_PANEL
    #: The shop's own description (``/desc``), as the owner typed it; it wins on the card
    #: over the panel's, which is its listing's (:class:`ListingRow`).
    own_description: str | None = None

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
            prefer=row["prefer"],
            own_description=row["own_description"],
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


# A service is offered when it is on the panel, enabled, and of an order type the shop
# knows (its canonical spelling, bound as a JSON list).
_OFFERED = "enabled = 1 AND on_panel = 1 AND type IN (SELECT value FROM json_each(?))"
# ServiceRow.sellable in SQL. Rates are stored as fixed-point text ("0.0045", never "4.5E-3"),
# so a rate is above zero exactly when it has a digit other than 0 and no minus sign.
_SELLABLE = "rate GLOB '*[1-9]*' AND rate NOT LIKE '-%' AND \"max\" >= max(1, \"min\")"
# Customers see a service when it is offered and sellable.
_AVAILABLE = f"{_OFFERED} AND {_SELLABLE}"


#: Every order type this code knows, as one bound parameter.
_ORDERABLE = json_list([order_type.value for order_type in OrderType])


class ServiceRepository:
    """SQL for the ``services`` table. Reads of one service outside a transaction take it
    from ``kept`` once read, and every write makes what is kept stale (see
    :mod:`shop.storage.kept_rows`)."""

    def __init__(self, session: Session, kept: KeptRows[ServiceRow]) -> None:
        self._session = session
        self._kept = kept
        self._listings = ListingRepository(session, kept)

    async def upsert_many(
        self, services: Iterable[Service], synced_at: datetime, *, panel: str = MAIN_PANEL
    ) -> SyncCounts:
        """Store ``panel``'s services as its listings (see :meth:`ListingRepository.sync`);
        the owner's switches and overrides are kept, and each shop service shows its
        preferred listing."""
        return await self._listings.sync(panel, services, synced_at)

    async def mark_missing_off_panel(
        self, present_ids: Collection[int], synced_at: datetime, *, panel: str = MAIN_PANEL
    ) -> int:
        """Mark every listing of ``panel`` not in ``present_ids`` as gone from it; how many
        were."""
        return await self._listings.mark_missing(panel, present_ids, synced_at)

    async def get(self, service_id: int) -> ServiceRow | None:
        """The shop service with this id, or None (outside a transaction, as kept)."""
        if self._session.writable:
            return await self._read(service_id)
        return await self._kept.read_through(service_id, lambda: self._read(service_id))

    async def _read(self, service_id: int) -> ServiceRow | None:
        row = await self._session.fetch_one("SELECT * FROM services WHERE id = ?", (service_id,))
        return None if row is None else ServiceRow.from_row(row)

    async def get_many(self, service_ids: Iterable[int]) -> dict[int, ServiceRow]:
        """The shop services among ``service_ids`` that exist, by id, in one query."""
        rows = await self._session.fetch_all(
            "SELECT * FROM services WHERE id IN (SELECT value FROM json_each(?))",
            (json_list(set(service_ids)),),
        )
        return {row["id"]: ServiceRow.from_row(row) for row in rows}

    async def generation(self) -> int:
        """A number that changes whenever a service is added, changed or removed."""
        return int(
            await self._session.fetch_value(
                "SELECT generation FROM catalogue_generation WHERE id = 1"
            )
        )

    async def categories(self) -> list[CategoryRow]:
        """Categories that hold available services, sorted by name."""
        rows = await self._session.fetch_all(
            "SELECT category, COUNT(*) AS service_count, MIN(id) AS first_service_id"
            f" FROM services WHERE {_AVAILABLE}"
            " GROUP BY category ORDER BY category",
            (_ORDERABLE,),
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
                (category, _ORDERABLE),
            )
        )

    async def in_category(
        self, category: str, offset: int = 0, limit: int = 10
    ) -> list[ServiceRow]:
        """A page of the available services of a category, by id."""
        rows = await self._session.fetch_all(
            f"SELECT * FROM services WHERE category = ? AND {_AVAILABLE}"
            " ORDER BY id LIMIT ? OFFSET ?",
            (category, _ORDERABLE, limit, offset),
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
                _ORDERABLE,
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
            (_ORDERABLE,),
        )
        return [ServiceRow.from_row(row) for row in rows]

    async def set_enabled(self, service_id: int, enabled: bool) -> bool:
        """Switch a service on or off for customers; False when there is no such service."""
        self._kept.written()
        changed = await self._session.execute(
            "UPDATE services SET enabled = ? WHERE id = ?", (int(enabled), service_id)
        )
        return changed == 1

    async def set_markup_override(self, service_id: int, percent: Decimal | None) -> bool:
        """Set the service's own markup percent (None: back to the default markup)."""
        self._kept.written()
        if percent is not None and not percent.is_finite():
            raise ValueError(f"a markup must be a finite percent, not {percent}")
        changed = await self._session.execute(
            "UPDATE services SET markup_override = ? WHERE id = ?",
            (None if percent is None else decimal_text(percent), service_id),
        )
        return changed == 1

    async def set_own_description(self, service_id: int, text: str | None) -> bool:
        """Set the shop's own description of a service (None: show the panel's again);
        False when there is no such service."""
        self._kept.written()
        changed = await self._session.execute(
            "UPDATE services SET own_description = ? WHERE id = ?", (text, service_id)
        )
        return changed == 1

    async def count(self, *, available_only: bool = False) -> int:
        """Number of stored services, or of those customers may order."""
        return int(
            await self._session.fetch_value(
                f"SELECT COUNT(*) FROM services WHERE NOT ? OR ({_AVAILABLE})",
                (int(available_only), _ORDERABLE),
            )
        )
