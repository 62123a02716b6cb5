"""What the running bot holds: the database, the panel client, the shop's services and the
background tasks.

Opened once at start-up and closed once at shutdown. The feature services (the catalogue,
the order desk, the wallet, the customers, the promo codes) are built here once; handlers
receive the ones they use, by name, through the Dispatcher's workflow data (see
:func:`bot.app.create_dispatcher`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
from aiogram import Bot

from api import PanelClient
from api.cryptopay import CryptoPayClient
from bot.config import Settings
from bot.notifier import Notifier, OtherSends, SendLimits
from handlers.telegram_stars import BotStarHistory
from shop.admin_desk import AdminDesk
from shop.alerts import Alerts
from shop.catalogue import Catalogue, keep_catalogue_synced
from shop.crypto_topups import CryptoDesk, CryptoTerms
from shop.customers import Customers
from shop.exports import Exports, folder_for
from shop.housekeeping import keep_house
from shop.manual_payments import ManualPayments, ManualTerms
from shop.membership import Membership
from shop.money import Currency
from shop.notices import Notices
from shop.order_desk import OrderDesk
from shop.panels import Panels
from shop.payments import TopUpTerms
from shop.promos import Promos
from shop.star_reconciler import StarReconciler
from shop.storage import Database
from shop.support import SupportDesk
from shop.terms import Terms
from shop.texts import Texts
from shop.topups import TopUpMethod
from shop.tracking import Tracker
from shop.wallet import Wallet

logger = logging.getLogger(__name__)
#: How long shutdown gives the notifier to send what is due.
FLUSH_SECONDS = 5.0


def terms_from(settings: Settings) -> Terms:
    """The shop's terms, from the settings."""
    return Terms(
        currency=Currency(settings.currency, settings.currency_decimals),
        markup_percent=settings.markup_percent,
        admin_chat_id=settings.admin_chat_id,
        admin_locale=settings.default_locale,
        large_order_alert=settings.large_order_alert,
        panel_balance_alert=settings.panel_balance_alert,
    )


def topup_terms_from(settings: Settings) -> TopUpTerms:
    """How top-ups work in this shop, from the settings."""
    return TopUpTerms(
        currency=Currency(settings.currency, settings.currency_decimals),
        stars_rate=settings.stars_rate,
        min_amount=settings.topup_min,
        max_amount=settings.topup_max,
        presets=settings.topup_presets,
        referral_percent=settings.referral_percent,
        invoice_lifetime=timedelta(minutes=settings.stars_invoice_minutes),
        method_minimums={
            method: minimum
            for method, minimum in (
                (TopUpMethod.CRYPTO, settings.crypto_pay_min),
                (TopUpMethod.MANUAL, settings.manual_payment_min),
            )
            if minimum is not None
        },
    )


def crypto_terms_from(settings: Settings, topup: TopUpTerms) -> CryptoTerms:
    """How Crypto Pay top-ups work in this shop, from the settings."""
    return CryptoTerms(
        topup=topup,
        assets=settings.crypto_pay_assets,
        invoice_lifetime=timedelta(minutes=settings.crypto_pay_invoice_minutes),
    )


def panel_timeouts(seconds: float) -> aiohttp.ClientTimeout:
    """The panel client's limits: the whole call within ``seconds``, connecting within 10."""
    return aiohttp.ClientTimeout(total=seconds, connect=min(10.0, seconds))


def panels_from(settings: Settings, http: aiohttp.ClientSession) -> Panels:
    """A client for every panel of the settings, over the one shared HTTP session."""
    return Panels(
        {
            panel.name: PanelClient(
                panel.url,
                settings.panel_key if panel.key is None else panel.key,
                session=http,
                timeouts=panel_timeouts(panel.timeout_seconds),
            )
            for panel in settings.panels
        }
    )


@dataclass
class Runtime:
    """Everything the handlers and background tasks share; closed once, at shutdown."""

    settings: Settings
    db: Database
    http: aiohttp.ClientSession
    #: Every panel the shop sells from, by name, ``main`` first.
    panels: Panels
    #: ``main``'s client: the panel of the calls not yet made per panel.
    panel: PanelClient
    texts: Texts
    terms: Terms
    alerts: Alerts
    catalogue: Catalogue
    tracker: Tracker
    notices: Notices
    topup: TopUpTerms
    order_desk: OrderDesk
    wallet: Wallet
    customers: Customers
    admin_desk: AdminDesk
    manual_payments: ManualPayments
    promos: Promos
    #: Who may order, when REQUIRED_CHANNEL is set.
    membership: Membership
    exports: Exports
    support_desk: SupportDesk
    #: Crypto Pay top-ups, when CRYPTO_PAY_TOKEN is set.
    crypto: CryptoDesk | None = None
    #: True when the panel is the embedded sandbox: nothing real is bought.
    sandbox: bool = False
    notifier: Notifier | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    async def open(
        cls, settings: Settings, order_button: Callable[[int], str], *, sandbox: bool = False
    ) -> Runtime:
        """Open the database (migrating it) and the panel client; load the translations.

        ``order_button`` gives the callback data of an order's card, for notices.
        """
        db = await Database.open(settings.database_path)
        http = aiohttp.ClientSession()
        terms = terms_from(settings)
        texts = await Texts.load(settings.default_locale)
        panels = panels_from(settings, http)
        panel = panels.first
        alerts = Alerts(terms, texts)
        notices = Notices(terms, texts, order_button)
        catalogue = Catalogue(db, terms)
        tracker = Tracker(
            db, panels, terms.currency, notices, alerts, balance_alert=terms.panel_balance_alert
        )
        topup = topup_terms_from(settings)
        manual_payments = ManualPayments(
            db,
            terms,
            topup,
            ManualTerms(settings.manual_payment_details, settings.manual_payment_max_pending),
            notices,
            texts,
        )
        exports = Exports(db, terms.currency, texts, folder_for(settings.database_path))
        exports.discard_leftovers()
        crypto = None
        if settings.crypto_pay_token is not None:
            crypto = CryptoDesk(
                db,
                CryptoPayClient(
                    settings.crypto_pay_token, settings.crypto_pay_api_url, session=http
                ),
                crypto_terms_from(settings, topup),
                notices,
                alerts,
            )
        return cls(
            settings=settings,
            db=db,
            http=http,
            panels=panels,
            panel=panel,
            texts=texts,
            terms=terms,
            alerts=alerts,
            catalogue=catalogue,
            tracker=tracker,
            notices=notices,
            topup=topup,
            order_desk=OrderDesk(
                db, panels, catalogue=catalogue, terms=terms, alerts=alerts, tracker=tracker
            ),
            wallet=Wallet(db, topup, alerts, crypto, manual=manual_payments.enabled),
            customers=Customers(db, settings.default_locale),
            admin_desk=AdminDesk(db, panels, tracker, notices, alerts, terms.currency),
            manual_payments=manual_payments,
            crypto=crypto,
            promos=Promos(db, terms.currency),
            membership=Membership(settings.required_channel, db, alerts),
            exports=exports,
            support_desk=SupportDesk(db, terms, texts, settings.support_per_minute, alerts),
            sandbox=sandbox,
        )

    def start(self, bot: Bot) -> None:
        """Start the background tasks: catalogue sync, tracking, delivery of the outbox,
        reconciliation of Stars payments, housekeeping, and the poll of Crypto Pay's
        invoices when it is on. Each loop outlives any error of its
        own (see :mod:`shop.supervisor`); a reference to each task is kept, so shutdown can
        stop it."""
        settings = self.settings
        self.notifier = Notifier(
            self.db,
            bot,
            SendLimits(
                per_second=settings.notify_per_second,
                chat_interval_seconds=settings.notify_chat_interval_seconds,
                group_per_minute=settings.notify_group_per_minute,
            ),
            support=self.support_desk,
        )
        bot.session.middleware(OtherSends(self.notifier))
        jobs = {
            "catalogue-sync": keep_catalogue_synced(
                self.db, self.panels, settings.catalogue_sync_minutes * 60, self.alerts
            ),
            "tracker": self.tracker.run(settings.poll_interval_seconds),
            "notifier": self.notifier.run(),
            # Stars paid while the bot was stopped inside the payment handler.
            "star-reconciler": StarReconciler(
                self.db,
                BotStarHistory(bot),
                self.topup,
                self.notices,
                self.alerts,
                default_locale=settings.default_locale,
            ).run(),
            "housekeeping": keep_house(self.db),
        }
        if self.crypto is not None:
            # Its credits' notices go out at once, not at the notifier's next tick.
            self.crypto.on_credit = self.wake_notifier
            jobs["crypto-pay-poll"] = self.crypto.run(settings.crypto_pay_poll_seconds)
        for name, job in jobs.items():
            task = asyncio.create_task(job, name=name)
            task.add_done_callback(_report_end)
            self.tasks.append(task)

    def wake_notifier(self) -> None:
        """Something was queued for sending: deliver it now rather than at the next tick."""
        if self.notifier is not None:
            self.notifier.wake()

    def spawn(self, job: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``job`` in the background until it ends or the bot stops."""
        task = asyncio.create_task(job, name=name)
        self.tasks.append(task)
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        if task in self.tasks:
            self.tasks.remove(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            logger.error("background job %s failed", task.get_name(), exc_info=exc)

    async def stop(self) -> None:
        """Stop the background tasks, giving the notifier a moment to send what is due.
        A task that died, or fails as it stops, stops nothing else."""
        tasks, self.tasks = self.tasks, []
        for task in tasks:
            task.cancel()
        # Whatever a task ended with was reported when it ended (see ``_report_end``).
        await asyncio.gather(*tasks, return_exceptions=True)
        notifier, self.notifier = self.notifier, None
        if notifier is not None:
            try:
                await notifier.flush(timeout=FLUSH_SECONDS)
            except Exception:
                logger.exception("sending what was due at shutdown failed")

    async def aclose(self) -> None:
        """Stop the background tasks, then close the panel clients and the database, each
        whatever happened to the steps before it."""
        try:
            await self.stop()
        finally:
            try:
                try:
                    await self.panels.aclose()
                finally:
                    await self.http.close()
            finally:
                await self.db.close()


def _report_end(task: asyncio.Task[None]) -> None:
    """A background task ended: unless shutdown cancelled it, say how, once."""
    if task.cancelled():
        return
    if (exc := task.exception()) is not None:
        logger.error("background task %s died", task.get_name(), exc_info=exc)
    else:
        logger.error("background task %s ended", task.get_name())
