"""Broadcasts: one message to every customer who has not blocked the bot, through the
outbox, so the notifier delivers it within Telegram's limits and nothing is lost."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Final

from shop.storage import Database, OutboxState

KIND_PREFIX: Final = "broadcast:"
_PAGE: Final = 500


@dataclass(frozen=True, slots=True)
class BroadcastProgress:
    """Where a broadcast stands."""

    total: int
    delivered: int
    blocked: int
    failed: int

    @property
    def pending(self) -> int:
        return self.total - self.delivered - self.blocked - self.failed

    @property
    def done(self) -> bool:
        return self.pending <= 0


async def start_broadcast(db: Database, text: str, key: str | None = None) -> tuple[str, int]:
    """Queue ``text`` (HTML) for every reachable customer; ``(kind, total)``.

    ``key`` names the request (e.g. the admin's message): the same key again queues nothing
    more, so a command delivered twice broadcasts once. ``total`` counts the broadcast's
    messages, those queued before included.
    """
    kind = f"{KIND_PREFIX}{key or secrets.token_hex(4)}"
    after = 0
    while True:
        async with db.read() as r:
            ids = await r.users.ids_not_blocked(after, _PAGE)
        if not ids:
            return kind, (await broadcast_progress(db, kind)).total
        async with db.transaction() as tx:
            for user_id in ids:
                await tx.outbox.enqueue(
                    user_id, text, kind, user_id=user_id, dedupe_key=f"{kind}:{user_id}"
                )
        after = ids[-1]


async def broadcast_progress(db: Database, kind: str) -> BroadcastProgress:
    """Counts of a broadcast's messages by what became of them."""
    async with db.read() as r:
        counts = await r.outbox.counts_by_state(kind)
    return BroadcastProgress(
        total=sum(counts.values()),
        delivered=counts.get(OutboxState.SENT, 0),
        blocked=counts.get(OutboxState.DROPPED, 0),
        failed=counts.get(OutboxState.FAILED, 0),
    )
