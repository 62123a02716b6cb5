"""Housekeeping: deleting rows nobody can look at any more, so the database does not grow
forever with what every customer leaves behind.

What stays: a quote an order was placed from (the order refers to it), pending and failed
messages, paid Stars invoices (a refund needs them), and everything else too recent to go.
Rows go a batch per transaction, so the purge never holds the database's one writer for
long, at start and then every hour.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from shop.storage import Database, Repositories, utc_now
from shop.supervisor import Backoff, keep_running

logger = logging.getLogger(__name__)

#: An expired quote no order was placed from stays a day: an old Confirm tapped meanwhile
#: is told the quote expired.
QUOTES_KEPT: Final = timedelta(days=1)
#: Sent and dropped messages stay 30 days. Their dedupe keys are what stops a notice or an
#: alert from being queued twice, and every repeat comes far sooner than that (an update
#: delivered again, a poll after a restart, the same admin command twice).
MESSAGES_KEPT: Final = timedelta(days=30)
#: An unpaid Stars invoice stays a week: Telegram keeps an update a day, so a payment made
#: just before a long outage still finds its invoice when the bot is back.
INVOICES_KEPT: Final = timedelta(days=7)
#: How often the purge runs.
EVERY_SECONDS: Final = 3600.0
#: Rows deleted per transaction.
BATCH: Final = 500


@dataclass(frozen=True, slots=True)
class Purged:
    """How many rows one purge deleted, by table."""

    quotes: int
    messages: int
    invoices: int

    @property
    def total(self) -> int:
        return self.quotes + self.messages + self.invoices


async def purge_old_rows(db: Database, now: datetime) -> Purged:
    """Delete what has been kept long enough, as of ``now`` (see the module's docstring)."""
    return Purged(
        quotes=await _in_batches(db, lambda tx: tx.quotes.purge_expired(now - QUOTES_KEPT, BATCH)),
        messages=await _in_batches(
            db, lambda tx: tx.outbox.purge_finished(now - MESSAGES_KEPT, BATCH)
        ),
        invoices=await _in_batches(
            db, lambda tx: tx.invoices.purge_unpaid(now - INVOICES_KEPT, BATCH)
        ),
    )


async def _in_batches(db: Database, purge: Callable[[Repositories], Awaitable[int]]) -> int:
    total = 0
    while True:
        async with db.transaction() as tx:
            deleted = await purge(tx)
        total += deleted
        if deleted < BATCH:
            return total


async def keep_house(
    db: Database,
    every: float = EVERY_SECONDS,
    clock: Callable[[], datetime] = utc_now,
) -> None:
    """Purge now and then every ``every`` seconds until cancelled; a failed purge is tried
    again after a minute, then longer, up to ``every``."""

    async def purge() -> float:
        purged = await purge_old_rows(db, clock())
        if purged.total:
            logger.info(
                "housekeeping: %d expired quotes, %d old messages, %d unpaid invoices deleted",
                purged.quotes,
                purged.messages,
                purged.invoices,
            )
        return every

    await keep_running("housekeeping", purge, Backoff(min(60.0, every), every), log=logger)
