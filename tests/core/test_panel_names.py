"""Names as real panels write them: hundreds of characters, emoji, flags, ``<>&"``, control
characters. They are cleaned once when the catalogue is taken, and no name, however long or
full of markup, can stop a notice, an alert or a poll."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from api import DefaultOrder, PanelClient
from api.sandbox import ManualClock, SandboxPanel, builtin_catalogue
from shop.alerts import Alerts
from shop.catalogue import sync_catalogue
from shop.ledger import credit
from shop.money import Currency
from shop.notices import NOTICE_KIND, Notices
from shop.ordering import place_order, quote_order
from shop.storage import Database, LedgerReason, OrderState, OutboxRow, utc_now
from shop.terms import Terms
from shop.texts import Texts

from .conftest import order_button, poll_once

#: 455 double quotes: 2,730 characters once escaped, over Fluent's 2,500 for a placeable.
QUOTES_NAME = '"' * 455
#: What a message shows of it: as much as fits in 1,000 escaped characters, and "…".
QUOTES_SHOWN = '"' * 166 + "…"
LINK = "https://instagram.com/p/named-post"


def panel_row(service_id: int, name: str, category: str = "Instagram Likes", **fields: Any) -> Any:
    return {
        "service": service_id,
        "name": name,
        "type": "Default",
        "category": category,
        "rate": "0.0850",
        "min": "10",
        "max": "100000",
        **fields,
    }


async def stored_names(db: Database, *ids: int) -> list[tuple[str, str]]:
    async with db.read() as r:
        rows = [await r.services.get(service_id) for service_id in ids]
    return [(row.name, row.category) for row in rows if row is not None]


async def notices_of(db: Database, user_id: int) -> list[OutboxRow]:
    async with db.read() as r:
        rows = await r.outbox.due(utc_now(), 1000)
    return [row for row in rows if row.kind == NOTICE_KIND and row.chat_id == user_id]


async def customer(db: Database, user_id: int) -> None:
    async with db.transaction() as tx:
        await tx.users.upsert(user_id, None, "Customer", "en")
        await credit(tx, user_id, Decimal(100), LedgerReason.TOPUP, f"topup:test:{user_id}")


async def test_names_and_categories_are_cleaned_when_the_catalogue_is_taken(
    db: Database, panel: SandboxPanel, panel_client: PanelClient
) -> None:
    rtl = "متابعين انستقرام حقيقيين"
    family = "👨\u200d👩\u200d👧\u200d👦"
    panel.set_services(
        [
            *builtin_catalogue(),
            panel_row(
                801, "  Instagram\tLikes\n[Real]\r\n\x00\x07 🇺🇸  ⚡\x1b[31m ", "\tLikes\x00 "
            ),
            panel_row(802, f"{family} Family pack {rtl} \u202eevil\u202c", f" {rtl} "),
            panel_row(803, " \x00\n\t ", ""),
            panel_row(804, "\u200b", "\x07\n"),
            panel_row(805, "Premium 🇬🇧 " * 200, "Long 🇩🇪 " * 200),
            panel_row(806, QUOTES_NAME, '<b>"Tips" & <Tricks></b>'),
        ]
    )

    await sync_catalogue(db, panel_client)

    names = await stored_names(db, 801, 802, 803, 804, 805, 806)
    assert names[:4] == [
        ("Instagram Likes [Real] 🇺🇸 ⚡[31m", "Likes"),
        (f"{family} Family pack {rtl} evil", rtl),
        ("Service 803", "Other"),
        ("Service 804", "Other"),
    ]
    long_name, long_category = names[4]
    assert (len(long_name), len(long_category)) == (999, 1000)
    # Cut between whole flags: the 999th character is the first half of one.
    assert long_name == ("Premium 🇬🇧 " * 200)[:998] + "…"
    assert long_category == ("Long 🇩🇪 " * 200)[:999] + "…"
    # Names that fit are kept whole, markup and all: they are escaped where shown.
    assert names[5] == (QUOTES_NAME, '<b>"Tips" & <Tricks></b>')


async def test_a_notice_names_a_service_of_455_quotes_as_far_as_it_fits(
    db: Database,
    shop: Terms,
    texts: Texts,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
) -> None:
    panel.set_services([*builtin_catalogue(), panel_row(806, QUOTES_NAME)])
    await sync_catalogue(db, panel_client)
    await customer(db, 1)
    quote = await quote_order(db, shop, 1, DefaultOrder(service=806, link=LINK, quantity=1000))
    placement = await place_order(db, panel_client, alerts, 1, quote.id, terms=shop)
    notices = Notices(shop, texts, order_button)

    async with db.transaction() as tx:
        completed = await tx.orders.get(placement.order.id)
        assert completed is not None
        await notices.order_changed(
            tx, replace(completed, state=OrderState.COMPLETED), Decimal(0), Decimal(100)
        )

    [notice] = await notices_of(db, 1)
    assert notice.text == (
        f"✅ <b>Order #{placement.order.id} is completed</b>\n"
        + QUOTES_SHOWN.replace('"', "&quot;")
    )


async def test_a_poll_tells_of_an_order_of_a_service_named_with_455_quotes(
    db: Database,
    shop: Terms,
    clock: ManualClock,
    panel: SandboxPanel,
    panel_client: PanelClient,
    alerts: Alerts,
) -> None:
    panel.set_services([*builtin_catalogue(), panel_row(806, QUOTES_NAME)])
    await sync_catalogue(db, panel_client)
    await customer(db, 1)
    quote = await quote_order(db, shop, 1, DefaultOrder(service=806, link=LINK, quantity=1000))
    placement = await place_order(db, panel_client, alerts, 1, quote.id, terms=shop)
    clock.advance(panel.pending_seconds + 1)

    report = await poll_once(db, panel_client, Currency("USD", 2))

    assert [change.order.state for change in report.order_changes] == [OrderState.IN_PROGRESS]
    [notice] = await notices_of(db, 1)
    assert notice.text.startswith(
        f"🔄 <b>Order #{placement.order.id} has started</b>\n"
        + QUOTES_SHOWN.replace('"', "&quot;")
        + "\nCount when it started: "
    )
