"""A service sold by two panels shows the description and average time of the listing the
shop would order from: its preferred panel's, or the cheapest's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from api.sandbox import SandboxPanel
from bot.runtime import Runtime
from shop.catalogue import sync_catalogue

from ..support.telegram import BotClient
from .shop import FOLLOWERS
from .test_descriptions import PANEL_WORDS, card_text

SECOND_FOLLOWERS: dict[str, object] = {
    "service": 101,
    "name": "Followers [Second panel]",
    "type": "Default",
    "category": "Instagram Followers",
    "rate": "0.50",
    "min": "10",
    "max": "5000",
    "description": "The <b>second</b> panel's &quot;own&quot; words.",
    "average_time": 30,
}


@pytest.fixture
def settings_overrides(
    settings_overrides: dict[str, object], two_panels: dict[str, object]
) -> dict[str, object]:
    return {**settings_overrides, **two_panels}


@pytest.fixture
def second_panel_services() -> Sequence[Mapping[str, object]]:
    return (SECOND_FOLLOWERS,)


@pytest.fixture
async def linked(services: Runtime, owner: BotClient) -> None:
    """The second panel's 101 is in the shop, sold as an alternative of FOLLOWERS."""
    await sync_catalogue(services.db, services.panels.client("second"), name="second")
    await owner.send(f"/link {FOLLOWERS} second:101")


def details(card: str) -> str:
    """The card's lines between the terms and the form's questions."""
    terms_end = card.index("\n", card.index("♻️ "))
    return card[terms_end : card.index("\n\nYou will be asked for: ")]


@pytest.mark.usefixtures("linked")
async def test_the_card_follows_the_panel_the_service_is_sold_from(
    owner: BotClient, alice: BotClient
) -> None:
    main = details(await card_text(alice))
    assert main.endswith(f"\n⏱ Average time: 1 hour 20 minutes\n\n{PANEL_WORDS}")

    await owner.send(f"/prefer {FOLLOWERS} second")
    assert details(await card_text(alice)) == (
        '\n⏱ Average time: 30 min\n\nThe second panel\'s "own" words.'
    )
    await owner.send(f"/desc {FOLLOWERS}")
    assert '\nFrom panel second: The second panel\'s "own" words.\n' in (
        owner.screen.last.text or ""
    )

    # The cheapest of the two is the second panel's (0.50 against 0.90 per 1000).
    await owner.send(f"/prefer {FOLLOWERS} cheapest")
    assert '\n\nThe second panel\'s "own" words.' in details(await card_text(alice))

    await owner.send(f"/prefer {FOLLOWERS} main")
    assert details(await card_text(alice)) == main


@pytest.mark.usefixtures("linked")
async def test_a_sync_of_the_other_panel_does_not_change_the_card(
    alice: BotClient, services: Runtime, second_panel: SandboxPanel
) -> None:
    before = await card_text(alice)
    second_panel.set_services([{**SECOND_FOLLOWERS, "description": "Changed at second."}])

    await sync_catalogue(services.db, services.panels.client("second"), name="second")

    assert await card_text(alice) == before
    async with services.db.read() as r:
        listing = await r.listings.at("second", 101)
    assert listing is not None
    assert listing.description == "Changed at second."


@pytest.mark.usefixtures("linked")
async def test_the_shops_own_description_wins_whichever_panel_sells(
    owner: BotClient, alice: BotClient
) -> None:
    await owner.send(f"/desc {FOLLOWERS} Ours, whoever delivers.")
    await owner.send(f"/prefer {FOLLOWERS} second")

    assert details(await card_text(alice)) == (
        "\n⏱ Average time: 30 min\n\nOurs, whoever delivers."
    )
