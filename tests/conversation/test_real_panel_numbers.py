"""Services as real panels list them: rates with 4 and 5 decimals, a minimum of 0, limits
that are round numbers, maxima of ten million. Any whole quantity from the minimum (at
least 1) to the maximum is taken, priced exactly and sent as typed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from api.sandbox import Fault, SandboxPanel, builtin_catalogue
from bot.app import Runtime
from shop.catalogue import sync_catalogue
from shop.storage import LedgerReason

from ..support.telegram import BotClient
from .conftest import top_up
from .shopping import add_requests, ledger, start_order

LINK = "https://www.tiktok.com/@shop.alice/video/7301"


def tiktok_views(**fields: Any) -> dict[str, Any]:
    return {
        "service": 7001,
        "name": "🇺🇸 TikTok Views [Real] ⚡ Max 10M",
        "type": "Default",
        "category": "TikTok Views 🎵",
        "rate": "0.0045",
        "min": "100",
        "max": "100000",
        "refill": False,
        "cancel": True,
        **fields,
    }


async def offer(services: Runtime, panel: SandboxPanel, row: dict[str, Any]) -> None:
    panel.set_services([*builtin_catalogue(), row])
    await sync_catalogue(services.db, services.panel)


async def test_any_whole_quantity_between_min_and_max_is_taken_and_priced_exactly(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await offer(services, panel, tiktok_views())
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(1))
    await start_order(alice, panel, panel.service(7001))
    await alice.send(LINK)
    assert alice.screen.last.text == "🔢 How many? From 100 to 100,000."

    await alice.send("1233")

    # 0.0045 per 1000 x 1233 = 0.0055485; + 30 % = 0.00721305, rounded up to the cent.
    assert alice.screen.last.text == (
        "🧾 Your order\n"
        "🇺🇸 TikTok Views [Real] ⚡ Max 10M\n"
        f"Link: {LINK}\n"
        "Quantity: 1233\n"
        "\n"
        "Units: 1,233\n"
        "💵 Price: 0.01 USD\n"
        "💰 Your balance: 1.00 USD"
    )
    await alice.click("Confirm")
    assert (alice.screen.last.text or "").startswith("✅ Order #1 placed")
    assert [fields["quantity"] for fields in add_requests(panel)] == ["1233"]
    assert await ledger(services, alice.user.id) == [
        (LedgerReason.TOPUP, Decimal(1)),
        (LedgerReason.ORDER_CHARGE, Decimal("-0.01")),
    ]


async def test_a_quantity_the_panel_refuses_is_explained_and_refunded(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await offer(services, panel, tiktok_views())
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(1))
    await start_order(alice, panel, panel.service(7001))
    await alice.send(LINK)
    await alice.send("1233")
    panel.faults.add(Fault.error("Quantity must be multiple of 100", action="add", times=1))

    await alice.click("Confirm")

    assert alice.screen.last.text == (
        "⛔ The quantity was not accepted for this service. Try another amount, such as a "
        "round number. 0.01 USD is back on your balance (1.00 USD)."
    )
    assert await ledger(services, alice.user.id) == [
        (LedgerReason.TOPUP, Decimal(1)),
        (LedgerReason.ORDER_CHARGE, Decimal("-0.01")),
        (LedgerReason.REFUND, Decimal("0.01")),
    ]


async def test_a_minimum_of_zero_is_offered_and_asked_from_one(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await offer(services, panel, tiktok_views(min="0", max="10000000", rate="0.01234"))
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(1))
    await start_order(alice, panel, panel.service(7001))
    card = alice.screen.bot_messages[-3]
    assert "💵 0.02 USD per 1000 · from 1 to 10,000,000" in (card.text or "")
    await alice.send(LINK)
    assert alice.screen.last.text == "🔢 How many? From 1 to 10,000,000."

    await alice.send("0")

    assert alice.screen.last.text == (
        "⚠️ That is too few: at least 1.\n\n🔢 How many? From 1 to 10,000,000."
    )
    await alice.send("1")
    assert "💵 Price: 0.01 USD" in (alice.screen.last.text or "")
    await alice.click("Confirm")
    assert [fields["quantity"] for fields in add_requests(panel)] == ["1"]
