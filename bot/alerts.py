"""Alerts to the admin group, queued in the outbox once per event."""

from __future__ import annotations

import html
import logging
from decimal import Decimal

from bot.db import OrderRow, Repositories
from bot.i18n import Texts
from bot.shop import Shop

logger = logging.getLogger(__name__)

ALERT_KIND = "alert"


class Alerts:
    """Queues messages for the admin group (``ADMIN_CHAT_ID``) inside the caller's
    transaction, so an alert exists exactly when the event it reports was committed.
    Each alert has a dedupe key: the same event never alerts twice."""

    def __init__(self, shop: Shop, texts: Texts) -> None:
        self._shop = shop
        self._texts = texts

    async def _post(self, tx: Repositories, dedupe_key: str, key: str, **params: object) -> None:
        text = self._texts.get(self._shop.admin_locale, key, **params)
        if self._shop.admin_chat_id is None:
            logger.warning("admin alert (no ADMIN_CHAT_ID set): %s", dedupe_key)
            return
        await tx.outbox.enqueue(
            self._shop.admin_chat_id, text, ALERT_KIND, dedupe_key=f"alert:{dedupe_key}"
        )

    async def order_unknown(self, tx: Repositories, order: OrderRow, reason: str) -> None:
        """An order whose placement is uncertain; its money is held until an admin decides."""
        await self._post(
            tx,
            f"unknown:{order.id}",
            "alert-order-unknown",
            order_id=str(order.id),
            user_id=str(order.user_id),
            price=self._shop.currency.format(order.price),
            reason=html.escape(reason),
        )

    async def panel_problem(self, tx: Repositories, order: OrderRow, message: str) -> None:
        """The panel refused an order for a reason that is the shop's to fix."""
        await self._post(
            tx,
            f"panel-refusal:{order.id}",
            "alert-panel-problem",
            order_id=str(order.id),
            message=html.escape(message),
        )

    async def refund_held(
        self,
        tx: Repositories,
        order: OrderRow,
        status: str,
        remains: int | None,
        charge: Decimal | None,
    ) -> None:
        """A final order's answer does not tell what to refund: nothing was, an admin
        decides (once per order)."""
        await self._post(
            tx,
            f"refund-held:{order.id}",
            "alert-refund-held",
            order_id=str(order.id),
            user_id=str(order.user_id),
            price=self._shop.currency.format(order.price),
            status=html.escape(status),
            remains="—" if remains is None else str(remains),
            charge="—" if charge is None else format(charge, "f"),
        )

    async def order_item_error(self, tx: Repositories, order: OrderRow, error: str) -> None:
        """The panel keeps answering an error for one order (e.g. "Incorrect order ID")."""
        await self._post(
            tx,
            f"item-error:{order.id}",
            "alert-order-item-error",
            order_id=str(order.id),
            panel_id=str(order.panel_order_id or ""),
            error=html.escape(error),
        )

    async def polls_failing(self, tx: Repositories, since: str, polls: int, error: str) -> None:
        """Polling the panel has failed ``polls`` times in a row since ``since``."""
        await self._post(
            tx,
            f"polls-failing:{since}",
            "alert-polls-failing",
            polls=polls,
            error=html.escape(error),
        )

    async def order_placed(self, tx: Repositories, order: OrderRow) -> None:
        """Report a large order, if the shop wants those reported."""
        threshold = self._shop.large_order_alert
        if threshold <= 0 or order.price < threshold:
            return
        await self._post(
            tx,
            f"large-order:{order.id}",
            "alert-large-order",
            order_id=str(order.id),
            user_id=str(order.user_id),
            price=self._shop.currency.format(order.price),
        )

    async def panel_balance_low(
        self, tx: Repositories, balance: Decimal, currency: str, since: str
    ) -> None:
        """The panel's balance fell below the shop's threshold (once per fall)."""
        await self._post(
            tx,
            f"panel-balance:{since}",
            "alert-panel-balance",
            balance=f"{balance} {html.escape(currency)}",
            threshold=str(self._shop.panel_balance_alert),
        )
