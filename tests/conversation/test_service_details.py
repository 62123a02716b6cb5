"""A service's card shows what the panel says of it beyond its terms: its description (HTML
gone, escaped, shortened), its average time as the panel gives it, drip-feed; or the
shop's own description, which wins. Nothing is shown for what the panel did not send."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from api.sandbox import SandboxPanel
from bot.app import Runtime
from handlers.callbacks import ServiceCb
from shop.catalogue import sync_catalogue
from shop.descriptions import ON_CARD

from ..support.telegram import BotClient
from ..support.telegram.screen import ScreenMessage
from .conftest import top_up
from .shopping import open_service

ROW: dict[str, Any] = {
    "service": 5001,
    "name": "Followers [Real]",
    "type": "Default",
    "category": "Details",
    "rate": "0.0045",
    "min": "100",
    "max": "10000",
    "refill": True,
    "cancel": False,
}
ASKED = "\n\nYou will be asked for: Link, Quantity."


def service(**fields: object) -> dict[str, Any]:
    """The service at the panel, with ``fields`` added (or changed)."""
    return {**ROW, **fields}


async def sync(services: Runtime, panel: SandboxPanel, *rows: dict[str, Any]) -> None:
    panel.set_services(list(rows))
    await sync_catalogue(services.db, services.panel)


async def card_of(client: BotClient, service_id: int) -> ScreenMessage:
    """The card of a service, opened from the menu's message with its button's data."""
    await client.send("/start")
    await client.click_data(ServiceCb(service_id=service_id, page=0).pack())
    return client.screen.last


def details(card: ScreenMessage) -> str:
    """What the card says between its terms and the form's questions."""
    text = card.text or ""
    terms_end = text.index("\n", text.index("♻️ "))
    return text[terms_end : text.index("\n\nYou will be asked for: ")]


async def test_the_panels_description_is_shown_as_plain_text_with_its_html_gone(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    description = (
        '<p>Real &amp; active <b>accounts</b> "HQ" <HQ> <3</p>\n'
        "<p>Start: 0-1 hour<br>Speed: 5K/day</p>\n\n\n\n"
        '<a href="https://panel.example/terms">Terms</a> & <script>alert(1)</script>'
    )
    await sync(services, panel, service(desc=description, average_time="1 hour 20 minutes"))
    await alice.send("/start")

    card = await open_service(alice, panel, panel.service(5001))

    assert details(card) == (
        "\n⏱ Average time: 1 hour 20 minutes"
        '\n\nReal & active accounts "HQ" <HQ> <3'
        "\n\nStart: 0-1 hour\nSpeed: 5K/day"
        "\n\nTerms & alert(1)"
    )
    # Sent as HTML with every panel character escaped: no tag of the panel's reaches
    # Telegram, which refuses the ones it does not know.
    assert "&quot;HQ&quot; &lt;HQ&gt; &lt;3" in (card.html or "")
    assert "<p>" not in (card.html or "") and "<script>" not in (card.html or "")
    assert card.buttons == [["🛒 Order"], ["◀ Back"]]


async def test_description_and_desc_are_both_read(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await sync(
        services,
        panel,
        service(desc="Spelled desc."),
        service(service=5002, description="Spelled description."),
    )

    assert details(await card_of(alice, 5001)) == "\n\nSpelled desc."
    assert details(await card_of(alice, 5002)) == "\n\nSpelled description."


async def test_a_long_description_is_shortened_with_an_ellipsis_whole_entities_kept(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    # Several kilobytes of text where every other character is escaped: a cut in the
    # middle of "&amp;" would make Telegram refuse the message.
    description = "&<>" * 2000
    longest_name = '"' * 1000
    await sync(services, panel, service(desc=description, name=longest_name, category="<" * 1000))

    card = await card_of(alice, 5001)

    shown = details(card).removeprefix("\n\n")
    assert shown.endswith("…")
    assert len(shown) == ON_CARD
    assert description.startswith(shown.removesuffix("…"))
    assert len(card.text or "") <= 4096


async def test_an_average_time_given_as_a_number_is_minutes(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await sync(
        services,
        panel,
        service(average_time=45),
        service(service=5002, average_time="45"),
        service(service=5003, average_time="<b>2 hours</b> & more"),
    )

    assert details(await card_of(alice, 5001)) == "\n⏱ Average time: 45 min"
    assert details(await card_of(alice, 5002)) == "\n⏱ Average time: 45 min"
    assert details(await card_of(alice, 5003)) == "\n⏱ Average time: 2 hours & more"


async def test_nothing_is_shown_for_what_the_panel_did_not_send(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await sync(
        services,
        panel,
        service(),
        service(service=5002, desc="", average_time=""),
        service(service=5003, desc=None, average_time=None),
        service(service=5004, desc="<br><p>  </p>", average_time="   "),
        # Odd types cost the field, not the service.
        service(service=5005, desc=["a", "list"], average_time={"hours": 2}),
        service(service=5006, description=True, average_time=False),
    )

    for service_id in range(5001, 5007):
        card = await card_of(alice, service_id)
        assert details(card) == "", service_id
        assert (card.text or "").endswith(ASKED)


async def test_drip_feed_is_shown_where_the_form_offers_it(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await sync(
        services,
        panel,
        service(dripfeed=True),
        # A package delivered at once: a panel's drip-feed flag on it means nothing.
        service(service=5002, type="Package", min="1", max="1", dripfeed=True),
    )

    card = await card_of(alice, 5001)
    assert details(card) == "\n💧 Gradual delivery (drip-feed) available"
    assert (card.text or "").endswith("Link, Quantity, Gradual delivery, Runs, Interval, minutes.")
    assert "💧" not in ((await card_of(alice, 5002)).text or "")


async def test_a_changed_description_is_shown_after_the_next_sync(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await sync(services, panel, service(desc="Old words.", average_time="1 day"))
    assert details(await card_of(alice, 5001)) == "\n⏱ Average time: 1 day\n\nOld words."

    await sync(services, panel, service(desc="New words."))

    assert details(await card_of(alice, 5001)) == "\n\nNew words."


async def test_the_shops_own_description_wins_and_is_shown_whole_and_escaped(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await sync(services, panel, service(desc="The panel's words.", average_time="2 hours"))
    own = 'Our best <followers> & "friends".\nLine two. Don\'t <b>shout</b>. ' + "x" * 800
    await services.admin_desk.describe_service(5001, own)

    card = await card_of(alice, 5001)

    assert details(card) == f"\n⏱ Average time: 2 hours\n\n{own}"
    assert "&lt;b&gt;shout&lt;/b&gt;" in (card.html or "")

    await services.admin_desk.describe_service(5001, None)
    assert details(await card_of(alice, 5001)) == "\n⏱ Average time: 2 hours\n\nThe panel's words."


async def test_a_described_service_is_still_ordered_as_before(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await sync(services, panel, service(desc="<b>Fast</b> & real", average_time=30))
    await card_of(alice, 5001)
    await top_up(services, alice.user.id, Decimal(5))

    await alice.click("Order")
    await alice.send("https://instagram.com/alice")
    await alice.send("1000")
    await alice.click("Confirm")

    assert (alice.screen.last.text or "").startswith("✅ Order #1 placed")


async def test_the_card_speaks_russian(
    make_client: Callable[..., BotClient], panel: SandboxPanel, services: Runtime
) -> None:
    ivan = make_client(user_id=222, first_name="Иван", language_code="ru")
    await sync(services, panel, service(desc="Живые подписчики.", average_time=90, dripfeed=True))

    card = await card_of(ivan, 5001)

    text = card.text or ""
    assert "\n💧 Можно выполнять постепенно (drip-feed)\n⏱ Среднее время: 90 мин\n\n" in text
    assert "\n\nЖивые подписчики.\n\nПонадобится: " in text
