"""Names as real panels write them, through the whole storefront: a service named with 455
double quotes (2,730 characters once escaped, more than Fluent takes in one placeable) and a
category of 300+ characters full of flags and ``<>&"``. Every screen shows as much of them
as fits; every button stays within Telegram's limits."""

from __future__ import annotations

import html
from decimal import Decimal

from api.sandbox import SandboxPanel, builtin_catalogue
from bot.app import Runtime
from shop.catalogue import sync_catalogue

from ..support.telegram import BotClient, ScreenMessage
from .conftest import top_up
from .shopping import (
    MAX_LABEL,
    add_requests,
    category_label,
    click_through_pages,
    service_label,
)

QUOTES_NAME = '"' * 455
#: As much of it as a message shows: 1,000 characters once escaped, with "…".
QUOTES_SHOWN = '"' * 166 + "…"
CATEGORY = '🇺🇸 USA <Targeted> & "Real" 👨‍👩‍👧 ' * 12
ROW = {
    "service": 7301,
    "name": QUOTES_NAME,
    "type": "Default",
    "category": CATEGORY,
    "rate": "0.0850",
    "min": "10",
    "max": "10000000",
}


def assert_fits_telegram(message: ScreenMessage) -> None:
    for row in message.button_rows:
        for label, data in row:
            assert len(label) <= MAX_LABEL, label
            assert data is None or len(data.encode()) <= 64, data


async def test_a_name_of_455_quotes_is_shown_as_far_as_it_fits_from_the_catalogue_to_the_order(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    panel.set_services([*builtin_catalogue(), ROW])
    await sync_catalogue(services.db, services.panel)
    service = panel.service(7301)
    category = CATEGORY.strip()
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(5))

    await alice.click("New order")
    assert category_label(panel, CATEGORY) == f"{category[:55]}… (1)"
    await click_through_pages(alice, category_label(panel, CATEGORY))
    page = alice.screen.last
    assert (page.text or "").startswith(f"📂 {category}\n")
    assert service_label(service) == '"' * 48 + "… — 0.12 USD"
    assert service_label(service) in page.labels

    await alice.click(service_label(service))
    card = alice.screen.last
    assert (card.text or "").startswith(f"{QUOTES_SHOWN}\n📂 {category} · Standard\n")

    await alice.click("Order")
    assert alice.screen.bot_messages[-2].text == (
        f"📝 Ordering {QUOTES_SHOWN}. Send /cancel to stop at any time."
    )
    await alice.send("https://example.com/?a=1&b=<2>")
    await alice.send("1000")
    summary = alice.screen.last
    assert (summary.text or "").startswith(f"🧾 Your order\n{QUOTES_SHOWN}\nLink: ")
    assert "💵 Price: 0.12 USD" in (summary.text or "")

    await alice.click("Confirm")
    assert (alice.screen.last.text or "").startswith("✅ Order #1 placed")
    assert len(add_requests(panel)) == 1
    for message in alice.screen.bot_messages:
        assert_fits_telegram(message)
        assert html.escape(QUOTES_NAME) not in (message.html or "")


async def test_a_search_finds_a_name_of_455_quotes_and_shows_it_on_a_button(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    panel.set_services([*builtin_catalogue(), ROW])
    await sync_catalogue(services.db, services.panel)
    await alice.send("/start")

    await alice.send('"""')

    assert alice.screen.last.text == '🔎 Services matching “"""”:'
    assert alice.screen.last.buttons == [['"' * 48 + "… — 0.12 USD"], ["🏠 Menu"]]
    assert_fits_telegram(alice.screen.last)
