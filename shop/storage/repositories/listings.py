"""Listings: the panels' services, each linked to the shop service it sells as.

A shop service (``services``) has at most one listing per panel. The shop shows, and places
at, one of them: the listing at the service's preferred panel, or the cheapest one on sale
when it prefers :data:`CHEAPEST`. The panel columns of ``services`` are a copy of that
listing's, written by :meth:`ListingRepository.refresh_shown` whenever listings change.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Final, NamedTuple

from api.models import Service
from shop.storage.kept_rows import KeptRows
from shop.storage.session import Params, Row, Session, json_list
from shop.storage.times import from_db_time, to_db_time

if TYPE_CHECKING:
    from shop.storage.repositories.services import ServiceRow

#: The panel of a one-panel shop; every row from before several panels belongs to it.
MAIN_PANEL: Final = "main"
#: A shop service's preference for whichever of its listings on sale is cheapest.
CHEAPEST: Final = "cheapest"

# The panel whose listing a shop service ({service}) shows: the preferred panel's, else (for
# 'cheapest') the cheapest on sale; ties go to the panel first by name, so the choice is
# stable.
_SHOWN_PANEL = (
    "COALESCE("
    "(SELECT p.panel FROM panel_services AS p"
    " WHERE p.service_id = {service}.id AND p.panel = {service}.prefer),"
    "(SELECT c.panel FROM panel_services AS c WHERE c.service_id = {service}.id"
    " ORDER BY c.on_panel DESC, CAST(c.rate AS REAL), c.panel LIMIT 1))"
)
# The description and average time are not copied: long texts in ``services`` would slow
# every scan of it (categories, search), and only a service's card reads them.
_COPIED = "name, type, category, rate, min, max, refill, cancel, dripfeed, on_panel, synced_at"


@dataclass(frozen=True, slots=True)
class ListingRow:
    """A panel's service as last synced, and the shop service it sells as."""

    panel: str
    panel_service_id: int
    service_id: int
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
    synced_at: datetime
    #: The panel's description as plain text (see :mod:`shop.descriptions`), if it gave one.
    description: str | None = None
    #: How long the panel says an order takes, in its words, if it said.
    average_time: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> ListingRow:
        """The listing stored in ``row``."""
        return cls(
            panel=row["panel"],
            panel_service_id=row["panel_service_id"],
            service_id=row["service_id"],
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
            synced_at=from_db_time(row["synced_at"]),
            description=row["description"],
            average_time=row["average_time"],
        )


class SyncCounts(NamedTuple):
    """What one catalogue sync of a panel did to its stored listings."""

    inserted: int
    updated: int
    unchanged: int


def decimal_text(value: Decimal) -> str:
    """Fixed-point text, never "1E+1": exact and readable in the database."""
    return format(value, "f")


_PanelFields = tuple[str, str, str, Decimal, int, int, bool, bool, bool, str | None, str | None]


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
        service.description,
        service.average_time,
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
        row["description"],
        row["average_time"],
    )


_ServiceParams = tuple[str, str, str, str, int, int, int, int, int]


def _service_params(service: Service) -> _ServiceParams:
    """What a new shop service copies of its first listing."""
    return (
        service.name,
        service.type,
        service.category,
        decimal_text(service.rate),
        service.min,
        service.max,
        int(service.refill),
        int(service.cancel),
        int(service.dripfeed),
    )


_PanelParams = tuple[str, str, str, str, int, int, int, int, int, str | None, str | None]


def _panel_params(service: Service) -> _PanelParams:
    return (*_service_params(service), service.description, service.average_time)


class ListingRepository:
    """SQL for the ``panel_services`` table, and the copy of the shown listing in
    ``services``."""

    def __init__(self, session: Session, kept: KeptRows[ServiceRow]) -> None:
        """``kept``: the services kept in memory, made stale by every write here (each may
        change the copy in ``services``)."""
        self._session = session
        self._kept = kept

    async def sync(
        self, panel: str, services: Iterable[Service], synced_at: datetime
    ) -> SyncCounts:
        """Store ``panel``'s services as its listings; a listing that was off the panel and
        is listed again comes back (``on_panel``). When the panel lists an id twice, the last
        entry wins.

        A panel service seen for the first time becomes a new shop service (enabled,
        preferring this panel), under its panel id when no shop service has that id yet,
        else under the next id above every shop id: ids of a one-panel shop stay as they
        always were, and a shop id never changes once given.
        """
        self._kept.written()
        latest = {service.id: service for service in services}
        synced = to_db_time(synced_at)
        stored = {
            row["panel_service_id"]: row
            for row in await self._session.fetch_all(
                "SELECT * FROM panel_services WHERE panel = ?"
                " AND panel_service_id IN (SELECT value FROM json_each(?))",
                (panel, json_list(latest)),
            )
        }
        new = [service for panel_id, service in latest.items() if panel_id not in stored]
        updates: list[Params] = []
        unchanged: list[Params] = []
        for panel_id, row in stored.items():
            service = latest[panel_id]
            if row["on_panel"] and _stored_panel_fields(row) == _panel_fields(service):
                # Compared as values: "0.90" and "0.9" are the same rate.
                unchanged.append((synced, panel, panel_id))
            else:
                updates.append((*_panel_params(service), synced, panel, panel_id))
        if new:
            await self._insert_new(panel, new, synced)
        if updates:
            await self._session.execute_many(
                "UPDATE panel_services SET name = ?, type = ?, category = ?, rate = ?, min = ?,"
                " max = ?, refill = ?, cancel = ?, dripfeed = ?, description = ?,"
                " average_time = ?, on_panel = 1, synced_at = ?"
                " WHERE panel = ? AND panel_service_id = ?",
                updates,
            )
        if unchanged:
            await self._session.execute_many(
                "UPDATE panel_services SET synced_at = ? WHERE panel = ? AND panel_service_id = ?",
                unchanged,
            )
        await self.refresh_shown(panel)
        return SyncCounts(len(new), len(updates), len(unchanged))

    async def _insert_new(self, panel: str, new: list[Service], synced: str) -> None:
        taken = {
            row[0]
            for row in await self._session.fetch_all(
                "SELECT id FROM services WHERE id IN (SELECT value FROM json_each(?))",
                (json_list(service.id for service in new),),
            )
        }
        highest = int(await self._session.fetch_value("SELECT COALESCE(MAX(id), 0) FROM services"))
        ordered = sorted(new, key=lambda s: s.id)
        shop_ids: list[int] = []
        for service in ordered:
            shop_id = service.id if service.id > 0 and service.id not in taken else highest + 1
            taken.add(shop_id)
            shop_ids.append(shop_id)
            highest = max(highest, shop_id)
        await self._session.execute_many(
            "INSERT INTO services (id, name, type, category, rate, min, max, refill, cancel,"
            " dripfeed, synced_at, prefer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (shop_id, *_service_params(service), synced, panel)
                for shop_id, service in zip(shop_ids, ordered, strict=True)
            ],
        )
        await self._session.execute_many(
            "INSERT INTO panel_services (panel, panel_service_id, service_id, name, type,"
            " category, rate, min, max, refill, cancel, dripfeed, description, average_time,"
            " synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (panel, service.id, shop_id, *_panel_params(service), synced)
                for shop_id, service in zip(shop_ids, ordered, strict=True)
            ],
        )

    async def mark_missing(
        self, panel: str, present_ids: Collection[int], synced_at: datetime
    ) -> int:
        """Mark every listing of ``panel`` not in ``present_ids`` as gone from it; how many
        were."""
        self._kept.written()
        gone = await self._session.execute(
            "UPDATE panel_services SET on_panel = 0, synced_at = ?"
            " WHERE panel = ? AND on_panel = 1"
            " AND panel_service_id NOT IN (SELECT value FROM json_each(?))",
            (to_db_time(synced_at), panel, json_list(present_ids)),
        )
        if gone:
            await self.refresh_shown(panel)
        return gone

    async def retire_panels_but(self, panels: Collection[str]) -> int:
        """Take off sale every listing of a panel not in ``panels`` (one the settings no
        longer name): nothing can be placed there. How many were on sale."""
        self._kept.written()
        retired = await self._session.execute(
            "UPDATE panel_services SET on_panel = 0"
            " WHERE on_panel = 1 AND panel NOT IN (SELECT value FROM json_each(?))",
            (json_list(panels),),
        )
        if retired:
            await self._refresh_where(
                "id IN (SELECT service_id FROM panel_services"
                " WHERE panel NOT IN (SELECT value FROM json_each(?)))",
                (json_list(panels),),
            )
        return retired

    async def refresh_shown(self, panel: str) -> None:
        """Copy into every shop service listed at ``panel`` the listing it shows now."""
        self._kept.written()
        await self._refresh_where(
            "id IN (SELECT service_id FROM panel_services WHERE panel = ?)", (panel,)
        )

    async def _refresh_where(self, where: str, params: Params) -> None:
        shown = (
            f"SELECT {_COPIED} FROM panel_services AS l WHERE l.service_id = services.id"
            f" AND l.panel = {_SHOWN_PANEL.format(service='services')}"
        )
        await self._session.execute(
            f"UPDATE services SET ({_COPIED}) = ({shown})"
            f" WHERE {where} AND EXISTS (SELECT 1 FROM panel_services AS e"
            " WHERE e.service_id = services.id)",
            params,
        )

    async def link(self, panel: str, panel_service_id: int, service_id: int) -> bool:
        """Sell ``panel``'s service ``panel_service_id`` as shop service ``service_id`` (an
        alternative to its other listings). The shop service the listing sold as until now,
        left with no listing, is taken off sale. False when there is no such listing, or the
        shop service has a listing at ``panel`` already (ConstraintError)."""
        self._kept.written()
        listing = await self.at(panel, panel_service_id)
        if listing is None:
            return False
        if listing.service_id == service_id:
            return True
        moved = await self._session.execute(
            "UPDATE panel_services SET service_id = ? WHERE panel = ? AND panel_service_id = ?",
            (service_id, panel, panel_service_id),
        )
        await self._session.execute(
            "UPDATE services SET on_panel = 0 WHERE id = ? AND NOT EXISTS"
            " (SELECT 1 FROM panel_services WHERE service_id = services.id)",
            (listing.service_id,),
        )
        await self._refresh_where("id = ?", (service_id,))
        return moved == 1

    async def unlink(self, panel: str, panel_service_id: int) -> int | None:
        """Sell ``panel``'s service ``panel_service_id`` no more as an alternative: it
        becomes a shop service of its own, on sale under a new id (returned), preferring
        its panel. None when there is no such listing."""
        self._kept.written()
        listing = await self.at(panel, panel_service_id)
        if listing is None:
            return None
        new_id = 1 + int(
            await self._session.fetch_value("SELECT COALESCE(MAX(id), 0) FROM services")
        )
        await self._session.execute(
            f"INSERT INTO services (id, {_COPIED}, prefer)"
            f" SELECT ?, {_COPIED}, panel FROM panel_services"
            " WHERE panel = ? AND panel_service_id = ?",
            (new_id, panel, panel_service_id),
        )
        await self._session.execute(
            "UPDATE panel_services SET service_id = ? WHERE panel = ? AND panel_service_id = ?",
            (new_id, panel, panel_service_id),
        )
        await self._refresh_where("id = ?", (listing.service_id,))
        return new_id

    async def prefer(self, service_id: int, panel: str) -> bool:
        """Sell shop service ``service_id`` from ``panel``'s listing, or from the cheapest on
        sale (:data:`CHEAPEST`); False when there is no such service."""
        self._kept.written()
        changed = await self._session.execute(
            "UPDATE services SET prefer = ? WHERE id = ?", (panel, service_id)
        )
        await self._refresh_where("id = ?", (service_id,))
        return changed == 1

    async def shown(self, service_id: int) -> ListingRow | None:
        """The listing shop service ``service_id`` shows and places at, or None."""
        row = await self._session.fetch_one(
            "SELECT l.* FROM panel_services AS l JOIN services AS s ON s.id = l.service_id"
            f" WHERE l.service_id = ? AND l.panel = {_SHOWN_PANEL.format(service='s')}",
            (service_id,),
        )
        return None if row is None else ListingRow.from_row(row)

    async def counts_by_panel(self) -> dict[str, tuple[int, int]]:
        """For each panel with listings: how many its last catalogue lists, of how many
        known."""
        rows = await self._session.fetch_all(
            "SELECT panel, SUM(on_panel) AS listed, COUNT(*) AS known FROM panel_services"
            " GROUP BY panel"
        )
        return {str(row["panel"]): (int(row["listed"] or 0), int(row["known"])) for row in rows}

    async def of_service(self, service_id: int) -> list[ListingRow]:
        """Every listing of shop service ``service_id``, by panel."""
        rows = await self._session.fetch_all(
            "SELECT * FROM panel_services WHERE service_id = ? ORDER BY panel", (service_id,)
        )
        return [ListingRow.from_row(row) for row in rows]

    async def at(self, panel: str, panel_service_id: int) -> ListingRow | None:
        """The listing of ``panel``'s service ``panel_service_id``, or None."""
        row = await self._session.fetch_one(
            "SELECT * FROM panel_services WHERE panel = ? AND panel_service_id = ?",
            (panel, panel_service_id),
        )
        return None if row is None else ListingRow.from_row(row)
