"""Refills: one unfinished request per order, then the panel's answers."""

from __future__ import annotations

from shop.storage import Database, RefillState, utc_now

from .factories import add_order


async def test_an_order_has_at_most_one_unfinished_refill(db: Database) -> None:
    async with db.transaction() as tx:
        order = await add_order(tx)
        first = await tx.refills.insert_requesting(order.id, order.user_id)
        second = await tx.refills.insert_requesting(order.id, order.user_id)
        assert first is not None
        await tx.refills.set_refused(first.id, "Order not eligible for refill")
        after_refusal = await tx.refills.insert_requesting(order.id, order.user_id)
    assert first.state is RefillState.REQUESTING
    assert second is None
    assert after_refusal is not None


async def test_refill_is_created_then_polled_to_completion(db: Database) -> None:
    async with db.transaction() as tx:
        order = await add_order(tx)
        refill = await tx.refills.insert_requesting(order.id, order.user_id)
        assert refill is not None
        assert await tx.refills.set_created(refill.id, 555) is True
        assert await tx.refills.set_refused(refill.id, "too late") is False
        polled = await tx.refills.active_with_panel_id()
        changed = await tx.refills.apply_status(
            refill.id, state=RefillState.COMPLETED, panel_status="Completed", now=utc_now()
        )
        late = await tx.refills.apply_status(
            refill.id, state=RefillState.PENDING, panel_status="Pending", now=utc_now()
        )
        stored = await tx.refills.for_order(order.id)
    assert [r.id for r in polled] == [refill.id]
    assert (changed, late) == (True, False)
    assert stored[0].state is RefillState.COMPLETED
    assert stored[0].panel_refill_id == 555
    assert stored[0].panel_status == "Completed"


async def test_same_status_again_is_not_a_change(db: Database) -> None:
    async with db.transaction() as tx:
        order = await add_order(tx)
        refill = await tx.refills.insert_requesting(order.id, order.user_id)
        assert refill is not None
        await tx.refills.set_created(refill.id, 1)
        changed = await tx.refills.apply_status(
            refill.id, state=RefillState.PENDING, panel_status="Pending", now=utc_now()
        )
    assert changed is False
