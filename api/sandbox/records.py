"""What the sandbox panel remembers: accounts, orders, refills and the requests it got.

These are plain mutable records, open to inspection by tests; the rules that change them
live in :mod:`api.sandbox.panel`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal

from api.models import OrderStatus, RefillStatus


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the panel received it.

    ``fields`` holds every form field except ``key`` and ``action``, unknown ones included,
    so a test can assert exactly what a client sent.
    """

    action: str
    fields: dict[str, str]
    key: str
    #: Panel clock time of arrival.
    at: float = 0.0


@dataclass(slots=True)
class Account:
    """An API key's money at the panel."""

    key: str
    balance: Decimal
    currency: str


class Outcome(enum.StrEnum):
    """How an order ends once its run is over."""

    COMPLETED = "completed"
    PARTIAL = "partial"
    CANCELED = "canceled"


@dataclass(slots=True, kw_only=True)
class SandboxOrder:
    """An order placed with ``add``.

    ``quantity`` is what the order asked for (the line count for lists of comments or
    usernames, 1 for packages); ``units`` is what is delivered in all (``quantity`` times
    ``runs`` for drip-feed). ``charged`` was debited at placement; ``charge`` is what the
    ``status`` answer shows, which after a partial end or a cancel is ``charged`` less
    ``refunded``.
    """

    id: int
    key: str
    service: int
    type: str
    link: str
    quantity: int
    units: int
    runs: int | None
    interval: int | None
    rate: Decimal
    charged: Decimal
    charge: Decimal
    refunded: Decimal = Decimal(0)
    start_count: int
    status: OrderStatus = OrderStatus.PENDING
    remains: int
    outcome: Outcome = Outcome.COMPLETED
    #: Units left undelivered when the run is over.
    final_remains: int = 0
    created_at: float
    starts_at: float
    ends_at: float
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def is_final(self) -> bool:
        """True once the order has ended and any refund has been paid."""
        return self.status.is_final


@dataclass(slots=True, kw_only=True)
class SandboxRefill:
    """A refill requested for a completed or partial order."""

    id: int
    order_id: int
    key: str
    status: RefillStatus = RefillStatus.PENDING
    #: Decided when the refill is requested: the panel will turn it down.
    rejected: bool = False
    created_at: float
    starts_at: float
    ends_at: float

    @property
    def is_final(self) -> bool:
        """True once the refill was completed or rejected."""
        return self.status.is_final
