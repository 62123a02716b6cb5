"""The sandbox panel: accounts, orders and refills, moved along by a clock.

Nothing runs in the background. Each order and refill carries its schedule, and whatever
is due is applied when the panel is next asked anything (:meth:`SandboxPanel.tick`), so a
test that moves a :class:`~api.sandbox.clock.ManualClock` sees exact, repeatable states.

Lifecycle of an order: ``Pending`` for :attr:`~SandboxPanel.pending_seconds`, then
``In progress`` (its start count is fixed, its remains fall linearly) for
:attr:`~SandboxPanel.progress_seconds`, then ``Completed``, ``Partial`` or ``Canceled``.
An order that is to be canceled by the panel is canceled when it would have started.
Refunds are paid once, when the order reaches its final state.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
import random
import zlib
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

from api.models import OrderStatus, RefillStatus, Service
from api.sandbox import messages
from api.sandbox.catalogue import ServiceRow, builtin_catalogue
from api.sandbox.clock import Clock, RealClock
from api.sandbox.encoding import JsonValue, to_json
from api.sandbox.faults import FaultPlan
from api.sandbox.messages import Refusal
from api.sandbox.placement import Placement, assess, round_money
from api.sandbox.records import (
    Account,
    Outcome,
    RecordedRequest,
    SandboxOrder,
    SandboxRefill,
)
from api.sandbox.reply import Reply, failure_reply

#: A link (or subscription username) containing this ends its order Partial.
PARTIAL_MARKER: Final = "sandbox=partial"
#: A link containing this has its order canceled by the panel, with a full refund.
CANCEL_MARKER: Final = "sandbox=cancel"
#: Refills of an order whose link contains this are rejected.
REFILL_REJECT_MARKER: Final = "sandbox=refill-reject"

FIRST_ORDER_ID: Final = 23501
FIRST_REFILL_ID: Final = 1
#: Most ids a multi call may carry.
MAX_IDS_PER_CALL: Final = 100

_ORDER_SPELLING: Final = {
    OrderStatus.PENDING: "Pending",
    OrderStatus.IN_PROGRESS: "In progress",
    OrderStatus.COMPLETED: "Completed",
    OrderStatus.PARTIAL: "Partial",
    OrderStatus.CANCELED: "Canceled",
}
_REFILL_SPELLING: Final = {
    RefillStatus.PENDING: "Pending",
    RefillStatus.IN_PROGRESS: "In progress",
    RefillStatus.COMPLETED: "Completed",
    RefillStatus.REJECTED: "Rejected",
}
# Spellings other panels use for the same states.
_ALTERNATE_SPELLING: Final = {"In progress": "In Progress", "Canceled": "Cancelled"}
_REFILLABLE: Final = frozenset({OrderStatus.COMPLETED, OrderStatus.PARTIAL})

_Handler = Callable[[Account, Mapping[str, str]], JsonValue]
# (due time, tie-breaker, what happens, order or refill id)
_Event = tuple[float, int, str, int]
_ORDER_STARTS: Final = "order starts"
_ORDER_ENDS: Final = "order ends"
_REFILL_STARTS: Final = "refill starts"
_REFILL_ENDS: Final = "refill ends"


class SandboxPanel:
    """A fake SMM panel speaking API v2, with real accounting and real-panel refusals.

    ``services`` are catalogue rows in the shape of the ``services`` answer (the built-in
    catalogue if None). ``seed`` makes every random choice repeatable: fault ratios, the
    outcome mix and the start counts.
    """

    def __init__(
        self,
        clock: Clock | None = None,
        services: Iterable[Mapping[str, Any]] | None = None,
        seed: int = 0,
    ) -> None:
        self.clock: Clock = clock if clock is not None else RealClock()
        self.seed = seed
        self.rng = random.Random(seed)
        self.faults = FaultPlan()
        #: Every request received, in order (see :attr:`record_requests`).
        self.requests: list[RecordedRequest] = []
        self.orders: dict[int, SandboxOrder] = {}
        self.refills: dict[int, SandboxRefill] = {}
        self.accounts: dict[str, Account] = {}
        #: Service ids that are hidden from ``services`` and refused by ``add``.
        self.disabled_services: set[int] = set()
        #: Fields forced into the status answers of an order (see :meth:`override_status`).
        self.status_overrides: dict[int, dict[str, JsonValue | None]] = {}

        # Schedules are fixed when an order or refill is created, so changing these later
        # affects only what comes after.
        self.pending_seconds = 60.0
        self.progress_seconds = 300.0
        self.refill_pending_seconds = 60.0
        self.refill_progress_seconds = 120.0
        #: Shares of outcomes for orders without a marker, e.g. {"completed": 0.8,
        #: "partial": 0.1, "canceled": 0.1}; None means every such order completes.
        self.outcome_mix: Mapping[str, float] | None = None
        #: Answer ids, money and counts as JSON numbers rather than strings.
        self.numbers_as_json_numbers = False
        #: Spell statuses "In Progress" and "Cancelled", as some panels do.
        self.alternate_spellings = False
        #: Keep :attr:`requests`; a long-running server turns this off to bound memory.
        self.record_requests = True

        self._rows: list[ServiceRow] = []
        self._services: dict[int, Service] = {}
        self.set_services(builtin_catalogue() if services is None else services)
        self._order_ids = itertools.count(FIRST_ORDER_ID)
        self._refill_ids = itertools.count(FIRST_REFILL_ID)
        self._agenda: list[_Event] = []
        self._tie_breaker = itertools.count()
        # (key, service, link) of each order not yet final, to refuse a duplicate.
        self._active_links: dict[tuple[str, int, str], int] = {}
        # order id -> its refill that is not yet final.
        self._active_refills: dict[int, int] = {}
        self._actions: dict[str, _Handler] = {
            "services": self._services_answer,
            "add": self._add,
            "status": self._status,
            "refill": self._refill,
            "refill_status": self._refill_status,
            "cancel": self._cancel,
            "balance": self._balance,
        }

    # --- set-up and inspection --------------------------------------------------------------

    def set_services(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Replace the catalogue; rows keep their exact form in the ``services`` answer.

        The rows are copied, so editing them afterwards changes nothing here.
        """
        copied: list[ServiceRow] = [dict(row) for row in rows]
        parsed = {service.id: service for service in map(Service.model_validate, copied)}
        if len(parsed) != len(copied):
            raise ValueError("service ids must be unique")
        self._rows = copied
        self._services = parsed

    @property
    def services(self) -> list[ServiceRow]:
        """The catalogue rows, disabled services included."""
        return list(self._rows)

    def service(self, service_id: int) -> Service:
        """The parsed catalogue entry of ``service_id`` (KeyError if there is none)."""
        return self._services[service_id]

    def add_account(
        self, key: str, balance: Decimal = Decimal("1000"), currency: str = "USD"
    ) -> Account:
        """Open (or reset) the account of API key ``key``."""
        if not key:
            raise ValueError("an API key must not be empty")
        account = Account(key=key, balance=Decimal(balance), currency=currency)
        self.accounts[key] = account
        return account

    def balance_of(self, key: str) -> Decimal:
        """The balance of ``key`` now, refunds that fell due included."""
        self.tick()
        return self.accounts[key].balance

    def force_outcome(
        self, order_id: int, outcome: Outcome | str, remains: int | None = None
    ) -> None:
        """Decide how order ``order_id`` ends: completed, partial or canceled.

        ``remains`` (partial only) is the part left undelivered; by default a third. The
        order keeps its schedule; one to be canceled while still pending is canceled when
        it would have started, one in progress at its end.
        """
        self.tick()
        order = self.orders[order_id]
        if order.is_final:
            raise ValueError(f"order {order_id} has already ended ({order.status})")
        chosen = Outcome(outcome)
        if remains is not None and chosen is not Outcome.PARTIAL:
            raise ValueError("remains applies to a partial outcome only")
        if remains is not None and not 0 < remains < order.units:
            raise ValueError(f"a partial order leaves between 1 and {order.units - 1} units")
        order.outcome = chosen
        order.final_remains = self._final_remains(chosen, order.units, remains)

    def override_status(self, order_id: int, **fields: JsonValue | None) -> None:
        """Answer ``status`` for ``order_id`` with ``fields`` in place of its own, as a panel
        with odd answers does: a value replaces the field, None leaves it out. The order
        itself moves on as usual. Calling again replaces the override; no fields clear it.
        """
        if fields:
            self.status_overrides[order_id] = dict(fields)
        else:
            self.status_overrides.pop(order_id, None)

    def disable_service(self, service_id: int) -> None:
        """Hide a service and refuse new orders for it, as when a panel pauses one."""
        self.disabled_services.add(service_id)

    def enable_service(self, service_id: int) -> None:
        """Undo :meth:`disable_service`."""
        self.disabled_services.discard(service_id)

    # --- requests ---------------------------------------------------------------------------

    def handle(self, form: Mapping[str, str]) -> Reply:
        """Answer one request, faults included, as the HTTP layer will send it."""
        fields = dict(form)
        key = fields.pop("key", "")
        action = fields.pop("action", "")
        if self.record_requests:
            self.requests.append(RecordedRequest(action, dict(fields), key, self.clock.now()))
        triggered = self.faults.draw(action, self.rng)
        failure = triggered.failure
        if failure is None:
            return Reply(200, to_json(self.respond(key, action, fields)), delay=triggered.delay)
        applied = to_json(self.respond(key, action, fields)) if failure.after_apply else None
        return failure_reply(failure, applied, self.rng, triggered.delay)

    def respond(self, key: str, action: str, fields: Mapping[str, str]) -> JsonValue:
        """The answer to ``action`` for ``key``, without faults and without recording."""
        self.tick()
        account = self.accounts.get(key)
        if account is None:
            return {"error": messages.INVALID_KEY}
        handler = self._actions.get(action)
        if handler is None:
            return {"error": messages.INCORRECT_REQUEST}
        try:
            return handler(account, fields)
        except Refusal as refusal:
            return {"error": refusal.message}

    def tick(self) -> None:
        """Apply every start and end that is due by the clock."""
        now = self.clock.now()
        while self._agenda and self._agenda[0][0] <= now:
            _, _, event, ident = heapq.heappop(self._agenda)
            if event == _ORDER_STARTS:
                self._order_starts(self.orders[ident])
            elif event == _ORDER_ENDS:
                self._order_ends(self.orders[ident])
            elif event == _REFILL_STARTS:
                self._refill_starts(self.refills[ident])
            else:
                self._refill_ends(self.refills[ident])

    # --- actions ----------------------------------------------------------------------------

    def _services_answer(self, account: Account, fields: Mapping[str, str]) -> JsonValue:
        if not self.disabled_services:
            return list(self._rows)
        return [row for row in self._rows if self._row_id(row) not in self.disabled_services]

    def _balance(self, account: Account, fields: Mapping[str, str]) -> JsonValue:
        return {"balance": self._money(account.balance), "currency": account.currency}

    def _add(self, account: Account, fields: Mapping[str, str]) -> JsonValue:
        service_id = _parse_id(fields.get("service", ""))
        service = self._services.get(service_id) if service_id is not None else None
        if service is None or service.id in self.disabled_services:
            raise Refusal(messages.INCORRECT_SERVICE)
        today = dt.datetime.fromtimestamp(self.clock.now(), tz=dt.UTC).date()
        placement = assess(service, fields, today)
        if (account.key, service.id, placement.link) in self._active_links:
            raise Refusal(messages.ACTIVE_ORDER)
        if placement.charge > account.balance:
            raise Refusal(messages.NOT_ENOUGH_FUNDS)
        order = self._book(account, service, placement, fields)
        return {"order": order.id}

    def _status(self, account: Account, fields: Mapping[str, str]) -> JsonValue:
        batch = _given(fields, "orders")
        if batch is not None:
            answers: dict[str, JsonValue] = {}
            for raw, order_id in _parse_id_list(batch):
                label = raw if order_id is None else str(order_id)
                answers[label] = self._attempt(self._status_of, account, order_id)
            return answers
        return self._status_of(account, _parse_id(_required(fields, "order")))

    def _refill(self, account: Account, fields: Mapping[str, str]) -> JsonValue:
        batch = _given(fields, "orders")
        if batch is not None:
            return [
                {
                    "order": _echo_id(raw, order_id),
                    "refill": self._attempt(self._new_refill_id, account, order_id),
                }
                for raw, order_id in _parse_id_list(batch)
            ]
        refill = self._request_refill(account, _parse_id(_required(fields, "order")))
        return {"refill": self._id(refill.id)}

    def _refill_status(self, account: Account, fields: Mapping[str, str]) -> JsonValue:
        batch = _given(fields, "refills")
        if batch is not None:
            return [
                {
                    "refill": _echo_id(raw, refill_id),
                    "status": self._attempt(self._refill_status_of, account, refill_id),
                }
                for raw, refill_id in _parse_id_list(batch)
            ]
        refill_id = _parse_id(_required(fields, "refill"))
        return {"status": self._refill_status_of(account, refill_id)}

    def _cancel(self, account: Account, fields: Mapping[str, str]) -> JsonValue:
        batch = _required(fields, "orders")
        return [
            {
                "order": _echo_id(raw, order_id),
                "cancel": self._attempt(self._cancel_one, account, order_id),
            }
            for raw, order_id in _parse_id_list(batch)
        ]

    # --- orders -----------------------------------------------------------------------------

    def _book(
        self,
        account: Account,
        service: Service,
        placement: Placement,
        fields: Mapping[str, str],
    ) -> SandboxOrder:
        now = self.clock.now()
        outcome = self._initial_outcome(placement.link)
        starts_at = now + self.pending_seconds
        order = SandboxOrder(
            id=next(self._order_ids),
            key=account.key,
            service=service.id,
            type=service.type,
            link=placement.link,
            quantity=placement.quantity,
            units=placement.units,
            runs=placement.runs,
            interval=placement.interval,
            rate=service.rate,
            charged=placement.charge,
            charge=placement.charge,
            start_count=0,
            remains=placement.units,
            outcome=outcome,
            final_remains=self._final_remains(outcome, placement.units),
            created_at=now,
            starts_at=starts_at,
            ends_at=starts_at + self.progress_seconds,
            fields=dict(fields),
        )
        account.balance -= order.charged
        self.orders[order.id] = order
        self._active_links[(account.key, service.id, order.link)] = order.id
        self._schedule(order.starts_at, _ORDER_STARTS, order.id)
        self._schedule(order.ends_at, _ORDER_ENDS, order.id)
        return order

    def _initial_outcome(self, link: str) -> Outcome:
        if CANCEL_MARKER in link:
            return Outcome.CANCELED
        if PARTIAL_MARKER in link:
            return Outcome.PARTIAL
        if not self.outcome_mix:
            return Outcome.COMPLETED
        shares = [(Outcome(name), share) for name, share in self.outcome_mix.items()]
        draw = self.rng.random() * sum(share for _, share in shares)
        for outcome, share in shares:
            draw -= share
            if draw < 0:
                return outcome
        return shares[-1][0]

    @staticmethod
    def _final_remains(outcome: Outcome, units: int, remains: int | None = None) -> int:
        if outcome is Outcome.COMPLETED:
            return 0
        if outcome is Outcome.CANCELED:
            return units
        if remains is not None:
            return remains
        # About a third left; an order too small to split ends canceled or completed.
        return min(units, max(1, units // 3))

    def _order_starts(self, order: SandboxOrder) -> None:
        if order.status is not OrderStatus.PENDING:
            return
        if order.outcome is Outcome.CANCELED:
            self._finish(order, order.units)
            return
        order.status = OrderStatus.IN_PROGRESS
        # Derived from the link, so the same target always shows the same start count.
        order.start_count = zlib.crc32(f"{self.seed}:{order.link}".encode()) % 20_000

    def _order_ends(self, order: SandboxOrder) -> None:
        if not order.is_final:
            self._finish(order, order.final_remains)

    def _remains_now(self, order: SandboxOrder) -> int:
        if order.status is not OrderStatus.IN_PROGRESS:
            return order.remains
        span = order.ends_at - order.starts_at
        elapsed = self.clock.now() - order.starts_at
        share = 1.0 if span <= 0 else min(1.0, max(0.0, elapsed / span))
        to_deliver = order.units - order.final_remains
        return order.units - math.floor(to_deliver * share)

    def _finish(self, order: SandboxOrder, remains: int) -> None:
        """End ``order`` with ``remains`` undelivered and pay its refund, exactly once."""
        if order.is_final:
            raise RuntimeError(f"order {order.id} has already ended")
        if remains <= 0:
            status, refund = OrderStatus.COMPLETED, Decimal(0)
        elif remains >= order.units:
            status, refund = OrderStatus.CANCELED, order.charged
        else:
            # What was delivered stays paid; the rest, at the order's own price, goes back.
            kept = round_money(order.charged * (order.units - remains) / order.units)
            status, refund = OrderStatus.PARTIAL, order.charged - kept
        order.status = status
        order.remains = max(0, min(remains, order.units))
        order.refunded = refund
        order.charge = order.charged - refund
        self.accounts[order.key].balance += refund
        link_key = (order.key, order.service, order.link)
        if self._active_links.get(link_key) == order.id:
            del self._active_links[link_key]

    def _own_order(self, account: Account, order_id: int | None) -> SandboxOrder:
        order = self.orders.get(order_id) if order_id is not None else None
        if order is None or order.key != account.key:
            raise Refusal(messages.INCORRECT_ORDER)
        return order

    def _status_of(self, account: Account, order_id: int | None) -> JsonValue:
        order = self._own_order(account, order_id)
        order.remains = self._remains_now(order)
        answer: dict[str, JsonValue] = {
            "charge": self._money(order.charge),
            "start_count": self._count(order.start_count),
            "status": self._spell(_ORDER_SPELLING[order.status]),
            "remains": self._count(order.remains),
            "currency": account.currency,
        }
        for name, value in self.status_overrides.get(order.id, {}).items():
            if value is None:
                answer.pop(name, None)
            else:
                answer[name] = value
        return answer

    def _cancel_one(self, account: Account, order_id: int | None) -> JsonValue:
        order = self._own_order(account, order_id)
        service = self._services.get(order.service)
        if service is None or not service.cancel or order.is_final:
            raise Refusal(messages.CANCEL_NOT_AVAILABLE)
        # Pending: nothing delivered, all refunded. In progress: the undelivered rest is.
        pending = order.status is OrderStatus.PENDING
        self._finish(order, order.units if pending else self._remains_now(order))
        return 1

    # --- refills ----------------------------------------------------------------------------

    def _request_refill(self, account: Account, order_id: int | None) -> SandboxRefill:
        order = self._own_order(account, order_id)
        service = self._services.get(order.service)
        if (
            service is None
            or not service.refill
            or order.status not in _REFILLABLE
            or order.id in self._active_refills
        ):
            raise Refusal(messages.REFILL_NOT_ELIGIBLE)
        now = self.clock.now()
        starts_at = now + self.refill_pending_seconds
        refill = SandboxRefill(
            id=next(self._refill_ids),
            order_id=order.id,
            key=account.key,
            rejected=REFILL_REJECT_MARKER in order.link,
            created_at=now,
            starts_at=starts_at,
            ends_at=starts_at + self.refill_progress_seconds,
        )
        self.refills[refill.id] = refill
        self._active_refills[order.id] = refill.id
        self._schedule(refill.starts_at, _REFILL_STARTS, refill.id)
        self._schedule(refill.ends_at, _REFILL_ENDS, refill.id)
        return refill

    def _new_refill_id(self, account: Account, order_id: int | None) -> JsonValue:
        return self._request_refill(account, order_id).id

    def _refill_starts(self, refill: SandboxRefill) -> None:
        if refill.status is not RefillStatus.PENDING:
            return
        if refill.rejected:
            self._refill_finish(refill, RefillStatus.REJECTED)
        else:
            refill.status = RefillStatus.IN_PROGRESS

    def _refill_ends(self, refill: SandboxRefill) -> None:
        if not refill.is_final:
            self._refill_finish(refill, RefillStatus.COMPLETED)

    def _refill_finish(self, refill: SandboxRefill, status: RefillStatus) -> None:
        refill.status = status
        if self._active_refills.get(refill.order_id) == refill.id:
            del self._active_refills[refill.order_id]

    def _refill_status_of(self, account: Account, refill_id: int | None) -> JsonValue:
        refill = self.refills.get(refill_id) if refill_id is not None else None
        if refill is None or refill.key != account.key:
            raise Refusal(messages.REFILL_NOT_FOUND)
        return self._spell(_REFILL_SPELLING[refill.status])

    # --- answers ----------------------------------------------------------------------------

    def _schedule(self, at: float, event: str, ident: int) -> None:
        heapq.heappush(self._agenda, (at, next(self._tie_breaker), event, ident))

    @staticmethod
    def _attempt(
        compute: Callable[[Account, int | None], JsonValue], account: Account, ident: int | None
    ) -> JsonValue:
        """One item of a multi call: its answer, or its refusal in its place."""
        try:
            return compute(account, ident)
        except Refusal as refusal:
            return {"error": refusal.message}

    def _money(self, amount: Decimal) -> JsonValue:
        rounded = round_money(amount)
        return rounded if self.numbers_as_json_numbers else format(rounded, "f")

    def _count(self, value: int) -> JsonValue:
        return value if self.numbers_as_json_numbers else str(value)

    def _id(self, value: int) -> JsonValue:
        return value if self.numbers_as_json_numbers else str(value)

    def _spell(self, status: str) -> str:
        return _ALTERNATE_SPELLING.get(status, status) if self.alternate_spellings else status

    @staticmethod
    def _row_id(row: ServiceRow) -> int | None:
        raw = row.get("service")
        return _parse_id(str(raw)) if raw is not None else None


# --- parameters ---------------------------------------------------------------------------


def _given(fields: Mapping[str, str], name: str) -> str | None:
    value = fields.get(name, "").strip()
    return value or None


def _required(fields: Mapping[str, str], name: str) -> str:
    value = _given(fields, name)
    if value is None:
        raise Refusal(messages.INCORRECT_REQUEST)
    return value


def _parse_id(raw: str) -> int | None:
    """A positive id from its text, or None when the text is not one."""
    text = raw.strip()
    if not text.isdigit() or not text.isascii() or len(text) > 18:
        return None
    value = int(text)
    return value if value > 0 else None


def _parse_id_list(raw: str) -> list[tuple[str, int | None]]:
    """Each comma-separated item with its id (None for an item that is not an id)."""
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if len(items) > MAX_IDS_PER_CALL:
        raise Refusal(messages.INCORRECT_REQUEST)
    return [(item, _parse_id(item)) for item in items]


def _echo_id(raw: str, parsed: int | None) -> JsonValue:
    """An id as multi answers show it: a number, or the text sent when it was not one."""
    return parsed if parsed is not None else raw
