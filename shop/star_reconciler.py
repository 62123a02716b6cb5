"""Stars paid but never credited, found in the bot's Stars transactions and credited.

Long polling confirms an update as soon as the next batch is asked for, before its handler
has finished: a bot stopped inside the payment handler never sees that payment again, and
Telegram keeps the stars. Telegram lists the bot's Stars transactions oldest first
(``getStarTransactions``); a user's payment of an invoice carries the invoice payload and,
as its id, the payment's charge id. Each is settled through the same path as the payment's
update, keyed by that charge id, so a payment credited already is not credited again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol, TypedDict, Unpack

from shop.alerts import Alerts
from shop.customers import language_for
from shop.notices import Notices
from shop.payments import TopUp, TopUpTerms, flag_unanswered_refunds, settle_in
from shop.storage import Database, Repositories, utc_now
from shop.supervisor import Backoff, keep_running

logger = logging.getLogger(__name__)

#: The meta entry holding how many of the bot's Stars transactions were read already.
OFFSET_META_KEY: Final = "star_transactions_read"
#: The most transactions getStarTransactions returns at once.
PAGE_SIZE: Final = 100
#: A payment younger than this may still have its update on the way: it is left to it, and
#: read (with everything after it) at a later run.
UPDATE_GRACE: Final = timedelta(minutes=1)
#: A refund of stars whose answer has not been recorded this long after it was asked for
#: was cut short by a stop: the admins are asked to finish it.
REFUND_ANSWER_WAIT: Final = timedelta(minutes=5)
#: A payment matching no invoice is reported to the admins if it is younger than this; an
#: older one is history the shop's database does not hold (a new database on the same bot).
UNMATCHED_REPORTED_FOR: Final = timedelta(days=7)
#: Seconds between two runs.
RECONCILE_EVERY: Final = 300.0
#: Seconds before trying again after a failed run; doubled at each failure in a row.
FIRST_BACKOFF: Final = 30.0
MAX_BACKOFF: Final = 1800.0


@dataclass(frozen=True, slots=True)
class Payer:
    """The Telegram user who paid."""

    id: int
    username: str | None
    first_name: str
    language_code: str | None


@dataclass(frozen=True, slots=True)
class StarEntry:
    """One transaction of the bot's Stars account, as the reconciliation reads it."""

    #: For a payment, its charge id.
    id: str
    stars: int
    date: datetime
    #: Who paid and the invoice's payload, for a user's payment of an invoice; None for
    #: anything else (a refund, a withdrawal...).
    payer: Payer | None = None
    payload: str | None = None


class StarHistoryUnavailable(Exception):
    """The bot's Stars transactions could not be read this time."""


class StarHistory(Protocol):
    """The bot's Stars transactions, oldest first, as Telegram lists them."""

    async def read(self, offset: int, limit: int) -> Sequence[StarEntry]:
        """Up to ``limit`` transactions after the first ``offset``; raises
        :class:`StarHistoryUnavailable` when they cannot be read."""
        ...


class ReconcilerOptions(TypedDict, total=False):
    """Options of a :class:`StarReconciler`."""

    #: The language of a payer the shop has never met (default: en).
    default_locale: str
    #: The time now (default: the real one).
    clock: Callable[[], datetime]


class StarReconciler:
    """Credits the Stars payments the shop missed, once each, telling the customer (through
    the outbox) and the admins (an alert). How far the transactions were read is kept in the
    database, so each run reads only the new ones."""

    def __init__(
        self,
        db: Database,
        history: StarHistory,
        terms: TopUpTerms,
        notices: Notices,
        alerts: Alerts,
        **options: Unpack[ReconcilerOptions],
    ) -> None:
        self._db = db
        self._history = history
        self._terms = terms
        self._notices = notices
        self._alerts = alerts
        self._default_locale = options.get("default_locale", "en")
        self._clock = options.get("clock", utc_now)

    async def run_once(self) -> list[TopUp]:
        """Read the transactions not read yet and credit the payments the shop missed;
        the top-ups credited now. Refunds of stars cut short by a stop are reported too."""
        now = self._clock()
        await flag_unanswered_refunds(
            self._db, self._alerts, now - REFUND_ANSWER_WAIT, "the bot stopped before it"
        )
        async with self._db.read() as r:
            offset = int(await r.meta.get(OFFSET_META_KEY) or 0)
        settled_before = now - UPDATE_GRACE
        credited: list[TopUp] = []
        while True:
            page = await self._history.read(offset, PAGE_SIZE)
            ready: list[StarEntry] = []
            for transaction in page:
                if transaction.date > settled_before:
                    break
                ready.append(transaction)
            if ready:
                async with self._db.transaction() as tx:
                    for transaction in ready:
                        top_up = await self._settle_alone(tx, transaction, now)
                        if top_up is not None:
                            credited.append(top_up)
                    offset += len(ready)
                    await tx.meta.set(OFFSET_META_KEY, str(offset))
            # A short page is the end of the list; a recent transaction waits for next time.
            if len(ready) < PAGE_SIZE:
                return credited

    async def _settle_alone(
        self, tx: Repositories, transaction: StarEntry, now: datetime
    ) -> TopUp | None:
        """Settle one transaction in a savepoint of its own: one that cannot be settled is
        reported to the admins and passed over, and never holds back those after it."""
        try:
            async with tx.savepoint():
                return await self._settle(tx, transaction, now)
        except Exception as exc:
            logger.exception("Stars transaction %s could not be settled", transaction.id)
            await self._alerts.star_payment_unsettled(
                tx, transaction.id, f"{type(exc).__name__}: {exc}"
            )
            return None

    async def _settle(
        self, tx: Repositories, transaction: StarEntry, now: datetime
    ) -> TopUp | None:
        payer = transaction.payer
        # Refunds, withdrawals and the like are not payments of the shop's invoices.
        if payer is None or transaction.payload is None:
            return None
        if await tx.users.get(payer.id) is None:
            # Telegram has the stars: the credit needs its owner in the shop's books.
            language = language_for(payer.language_code, self._default_locale)
            await tx.users.upsert(payer.id, payer.username, payer.first_name, language)
        top_up = await settle_in(
            tx,
            self._terms,
            payer.id,
            payload=transaction.payload,
            charge_id=transaction.id,
            stars=transaction.stars,
            alerts=self._alerts if now - transaction.date < UNMATCHED_REPORTED_FOR else None,
        )
        if top_up.unmatched:
            logger.warning(
                "Stars payment %s of user %s matches no invoice: not credited",
                transaction.id,
                payer.id,
            )
        if top_up.credited == 0:
            return None
        logger.warning(
            "Stars payment %s of user %s had not been credited; credited now",
            transaction.id,
            payer.id,
        )
        await self._notices.topup_recovered(
            tx,
            payer.id,
            transaction.id,
            stars=transaction.stars,
            amount=top_up.credited,
            balance=top_up.balance,
        )
        await self._alerts.star_payment_recovered(
            tx, payer.id, transaction.stars, transaction.id, top_up.credited
        )
        return top_up

    async def run(self, every: float = RECONCILE_EVERY, backoff: float = FIRST_BACKOFF) -> None:
        """Run now and then every ``every`` seconds, until cancelled. A failed run is
        logged in one line and tried again ``backoff`` seconds later, twice that after a
        second failure in a row, and so on up to :data:`MAX_BACKOFF`."""

        async def reconcile() -> float:
            await self.run_once()
            return every

        await keep_running(
            "Stars reconciliation",
            reconcile,
            Backoff(backoff, max(backoff, MAX_BACKOFF)),
            expected=(StarHistoryUnavailable,),
            log=logger,
        )
