"""The vocabularies of the stored states and reasons, as the schema's CHECK rules spell them."""

from __future__ import annotations

import enum
from typing import Final

from api.models import OrderStatus, RefillStatus


class OrderState(enum.StrEnum):
    """Where an order stands in the shop.

    ``submitting`` and ``unknown`` are the shop's own states around the single ``add`` call;
    the others mirror the panel's :class:`~api.models.OrderStatus`.
    """

    SUBMITTING = "submitting"
    UNKNOWN = "unknown"
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    PROCESSING = "processing"
    COMPLETED = "completed"
    PARTIAL = "partial"
    CANCELED = "canceled"
    REFUNDED = "refunded"
    FAILED = "failed"

    @classmethod
    def of(cls, status: OrderStatus) -> OrderState:
        """The state a panel status maps to; ValueError for an unrecognised status."""
        if status is OrderStatus.UNRECOGNISED:
            raise ValueError("an unrecognised panel status has no order state")
        return cls(status.value)


#: States in which the panel is still working on the order, so the tracker polls it.
ACTIVE_ORDER_STATES: Final = frozenset(
    {OrderState.PENDING, OrderState.IN_PROGRESS, OrderState.PROCESSING}
)


class RefillState(enum.StrEnum):
    """Where a refill request stands.

    ``requesting`` is the shop's own state around the ``refill`` call; ``refused`` means the
    panel said no to the request; the others mirror :class:`~api.models.RefillStatus`.
    """

    REQUESTING = "requesting"
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    PROCESSING = "processing"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELED = "canceled"
    ERROR = "error"
    REFUSED = "refused"

    @classmethod
    def of(cls, status: RefillStatus) -> RefillState:
        """The state a panel refill status maps to; ValueError for an unrecognised one."""
        if status is RefillStatus.UNRECOGNISED:
            raise ValueError("an unrecognised panel status has no refill state")
        return cls(status.value)


#: Refill states that are not final: at most one refill per order may be in one of them.
ACTIVE_REFILL_STATES: Final = frozenset(
    {RefillState.REQUESTING, RefillState.PENDING, RefillState.IN_PROGRESS, RefillState.PROCESSING}
)


class LedgerReason(enum.StrEnum):
    """Why a balance changed."""

    TOPUP = "topup"
    ORDER_CHARGE = "order_charge"
    REFUND = "refund"
    ADMIN_ADJUSTMENT = "admin_adjustment"
    REFERRAL_BONUS = "referral_bonus"
    STARS_REFUND = "stars_refund"
    #: A referral bonus taken back because the top-up that earned it was refunded.
    REFERRAL_REVERSAL = "referral_reversal"
    #: A top-up paid through Crypto Pay.
    CRYPTO_TOPUP = "crypto_topup"
    #: A top-up by a transfer an admin approved.
    MANUAL_TOPUP = "manual_topup"
    #: A promo code's amount, credited as it is redeemed.
    PROMO_VOUCHER = "promo_voucher"
    #: A promo code's percent, credited on the top-up it applies to.
    PROMO_BONUS = "promo_bonus"


class OutboxState(enum.StrEnum):
    """Delivery state of an outbox message."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"
