"""Following orders and refills at the panel, refunding what it did not deliver, and
telling customers.

One poll asks each panel, on its own and all at once, for its active orders with
multi-status (100 ids a call) and its active refills with multi refill status; the loop
polls each panel on its own schedule, so a slow or failing panel delays no other's orders.
Each change of state is stored once; its refund (under the order's one refund key) and its
notice (under a key per change) are written in the same transaction, so repeated polls,
repeated answers and restarts never refund or tell twice.

A call that fails costs only its own ids, which are asked again at the next poll; a poll
fails only when none of its calls was answered. Within a page, each order is stored in a
savepoint of its own: one answer that cannot be stored is logged and left for the next
poll, and never rolls back the others.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Final, TypeVar

from api import ChunkedAnswer, ItemError, OrderStatus, PanelClient, PanelError, RefillStatus
from api.client import FailedChunk, caller_reports_failures
from api.models import RefillStatusInfo, StatusInfo
from shop.alerts import Alerts
from shop.ledger import credit
from shop.money import Currency
from shop.notices import Known, Notices
from shop.ordering import refund_key
from shop.panels import MAIN_PANEL, Panels, UnknownPanel
from shop.refunds import PACKAGE_TYPES, refund_due
from shop.storage import (
    ACTIVE_ORDER_STATES,
    Database,
    FigureReport,
    LedgerReason,
    OrderRow,
    OrderState,
    RefillRow,
    RefillState,
    Repositories,
    utc_now,
)
from shop.supervisor import Backoff, keep_running

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Orders stored per transaction, so a big poll never holds the writer for long.
_PAGE: Final = 100
#: After this many polls in a row answered with an error, an order is reported to admins.
ITEM_ERROR_ALERT_AFTER: Final = 3
#: A customer's Refresh asks the panel at most this often per order...
REFRESH_EVERY: Final = timedelta(seconds=30)
#: ... and at most this often per customer, whichever of their orders it is.
REFRESH_PER_CUSTOMER: Final = timedelta(seconds=5)
_LONG_AGO: Final = datetime(2000, 1, 1, tzinfo=UTC)
#: Longest wait between polls while the panel is failing.
MAX_BACKOFF_SECONDS: Final = 600.0
#: How often the panel's balance is checked against the alert threshold.
BALANCE_CHECK_SECONDS: Final = 600.0
#: Failed polls in a row before the admins are told.
FAILED_POLLS_ALERT_AFTER: Final = 5


@dataclass(frozen=True, slots=True)
class OrderChange:
    """An order whose state changed, with the refund it brought."""

    order: OrderRow
    old_state: OrderState
    refund: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class RefillChange:
    """A refill whose state changed."""

    refill: RefillRow
    old_state: RefillState


@dataclass(slots=True)
class PollReport:
    """What one poll saw."""

    orders_polled: int = 0
    refills_polled: int = 0
    order_changes: list[OrderChange] = field(default_factory=list)
    refill_changes: list[RefillChange] = field(default_factory=list)
    #: Orders the panel answered with an error, and how many polls in a row it did.
    order_errors: dict[int, int] = field(default_factory=dict)
    #: Orders and refills whose call failed this time; they are asked again next poll.
    orders_unanswered: int = 0
    refills_unanswered: int = 0


class Tracker:
    """Polls the panels for the shop's active orders and refills, each panel for its own."""

    def __init__(
        self,
        db: Database,
        panels: Panels | PanelClient,
        currency: Currency,
        notices: Notices,
        alerts: Alerts,
        *,
        balance_alert: Decimal = Decimal(0),
    ) -> None:
        """``balance_alert``: tell the admins when the panel's balance falls below it."""
        self._db = db
        self._balance_alert = balance_alert
        #: Per panel: when its balance was last checked, and since when it is low.
        self._balance_checked_at: dict[str, float] = {}
        self._balance_low_since: dict[str, str] = {}
        # When each customer last made the panel answer a Refresh (kept in memory only:
        # after a restart a customer may refresh once more).
        self._refreshed_by: dict[int, datetime] = {}
        self._panels = Panels.of(panels)
        self._currency = currency
        self._notices = notices
        self._alerts = alerts
        #: When the last poll that ended well ended, or None.
        self.last_poll_at: datetime | None = None

    # --- one poll --------------------------------------------------------------------------

    async def poll_once(self) -> PollReport:
        """One poll of every active order and refill, every panel at once. Raises the first
        error of a panel none of whose calls was answered, once the others are stored."""
        reports = await asyncio.gather(
            *(self.poll_panel(name) for name in self._panels.names), return_exceptions=True
        )
        report = PollReport()
        for part in reports:
            if isinstance(part, BaseException):
                continue
            report.orders_polled += part.orders_polled
            report.refills_polled += part.refills_polled
            report.order_changes += part.order_changes
            report.refill_changes += part.refill_changes
            report.order_errors.update(part.order_errors)
            report.orders_unanswered += part.orders_unanswered
            report.refills_unanswered += part.refills_unanswered
        for part in reports:
            if isinstance(part, BaseException):
                raise part
        return report

    async def poll_panel(self, name: str) -> PollReport:
        """One poll of the active orders and refills placed at panel ``name``."""
        report = PollReport()
        await self.poll_orders(report, name)
        await self.poll_refills(report, name)
        return report

    async def poll_orders(self, report: PollReport, panel: str) -> None:
        """Ask ``panel`` for each of its active orders and store what changed, a part at a
        time (see :func:`_poll_part`). Raises the panel's error only when none of the
        status calls was answered."""
        client = self._panels.client(panel)
        part = _poll_part(client)
        calls = 0
        failed: list[FailedChunk] = []
        after = 0
        # The orders there are now: one placed meanwhile waits for the next poll, so a
        # busy shop's poll ends.
        async with self._db.read() as r:
            last = await r.orders.last_id()
        while orders := await self._active_orders(panel, after, last, part):
            after = orders[-1].id
            report.orders_polled += len(orders)
            by_panel_id = {order.panel_order_id: order for order in orders if order.panel_order_id}
            read = await client.multi_status_chunks(by_panel_id)
            calls += read.chunks
            failed.extend(read.failed)
            report.orders_unanswered += len(read.unanswered)
            answers = list(read.items.items())
            for start in range(0, len(answers), _PAGE):
                await self._store(report, answers[start : start + _PAGE], by_panel_id)
            # The next part is read with this one let go: one part in memory, not two.
            del orders, by_panel_id, read, answers
        _usable(ChunkedAnswer(chunks=calls, failed=failed), f"{panel} status")

    async def poll_refills(self, report: PollReport, panel: str) -> None:
        """Ask ``panel`` for each of its active refills and store what changed. Raises the
        panel's error only when none of the refill status calls was answered."""
        refills: list[RefillRow] = []
        async with self._db.read() as r:
            while page := await r.refills.active_with_panel_id(
                refills[-1].id if refills else 0, 500, panel=panel
            ):
                refills.extend(page)
        report.refills_polled += len(refills)
        if not refills:
            return
        by_panel_id = {
            refill.panel_refill_id: refill for refill in refills if refill.panel_refill_id
        }
        client = self._panels.client(panel)
        read = _usable(await client.multi_refill_status_chunks(by_panel_id), f"{panel} refill")
        report.refills_unanswered += len(read.unanswered)
        now = utc_now()
        async with self._db.transaction() as tx:
            for panel_id, answer in read.items.items():
                refill = by_panel_id[panel_id]
                stored, change = await _alone(
                    tx, f"refill {refill.id}", self._store_refill(tx, refill, answer, now)
                )
                if stored and change is not None:
                    report.refill_changes.append(change)

    async def _store_refill(
        self,
        tx: Repositories,
        refill: RefillRow,
        answer: RefillStatusInfo | ItemError,
        now: datetime,
    ) -> RefillChange | None:
        if not isinstance(answer, RefillStatusInfo):
            return None
        if answer.status is RefillStatus.UNRECOGNISED:
            logger.warning("refill %d: unknown status %r", refill.id, answer.status_raw)
            return None
        changed = await tx.refills.apply_status(
            refill.id,
            state=RefillState.of(answer.status),
            panel_status=answer.status_raw,
            now=now,
        )
        if not changed or (updated := await tx.refills.get(refill.id)) is None:
            return None
        await self._notices.refill_changed(tx, updated)
        return RefillChange(updated, refill.state)

    async def refresh_order(self, order: OrderRow, *, force: bool = False) -> OrderRow:
        """A Refresh: one status call for one order, unless ``force`` (an admin) at most
        every :data:`REFRESH_EVERY` per order and :data:`REFRESH_PER_CUSTOMER` per
        customer; the order as it stands afterwards."""
        now = utc_now()
        recent = not force and (
            (order.last_polled_at is not None and now - order.last_polled_at < REFRESH_EVERY)
            or now - self._refreshed_by.get(order.user_id, _LONG_AGO) < REFRESH_PER_CUSTOMER
        )
        if recent or order.panel_order_id is None or order.state not in ACTIVE_ORDER_STATES:
            return order
        if not force:
            self._refreshed_by[order.user_id] = now
        try:
            answer = await self._panels.client(order.panel).status(order.panel_order_id)
        except (PanelError, UnknownPanel) as exc:
            logger.info("refresh of order %d failed: %s", order.id, exc)
            return order
        await self._store(
            PollReport(), [(order.panel_order_id, answer)], {order.panel_order_id: order}
        )
        async with self._db.read() as r:
            return await r.orders.get(order.id) or order

    async def _active_orders(self, panel: str, after: int, last: int, part: int) -> list[OrderRow]:
        """The next ``part`` active orders placed at ``panel``: ids above ``after``, up to
        ``last``."""
        async with self._db.read() as r:
            return await r.orders.active_with_panel_id(after, part, panel=panel, upto_id=last)

    async def _store(
        self,
        report: PollReport,
        answers: Iterable[tuple[int, StatusInfo | ItemError]],
        by_panel_id: dict[int, OrderRow],
    ) -> None:
        now = utc_now()
        unchanged: list[FigureReport] = []
        # Most answers leave an order in its state: those are stored in one statement, so
        # a page holds the writer for a moment, not for a round trip per order.
        moved: list[tuple[OrderRow, StatusInfo | ItemError]] = []
        for panel_id, raw in answers:
            order = by_panel_id[panel_id]
            answer = _sane_figures(order, raw) if isinstance(raw, StatusInfo) else raw
            if (figures := _figures_if_kept(order, answer)) is not None:
                # Nothing but figures to store: they go with the page's others, with no
                # savepoint of their own.
                unchanged.append(figures)
            else:
                moved.append((order, answer))
        async with self._db.transaction() as tx:
            # The customers and services of the page's notices, read once for all of them.
            known = (
                Known(
                    customers=await tx.users.get_many(order.user_id for order, _ in moved),
                    services=await tx.services.get_many(order.service_id for order, _ in moved),
                )
                if moved
                else Known()
            )
            for order, stored in await self._store_moved(tx, moved, now, known):
                if isinstance(stored, OrderChange):
                    report.order_changes.append(stored)
                elif stored is not None:
                    report.order_errors[order.id] = stored
            if unchanged:
                try:
                    async with tx.savepoint():
                        await tx.orders.apply_figures(unchanged, now)
                except Exception:
                    # Figures only: the states and refunds of the page stand on their own.
                    logger.exception("figures of %d orders not stored", len(unchanged))

    async def _store_moved(
        self,
        tx: Repositories,
        moved: list[tuple[OrderRow, StatusInfo | ItemError]],
        now: datetime,
        known: Known,
    ) -> list[tuple[OrderRow, OrderChange | int | None]]:
        """Store the page's answers that move an order, each as :meth:`_store_answer` does;
        what each stored. All of them are tried in one savepoint first (the common case:
        every one stores). Should any fail, that savepoint is undone and the page is stored
        again with a savepoint per order, so the one that fails is left for the next poll
        and never holds back the others."""
        try:
            async with tx.savepoint():
                return [
                    (order, await self._store_answer(tx, order, answer, now, known))
                    for order, answer in moved
                ]
        except Exception:
            # Which one failed, and why, is logged as each is tried again alone.
            logger.debug("a page of %d answers is stored again one by one", len(moved))
        stored: list[tuple[OrderRow, OrderChange | int | None]] = []
        for order, answer in moved:
            done, result = await _alone(
                tx, f"order {order.id}", self._store_answer(tx, order, answer, now, known)
            )
            if done:
                stored.append((order, result))
        return stored

    async def _store_answer(
        self,
        tx: Repositories,
        order: OrderRow,
        answer: StatusInfo | ItemError,
        now: datetime,
        known: Known,
    ) -> OrderChange | int | None:
        """Store one order's answer that is not the same state again (see :meth:`_store`):
        the change it made, the count of per-item errors in a row, or None when there is
        nothing to store. ``answer``'s figures were made sane by the caller."""
        if isinstance(answer, ItemError):
            errors = await tx.orders.bump_item_errors(order.id, now)
            if errors >= ITEM_ERROR_ALERT_AFTER:
                await self._alerts.order_item_error(tx, order, answer.error)
            return errors
        if answer.status is OrderStatus.UNRECOGNISED:
            logger.warning("order %d: unknown status %r", order.id, answer.status_raw)
            return None
        state = OrderState.of(answer.status)
        changed = await tx.orders.apply_status(
            order.id,
            state=state,
            panel_status=answer.status_raw,
            start_count=answer.start_count,
            remains=answer.remains,
            charge=answer.charge,
            now=now,
        )
        if not changed:
            return None
        # From this answer's own figures: a remains kept from an earlier poll is no measure
        # of what the order finally failed to deliver.
        refund = refund_due(order, state, answer.remains, answer.charge, self._currency)
        if refund.held:
            await tx.orders.hold_refund(order.id, now)
        elif refund.amount > 0:
            await credit(
                tx,
                order.user_id,
                refund.amount,
                LedgerReason.REFUND,
                refund_key(order.id),
                order_id=order.id,
            )
        updated = await tx.orders.get(order.id)
        if updated is None:
            return None
        if refund.held:
            await self._alerts.refund_held(
                tx, updated, answer.status_raw, answer.remains, answer.charge
            )
            logger.warning("order %d ended %s: its refund waits for an admin", order.id, state)
        balance = await tx.ledger.balance(order.user_id)
        await self._notices.order_changed(
            tx, updated, refund.amount, balance, refund.basis, known=known
        )
        return OrderChange(updated, order.state, refund.amount, balance)

    # --- the loop --------------------------------------------------------------------------

    async def run(self, interval: float) -> None:
        """Poll each panel every ``interval`` seconds until cancelled, each in a loop of its
        own, so a slow or failing panel delays no other's orders. A failing poll is tried
        again later and later (twice the interval, then doubling, up to
        :data:`MAX_BACKOFF_SECONDS`) and the admins are told after
        :data:`FAILED_POLLS_ALERT_AFTER` in a row; no error ends a loop, and a poll slower
        than the interval is simply followed by the next one, never overlapped."""
        await asyncio.gather(*(self._run_panel(name, interval) for name in self._panels.names))

    async def _run_panel(self, panel: str, interval: float) -> None:
        failing_since = utc_now()

        async def poll() -> float:
            started = time.monotonic()
            with caller_reports_failures():
                await self.poll_panel(panel)
                self.last_poll_at = utc_now()
                checked = self._balance_checked_at.get(panel, -BALANCE_CHECK_SECONDS)
                if time.monotonic() - checked >= BALANCE_CHECK_SECONDS:
                    await _never_fatal(self.check_panel_balance(panel))
            return max(0.0, interval - (time.monotonic() - started))

        async def failed(failures: int, exc: Exception) -> None:
            nonlocal failing_since
            if failures == 1:
                failing_since = utc_now()
            if failures == FAILED_POLLS_ALERT_AFTER:
                # A one-panel shop's alert stays as it was; another panel is named.
                which = "" if panel == MAIN_PANEL else f"panel {panel}: "
                await self._alert_failing(failing_since.isoformat(), f"{which}{exc}")

        await keep_running(
            "status poll" if panel == MAIN_PANEL else f"status poll of panel {panel}",
            poll,
            Backoff(2 * interval, max(interval, MAX_BACKOFF_SECONDS)),
            expected=(PanelError,),
            on_failure=failed,
            log=logger,
        )

    async def check_panel_balance(self, panel: str | None = None) -> None:
        """Alert the admins once when a panel's balance (``panel``'s, or each one's) falls
        below the threshold; again only after it has been above it in between."""
        if self._balance_alert <= 0:
            return
        for name in self._panels.names if panel is None else (panel,):
            await self._check_balance_of(name)

    async def _check_balance_of(self, panel: str) -> None:
        self._balance_checked_at[panel] = time.monotonic()
        try:
            balance = await self._panels.client(panel).balance()
        except PanelError as exc:
            logger.info("balance of panel %s not checked: %s", panel, exc)
            return
        if balance.balance >= self._balance_alert:
            self._balance_low_since.pop(panel, None)
            return
        if panel not in self._balance_low_since:
            since = self._balance_low_since[panel] = utc_now().isoformat()
            async with self._db.transaction() as tx:
                await self._alerts.panel_balance_low(
                    tx, balance, since, panel=None if panel == MAIN_PANEL else panel
                )

    async def _alert_failing(self, since: str, error: str) -> None:
        async with self._db.transaction() as tx:
            await self._alerts.polls_failing(tx, since, FAILED_POLLS_ALERT_AFTER, error)


def _poll_part(client: PanelClient) -> int:
    """Active orders read, asked about and stored at a time: one round of the client's
    concurrent status calls (4 calls of 100 ids), so the parts take a poll no more calls
    and no more rounds than the whole would, and what a poll holds in memory is one part,
    whatever the number of orders."""
    return client.read_round


def _usable(read: ChunkedAnswer[T], what: str) -> ChunkedAnswer[T]:
    """A multi read whose answered calls are worth storing; the first error when no call
    was answered, so that the poll counts as failed."""
    if read.nothing_answered:
        raise read.failed[0].error
    if read.failed:
        logger.warning(
            "%d of %d %s calls failed, their %d ids are asked again next poll: %s",
            len(read.failed),
            read.chunks,
            what,
            len(read.unanswered),
            read.failed[0].error,
        )
    return read


def _sane_figures(order: OrderRow, answer: StatusInfo) -> StatusInfo:
    """``answer`` without the figures that make no sense (a negative count or charge, more
    left to deliver than was ordered): they are logged and taken as not given, so they are
    neither stored nor refunded from."""
    odd: dict[str, None] = {}
    if answer.start_count is not None and answer.start_count < 0:
        odd["start_count"] = None
    if answer.remains is not None and (
        answer.remains < 0
        or (order.order_type not in PACKAGE_TYPES and answer.remains > order.quantity)
    ):
        odd["remains"] = None
    if answer.charge is not None and answer.charge < 0:
        odd["charge"] = None
    if not odd:
        return answer
    logger.info(
        "order %d: odd figures ignored: %s",
        order.id,
        ", ".join(f"{name}={getattr(answer, name)}" for name in odd),
    )
    return answer.model_copy(update=odd)


def _figures_if_kept(order: OrderRow, answer: StatusInfo | ItemError) -> FigureReport | None:
    """What the panel reported, when ``answer`` is a known status that leaves ``order``
    where it is; else None."""
    if (
        not isinstance(answer, StatusInfo)
        or answer.status is OrderStatus.UNRECOGNISED
        or OrderState.of(answer.status) is not order.state
    ):
        return None
    return FigureReport(
        order.id,
        order.state,
        answer.status_raw,
        answer.start_count,
        answer.remains,
        answer.charge,
    )


async def _alone(tx: Repositories, what: str, store: Awaitable[T]) -> tuple[bool, T | None]:
    """Store one item's answer in a savepoint of its own: whatever goes wrong undoes only
    its writes and is logged in one line; the item is asked again at the next poll.
    ``(True, result)`` when stored, ``(False, None)`` when not."""
    try:
        async with tx.savepoint():
            return True, await store
    except Exception as exc:
        logger.warning(
            "%s: answer not stored, asked again next poll: %s: %s", what, type(exc).__name__, exc
        )
        return False, None


async def _never_fatal(job: Awaitable[None]) -> None:
    """Run a side job of the loop (an alert, a balance check): its failure is logged, and
    never ends the loop."""
    try:
        await job
    except Exception:
        logger.exception("tracking loop: a side job failed")
