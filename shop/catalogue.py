"""The catalogue: the panels' services, kept in the shop's database as listings of the
shop's own services, and shown to customers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Final

from api import PanelClient, PanelError, Service
from api.client import caller_reports_failures
from shop.alerts import Alerts
from shop.descriptions import (
    ShownDescription,
    plain_average_time,
    plain_description,
    shown_description,
)
from shop.display import on_one_line, shortened
from shop.money import Currency
from shop.panels import MAIN_PANEL, Panels
from shop.pricing import customer_price
from shop.storage import (
    ACTIVE_ORDER_STATES,
    CategoryRow,
    Database,
    OrderState,
    Repositories,
    ServiceRow,
    utc_now,
)
from shop.supervisor import Backoff, keep_running
from shop.terms import Terms

logger = logging.getLogger(__name__)

SYNCED_AT_META_KEY = "catalogue_synced_at"
PAGE_SIZE = 8
#: Longest name or category kept: generous, as real names run to hundreds of characters;
#: each place that shows one shortens it again for itself.
MAX_NAME_LENGTH = 1000
#: The category of services the panel puts in none.
NO_CATEGORY = "Other"
#: The wait after a failed sync; it doubles with each failure in a row, up to the interval.
SYNC_RETRY_SECONDS: Final = 2.0


class CatalogueSyncFailed(Exception):
    """The panel's catalogue could not be taken; the last good one stays in place."""


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one sync changed."""

    inserted: int
    updated: int
    unchanged: int
    removed: int
    synced_at: datetime

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


def _tidy(text: str, fallback: str) -> str:
    """A panel's name or category on one line: whitespace of any kind collapsed, control
    characters dropped, at most :data:`MAX_NAME_LENGTH` characters; ``fallback`` if nothing
    is left."""
    if text.isprintable() and len(text) <= MAX_NAME_LENGTH and text == " ".join(text.split()):
        # Most names are tidy already: no control, format or separator character (that is
        # what isprintable() checks, in C), no run of spaces, not too long.
        return text or fallback
    return shortened(on_one_line(text), MAX_NAME_LENGTH) or fallback


def _as_stored(service: Service) -> Service:
    """The service as the shop keeps it: type in the canonical spelling (so queries can
    match it), name and category tidied, description and average time as plain text."""
    order_type = service.order_type
    tidied = {
        "type": service.type if order_type is None else order_type.value,
        "name": _tidy(service.name, f"Service {service.id}"),
        "category": _tidy(service.category, NO_CATEGORY),
        "description": plain_description(service.description),
        "average_time": plain_average_time(service.average_time),
    }
    if all(getattr(service, field) == value for field, value in tidied.items()):
        return service
    return service.model_copy(update=tidied)


async def sync_catalogue(
    db: Database, panel: PanelClient, alerts: Alerts | None = None, *, name: str = MAIN_PANEL
) -> SyncReport:
    """Take the ``services`` of panel ``name`` (reached through ``panel``) and store them
    as its listings: insert new ones, update changed ones, take the ones that disappeared
    off sale (their orders stay readable). Idempotent. Other panels' listings are not
    touched; a service it lists for the first time becomes a new shop service (see
    :meth:`~shop.storage.ListingRepository.sync`), in the category of that name, which
    other panels' services of the same category share.

    Services the shop cannot sell (no rate above zero, or limits no quantity fits) are
    stored but never shown; ``alerts`` tells the admins of each once, in the same
    transaction.

    A panel error, or an empty catalogue (a glitch far more often than a real answer),
    raises :class:`CatalogueSyncFailed` and changes nothing.
    """
    # A one-panel shop's messages stay as they were; another panel is named.
    which = "" if name == MAIN_PANEL else f"panel {name}: "
    try:
        services = await panel.services()
    except PanelError as exc:
        raise CatalogueSyncFailed(f"{which}{exc}") from exc
    if not services:
        raise CatalogueSyncFailed(f"{which}the panel listed no services")
    now = utc_now()
    async with db.transaction() as tx:
        counts = await tx.services.upsert_many(map(_as_stored, services), now, panel=name)
        removed = await tx.services.mark_missing_off_panel(
            {s.id for s in services}, now, panel=name
        )
        if alerts is not None:
            for unsellable in await tx.services.offered_but_unsellable():
                await alerts.service_unsellable(tx, unsellable)
        await tx.meta.set(SYNCED_AT_META_KEY, now.isoformat())
    report = SyncReport(counts.inserted, counts.updated, counts.unchanged, removed, now)
    logger.info(
        "catalogue of panel %s synced: %d new, %d changed, %d unchanged, %d removed",
        name,
        report.inserted,
        report.updated,
        report.unchanged,
        report.removed,
    )
    return report


async def keep_catalogue_synced(
    db: Database, panels: Panels | PanelClient, interval: float, alerts: Alerts | None = None
) -> None:
    """Sync each panel now and then every ``interval`` seconds, until cancelled, each on its
    own: a failed sync keeps the last catalogue of that panel (and every other panel's) and
    is tried again after 2, 4, 8... seconds, up to ``interval``, so a panel out of reach at
    start is not waited for a whole interval. No error ends it.

    First, the listings of panels the settings no longer name go off sale, and orders still
    running at such a panel (no longer tracked) are told to the admins."""
    every = Panels.of(panels)
    async with db.transaction() as tx:
        if retired := await tx.listings.retire_panels_but(every.names):
            logger.warning("%d services of panels no longer configured are off sale", retired)
        running = await tx.orders.active_by_panel(ACTIVE_ORDER_STATES | {OrderState.UNKNOWN})
        for name, count in running.items():
            if name not in every and alerts is not None:
                logger.warning("%d orders run at panel %s, no longer configured", count, name)
                await alerts.orders_at_unknown_panel(tx, name, count)

    def sync_of(name: str, panel: PanelClient) -> Callable[[], Awaitable[float]]:
        async def sync() -> float:
            with caller_reports_failures():
                await sync_catalogue(db, panel, alerts, name=name)
            return interval

        return sync

    await asyncio.gather(
        *(
            keep_running(
                "catalogue sync" if name == MAIN_PANEL else f"catalogue sync of panel {name}",
                sync_of(name, panel),
                Backoff(min(SYNC_RETRY_SECONDS, interval), interval),
                expected=(CatalogueSyncFailed,),
                log=logger,
            )
            for name, panel in every
        )
    )


@dataclass(frozen=True, slots=True)
class ServiceOffer:
    """A service as a customer sees it: the panel's data with the shop's price."""

    service: ServiceRow
    #: Price per 1000 units, or per package for package types.
    unit_price: Decimal
    #: What the panel it is sold from says of it (plain text), when it says it; only a
    #: single offer (:meth:`Catalogue.offer`, its card) carries them.
    panel_description: str | None = None
    average_time: str | None = None

    @property
    def shown_description(self) -> ShownDescription:
        """The description the card shows: the shop's own, else the panel's."""
        return shown_description(self.service.own_description, self.panel_description)


@dataclass(frozen=True, slots=True)
class ServicePage:
    """One page of a category's services."""

    category: str
    offers: list[ServiceOffer]
    page: int
    pages: int


class Catalogue:
    """The queries the storefront needs, with prices in the shop's currency."""

    def __init__(self, db: Database, terms: Terms) -> None:
        self._db = db
        self._terms = terms
        # The categories as last read, and the catalogue's generation they were read at.
        self._categories: tuple[int, tuple[CategoryRow, ...]] | None = None

    @property
    def currency(self) -> Currency:
        """The shop's currency, in which prices are shown."""
        return self._terms.currency

    async def categories(self) -> tuple[CategoryRow, ...]:
        """Categories with the number of services customers can order in each.

        Read again only once the catalogue has changed (a sync, a service turned off),
        whichever process changed it: every customer's first screen lists them.
        """
        async with self._db.read() as r:
            # The generation first: a change committed between the two reads makes the
            # next call read again, never keeps rows older than their generation.
            generation = await r.services.generation()
            if self._categories is not None and self._categories[0] == generation:
                return self._categories[1]
            rows = tuple(await r.services.categories())
        self._categories = (generation, rows)
        return rows

    async def _offers(self, r: Repositories, services: list[ServiceRow]) -> list[ServiceOffer]:
        # The default markup is read once for the whole list, not once per service.
        default = await self._terms.default_markup(r)
        return [
            ServiceOffer(
                service,
                customer_price(
                    service.rate, self._terms.markup_of(service, default), self._terms.currency
                ),
            )
            for service in services
        ]

    async def page(self, category_of: int, page: int, per_page: int = PAGE_SIZE) -> ServicePage:
        """Page ``page`` (from 0) of the category that service ``category_of`` belongs to.

        Categories are named by one of their services' ids, because a category's name may
        not fit in a button's callback data.
        """
        async with self._db.read() as r:
            anchor = await r.services.get(category_of)
            category = anchor.category if anchor is not None else ""
            total = await r.services.count_in_category(category)
            pages = max(1, -(-total // per_page))
            page = min(max(page, 0), pages - 1)
            rows = await r.services.in_category(category, page * per_page, per_page)
            offers = await self._offers(r, rows)
        return ServicePage(category, offers, page, pages)

    async def search(self, text: str, limit: int = PAGE_SIZE) -> list[ServiceOffer]:
        """Services matching an id or words of their name."""
        async with self._db.read() as r:
            return await self._offers(r, await r.services.search(text, limit))

    async def for_sale(self, service_id: int) -> ServiceRow | None:
        """The service, if customers can order it: what a form's questions need, without
        the price and the panel's description an offer reads besides."""
        async with self._db.read() as r:
            service = await r.services.get(service_id)
        return service if service is not None and service.available else None

    async def offer(self, service_id: int) -> ServiceOffer | None:
        """One service customers can order, with its price and what its panel says of it;
        None if it is not for sale."""
        async with self._db.read() as r:
            service = await r.services.get(service_id)
            if service is None or not service.available:
                return None
            [offer] = await self._offers(r, [service])
            listing = await r.listings.shown(service_id)
        if listing is None:
            return offer
        return replace(
            offer, panel_description=listing.description, average_time=listing.average_time
        )
