"""The catalogue: syncing the panel's services over loopback HTTP, and the storefront's queries."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from api import DefaultOrder, OrderType, PanelClient
from api.sandbox import Fault, SandboxPanel, ServiceRow
from shop.alerts import ALERT_KIND, Alerts
from shop.catalogue import (
    PAGE_SIZE,
    SYNCED_AT_META_KEY,
    Catalogue,
    CatalogueSyncFailed,
    sync_catalogue,
)
from shop.ledger import credit
from shop.ordering import QuoteProblem, QuoteRefused, quote_order
from shop.storage import Database, LedgerReason, OutboxRow, utc_now
from shop.storage import ServiceRow as StoredService
from shop.terms import MARKUP_META_KEY, Terms

LINK = "https://instagram.com/p/catalogue-post"


def row_of(panel: SandboxPanel, service_id: int) -> ServiceRow:
    return next(row for row in panel.services if int(str(row["service"])) == service_id)


def with_rows(panel: SandboxPanel, *extra: dict[str, Any]) -> list[ServiceRow]:
    return [*panel.services, *extra]


def extra_service(service_id: int, name: str, category: str, **fields: Any) -> ServiceRow:
    return {
        "service": service_id,
        "name": name,
        "type": "Default",
        "category": category,
        "rate": "1.00",
        "min": "10",
        "max": "1000",
        **fields,
    }


async def stored(db: Database, ids: list[int]) -> dict[int, StoredService | None]:
    async with db.read() as r:
        return {service_id: await r.services.get(service_id) for service_id in ids}


def panel_ids(panel: SandboxPanel) -> list[int]:
    return [int(str(row["service"])) for row in panel.services]


async def customer_with_funds(db: Database, user_id: int) -> None:
    async with db.transaction() as tx:
        await tx.users.upsert(user_id, None, "Customer", "en")
        await credit(tx, user_id, Decimal(100), LedgerReason.TOPUP, f"topup:test:{user_id}")


async def group_alerts(db: Database) -> list[OutboxRow]:
    async with db.read() as r:
        return [row for row in await r.outbox.due(utc_now(), 1000) if row.kind == ALERT_KIND]


def expected_counts(panel: SandboxPanel) -> dict[str, int]:
    """Services per category, as the panel lists them (all of a known type)."""
    return dict(Counter(str(row["category"]) for row in panel.services))


def row_of_builtin(service_id: int) -> ServiceRow:
    return row_of(SandboxPanel(), service_id)


def _fields(row: StoredService) -> dict[str, Any]:
    return {name: getattr(row, name) for name in StoredService.__slots__}


# --- sync -------------------------------------------------------------------------------------


async def test_first_sync_inserts_every_service_as_the_panel_lists_it(
    tmp_path: Path, panel: SandboxPanel, panel_client: PanelClient
) -> None:
    async with await Database.open(tmp_path / "fresh.sqlite3") as fresh:
        report = await sync_catalogue(fresh, panel_client)
        assert (report.inserted, report.updated, report.unchanged, report.removed) == (
            len(panel.services),
            0,
            0,
            0,
        )
        assert report.total == len(panel.services)
        rows = await stored(fresh, panel_ids(panel))
        for service_id, row in rows.items():
            expected = panel.service(service_id)
            assert row is not None
            assert (row.name, row.type, row.category) == (
                expected.name,
                expected.type,
                expected.category,
            )
            assert row.rate == expected.rate and isinstance(row.rate, Decimal)
            assert (row.min, row.max) == (expected.min, expected.max)
            assert (row.refill, row.cancel, row.dripfeed) == (
                expected.refill,
                expected.cancel,
                expected.dripfeed,
            )
            assert row.on_panel and row.enabled and row.available
            assert row.markup_override is None
            assert row.synced_at == report.synced_at
        async with fresh.read() as r:
            assert await r.services.count() == len(panel.services)
            assert await r.services.count(available_only=True) == len(panel.services)
            assert await r.meta.get(SYNCED_AT_META_KEY) == report.synced_at.isoformat()


async def test_second_sync_changes_nothing(db: Database, panel_client: PanelClient) -> None:
    before = await stored(db, [101, 302, 601])
    report = await sync_catalogue(db, panel_client)
    assert (report.inserted, report.updated, report.removed) == (0, 0, 0)
    assert report.unchanged == report.total
    after = await stored(db, [101, 302, 601])
    for service_id, row in after.items():
        old = before[service_id]
        assert row is not None and old is not None
        # Only the moment of the last sync moves.
        assert row.synced_at == report.synced_at
        assert row == StoredService(**{**_fields(old), "synced_at": report.synced_at})


async def test_changed_rate_min_and_name_are_updated_and_owner_settings_kept(
    db: Database, panel: SandboxPanel, panel_client: PanelClient
) -> None:
    async with db.transaction() as tx:
        await tx.services.set_markup_override(101, Decimal(50))
        await tx.services.set_enabled(102, False)
    rows = panel.services
    for row in rows:
        if row["service"] == 101:
            row["rate"] = "1.05"
        elif row["service"] == 102:
            row["min"] = 250
        elif row["service"] == 103:
            row["name"] = "Instagram Followers [Premium] [Refill 90 days]"
    panel.set_services(rows)

    report = await sync_catalogue(db, panel_client)

    assert (report.inserted, report.updated, report.removed) == (0, 3, 0)
    assert report.unchanged == len(rows) - 3
    services = await stored(db, [101, 102, 103])
    first, second, third = services[101], services[102], services[103]
    assert first is not None and second is not None and third is not None
    assert first.rate == Decimal("1.05")
    assert first.markup_override == Decimal(50)
    assert second.min == 250
    assert not second.enabled and not second.available
    assert third.name == "Instagram Followers [Premium] [Refill 90 days]"
    # The same rate written differently (a JSON number 1.05 for "1.05") is no change.
    rows = panel.services
    for row in rows:
        if row["service"] == 101:
            row["rate"] = 1.050
    panel.set_services(rows)
    again = await sync_catalogue(db, panel_client)
    assert (again.inserted, again.updated, again.removed) == (0, 0, 0)


async def test_service_gone_from_the_panel_is_taken_off_sale_but_stays_readable(
    db: Database, panel: SandboxPanel, panel_client: PanelClient, shop: Terms
) -> None:
    catalogue = Catalogue(db, shop)
    gone = 102
    category = str(row_of(panel, gone)["category"])
    panel.set_services([row for row in panel.services if row["service"] != gone])

    report = await sync_catalogue(db, panel_client)

    assert (report.inserted, report.updated, report.removed) == (0, 0, 1)
    kept = (await stored(db, [gone]))[gone]
    assert kept is not None
    assert kept.name == "Instagram Followers [HQ] [No refill]"
    assert not kept.on_panel and not kept.available
    assert await catalogue.offer(gone) is None
    assert gone not in [offer.service.id for offer in await catalogue.search(str(gone))]
    assert await catalogue.search("[HQ] [No refill]") == []
    counts = {c.name: c.service_count for c in await catalogue.categories()}
    assert counts[category] == expected_counts(panel)[category]
    page = await catalogue.page(101, 0)
    assert gone not in [offer.service.id for offer in page.offers]
    async with db.read() as r:
        assert await r.services.count() == len(panel.services) + 1
        assert await r.services.count(available_only=True) == len(panel.services)
        assert [s.id for s in await r.services.search(str(gone), include_unavailable=True)] == [
            gone
        ]
    # A second sync does not count it again; when the panel lists it again it is back.
    assert (await sync_catalogue(db, panel_client)).removed == 0
    panel.set_services(with_rows(panel, row_of_builtin(gone)))
    back = await sync_catalogue(db, panel_client)
    assert (back.inserted, back.updated, back.removed) == (0, 1, 0)
    assert await catalogue.offer(gone) is not None


@pytest.mark.parametrize(
    "fault",
    [
        Fault.html_502(action="services"),
        Fault.error("Invalid API key", action="services"),
        Fault.garbage(action="services"),
        Fault.http_status(500, "Internal Server Error", action="services"),
    ],
    ids=["html-502", "invalid-key", "garbage", "http-500"],
)
async def test_panel_error_raises_and_leaves_the_last_catalogue_in_place(
    db: Database, panel: SandboxPanel, panel_client: PanelClient, shop: Terms, fault: Fault
) -> None:
    catalogue = Catalogue(db, shop)
    ids = panel_ids(panel)
    before = await stored(db, ids)
    categories = await catalogue.categories()
    async with db.read() as r:
        synced_at = await r.meta.get(SYNCED_AT_META_KEY)
    # The panel changed too, so a sync that wrongly went through would show.
    panel.set_services([row for row in panel.services if row["service"] != 101])
    panel.faults.add(fault)

    with pytest.raises(CatalogueSyncFailed):
        await sync_catalogue(db, panel_client)

    assert await stored(db, ids) == before
    assert await catalogue.categories() == categories
    async with db.read() as r:
        assert await r.meta.get(SYNCED_AT_META_KEY) == synced_at


async def test_an_empty_catalogue_is_refused(
    db: Database, panel: SandboxPanel, panel_client: PanelClient, shop: Terms
) -> None:
    ids = panel_ids(panel)
    before = await stored(db, ids)
    panel.set_services([])

    with pytest.raises(CatalogueSyncFailed, match="no services"):
        await sync_catalogue(db, panel_client)

    assert await stored(db, ids) == before
    assert sum(c.service_count for c in await Catalogue(db, shop).categories()) == len(ids)


async def test_a_catalogue_with_no_readable_service_is_refused(
    db: Database, panel: SandboxPanel, panel_client: PanelClient
) -> None:
    ids = panel_ids(panel)
    before = await stored(db, ids)
    panel.faults.add(Fault.http_status(200, '[{"service": "x"}, {"name": 5}]', action="services"))

    with pytest.raises(CatalogueSyncFailed):
        await sync_catalogue(db, panel_client)

    assert await stored(db, ids) == before


async def test_unknown_order_type_is_stored_but_never_shown(
    db: Database, panel: SandboxPanel, panel_client: PanelClient, shop: Terms
) -> None:
    catalogue = Catalogue(db, shop)
    panel.set_services(
        with_rows(
            panel,
            extra_service(
                901, "Telegram Invites From Groups", "Telegram Invites", type="Invites From Groups"
            ),
            extra_service(
                902,
                "Instagram Followers [Invites]",
                "Instagram Followers",
                type="Invites From Groups",
            ),
        )  # fmt: skip
    )

    report = await sync_catalogue(db, panel_client)

    assert report.inserted == 2
    rows = await stored(db, [901, 902])
    for row in rows.values():
        assert row is not None
        assert row.type == "Invites From Groups"
        assert row.order_type is None
        assert row.on_panel and row.enabled and not row.available
    names = {c.name: c.service_count for c in await catalogue.categories()}
    assert "Telegram Invites" not in names
    assert names["Instagram Followers"] == expected_counts(panel)["Instagram Followers"] - 1
    assert await catalogue.offer(901) is None
    assert await catalogue.offer(902) is None
    assert await catalogue.search("901") == []
    assert await catalogue.search("invites") == []
    page = await catalogue.page(101, 0, per_page=100)
    assert 902 not in [offer.service.id for offer in page.offers]
    # Known to the owner's tools all the same.
    async with db.read() as r:
        assert await r.services.count() == len(panel.services)
        assert await r.services.count(available_only=True) == len(panel.services) - 2


async def test_type_spellings_are_stored_canonically(
    db: Database, panel: SandboxPanel, panel_client: PanelClient, shop: Terms
) -> None:
    panel.set_services(
        with_rows(
            panel,
            extra_service(911, "Comments A", "Odd Spellings", type="custom comments"),
            extra_service(912, "Mentions B", "Odd Spellings", type="MENTIONS_CUSTOM_LIST"),
            extra_service(913, "Views C", "Odd Spellings", type=" default "),
            extra_service(
                914, "Package D", "Odd Spellings", type="custom-comments-package", min="1", max="1"
            ),
        )  # fmt: skip
    )

    await sync_catalogue(db, panel_client)

    rows = await stored(db, [911, 912, 913, 914])
    assert {service_id: row.type for service_id, row in rows.items() if row is not None} == {
        911: OrderType.CUSTOM_COMMENTS.value,
        912: OrderType.MENTIONS_CUSTOM_LIST.value,
        913: OrderType.DEFAULT.value,
        914: OrderType.CUSTOM_COMMENTS_PACKAGE.value,
    }
    assert all(row is not None and row.available for row in rows.values())
    counts = {c.name: c.service_count for c in await Catalogue(db, shop).categories()}
    assert counts["Odd Spellings"] == 4
    # The panel's own spelling, unchanged, is no change at the next sync.
    again = await sync_catalogue(db, panel_client)
    assert (again.inserted, again.updated, again.removed) == (0, 0, 0)


# --- queries ----------------------------------------------------------------------------------


async def test_categories_count_enabled_services_only(
    db: Database, panel: SandboxPanel, shop: Terms
) -> None:
    catalogue = Catalogue(db, shop)
    categories = await catalogue.categories()
    expected = expected_counts(panel)
    assert [c.name for c in categories] == sorted(expected)
    assert {c.name: c.service_count for c in categories} == expected
    for category in categories:
        ids = [
            int(str(row["service"])) for row in panel.services if row["category"] == category.name
        ]
        assert category.first_service_id == min(ids)

    async with db.transaction() as tx:
        assert await tx.services.set_enabled(101, False)
    counts = {c.name: c.service_count for c in await catalogue.categories()}
    assert counts["Instagram Followers"] == expected["Instagram Followers"] - 1
    first = {c.name: c.first_service_id for c in await catalogue.categories()}
    assert first["Instagram Followers"] == 102

    # A category with nothing left to sell is not listed.
    async with db.transaction() as tx:
        assert await tx.services.set_enabled(601, False)
        assert not await tx.services.set_enabled(999_999, False)
    assert "Facebook Page Likes" not in [c.name for c in await catalogue.categories()]
    async with db.transaction() as tx:
        await tx.services.set_enabled(101, True)
    counts = {c.name: c.service_count for c in await catalogue.categories()}
    assert counts["Instagram Followers"] == expected["Instagram Followers"]


async def test_paging_a_category(
    db: Database, panel: SandboxPanel, panel_client: PanelClient, shop: Terms
) -> None:
    extra = [extra_service(1000 + n, f"Bulk Followers #{n}", "Bulk Followers") for n in range(19)]
    panel.set_services(with_rows(panel, *extra))
    await sync_catalogue(db, panel_client)
    catalogue = Catalogue(db, shop)
    ids = [1000 + n for n in range(19)]

    first = await catalogue.page(1005, 0, per_page=8)
    assert (first.category, first.page, first.pages) == ("Bulk Followers", 0, 3)
    assert [offer.service.id for offer in first.offers] == ids[:8]
    middle = await catalogue.page(1000, 1, per_page=8)
    assert [offer.service.id for offer in middle.offers] == ids[8:16]
    last = await catalogue.page(1000, 2, per_page=8)
    assert [offer.service.id for offer in last.offers] == ids[16:]
    # Out of range pages are clamped to the first and the last.
    beyond = await catalogue.page(1000, 99, per_page=8)
    assert (beyond.page, beyond.pages) == (2, 3)
    assert beyond.offers == last.offers
    before = await catalogue.page(1000, -4, per_page=8)
    assert before.page == 0 and before.offers == first.offers
    # Every page together holds the category once.
    seen = [
        o.service.id for p in range(3) for o in (await catalogue.page(1000, p, per_page=8)).offers
    ]
    assert seen == ids

    # A disabled service leaves the pages; 16 services make exactly 2 pages of 8.
    async with db.transaction() as tx:
        for service_id in ids[-3:]:
            await tx.services.set_enabled(service_id, False)
    shrunk = await catalogue.page(1000, 5, per_page=8)
    assert (shrunk.page, shrunk.pages) == (1, 2)
    assert [offer.service.id for offer in shrunk.offers] == ids[8:16]
    small = await catalogue.page(1000, 0, per_page=5)
    assert small.pages == 4 and len(small.offers) == 5

    # The storefront's default page size.
    assert (await catalogue.page(1000, 0)).pages == -(-16 // PAGE_SIZE)

    # A small category fits on one page; an unknown anchor gives an empty page.
    one = await catalogue.page(121, 3, per_page=8)
    assert (one.page, one.pages) == (0, 1)
    assert [o.service.id for o in one.offers] == [121, 122, 123]
    nothing = await catalogue.page(424_242, 0, per_page=8)
    assert (nothing.page, nothing.pages, nothing.offers) == (0, 1, [])


async def test_search_by_id_and_by_words_of_the_name(
    db: Database, panel: SandboxPanel, panel_client: PanelClient, shop: Terms
) -> None:
    panel.set_services(
        with_rows(
            panel,
            extra_service(701, "Подписчики Telegram [Живые]", "Telegram Members"),
            extra_service(702, "Просмотры ВКонтакте", "VK Views"),
        )
    )
    await sync_catalogue(db, panel_client)
    catalogue = Catalogue(db, shop)

    by_id = await catalogue.search("301")
    assert [offer.service.id for offer in by_id] == [301]
    assert [offer.service.id for offer in await catalogue.search("  113 ")] == [113]

    followers = sorted(
        int(str(row["service"]))
        for row in panel.services
        if "followers" in str(row["name"]).lower()
    )
    for text in ("followers", "FOLLOWERS", "FoLlOwErS"):
        found = await catalogue.search(text, limit=50)
        assert [offer.service.id for offer in found] == followers
    assert len(followers) > 2
    assert len(await catalogue.search("followers")) == min(len(followers), PAGE_SIZE)
    assert [o.service.id for o in await catalogue.search("followers", limit=2)] == followers[:2]
    assert [o.service.id for o in await catalogue.search("poll votes")] == [321, 511]

    for text in ("подписчики", "ПОДПИСЧИКИ", "живые"):
        assert [offer.service.id for offer in await catalogue.search(text)] == [701]
    assert [offer.service.id for offer in await catalogue.search("вконтакте")] == [702]

    assert await catalogue.search("") == []
    assert await catalogue.search("   ") == []
    assert await catalogue.search("no such thing") == []
    assert await catalogue.search("999999") == []

    # A disabled service is not found, by id or by name.
    async with db.transaction() as tx:
        await tx.services.set_enabled(701, False)
    assert await catalogue.search("701") == []
    assert await catalogue.search("подписчики") == []


async def test_search_puts_the_id_match_first(
    db: Database, panel: SandboxPanel, panel_client: PanelClient, shop: Terms
) -> None:
    panel.set_services(
        with_rows(
            panel,
            extra_service(80, "Reviews pack 800", "Reviews"),
            extra_service(800, "Five Stars Reviews", "Reviews"),
            extra_service(8000, "Reviews pack 800 plus", "Reviews"),
        )
    )
    await sync_catalogue(db, panel_client)
    found = await Catalogue(db, shop).search("800")
    assert [offer.service.id for offer in found] == [800, 80, 8000]


# --- prices -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service_id", "expected"),
    [
        (101, Decimal("1.17")),  # 0.90 x 1.3 = 1.17 exactly: not rounded further
        (301, Decimal("1.61")),  # 1.2345 x 1.3 = 1.60485 -> up to 1.61
        (111, Decimal("0.12")),  # 0.0850 x 1.3 = 0.1105 -> 0.12
        (201, Decimal("0.02")),  # 0.0125 x 1.3 = 0.01625 -> 0.02
        (113, Decimal("0.85")),  # a package: 0.65 x 1.3 = 0.845 -> 0.85, per package
        (302, Decimal("1.95")),  # a rate sent as a JSON number, 1.5
    ],
)
async def test_offer_price_is_rate_with_markup_rounded_up_to_cents(
    db: Database, shop: Terms, service_id: int, expected: Decimal
) -> None:
    offer = await Catalogue(db, shop).offer(service_id)
    assert offer is not None
    assert offer.service.id == service_id
    assert offer.unit_price == expected
    assert offer.unit_price.as_tuple().exponent == -2


async def test_offer_follows_the_service_override_then_the_shop_default(
    db: Database, shop: Terms
) -> None:
    catalogue = Catalogue(db, shop)

    async def price(service_id: int) -> Decimal:
        offer = await catalogue.offer(service_id)
        assert offer is not None
        return offer.unit_price

    async with db.transaction() as tx:
        await tx.services.set_markup_override(301, Decimal(50))
    assert await price(301) == Decimal("1.86")  # 1.2345 x 1.5 = 1.85175
    assert await price(101) == Decimal("1.17")

    async with db.transaction() as tx:
        await tx.meta.set(MARKUP_META_KEY, "10")
    assert await price(101) == Decimal("0.99")  # 0.90 x 1.1
    assert await price(111) == Decimal("0.10")  # 0.085 x 1.1 = 0.0935
    assert await price(301) == Decimal("1.86")  # its own markup wins

    async with db.transaction() as tx:
        await tx.services.set_markup_override(301, Decimal("0"))
    assert await price(301) == Decimal("1.24")  # at cost, still rounded up

    async with db.transaction() as tx:
        await tx.services.set_markup_override(301, None)
        await tx.meta.delete(MARKUP_META_KEY)
    assert await price(301) == Decimal("1.61")

    # Pages and searches show the same prices as the offer.
    async with db.transaction() as tx:
        await tx.services.set_markup_override(302, Decimal("12.5"))
    page = await catalogue.page(301, 0)
    assert {o.service.id: o.unit_price for o in page.offers} == {
        301: Decimal("1.61"),
        302: Decimal("1.69"),  # 1.5 x 1.125 = 1.6875
    }
    assert [o.unit_price for o in await catalogue.search("302")] == [Decimal("1.69")]


async def test_offer_of_services_not_for_sale(db: Database, shop: Terms) -> None:
    catalogue = Catalogue(db, shop)
    assert await catalogue.offer(424_242) is None
    async with db.transaction() as tx:
        await tx.services.set_enabled(101, False)
    assert await catalogue.offer(101) is None
    async with db.transaction() as tx:
        await tx.services.set_enabled(101, True)
    assert await catalogue.offer(101) is not None


# --- services the shop cannot sell ------------------------------------------------------------

UNSELLABLE = {
    911: {"rate": "0"},  # free at the panel: a 0.00 quote could never be charged
    912: {"rate": "0.0000"},
    913: {"rate": "-1.5"},
    914: {"min": "500", "max": "100"},  # no quantity fits
    915: {"min": "0", "max": "0"},
}


async def test_a_service_the_shop_cannot_price_or_fit_is_never_shown_or_quoted(
    db: Database, panel: SandboxPanel, panel_client: PanelClient, shop: Terms
) -> None:
    catalogue = Catalogue(db, shop)
    panel.set_services(
        with_rows(
            panel,
            *(
                extra_service(service_id, f"Unsellable 🚫 #{service_id}", "Unsellable", **fields)
                for service_id, fields in UNSELLABLE.items()
            ),
            extra_service(916, "Instagram Views [Free trial]", "Instagram Followers", rate="0"),
        )
    )

    await sync_catalogue(db, panel_client)

    names = {c.name: c.service_count for c in await catalogue.categories()}
    assert "Unsellable" not in names
    assert names["Instagram Followers"] == expected_counts(panel)["Instagram Followers"] - 1
    for service_id in [*UNSELLABLE, 916]:
        assert await catalogue.offer(service_id) is None
        assert await catalogue.search(str(service_id)) == []
    assert await catalogue.search("unsellable") == []
    page = await catalogue.page(101, 0, per_page=100)
    assert 916 not in [offer.service.id for offer in page.offers]
    async with db.read() as r:
        assert await r.services.count(available_only=True) == len(panel.services) - 6
        stored_rows = [await r.services.get(service_id) for service_id in [*UNSELLABLE, 916]]
    assert all(row is not None and not row.available for row in stored_rows)
    await customer_with_funds(db, 1)
    for service_id in [*UNSELLABLE, 916]:
        with pytest.raises(QuoteRefused) as refused:
            await quote_order(
                db, shop, 1, DefaultOrder(service=service_id, link=LINK, quantity=100)
            )
        assert refused.value.problem is QuoteProblem.SERVICE_UNAVAILABLE


async def test_each_unsellable_service_is_reported_to_the_admins_once(
    db: Database, panel: SandboxPanel, panel_client: PanelClient, alerts: Alerts
) -> None:
    panel.set_services(
        with_rows(
            panel,
            extra_service(911, 'Free <Likes> & "more"', "Instagram Likes", rate="0.00"),
            extra_service(914, "TikTok Views 🇺🇸", "TikTok Views", min="500", max="100"),
        )
    )

    await sync_catalogue(db, panel_client, alerts)
    await sync_catalogue(db, panel_client, alerts)

    texts = sorted(row.text for row in await group_alerts(db))
    assert texts == [
        "🚫 <b>Service 911 is not for sale</b>: Free &lt;Likes&gt; &amp; &quot;more&quot;\n"
        "The panel lists it at a rate of 0.00, so it cannot be priced. Customers do not see "
        "it until the panel gives it a rate above zero.",
        "🚫 <b>Service 914 is not for sale</b>: TikTok Views 🇺🇸\n"
        "The panel lists it from 500 to 100, so no quantity fits. Customers do not see it "
        "until the panel corrects its limits.",
    ]


async def test_a_minimum_of_zero_is_sold_from_one(
    db: Database, panel: SandboxPanel, panel_client: PanelClient, shop: Terms
) -> None:
    catalogue = Catalogue(db, shop)
    panel.set_services(
        with_rows(panel, extra_service(917, "YouTube Views 🎬", "YouTube Views", min="0",
                                       max="10000000", rate="0.01234"))
    )  # fmt: skip
    await sync_catalogue(db, panel_client)
    offer = await catalogue.offer(917)
    assert offer is not None
    assert offer.service.least_quantity == 1
    await customer_with_funds(db, 1)

    quote = await quote_order(db, shop, 1, DefaultOrder(service=917, link=LINK, quantity=1))

    # 0.01234 per 1000, one view: 0.00001234, + 30 % = 0.000016042, up to the cent.
    assert (quote.price, quote.cost, quote.units) == (Decimal("0.01"), Decimal("0.000013"), 1)


async def test_the_categories_are_kept_until_the_catalogue_changes_in_any_process(
    db: Database,
    database_path: Path,
    panel: SandboxPanel,
    panel_client: PanelClient,
    shop: Terms,
) -> None:
    await sync_catalogue(db, panel_client)
    catalogue = Catalogue(db, shop)
    first = await catalogue.categories()
    counts = {c.name: c.service_count for c in first}
    busiest = max(first, key=lambda c: c.service_count)
    assert busiest.service_count > 1

    # Nothing changed: the list read before is the one given.
    assert await catalogue.categories() is first

    # The owner turns a service off: its category counts one less at once.
    async with db.transaction() as tx:
        await tx.services.set_enabled(busiest.first_service_id, False)
    after_owner = {c.name: c.service_count for c in await catalogue.categories()}
    assert after_owner == {**counts, busiest.name: busiest.service_count - 1}

    # Another process on the same file turns it on again.
    other = await Database.open(database_path)
    try:
        async with other.transaction() as tx:
            await tx.services.set_enabled(busiest.first_service_id, True)
    finally:
        await other.close()
    assert {c.name: c.service_count for c in await catalogue.categories()} == counts

    # A sync where the panel dropped a whole category: it is gone from the list.
    panel.set_services([row for row in panel.services if row["category"] != busiest.name])
    await sync_catalogue(db, panel_client)
    assert busiest.name not in {c.name for c in await catalogue.categories()}
