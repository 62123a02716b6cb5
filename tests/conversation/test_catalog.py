"""Browsing the catalogue: categories and services on pages, service cards, search; panel
text shown as written; stale and forged buttons answered politely."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from api import OrderType
from api.sandbox import SandboxPanel, builtin_catalogue, generated_catalogue
from bot.app import Runtime
from shop.catalogue import sync_catalogue

from ..support.telegram import BotClient
from .conftest import top_up
from .shopping import (
    MAX_LABEL,
    MENU,
    category_label,
    click_through_pages,
    open_service,
    service_label,
    service_of_type,
    start_order,
    unanswered_callbacks,
)

CATEGORIES_TEXT = "🛒 Choose a category\nYou can also type a service's name or number to find it."
OUTDATED = "This button is out of date. Open the menu to start again."
UNAVAILABLE = "This service is not available any more."


async def _resync(services: Runtime, panel: SandboxPanel, rows: list[dict[str, Any]]) -> None:
    panel.set_services(rows)
    await sync_catalogue(services.db, services.panel)


def _categories(panel: SandboxPanel) -> list[str]:
    return sorted({str(row["category"]) for row in panel.services})


async def test_categories_come_in_pages_of_eight_with_their_counts(
    alice: BotClient, panel: SandboxPanel
) -> None:
    names = _categories(panel)
    assert len(names) == 19
    labels = [category_label(panel, name) for name in names]
    await alice.send("/start")

    await alice.click("New order")
    screen = alice.screen.last
    assert screen.text == CATEGORIES_TEXT
    assert screen.buttons == [*([label] for label in labels[:8]), ["1 / 3", "▶"], ["🏠 Menu"]]

    await alice.click("▶")
    assert screen.buttons == [
        *([label] for label in labels[8:16]),
        ["◀", "2 / 3", "▶"],
        ["🏠 Menu"],
    ]
    await alice.click("▶")
    assert screen.buttons == [*([label] for label in labels[16:]), ["◀", "3 / 3"], ["🏠 Menu"]]
    await alice.click("3 / 3")
    assert alice.last_answer_callback().text is None
    await alice.click("◀")
    assert screen.buttons[-2] == ["◀", "2 / 3", "▶"]

    assert alice.screen.bot_messages == [screen]  # one screen, edited in place
    assert "Instagram Followers (3)" in labels


async def test_a_category_lists_its_services_with_their_price_per_1000(
    alice: BotClient, panel: SandboxPanel
) -> None:
    service = service_of_type(panel, OrderType.DEFAULT)
    siblings = [
        panel.service(int(row["service"]))
        for row in panel.services
        if row["category"] == service.category
    ]
    await alice.send("/start")
    await alice.click("New order")

    await alice.click(category_label(panel, service.category))

    page = alice.screen.last
    assert page.text == f"📂 {service.category}\nPrices are per 1000, or per package."
    assert page.buttons == [*([service_label(s)] for s in siblings), ["◀ Back"]]
    assert service_label(service) == "Instagram Followers [Real] [30 days refill] — 1.17 USD"

    await alice.click(service_label(service))
    assert (page.text or "").startswith(service.name)
    await alice.click("Back")
    assert (page.text or "").startswith(f"📂 {service.category}")
    await alice.click("Back")
    assert page.text == CATEGORIES_TEXT
    assert alice.screen.bot_messages == [page]


async def test_back_returns_to_the_page_of_the_category_list_it_came_from(
    alice: BotClient, panel: SandboxPanel
) -> None:
    category = _categories(panel)[-1]
    service = next(
        panel.service(int(row["service"])) for row in panel.services if row["category"] == category
    )
    await alice.send("/start")
    await alice.click("New order")
    await click_through_pages(alice, category_label(panel, category))
    await alice.click(service_label(service))

    await alice.click("Back")
    assert (alice.screen.last.text or "").startswith(f"📂 {category}")
    await alice.click("Back")

    assert alice.screen.last.text == CATEGORIES_TEXT
    assert alice.screen.last.buttons[-2] == ["◀", "3 / 3"]


async def test_a_long_service_name_is_cut_so_the_price_still_shows(
    alice: BotClient, panel: SandboxPanel
) -> None:
    service = next(
        panel.service(int(row["service"]))
        for row in panel.services
        if len(f"{row['name']} — 0.00 USD") > MAX_LABEL
    )
    await alice.send("/start")
    await alice.click("New order")
    await click_through_pages(alice, category_label(panel, service.category))

    label = next(
        label for label in alice.screen.last.labels if label.startswith(service.name[:30])
    )
    assert label == "Instagram Auto Likes [Subscription] [Future post… — 0.16 USD"
    assert len(label) == MAX_LABEL


async def test_categories_and_services_of_a_large_catalogue_fit_telegram(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    long_name = "Premium " * 20
    rows = [
        *generated_catalogue(150, seed=7),
        {
            "service": 999_999_999_999,
            "name": long_name.strip(),
            "type": "Default",
            "category": "A very long category name " * 5,
            "rate": "1.5",
            "min": "10",
            "max": "1000",
        },
    ]
    await _resync(services, panel, rows)
    await alice.send("/start")
    await alice.click("New order")

    # Every category's first page and every card: the session refuses callback data over
    # 64 bytes and labels are cut to what Telegram shows.
    for name in _categories(panel):
        await click_through_pages(alice, category_label(panel, name))
        for label in alice.screen.last.labels:
            assert len(label) <= MAX_LABEL
        first = alice.screen.last.labels[0]
        await alice.click(first)
        await alice.click("Back")
        await alice.click("Back")

    giant = panel.service(999_999_999_999)
    await alice.click("Menu")
    await open_service(alice, panel, giant)
    await alice.click("Order")
    await alice.send("https://example.com/page")
    await alice.send("100")
    await top_up(services, alice.user.id, Decimal(5))
    await alice.click("Confirm")
    assert (alice.screen.last.text or "").startswith("✅ Order #1 placed")


# --- text from the panel --------------------------------------------------------------------

HTML_ROW = {
    "service": 901,
    "name": "<b>Fast</b> & Cheap likes",
    "type": "Default",
    "category": "Tips & <Tricks>",
    "rate": "1.00",
    "min": "10",
    "max": "1000",
    "refill": False,
    "cancel": False,
}


async def test_panel_names_with_html_are_shown_as_written(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await _resync(services, panel, [*builtin_catalogue(), HTML_ROW])
    service = panel.service(901)
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(5))

    card = await open_service(alice, panel, service)

    assert category_label(panel, service.category) == "Tips & <Tricks> (1)"
    assert service_label(service) == "<b>Fast</b> & Cheap likes — 1.30 USD"
    assert (card.text or "").startswith("<b>Fast</b> & Cheap likes\n📂 Tips & <Tricks> · ")
    await alice.click("Back")
    assert (alice.screen.last.text or "").startswith("📂 Tips & <Tricks>\n")

    await alice.click(service_label(service))
    await alice.click("Order")
    assert alice.screen.bot_messages[-2].text == (
        "📝 Ordering <b>Fast</b> & Cheap likes. Send /cancel to stop at any time."
    )
    await alice.send("https://example.com/?a=1&b=<2>")
    await alice.send("100")
    summary = alice.screen.last
    assert (summary.text or "").startswith("🧾 Your order\n<b>Fast</b> & Cheap likes\n")
    assert "Link: https://example.com/?a=1&b=<2>" in (summary.text or "")


async def test_a_search_shows_html_names_as_written(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await _resync(services, panel, [*builtin_catalogue(), HTML_ROW])
    await alice.send("/start")

    await alice.send("& cheap")

    assert alice.screen.last.text == "🔎 Services matching “& cheap”:"
    assert alice.screen.last.buttons == [["<b>Fast</b> & Cheap likes — 1.30 USD"], ["🏠 Menu"]]


# --- search ---------------------------------------------------------------------------------


async def test_words_find_services_by_name(alice: BotClient, panel: SandboxPanel) -> None:
    await alice.send("/start")

    await alice.send("poll")

    polls = [
        panel.service(int(row["service"]))
        for row in panel.services
        if "poll" in str(row["name"]).lower()
    ]
    assert alice.screen.last.text == "🔎 Services matching “poll”:"
    assert alice.screen.last.buttons == [*([service_label(s)] for s in polls), ["🏠 Menu"]]

    await alice.click(service_label(polls[0]))
    assert (alice.screen.last.text or "").startswith(polls[0].name)


async def test_a_service_number_finds_that_service_first(
    alice: BotClient, panel: SandboxPanel
) -> None:
    service = service_of_type(panel, OrderType.POLL)
    await alice.send("/start")

    await alice.send(str(service.id))

    assert alice.screen.last.buttons[0] == [service_label(service)]


async def test_a_search_that_finds_nothing_says_so(alice: BotClient) -> None:
    await alice.send("/start")

    await alice.send("zzz <nothing>")

    assert alice.screen.last.text == (
        "Nothing matches “zzz <nothing>”. Try another word, or open the catalogue."
    )
    assert alice.screen.last.buttons == MENU


async def test_a_long_text_is_not_taken_for_a_search(alice: BotClient) -> None:
    await alice.send("/start")

    await alice.send("please find me something good " * 3)

    assert alice.screen.last.text == (
        "That is too long to search for. Type a few words or a service number."
    )


async def test_a_number_too_large_for_an_id_finds_nothing(alice: BotClient) -> None:
    await alice.send("/start")

    await alice.send("99999999999999999999999")

    assert (alice.screen.last.text or "").startswith("Nothing matches")


# --- stale and forged buttons ---------------------------------------------------------------


async def test_a_service_taken_off_sale_after_its_page_was_shown_answers_politely(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    service = service_of_type(panel, OrderType.DEFAULT)
    await alice.send("/start")
    await alice.click("New order")
    await alice.click(category_label(panel, service.category))
    page = alice.screen.last
    shown = page.text
    panel.disable_service(service.id)
    await sync_catalogue(services.db, services.panel)

    await alice.click(service_label(service))

    assert alice.last_answer_callback().text == UNAVAILABLE
    assert page.text == shown


async def test_order_on_an_old_card_of_a_service_taken_off_sale_answers_politely(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    service = service_of_type(panel, OrderType.DEFAULT)
    await alice.send("/start")
    await open_service(alice, panel, service)
    panel.disable_service(service.id)
    await sync_catalogue(services.db, services.panel)

    await alice.click("Order")

    assert alice.last_answer_callback().text == UNAVAILABLE
    assert await alice.fsm_state() is None


async def test_a_service_taken_off_sale_during_the_form_ends_it(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    service = service_of_type(panel, OrderType.DEFAULT)
    await start_order(alice, panel, service)
    await alice.send("https://instagram.com/shop.alice")
    panel.disable_service(service.id)
    await sync_catalogue(services.db, services.panel)

    await alice.send("1000")

    assert alice.screen.last.text == UNAVAILABLE
    assert alice.screen.last.buttons == MENU
    assert await alice.fsm_state() is None


async def test_an_old_button_of_a_category_that_emptied_shows_the_categories(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    category = "Facebook Page Likes"
    label = category_label(panel, category)
    await alice.send("/start")
    await alice.click("New order")
    assert label in alice.screen.last.labels
    for row in panel.services:
        if row["category"] == category:
            panel.disable_service(int(row["service"]))
    await sync_catalogue(services.db, services.panel)

    await alice.click(label)

    assert alice.screen.last.text == CATEGORIES_TEXT
    assert not any(shown.startswith(category) for shown in alice.screen.last.labels)
    assert alice.last_answer_callback().text is None


FORGED = {
    "unknown service": ("svc:999999:0:0", UNAVAILABLE),
    "a button from before the list pages were remembered": ("svc:101:0", OUTDATED),
    "unknown service to order": ("buy:999999", UNAVAILABLE),
    "id too large for the database": ("svc:99999999999999999999999:0:0", OUTDATED),
    "category id too large": ("cat:99999999999999999999:0:0", OUTDATED),
    "order id too large": ("buy:99999999999999999999", OUTDATED),
    "negative id": ("svc:-5:0:0", OUTDATED),
    "not a number": ("svc:abc:0:0", OUTDATED),
    "missing parts": ("svc", OUTDATED),
    "garbage": ("\u2603 garbage", OUTDATED),
    "unknown language": ("lang:de", OUTDATED),
    "unknown screen": ("m:nowhere", OUTDATED),
    "an answer with no form open": ("ch:runs:5", OUTDATED),
}


@pytest.mark.parametrize(("data", "answer"), FORGED.values(), ids=FORGED.keys())
async def test_a_forged_button_is_answered_and_changes_nothing(
    data: str, answer: str, alice: BotClient, services: Runtime
) -> None:
    await alice.send("/start")
    menu = alice.screen.last
    shown = menu.text

    await alice.click_data(data)

    assert alice.last_answer_callback().text == answer
    assert unanswered_callbacks(alice) == set()
    assert menu.text == shown
    assert menu.buttons == MENU
    assert await alice.fsm_state() is None


async def test_an_unknown_quote_is_outdated(alice: BotClient) -> None:
    await alice.send("/start")

    await alice.click_data("q:confirm:no-such-quote")

    assert alice.screen.last.text == OUTDATED
    assert alice.screen.last.buttons == MENU
    assert alice.last_answer_callback().text is None
