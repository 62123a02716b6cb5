"""Alerts to the admin group, queued in the outbox once per event."""

from __future__ import annotations

import logging
from decimal import Decimal

from api import Balance
from shop.display import PANEL_WORDS, escaped
from shop.storage import InvoiceRow, OrderRow, Repositories, ServiceRow
from shop.terms import Terms
from shop.texts import Texts

logger = logging.getLogger(__name__)

ALERT_KIND = "alert"


class Alerts:
    """Queues messages for the admin group (``ADMIN_CHAT_ID``) inside the caller's
    transaction, so an alert exists exactly when the event it reports was committed.
    Each alert has a dedupe key: the same event never alerts twice."""

    def __init__(self, terms: Terms, texts: Texts) -> None:
        self._terms = terms
        self._texts = texts

    async def _post(self, tx: Repositories, dedupe_key: str, key: str, **params: object) -> None:
        text = self._texts.get(self._terms.admin_locale, key, **params)
        if self._terms.admin_chat_id is None:
            logger.warning("admin alert (no ADMIN_CHAT_ID set): %s", dedupe_key)
            return
        await tx.outbox.enqueue(
            self._terms.admin_chat_id, text, ALERT_KIND, dedupe_key=f"alert:{dedupe_key}"
        )

    async def order_unknown(self, tx: Repositories, order: OrderRow, reason: str) -> None:
        """An order whose placement is uncertain; its money is held until an admin decides."""
        await self._post(
            tx,
            f"unknown:{order.id}",
            "alert-order-unknown",
            order_id=str(order.id),
            user_id=str(order.user_id),
            price=self._terms.currency.format(order.price),
            reason=escaped(reason, PANEL_WORDS),
        )

    async def panel_problem(self, tx: Repositories, order: OrderRow, message: str) -> None:
        """The panel refused an order for a reason that is the shop's to fix."""
        await self._post(
            tx,
            f"panel-refusal:{order.id}",
            "alert-panel-problem",
            order_id=str(order.id),
            message=escaped(message, PANEL_WORDS),
        )

    async def order_failed_over(
        self, tx: Repositories, order: OrderRow, refused_by: str, message: str
    ) -> None:
        """Panel ``refused_by`` refused ``order`` for a reason of the shop's (``message``),
        so it is sent to its panel now, ``order.panel``: one line per failover."""
        await self._post(
            tx,
            f"failover:{order.id}:{refused_by}",
            "alert-order-failover",
            order_id=str(order.id),
            refused_by=escaped(refused_by, PANEL_WORDS),
            message=escaped(message, PANEL_WORDS),
            panel=escaped(order.panel, PANEL_WORDS),
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
            price=self._terms.currency.format(order.price),
            status=escaped(status, PANEL_WORDS),
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
            error=escaped(error, PANEL_WORDS),
        )

    async def polls_failing(self, tx: Repositories, since: str, polls: int, error: str) -> None:
        """Polling the panel has failed ``polls`` times in a row since ``since``."""
        await self._post(
            tx,
            f"polls-failing:{since}",
            "alert-polls-failing",
            polls=polls,
            error=escaped(error, PANEL_WORDS),
        )

    async def order_placed(self, tx: Repositories, order: OrderRow) -> None:
        """Report a large order, if the shop wants those reported."""
        threshold = self._terms.large_order_alert
        if threshold <= 0 or order.price < threshold:
            return
        await self._post(
            tx,
            f"large-order:{order.id}",
            "alert-large-order",
            order_id=str(order.id),
            user_id=str(order.user_id),
            price=self._terms.currency.format(order.price),
        )

    async def service_unsellable(self, tx: Repositories, service: ServiceRow) -> None:
        """The panel lists a service the shop cannot sell (no price, or limits no quantity
        fits); customers do not see it. Told once per service and problem."""
        if service.rate <= 0:
            await self._post(
                tx,
                f"unsellable:{service.id}:rate",
                "alert-service-unpriced",
                service_id=str(service.id),
                name=escaped(service.name),
                rate=format(service.rate, "f"),
            )
        else:
            await self._post(
                tx,
                f"unsellable:{service.id}:limits",
                "alert-service-limits",
                service_id=str(service.id),
                name=escaped(service.name),
                min=service.min,
                max=service.max,
            )

    async def panel_balance_low(
        self, tx: Repositories, balance: Balance, since: str, *, panel: str | None = None
    ) -> None:
        """A panel's balance fell below the shop's threshold (once per fall); ``panel``
        names it, when it is not the only or main one."""
        shown = f"{balance.balance} {escaped(balance.currency, PANEL_WORDS)}"
        threshold = str(self._terms.panel_balance_alert)
        if panel is None:
            await self._post(
                tx, f"panel-balance:{since}", "alert-panel-balance",
                balance=shown, threshold=threshold,
            )  # fmt: skip
            return
        await self._post(
            tx, f"panel-balance:{panel}:{since}", "alert-panel-balance-named",
            panel=escaped(panel, PANEL_WORDS), balance=shown, threshold=threshold,
        )  # fmt: skip

    async def orders_at_unknown_panel(self, tx: Repositories, panel: str, orders: int) -> None:
        """Orders still run at a panel the settings no longer name: nothing tracks them.
        Told once per panel and count."""
        await self._post(
            tx,
            f"orders-at-unknown-panel:{panel}:{orders}",
            "alert-orders-at-unknown-panel",
            panel=escaped(panel, PANEL_WORDS),
            orders=orders,
        )

    async def stars_refund_uncertain(
        self, tx: Repositories, invoice: InvoiceRow, error: str
    ) -> None:
        """Telegram's answer to a star refund was lost, or never came: the stars may or may
        not be back, while the balance stays debited. An admin asks again with /refundstars,
        which Telegram answers once for good."""
        await self._post(
            tx,
            f"stars-refund-uncertain:{invoice.charge_id}",
            "alert-stars-refund-uncertain",
            user_id=str(invoice.user_id),
            stars=invoice.stars,
            charge_id=escaped(invoice.charge_id or ""),
            amount=self._terms.currency.format(invoice.amount),
            error=escaped(error, PANEL_WORDS),
        )

    async def referral_bonus_kept(
        self,
        tx: Repositories,
        invoice: InvoiceRow,
        referrer_id: int,
        bonus: Decimal,
        balance: Decimal,
    ) -> None:
        """A refunded top-up's referral bonus was not taken back: the referrer spent it."""
        money = self._terms.currency.format
        await self._post(
            tx,
            f"referral-bonus-kept:{invoice.charge_id}",
            "alert-referral-bonus-kept",
            charge_id=escaped(invoice.charge_id or ""),
            user_id=str(invoice.user_id),
            referrer_id=str(referrer_id),
            bonus=money(bonus),
            balance=money(balance),
        )

    async def star_payment_unmatched(
        self, tx: Repositories, user_id: int, stars: int, charge_id: str, payload: str
    ) -> None:
        """A Stars payment matches no invoice of its payer: nothing was credited; an admin
        credits it (/credit) or returns the stars (/refundstars)."""
        await self._post(
            tx,
            f"star-payment-unmatched:{charge_id}",
            "alert-star-payment-unmatched",
            user_id=str(user_id),
            stars=stars,
            charge_id=escaped(charge_id),
            payload=escaped(payload, PANEL_WORDS),
        )

    async def star_payment_unsettled(self, tx: Repositories, charge_id: str, error: str) -> None:
        """A Stars transaction could not be settled by the reconciliation: it was passed
        over, for an admin to look at."""
        await self._post(
            tx,
            f"star-payment-unsettled:{charge_id}",
            "alert-star-payment-unsettled",
            charge_id=escaped(charge_id),
            error=escaped(error, PANEL_WORDS),
        )

    async def star_payment_recovered(
        self, tx: Repositories, user_id: int, stars: int, charge_id: str, amount: Decimal
    ) -> None:
        """A Stars payment the bot had not credited (its update was never handled) was
        found in the bot's Stars transactions and credited now."""
        await self._post(
            tx,
            f"star-payment-recovered:{charge_id}",
            "alert-star-payment-recovered",
            user_id=str(user_id),
            stars=stars,
            charge_id=escaped(charge_id),
            amount=self._terms.currency.format(amount),
        )

    async def crypto_payment_refused(
        self, tx: Repositories, invoice_id: int, problem: str, details: str
    ) -> None:
        """A paid Crypto Pay invoice was not credited: this shop did not create it
        (``problem`` "unknown"), or it differs from what the shop stored ("mismatch").
        ``details`` says what it carried. Told once per invoice."""
        await self._post(
            tx,
            f"crypto-payment:{invoice_id}",
            f"alert-crypto-payment-{problem}",
            invoice_id=str(invoice_id),
            details=escaped(details, PANEL_WORDS),
        )

    async def crypto_pay_refuses(self, tx: Repositories, error: str, day: str) -> None:
        """Crypto Pay refuses the shop's own requests (a wrong token, a currency it does
        not take...): nobody can pay by crypto until the owner fixes it. Told once a day
        per ``error`` (Crypto Pay's name for it)."""
        await self._post(
            tx,
            f"crypto-pay-refuses:{error}:{day}",
            "alert-crypto-pay-refuses",
            error=escaped(error, PANEL_WORDS),
        )

    async def channel_unchecked(
        self, tx: Repositories, channel: str, detail: str, day: str
    ) -> None:
        """Telegram will not say who is in ``REQUIRED_CHANNEL`` (the bot is not an admin
        there, or the channel is gone): ordering stays open to everyone until it is fixed.
        Told once a day."""
        await self._post(
            tx,
            f"channel-unchecked:{day}",
            "alert-channel-unchecked",
            channel=escaped(channel, PANEL_WORDS),
            detail=escaped(detail, PANEL_WORDS),
        )

    async def topics_refused(self, tx: Repositories, detail: str, day: str) -> None:
        """Telegram will not let the bot create topics in the admin group (it lacks the
        "Manage topics" right): customers' messages come under headers in General. Told
        once a day."""
        await self._post(
            tx,
            f"topics-refused:{day}",
            "alert-topics-refused",
            detail=escaped(detail, PANEL_WORDS),
        )
