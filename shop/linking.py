"""Alternatives: the admins link a panel's service to a shop service as another way to sell
it, unlink it again, and choose the panel each shop service is sold from.

A shop service has at most one listing per panel; every listing of it is the same service
(same order type, so the same unit: per 1000, or per package), though price and limits may
differ. The customer sees the preferred panel's listing, or the cheapest on sale.
"""

from __future__ import annotations

import enum
from collections.abc import Collection

from shop.storage import CHEAPEST, Database, ListingRow, ServiceRow


class LinkProblem(enum.StrEnum):
    """Why a /link, /unlink or /prefer was refused (each has its admin text)."""

    NO_SERVICE = "no-service"
    NO_PANEL = "no-panel"
    NOT_LISTED = "not-listed"
    ALREADY_AT_PANEL = "already-at-panel"
    OTHER_TYPE = "other-type"
    LAST_LISTING = "last-listing"


class LinkRefused(Exception):
    """A change of alternatives that cannot be made; nothing was changed."""

    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


async def link_listing(
    db: Database, service_id: int, listing: tuple[str, int], panels: Collection[str]
) -> ServiceRow:
    """Sell ``listing`` (a panel and its service id there) as shop service ``service_id``,
    beside its other listings; the shop service as it shows now. The listing's former shop
    service, left with no listing, goes off sale. Raises :class:`LinkRefused`."""
    panel, panel_service_id = listing
    if panel not in panels:
        raise LinkRefused(LinkProblem.NO_PANEL)
    async with db.transaction() as tx:
        service = await tx.services.get(service_id)
        if service is None:
            raise LinkRefused(LinkProblem.NO_SERVICE)
        found = await tx.listings.at(panel, panel_service_id)
        if found is None:
            raise LinkRefused(LinkProblem.NOT_LISTED)
        if found.service_id != service_id:
            others = await tx.listings.of_service(service_id)
            if any(other.panel == panel for other in others):
                raise LinkRefused(LinkProblem.ALREADY_AT_PANEL)
            # One order form and one unit rule for every listing of a service.
            if any(other.type != found.type for other in others):
                raise LinkRefused(LinkProblem.OTHER_TYPE)
            await tx.listings.link(panel, panel_service_id, service_id)
        linked = await tx.services.get(service_id)
    assert linked is not None
    return linked


async def unlink_listing(db: Database, listing: tuple[str, int]) -> int:
    """Sell ``listing`` no more as an alternative of its shop service: it becomes a shop
    service of its own, whose new id is returned. A shop service's only listing cannot be
    unlinked. Raises :class:`LinkRefused`."""
    panel, panel_service_id = listing
    async with db.transaction() as tx:
        found = await tx.listings.at(panel, panel_service_id)
        if found is None:
            raise LinkRefused(LinkProblem.NOT_LISTED)
        if len(await tx.listings.of_service(found.service_id)) == 1:
            raise LinkRefused(LinkProblem.LAST_LISTING)
        new_id = await tx.listings.unlink(panel, panel_service_id)
    assert new_id is not None
    return new_id


async def prefer_panel(
    db: Database, service_id: int, choice: str, panels: Collection[str]
) -> ListingRow:
    """Sell shop service ``service_id`` from panel ``choice``'s listing, or from the cheapest
    on sale (``cheapest``); the listing it shows now. Raises :class:`LinkRefused`."""
    if choice != CHEAPEST and choice not in panels:
        raise LinkRefused(LinkProblem.NO_PANEL)
    async with db.transaction() as tx:
        if await tx.services.get(service_id) is None:
            raise LinkRefused(LinkProblem.NO_SERVICE)
        listings = await tx.listings.of_service(service_id)
        if choice != CHEAPEST and all(x.panel != choice for x in listings):
            raise LinkRefused(LinkProblem.NOT_LISTED)
        await tx.listings.prefer(service_id, choice)
        shown = await tx.listings.shown(service_id)
    assert shown is not None
    return shown
