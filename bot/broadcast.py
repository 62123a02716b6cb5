"""Broadcasts: one message to every customer who has not blocked the bot, through the
outbox, so the notifier delivers it within Telegram's limits and nothing is lost."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Final

from bot.db import Database, OutboxState

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


async def start_broadcast(db: Database, text: str) -> tuple[str, int]:
    """Queue ``text`` (HTML) for every reachable customer; ``(kind, count)``."""
    kind = f"{KIND_PREFIX}{secrets.token_hex(4)}"
    count, after = 0, 0
    while True:
        async with db.read() as r:
            ids = await r.users.ids_not_blocked(after, _PAGE)
        if not ids:
            return kind, count
        async with db.transaction() as tx:
            for user_id in ids:
                queued = await tx.outbox.enqueue(
                    user_id, text, kind, user_id=user_id, dedupe_key=f"{kind}:{user_id}"
                )
                count += queued is not None
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
