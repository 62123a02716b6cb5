"""The Balance screen shows the customer's whole history, ten rows a page, newest first,
each row naming what it was."""

from __future__ import annotations

from decimal import Decimal

from bot.runtime import Runtime
from shop.ledger import credit
from shop.storage import LedgerReason

from ..support.telegram import BotClient


async def test_the_whole_history_is_paged_ten_rows_at_a_time_newest_first(
    alice: BotClient, services: Runtime
) -> None:
    await alice.send("/start")
    async with services.db.transaction() as tx:
        for number in range(1, 24):
            reason = LedgerReason.TOPUP if number % 2 else LedgerReason.CRYPTO_TOPUP
            await credit(tx, alice.user.id, Decimal(number), reason, f"topup:test:{number}")

    await alice.click("Balance")
    first = alice.screen.last
    lines = (first.text or "").split("\n")
    assert lines[0] == "💰 Your balance: 276.00 USD"
    assert lines[2:12] == [
        ("Top-up: +{n}.00 USD" if n % 2 else "Top-up by crypto: +{n}.00 USD").format(n=n)
        for n in range(23, 13, -1)
    ]
    assert lines[12] == "Page 1 of 3, newest first"
    assert ["▶"] in first.buttons

    await alice.click("▶")
    second = alice.screen.last
    assert (second.text or "").split("\n")[2] == "Top-up: +13.00 USD"
    assert ["◀", "▶"] in second.buttons
    await alice.click("▶")
    third = (alice.screen.last.text or "").split("\n")
    assert third[2:5] == ["Top-up: +3.00 USD", "Top-up by crypto: +2.00 USD", "Top-up: +1.00 USD"]
    assert third[5] == "Page 3 of 3, newest first"
    assert ["◀"] in alice.screen.last.buttons

    # A stale button past the end shows the last page.
    await alice.click_data("hist:9")
    assert "Page 3 of 3" in (alice.screen.last.text or "")
