"""Users: upsert, referrals, blocking, broadcast paging, lookup by username."""

from __future__ import annotations

from shop.storage import Database

from .factories import add_user


async def test_upsert_creates_then_refreshes_names_but_keeps_language(db: Database) -> None:
    async with db.transaction() as tx:
        created, was_created = await tx.users.upsert(5, "old", "Ann", "ru")
        updated, was_created_again = await tx.users.upsert(5, "new", "Anna", "en")
    assert was_created is True
    assert created.language == "ru"
    assert was_created_again is False
    assert (updated.username, updated.first_name, updated.language) == ("new", "Anna", "ru")
    assert updated.created_at == created.created_at


async def test_set_language_changes_it(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx, 5)
        assert await tx.users.set_language(5, "ru") is True
        assert await tx.users.set_language(6, "ru") is False
        user = await tx.users.get(5)
    assert user is not None
    assert user.language == "ru"


async def test_referrer_is_set_once_never_self_and_only_if_known(db: Database) -> None:
    async with db.transaction() as tx:
        for user_id in (1, 2, 3):
            await add_user(tx, user_id)
        assert await tx.users.set_referrer_once(3, 3) is False
        assert await tx.users.set_referrer_once(3, 99) is False
        assert await tx.users.set_referrer_once(3, 1) is True
        assert await tx.users.set_referrer_once(3, 2) is False
        assert await tx.users.set_referrer_once(2, 1) is True
        user = await tx.users.get(3)
        referrals = await tx.users.count_referrals(1)
    assert user is not None
    assert user.referrer_id == 1
    assert referrals == 2


async def test_broadcast_paging_skips_blocked_users(db: Database) -> None:
    async with db.transaction() as tx:
        for user_id in range(1, 8):
            await add_user(tx, user_id)
        await tx.users.set_blocked(3, True)
        await tx.users.set_blocked(6, True)
    async with db.read() as r:
        first = await r.users.ids_not_blocked(after_id=0, limit=3)
        second = await r.users.ids_not_blocked(after_id=first[-1], limit=3)
        total = await r.users.count()
    assert first == [1, 2, 4]
    assert second == [5, 7]
    assert total == 7


async def test_find_by_username_ignores_case_and_at_sign(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx, 1, "Shop_Fan")
    async with db.read() as r:
        found = await r.users.find_by_username("@shop_fan")
        missing = await r.users.find_by_username("nobody")
    assert found is not None
    assert found.id == 1
    assert missing is None


async def test_a_username_belongs_to_whoever_was_seen_with_it_last(db: Database) -> None:
    async with db.transaction() as tx:
        await add_user(tx, 1, "handle")
        await add_user(tx, 2, "HANDLE")
        old_holder = await tx.users.get(1)
        found = await tx.users.find_by_username("handle")
    assert old_holder is not None
    assert old_holder.username is None
    assert found is not None
    assert found.id == 2
