"""Messages that tell customers what happened to their orders and refills.

They are rendered in the customer's language and queued in the outbox inside the same
transaction as the change they report, with a dedupe key per change: a change is told
exactly once, and never lost to a crash between recording it and telling it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from shop.display import escaped
from shop.storage import (
    ManualPaymentRow,
    ManualPaymentStatus,
    OrderRow,
    OrderState,
    RefillRow,
    RefillState,
    Repositories,
    ServiceRow,
    UserRow,
)
from shop.terms import Terms
from shop.texts import Texts

NOTICE_KIND: Final = "order_status"
TOPUP_NOTICE_KIND: Final = "topup"

#: The order states a customer is told about, and the message telling each.
ORDER_NOTICES: Final = {
    OrderState.IN_PROGRESS: "notice-in-progress",
    OrderState.PROCESSING: "notice-in-progress",
    OrderState.COMPLETED: "notice-completed",
    OrderState.PARTIAL: "notice-partial",
    OrderState.CANCELED: "notice-canceled",
    OrderState.REFUNDED: "notice-canceled",
    OrderState.FAILED: "notice-canceled",
}
#: How a Partial end is told, by what its refund was worked out from (see shop.refunds): the
#: figures delivered and not delivered are shown only when the panel's remains gave them.
PARTIAL_NOTICES: Final = {
    "remains": "notice-partial",
    "charge": "notice-partial-by-charge",
    "held": "notice-partial-held",
}
REFILL_NOTICES: Final = {
    RefillState.PENDING: "notice-refill-accepted",
    RefillState.COMPLETED: "notice-refill-completed",
    RefillState.REJECTED: "notice-refill-rejected",
    RefillState.CANCELED: "notice-refill-rejected",
    RefillState.ERROR: "notice-refill-rejected",
}


@dataclass(frozen=True, slots=True)
class Known:
    """Rows a caller has read already in its transaction, by id: a poll reads a page's
    customers and services at once rather than once per notice."""

    customers: Mapping[int, UserRow] = field(default_factory=dict)
    services: Mapping[int, ServiceRow] = field(default_factory=dict)


class Notices:
    """Renders and queues customer notices inside the caller's transaction."""

    def __init__(self, terms: Terms, texts: Texts, order_button: Callable[[int], str]) -> None:
        """``order_button`` gives the callback data of an order's "View order" button."""
        self._terms = terms
        self._texts = texts
        self._order_button = order_button
        # The "View order" label per language: the same on every notice of a poll.
        self._view_order_labels: dict[str, str] = {}

    def _view_order(self, language: str) -> str:
        label = self._view_order_labels.get(language)
        if label is None:
            label = self._view_order_labels[language] = self._texts.get(
                language, "button-view-order"
            )
        return label

    async def _queue(
        self,
        tx: Repositories,
        recipient: int | UserRow,
        dedupe_key: str,
        key: str | tuple[str, ...],
        order_id: int | None,
        *,
        kind: str = NOTICE_KIND,
        **params: Any,
    ) -> None:
        """Render ``key`` in the customer's language and queue it once per ``dedupe_key``
        (several keys: one below the other, with the same parameters); a notice about an
        order carries its number and a button to its card. ``recipient``: the customer's id,
        or their row when the caller has read it in this transaction already."""
        user = recipient if isinstance(recipient, UserRow) else await tx.users.get(recipient)
        if user is None or user.blocked:
            return
        markup: dict[str, Any] | None = None
        if order_id is not None:
            params["order_id"] = str(order_id)
            button = {
                "text": self._view_order(user.language),
                "callback_data": self._order_button(order_id),
            }
            markup = {"inline_keyboard": [[button]]}
        keys = (key,) if isinstance(key, str) else key
        text = "\n".join(self._texts.get(user.language, each, **params) for each in keys)
        await tx.outbox.enqueue(
            user.id,
            text,
            kind,
            user_id=user.id,
            dedupe_key=dedupe_key,
            reply_markup=markup,
        )

    async def order_changed(
        self,
        tx: Repositories,
        order: OrderRow,
        refund: Decimal,
        balance: Decimal,
        refund_basis: str = "remains",
        known: Known | None = None,
    ) -> None:
        """Tell the customer their order reached ``order.state``, if that is worth telling.

        ``refund_basis`` (a :class:`shop.refunds.RefundBasis` value) picks how a Partial end
        is told: with its figures, with its refund only, or as being checked (held).
        ``known``: customers and services the caller read in this transaction already.
        """
        key = ORDER_NOTICES.get(order.state)
        if key is None:
            return
        if order.state is OrderState.PARTIAL:
            key = PARTIAL_NOTICES.get(refund_basis, key)
        known = known or Known()
        service = known.services.get(order.service_id) or await tx.services.get(order.service_id)
        money = self._terms.currency.format
        delivered = order.quantity - max(min(order.remains or 0, order.quantity), 0)
        await self._queue(
            tx,
            known.customers.get(order.user_id) or order.user_id,
            f"notice:order:{order.id}:{order.state.value}",
            key,
            order.id,
            service=escaped(service.name if service else str(order.service_id)),
            start_count=order.start_count if order.start_count is not None else "—",
            delivered=delivered,
            remains=order.remains or 0,
            refund=money(refund),
            balance=money(balance),
        )

    async def order_not_placed(self, tx: Repositories, order: OrderRow, balance: Decimal) -> None:
        """Tell the customer an uncertain order never reached the panel and its price is
        back on their balance (an admin checked it and refunded it)."""
        service = await tx.services.get(order.service_id)
        await self._queue(
            tx,
            order.user_id,
            f"notice:order:{order.id}:{order.state.value}",
            "notice-not-placed",
            order.id,
            service=escaped(service.name if service else str(order.service_id)),
            refund=self._terms.currency.format(order.price),
            balance=self._terms.currency.format(balance),
        )

    async def refund_settled(
        self, tx: Repositories, order: OrderRow, refund: Decimal, balance: Decimal
    ) -> None:
        """Tell the customer what an admin decided to give back for an order whose refund
        was held (``refund`` 0: nothing was owed)."""
        service = await tx.services.get(order.service_id)
        await self._queue(
            tx,
            order.user_id,
            f"notice:order:{order.id}:refund-settled",
            "notice-refund-settled" if refund > 0 else "notice-refund-none",
            order.id,
            service=escaped(service.name if service else str(order.service_id)),
            refund=self._terms.currency.format(refund),
            balance=self._terms.currency.format(balance),
        )

    async def refill_changed(self, tx: Repositories, refill: RefillRow) -> None:
        """Tell the customer their refill reached ``refill.state``, if worth telling."""
        key = REFILL_NOTICES.get(refill.state)
        if key is None:
            return
        await self._queue(
            tx,
            refill.user_id,
            f"notice:refill:{refill.id}:{refill.state.value}",
            key,
            refill.order_id,
        )

    async def topup_recovered(
        self,
        tx: Repositories,
        user_id: int,
        charge_id: str,
        *,
        stars: int,
        amount: Decimal,
        balance: Decimal,
    ) -> None:
        """Tell the customer a Stars payment the bot had missed is on their balance now."""
        money = self._terms.currency.format
        await self._queue(
            tx,
            user_id,
            f"notice:topup:{charge_id}",
            "notice-topup-recovered",
            None,
            kind=TOPUP_NOTICE_KIND,
            stars=stars,
            amount=money(amount),
            balance=money(balance),
        )

    async def manual_payment_decided(
        self,
        tx: Repositories,
        request: ManualPaymentRow,
        balance: Decimal,
        promo_bonus: Decimal = Decimal(0),
    ) -> None:
        """Tell the customer what the admins decided on their transfer: credited (with the
        amount given, which may differ from the one asked, and the promo code bonus it
        brought) or rejected (with the reason, when one was given)."""
        money = self._terms.currency.format
        params: dict[str, Any] = {
            "request_id": str(request.id),
            "asked": money(request.amount),
            "balance": money(balance),
            "bonus": money(promo_bonus),
        }
        if request.status is ManualPaymentStatus.APPROVED:
            assert request.approved_amount is not None
            changed = request.approved_amount != request.amount
            key = "notice-manual-approved-changed" if changed else "notice-manual-approved"
            params["amount"] = money(request.approved_amount)
        elif request.reject_reason:
            key = "notice-manual-rejected-reason"
            params["reason"] = escaped(request.reject_reason)
        else:
            key = "notice-manual-rejected"
        await self._queue(
            tx,
            request.user_id,
            f"notice:manual:{request.id}",
            (key, *_promo_postscript(promo_bonus)),
            None,
            kind=TOPUP_NOTICE_KIND,
            **params,
        )

    async def crypto_topup_credited(
        self,
        tx: Repositories,
        user_id: int,
        invoice_id: int,
        *,
        amount: Decimal,
        balance: Decimal,
        promo_bonus: Decimal = Decimal(0),
    ) -> None:
        """Tell the customer their Crypto Pay invoice is paid and on their balance, with the
        promo code bonus it brought."""
        money = self._terms.currency.format
        await self._queue(
            tx,
            user_id,
            f"notice:crypto-topup:{invoice_id}",
            ("notice-crypto-topup", *_promo_postscript(promo_bonus)),
            None,
            kind=TOPUP_NOTICE_KIND,
            amount=money(amount),
            balance=money(balance),
            bonus=money(promo_bonus),
        )


def _promo_postscript(promo_bonus: Decimal) -> tuple[str, ...]:
    """The line a top-up's notice adds when it brought a promo code bonus."""
    return ("notice-promo-bonus",) if promo_bonus > 0 else ()
