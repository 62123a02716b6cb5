"""What the promo code tests do as an admin (create a code) and as a customer (redeem one in
the chat), and read back (the codes, their redemptions, the ledger)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from decimal import Decimal

from bot.runtime import Runtime
from shop.money import from_micros
from shop.promo_input import read_spec
from shop.storage import LedgerReason, LedgerRow, PromoCodeRow, utc_now

from ..support.telegram import BotClient

#: The admin who creates the codes.
ADMIN = 7001


class ShopClock:
    """A clock that stands still until moved."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


async def new_code(services: Runtime, spec: str) -> PromoCodeRow:
    """A code, as ``/promo new <spec>`` creates it."""
    code = await services.promos.create(ADMIN, read_spec(spec, services.terms.currency))
    assert code is not None
    return code


async def add_customers(services: Runtime, *user_ids: int) -> None:
    """Customers the shop knows (as their first message registers them)."""
    async with services.db.transaction() as tx:
        for user_id in user_ids:
            await tx.users.upsert(user_id, None, f"Customer {user_id}", "en")


async def open_promo_form(client: BotClient) -> None:
    """The customer opens the menu, taps Balance and Promo code."""
    await client.send("/start")
    await client.click("Balance")
    await client.click("Promo code")


async def redeem_in_chat(client: BotClient, text: str) -> str:
    """The customer sends ``text`` as a promo code from the Balance screen; the reply."""
    await open_promo_form(client)
    await client.send(text)
    return client.screen.last.text or ""


async def ledger(services: Runtime, user_id: int) -> list[LedgerRow]:
    """The customer's ledger, oldest first."""
    async with services.db.read() as r:
        return list(reversed(await r.ledger.history(user_id, 1000)))


async def rows(services: Runtime, user_id: int) -> list[tuple[LedgerReason, Decimal]]:
    """The customer's ledger, oldest first, as (reason, amount)."""
    return [(row.reason, row.amount) for row in await ledger(services, user_id)]


async def code_row(services: Runtime, code: str) -> PromoCodeRow:
    async with services.db.read() as r:
        found = await r.promos.get(code)
    assert found is not None
    return found


def assert_promos_consistent(services: Runtime) -> None:
    """The books of every code agree, read as another process would: its uses are its
    redemptions, within its limit; the voucher rows are one per redemption of an amount
    code, for its amount; the bonus rows are one per bonus applied."""
    with closing(sqlite3.connect(services.settings.database_path)) as db:
        codes = db.execute("SELECT code, kind, value, max_uses, uses FROM promo_codes").fetchall()
        for code, kind, value, max_uses, uses in codes:
            redeemed = [
                user_id
                for (user_id,) in db.execute(
                    "SELECT user_id FROM promo_redemptions WHERE code = ?", (code,)
                )
            ]
            assert len(redeemed) == uses, code
            assert max_uses is None or uses <= max_uses, code
            vouchers = db.execute(
                "SELECT user_id, amount FROM ledger WHERE reason = 'promo_voucher'"
                " AND substr(key, 1, ?) = ?",
                (len(code) + 7, f"promo:{code}:"),
            ).fetchall()
            expected = [(user_id, from_micros(value)) for user_id in redeemed]
            found = [(user_id, from_micros(amount)) for user_id, amount in vouchers]
            assert sorted(found) == (sorted(expected) if kind == "amount" else []), code
        bonuses = db.execute("SELECT count(*) FROM ledger WHERE reason = 'promo_bonus'")
        applied = db.execute("SELECT count(*) FROM promo_redemptions WHERE applied_at IS NOT NULL")
        assert bonuses.fetchone()[0] == applied.fetchone()[0]
