"""The catalogue: sync from the panel, owner's switches, browsing and search."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shop.storage import Database, SyncCounts, utc_now

from .factories import panel_service


async def test_sync_counts_inserted_updated_and_unchanged(db: Database) -> None:
    first_sync = utc_now()
    async with db.transaction() as tx:
        counts = await tx.services.upsert_many(
            [panel_service(1), panel_service(2), panel_service(3)], first_sync
        )
    assert counts == SyncCounts(inserted=3, updated=0, unchanged=0)

    async with db.transaction() as tx:
        counts = await tx.services.upsert_many(
            [
                panel_service(1, rate="0.9"),  # same value, different spelling
                panel_service(2, rate="1.10"),
                panel_service(4),
            ],
            first_sync + timedelta(hours=1),
        )
        changed = await tx.services.get(2)
    assert counts == SyncCounts(inserted=1, updated=1, unchanged=1)
    assert changed is not None
    assert changed.rate == Decimal("1.10")


async def test_sync_keeps_the_owners_switches(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.services.upsert_many([panel_service(1)], utc_now())
        await tx.services.set_enabled(1, False)
        await tx.services.set_markup_override(1, Decimal("12.5"))
        await tx.services.upsert_many([panel_service(1, name="Renamed")], utc_now())
        service = await tx.services.get(1)
    assert service is not None
    assert service.name == "Renamed"
    assert service.enabled is False
    assert service.markup_override == Decimal("12.5")


async def test_services_missing_from_the_panel_are_marked_and_can_come_back(
    db: Database,
) -> None:
    async with db.transaction() as tx:
        await tx.services.upsert_many([panel_service(1), panel_service(2)], utc_now())
        gone = await tx.services.mark_missing_off_panel([1], utc_now())
        off = await tx.services.get(2)
        counts = await tx.services.upsert_many([panel_service(2)], utc_now())
        back = await tx.services.get(2)
    assert gone == 1
    assert off is not None
    assert off.on_panel is False
    assert off.available is False
    assert counts.updated == 1
    assert back is not None
    assert back.on_panel is True


async def test_categories_list_only_available_services(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.services.upsert_many(
            [
                panel_service(5, category="YouTube"),
                panel_service(3, category="Instagram"),
                panel_service(9, category="Instagram"),
                panel_service(7, category="Telegram"),
            ],
            utc_now(),
        )
        await tx.services.set_enabled(7, False)
    async with db.read() as r:
        categories = await r.services.categories()
        page = await r.services.in_category("Instagram", offset=1, limit=5)
        available = await r.services.count(available_only=True)
        total = await r.services.count()
    assert [(c.name, c.service_count, c.first_service_id) for c in categories] == [
        ("Instagram", 2, 3),
        ("YouTube", 1, 5),
    ]
    assert [s.id for s in page] == [9]
    assert (available, total) == (3, 4)


async def test_search_matches_id_first_then_names_in_any_case(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.services.upsert_many(
            [
                panel_service(12, name="Подписчики Telegram"),
                panel_service(30, name="Telegram views 12h"),
                panel_service(44, name="ПОДПИСЧИКИ канала"),
            ],
            utc_now(),
        )
        await tx.services.set_enabled(44, False)
    async with db.read() as r:
        by_id = await r.services.search("12")
        by_name = await r.services.search("подписчики")
        for_owner = await r.services.search("подписчики", include_unavailable=True)
        nothing = await r.services.search("   ")
    assert [s.id for s in by_id] == [12, 30]
    assert [s.id for s in by_name] == [12]
    assert [s.id for s in for_owner] == [12, 44]
    assert nothing == []


async def test_markup_override_can_be_cleared(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.services.upsert_many([panel_service(1)], utc_now())
        await tx.services.set_markup_override(1, Decimal(40))
        await tx.services.set_markup_override(1, None)
        service = await tx.services.get(1)
    assert service is not None
    assert service.markup_override is None


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rate=st.one_of(
        st.decimals(min_value=-5, max_value=10**14, allow_nan=False, allow_infinity=False),
        st.sampled_from(["0", "0.0", "0.00000", "-0", "-0.0001", "0.0045", "1E-7", "5E+3"]),
    ),
    low=st.integers(0, 10**7),
    high=st.integers(0, 10**7),
)
async def test_the_shown_services_are_exactly_the_available_ones(
    db: Database, rate: Decimal | str, low: int, high: int
) -> None:
    async with db.transaction() as tx:
        await tx.services.upsert_many(
            [panel_service(1, rate=str(rate), min_units=low, max_units=high)], utc_now()
        )
        service = await tx.services.get(1)
        shown = await tx.services.count(available_only=True)
        unsellable = await tx.services.offered_but_unsellable()
    assert service is not None
    assert service.available == (Decimal(rate) > 0 and high >= max(1, low))
    assert shown == int(service.available)
    assert [row.id for row in unsellable] == ([] if service.available else [1])
