"""The admin desk: every operation behind the admin group's commands and buttons, one call
each. Handlers read the arguments and render the answer; the rules and the transactions
are here, over the shop's database, its panel and its tracker."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal

from api import PanelClient
from shop import admin
from shop.admin import OrderDetails, Period, ShopStatus, UserReference, UserSummary
from shop.alerts import Alerts
from shop.broadcast import BroadcastProgress, broadcast_progress, start_broadcast
from shop.catalogue import CatalogueSyncFailed, SyncReport, sync_catalogue
from shop.charts import ChartLabels, SalesChart, sales_chart, sales_picture
from shop.descriptions import Descriptions, own_description
from shop.linking import link_listing, prefer_panel, unlink_listing
from shop.money import Currency
from shop.notices import Notices
from shop.order_actions import ActionProblem, ActionRefused, request_cancel, request_refill
from shop.ordering import attach_panel_order, refund_uncertain_order
from shop.panels import Panels
from shop.payments import StarRefund, refund_stars
from shop.refunds import SettledRefund, settle_held_refund
from shop.storage import (
    CancelRequestRow,
    Database,
    ListingRow,
    OrderRow,
    RefillRow,
    SalesFigures,
    ServiceRow,
    UserRow,
    utc_now,
)
from shop.tracking import Tracker


class OrderButton(enum.StrEnum):
    """The buttons of an order's card in the admin group."""

    REFRESH = "refresh"
    REFILL = "refill"
    CANCEL = "cancel"

    @classmethod
    def named(cls, name: str) -> OrderButton | None:
        """The button called ``name``; None for a name no button has (a forged one)."""
        return next((button for button in cls if button.value == name), None)


@dataclass(frozen=True, slots=True)
class ButtonOutcome:
    """What a button of an order's card did: the order as it stands afterwards, and the
    refill or cancel asked for, or why none was."""

    details: OrderDetails
    refill: RefillRow | None = None
    cancel: CancelRequestRow | None = None
    refused: ActionProblem | None = None


#: Banned customers /banned lists.
BANNED_LISTED = 12


class BanOutcome(enum.StrEnum):
    """What a /ban or /unban did."""

    DONE = "done"
    #: Banned (or not banned) already: nothing changed.
    ALREADY = "already"
    #: The shop does not know this customer.
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Ban:
    """A /ban or /unban: whom it was about, and what it did."""

    user: UserRow | None
    outcome: BanOutcome


@dataclass(frozen=True, slots=True)
class Correction:
    """A balance an admin corrected: whose, and what it is now."""

    user_id: int
    balance: Decimal


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A broadcast queued: the outbox kind its messages carry, and how many there are."""

    kind: str
    total: int


@dataclass(frozen=True, slots=True)
class AdminDesk:
    """What the admin group's commands do, built once with the running shop's parts."""

    db: Database
    #: The shop's panels (a single client: the only one, ``main``).
    panels: Panels | PanelClient
    tracker: Tracker
    notices: Notices
    alerts: Alerts
    currency: Currency

    # --- the shop's state ----------------------------------------------------------------

    async def status(self) -> ShopStatus:
        """The shop at a glance: the panel's balance (asked now), the shop's counts and
        when the tracker last polled."""
        # /panel shows the first panel's balance; each panel's is the coming /panels.
        return await admin.shop_status(
            self.db, Panels.of(self.panels).first, self.tracker.last_poll_at
        )

    async def sales(self, period: Period) -> SalesFigures:
        """The figures of ``period``, up to now."""
        return await admin.sales(self.db, period)

    async def sales_chart(self, period: Period) -> SalesChart:
        """The figures of ``period`` day by day, up to now: the numbers of /stats' chart."""
        return await sales_chart(self.db, self.currency, period, utc_now())

    async def sales_picture(self, chart: SalesChart, labels: ChartLabels) -> bytes:
        """``chart`` drawn as a PNG with ``labels``; loads the plotting library the first
        time a chart is drawn."""
        return await sales_picture(chart, labels)

    # --- orders ----------------------------------------------------------------------------

    async def panels_at_a_glance(self) -> list[admin.PanelState]:
        """Every panel: its balance (asked now), reachability and the shop's counts."""
        return await admin.panel_states(self.db, Panels.of(self.panels))

    async def order(self, reference: int) -> OrderDetails | None:
        """The order with this shop id, or else with this panel id, with its history."""
        return await admin.order_details(self.db, reference)

    async def uncertain_orders(self) -> list[OrderRow]:
        """Orders whose placement is uncertain, oldest first."""
        return await admin.uncertain_orders(self.db)

    async def attach(self, order_id: int, panel_order_id: int) -> OrderRow:
        """An uncertain order was found at the panel: attach its id, so tracking resumes.
        Raises :class:`shop.ordering.ResolutionRefused` for an order that is not uncertain
        or a panel order another order holds."""
        return await attach_panel_order(self.db, order_id, panel_order_id)

    async def refund_uncertain(self, order_id: int) -> OrderRow:
        """An uncertain order never reached the panel: refund it in full and tell the
        customer. Raises :class:`shop.ordering.ResolutionRefused` for an order that is not
        uncertain."""
        return await refund_uncertain_order(self.db, order_id, self.notices)

    async def settle_held_refund(self, order_id: int, amount: Decimal) -> SettledRefund:
        """An admin's decision on a held refund: ``amount`` back (0: nothing is owed), and
        the customer told. Raises :class:`shop.refunds.HeldRefundRefused`."""
        return await settle_held_refund(self.db, order_id, amount, self.notices)

    async def press(self, order_id: int, button: OrderButton | None) -> ButtonOutcome | None:
        """A button of an order's card: ask the panel for its status now, or for a refill
        (the customer is told, as the tracker would), or for a cancel. None: no such order.
        ``button`` None (a forged one) does nothing but read the order again."""
        details = await admin.order_details(self.db, order_id)
        if details is None:
            return None
        order = details.order
        refill: RefillRow | None = None
        cancel: CancelRequestRow | None = None
        refused: ActionProblem | None = None
        try:
            if button is OrderButton.REFRESH:
                await self.tracker.refresh_order(order, force=True)
            elif button is OrderButton.REFILL:
                refill = await self._refill(order.id)
            elif button is OrderButton.CANCEL:
                cancel = (await request_cancel(self.db, self.panels, order.id, None)).request
        except ActionRefused as exc:
            refused = exc.problem
        fresh = await admin.order_details(self.db, order.id)
        assert fresh is not None
        return ButtonOutcome(fresh, refill=refill, cancel=cancel, refused=refused)

    async def _refill(self, order_id: int) -> RefillRow:
        result = await request_refill(self.db, self.panels, order_id, None)
        if result.accepted:
            # The customer did not ask for it: tell them, as the tracker would.
            async with self.db.transaction() as tx:
                await self.notices.refill_changed(tx, result.refill)
        return result.refill

    # --- customers -------------------------------------------------------------------------

    async def customer(self, reference: UserReference) -> UserSummary | None:
        """A customer at a glance; None when the shop does not know them."""
        user = await admin.find_user(self.db, reference)
        return None if user is None else await admin.user_summary(self.db, user)

    async def correct_balance(
        self, reference: UserReference, amount: Decimal, reason: str, command_key: str
    ) -> Correction | None:
        """Credit (``amount`` above 0) or debit (below 0) a customer; None when the shop
        does not know them. ``command_key`` names the admin's command, so the same command
        delivered twice moves money once. Raises :class:`shop.ledger.InsufficientFunds`
        for a debit the balance does not cover."""
        user = await admin.find_user(self.db, reference)
        if user is None:
            return None
        movement = await admin.correct_balance(self.db, user, amount, reason, command_key)
        return Correction(user.id, movement.balance)

    async def ban(self, reference: UserReference, reason: str | None) -> Ban:
        """Ban a customer: the shop serves them nothing more (their running orders are still
        tracked and refunded, their balance kept)."""
        user = await admin.find_user(self.db, reference)
        if user is None:
            return Ban(None, BanOutcome.UNKNOWN)
        async with self.db.transaction() as tx:
            done = await tx.users.ban(user.id, reason, utc_now())
        return Ban(user, BanOutcome.DONE if done else BanOutcome.ALREADY)

    async def unban(self, reference: UserReference) -> Ban:
        """Serve a banned customer again."""
        user = await admin.find_user(self.db, reference)
        if user is None:
            return Ban(None, BanOutcome.UNKNOWN)
        async with self.db.transaction() as tx:
            done = await tx.users.unban(user.id)
        return Ban(user, BanOutcome.DONE if done else BanOutcome.ALREADY)

    async def banned(self, limit: int = BANNED_LISTED) -> tuple[list[UserRow], int]:
        """Banned customers, latest first (up to ``limit``), and how many there are."""
        async with self.db.read() as r:
            return await r.users.banned(limit)

    async def refund_stars(
        self,
        reference: UserReference,
        charge_id: str,
        return_stars: Callable[[int, str], Awaitable[object]],
    ) -> StarRefund | None:
        """Return a customer's Stars payment through ``return_stars`` (Telegram's side) and
        take the top-up back; None when the shop does not know the customer. Raises
        :class:`shop.payments.RefundRefused`."""
        user = await admin.find_user(self.db, reference)
        if user is None:
            return None
        return await refund_stars(self.db, user.id, charge_id, return_stars, self.alerts)

    # --- the catalogue ---------------------------------------------------------------------

    @property
    def several_panels(self) -> bool:
        """True when the shop sells from more than one panel (alternatives make sense)."""
        return len(Panels.of(self.panels)) > 1

    async def sync_catalogue(self) -> SyncReport:
        """Take every panel's catalogue now, each on its own: the counts of them all. Raises
        :class:`shop.catalogue.CatalogueSyncFailed` for the first panel that failed, once
        the others are synced."""
        reports: list[SyncReport] = []
        failed: CatalogueSyncFailed | None = None
        for name, panel in Panels.of(self.panels):
            try:
                reports.append(await sync_catalogue(self.db, panel, self.alerts, name=name))
            except CatalogueSyncFailed as exc:
                failed = failed or exc
        if failed is not None:
            raise failed
        return SyncReport(
            sum(r.inserted for r in reports),
            sum(r.updated for r in reports),
            sum(r.unchanged for r in reports),
            sum(r.removed for r in reports),
            reports[-1].synced_at,
        )

    async def link_listing(self, service_id: int, listing: tuple[str, int]) -> ServiceRow:
        """/link: sell a panel's service as an alternative of a shop service. Raises
        :class:`shop.linking.LinkRefused`."""
        return await link_listing(self.db, service_id, listing, Panels.of(self.panels).names)

    async def unlink_listing(self, listing: tuple[str, int]) -> int:
        """/unlink: a panel's service stops being an alternative and becomes a shop service
        of its own; its new id. Raises :class:`shop.linking.LinkRefused`."""
        return await unlink_listing(self.db, listing)

    async def service_listings(
        self, service_id: int
    ) -> tuple[ServiceRow, ListingRow | None, list[ListingRow]] | None:
        """/service <id>: the shop service, the listing it is sold from now, and every
        listing it has (its alternatives); None when there is no such service."""
        async with self.db.read() as r:
            service = await r.services.get(service_id)
            if service is None:
                return None
            return (
                service,
                await r.listings.shown(service_id),
                await r.listings.of_service(service_id),
            )

    async def prefer_panel(self, service_id: int, choice: str) -> ListingRow:
        """/prefer: sell a shop service from one panel, or the cheapest; the listing it
        shows now. Raises :class:`shop.linking.LinkRefused`."""
        return await prefer_panel(self.db, service_id, choice, Panels.of(self.panels).names)

    async def set_service_enabled(self, service_id: int, enabled: bool) -> bool:
        """Sell a service or not; False if there is no such service."""
        return await admin.set_service_enabled(self.db, service_id, enabled)

    async def set_service_markup(self, service_id: int, percent: Decimal | None) -> bool:
        """Give a service its own markup, or (None) back to the default; False if there is
        no such service."""
        return await admin.set_service_markup(self.db, service_id, percent)

    async def descriptions(self, service_id: int) -> Descriptions | None:
        """/desc <service>: the panel's description of a service (of the listing it is sold
        from) and the shop's own; None when there is no such service."""
        async with self.db.read() as r:
            service = await r.services.get(service_id)
            if service is None:
                return None
            shown = await r.listings.shown(service_id)
        return Descriptions(
            service_id=service.id,
            name=service.name,
            panel=None if shown is None else shown.panel,
            panel_description=None if shown is None else shown.description,
            own_description=service.own_description,
        )

    async def describe_service(self, service_id: int, text: str | None) -> bool:
        """/desc <service> <text>: the shop's own description of a service, shown instead of
        the panel's; None goes back to the panel's. False when there is no such service.
        Raises :class:`shop.descriptions.DescriptionTooLong` (nothing changes then)."""
        kept = None if text is None else own_description(text)
        async with self.db.transaction() as tx:
            return await tx.services.set_own_description(service_id, kept)

    async def set_default_markup(self, percent: Decimal) -> None:
        """The markup of every service without its own."""
        await admin.set_default_markup(self.db, percent)

    # --- broadcasts ------------------------------------------------------------------------

    async def start_broadcast(self, text: str, command_key: str) -> Broadcast:
        """Queue ``text`` (HTML) for every customer who has not blocked the bot;
        ``command_key`` names the admin's command, so one delivered twice broadcasts once."""
        kind, total = await start_broadcast(self.db, text, command_key)
        return Broadcast(kind, total)

    async def broadcast_progress(self, kind: str) -> BroadcastProgress:
        """Where the broadcast of ``kind`` stands."""
        return await broadcast_progress(self.db, kind)
