"""Setting up a shop's state the short way, for tests about what comes after."""

from __future__ import annotations

from decimal import Decimal

from bot.runtime import Runtime
from shop.ledger import credit
from shop.storage import LedgerReason


async def top_up(services: Runtime, user_id: int, amount: Decimal) -> None:
    """Credit ``amount`` to the customer, as a top-up would."""
    async with services.db.transaction() as tx:
        await credit(tx, user_id, amount, LedgerReason.TOPUP, f"topup:test:{user_id}:{amount}")
