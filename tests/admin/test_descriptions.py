"""/desc from the admin group: the shop's own description of a service, shown to customers
instead of the panel's; ``reset`` goes back to the panel's; alone, both are shown. /service
tells which one customers see."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from api.sandbox import SandboxPanel
from bot.runtime import Runtime
from handlers.callbacks import ServiceCb
from shop.catalogue import sync_catalogue
from shop.descriptions import MAX_OWN

from ..support.telegram import BotClient
from .conftest import ADMIN_CHAT
from .shop import FOLLOWERS

#: The sandbox's description of its service 101, as the card shows it.
PANEL_WORDS = (
    "Real-looking accounts with a photo and posts.\nStart: 0-1 hour\nSpeed: up to 5K/day\n\n"
    "30 days refill & a cancel button"
)
USAGE = (
    "Usage: /desc <service> [text|reset] — the shop's own description of a service, shown"
    " instead of the panel's; alone: both"
)


async def own_description(services: Runtime, service_id: int = FOLLOWERS) -> str | None:
    async with services.db.read() as r:
        service = await r.services.get(service_id)
    assert service is not None
    return service.own_description


def described_services(services: Runtime) -> list[int]:
    """The services with a description of the shop's own, read as another process would."""
    with sqlite3.connect(services.settings.database_path) as connection:
        rows = connection.execute("SELECT id FROM services WHERE own_description IS NOT NULL")
        return [row[0] for row in rows]


async def card_text(customer: BotClient, service_id: int = FOLLOWERS) -> str:
    """The service's card as the customer sees it."""
    await customer.send("/start")
    await customer.click_data(ServiceCb(service_id=service_id, page=0).pack())
    return customer.screen.last.text or ""


async def test_desc_sets_the_shops_own_description_as_typed_and_customers_see_it(
    owner: BotClient, alice: BotClient, services: Runtime
) -> None:
    assert PANEL_WORDS in await card_text(alice)
    typed = 'Followers who stay <3\n\n  Made by "us" & <b>friends</b>.'

    await owner.send(f"/desc {FOLLOWERS} {typed}")

    assert owner.screen.last.text == f"✅ Service {FOLLOWERS} now shows your description."
    assert await own_description(services) == typed.strip()
    card = await card_text(alice)
    assert f"\n\n{typed}\n\nYou will be asked for: " in card
    assert PANEL_WORDS not in card
    # The average time is the panel's still.
    assert "\n⏱ Average time: 1 hour 20 minutes\n" in card


async def test_desc_reset_shows_the_panels_description_again(
    owner: BotClient, alice: BotClient, services: Runtime
) -> None:
    await owner.send(f"/desc {FOLLOWERS} Ours.")

    await owner.send(f"/desc #{FOLLOWERS} RESET")

    assert owner.screen.last.text == f"✅ Service {FOLLOWERS} shows the panel's description again."
    assert await own_description(services) is None
    assert f"\n\n{PANEL_WORDS}\n\n" in await card_text(alice)


async def test_desc_alone_shows_both_descriptions_and_which_customers_see(
    owner: BotClient, services: Runtime
) -> None:
    await owner.send(f"/desc {FOLLOWERS}")
    assert owner.screen.last.text == (
        f"Service {FOLLOWERS} Instagram Followers [Real] [30 days refill]\n"
        f"From panel main: {PANEL_WORDS}\n"
        "The shop's own: none\n"
        "Customers see the panel's description."
    )

    await owner.send(f"/desc {FOLLOWERS} <Ours> & only ours")
    await owner.send(f"/desc {FOLLOWERS}")

    text = owner.screen.last.text or ""
    assert text.endswith(
        "The shop's own: <Ours> & only ours\nCustomers see the shop's own description."
    )
    assert "&lt;Ours&gt; &amp; only ours" in (owner.screen.last.html or "")

    # A service the panel says nothing of.
    await owner.send("/desc 102")
    assert (owner.screen.last.text or "").endswith(
        "From panel main: none\nThe shop's own: none\nCustomers see no description."
    )


async def test_a_description_too_long_is_refused_and_nothing_changes(
    owner: BotClient, services: Runtime
) -> None:
    await owner.send(f"/desc {FOLLOWERS} Kept.")

    await owner.send(f"/desc {FOLLOWERS} " + "w" * (MAX_OWN + 1))
    assert described_services(services) == [FOLLOWERS]

    assert owner.screen.last.text == (
        "⚠️ That description has 1,001 characters; at most 1,000 fit. Nothing changed."
    )
    assert await own_description(services) == "Kept."
    await owner.send(f"/desc {FOLLOWERS} " + "w" * MAX_OWN)
    assert await own_description(services) == "w" * MAX_OWN


async def test_an_unknown_service_gets_the_usual_answer(
    owner: BotClient, services: Runtime
) -> None:
    for command in ("/desc 999999 Words.", "/desc 999999 reset", "/desc 999999"):
        await owner.send(command)
        assert owner.screen.last.text == "No service 999999.", command
    async with services.db.read() as r:
        assert await r.services.get(999999) is None


async def test_bad_arguments_get_the_usage_and_change_nothing(
    owner: BotClient, services: Runtime
) -> None:
    for command in ("/desc", "/desc abc", "/desc abc Words.", "/desc -5 Words.", "/desc 0 x"):
        await owner.send(command)
        assert owner.screen.last.text == USAGE, command
    assert described_services(services) == []


async def test_desc_is_for_admins_in_the_group_only(
    make_client: Callable[..., BotClient], alice: BotClient, services: Runtime
) -> None:
    stranger = make_client(user_id=7003, chat_id=ADMIN_CHAT, first_name="Sam")
    await stranger.send(f"/desc {FOLLOWERS} Hacked.")
    await alice.send(f"/desc {FOLLOWERS} Hacked.")

    assert described_services(services) == []


async def test_service_tells_which_description_customers_see(owner: BotClient) -> None:
    await owner.send(f"/service {FOLLOWERS}")
    assert (owner.screen.last.text or "").split("\n")[2] == "Description: the panel's description"

    await owner.send(f"/desc {FOLLOWERS} Ours.")
    await owner.send(f"/service {FOLLOWERS}")
    assert (owner.screen.last.text or "").split("\n")[2] == (
        "Description: the shop's own description"
    )

    await owner.send("/service 102")
    assert (owner.screen.last.text or "").split("\n")[2] == "Description: no description"


async def test_the_own_description_outlives_a_sync_that_changes_the_panels(
    owner: BotClient, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await owner.send(f"/desc {FOLLOWERS} Ours.")
    rows = [dict(row) for row in panel.services]
    for row in rows:
        if row["service"] == FOLLOWERS:
            row["desc"] = "The panel's new words."
    panel.set_services(rows)

    await sync_catalogue(services.db, services.panel)

    assert "\n\nOurs.\n\n" in await card_text(alice)
    await owner.send(f"/desc {FOLLOWERS} reset")
    assert "\n\nThe panel's new words.\n\n" in await card_text(alice)


async def test_desc_answers_in_russian(
    make_client: Callable[..., BotClient], services: Runtime
) -> None:
    ivan = make_client(user_id=7002, chat_id=ADMIN_CHAT, language_code="ru", first_name="Иван")

    await ivan.send(f"/desc {FOLLOWERS} Наше описание.")
    assert ivan.screen.last.text == f"✅ Услуга {FOLLOWERS} теперь показывает ваше описание."
    await ivan.send(f"/desc {FOLLOWERS}")
    assert (ivan.screen.last.text or "").endswith(
        "Своё: Наше описание.\nПокупатели видят своё описание магазина."
    )
    await ivan.send(f"/desc {FOLLOWERS} " + "ж" * 1001)
    assert ivan.screen.last.text == (
        "⚠️ Длина описания — 1\xa0001, а помещается не больше 1\xa0000 символов."
        " Ничего не изменено."
    )
    await ivan.send(f"/desc {FOLLOWERS} reset")
    assert ivan.screen.last.text == f"✅ Услуга {FOLLOWERS} снова показывает описание панели."
