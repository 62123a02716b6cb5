"""Orders: one per quote, compare-and-set states, status polling and its transitions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from api.models import OrderStatus, RefillStatus
from shop.storage import (
    MAIN_PANEL,
    ConstraintError,
    Database,
    Destination,
    FigureReport,
    OrderState,
    RefillState,
    utc_now,
)

from .factories import add_order


async def test_a_quote_can_have_only_one_order(db: Database) -> None:
    async with db.transaction() as tx:
        order = await add_order(tx)
        quote = await tx.quotes.get(order.quote_id)
        assert quote is not None
        with pytest.raises(ConstraintError, match="UNIQUE"):
            await tx.orders.insert_submitting(
                quote,
                destination=Destination(MAIN_PANEL, 101, order.link, order.quantity),
                price=order.price,
                cost=order.cost,
            )


async def test_new_order_is_submitting_with_exact_money(db: Database) -> None:
    async with db.transaction() as tx:
        order = await add_order(tx)
    assert order.state is OrderState.SUBMITTING
    assert order.price == Decimal("1.5")
    assert order.cost == Decimal("0.9")
    assert order.panel_order_id is None


async def test_placing_moves_to_pending_with_the_panel_id(db: Database) -> None:
    async with db.transaction() as tx:
        order = await add_order(tx)
        assert await tx.orders.set_placed(order.id, 23501) is True
        assert await tx.orders.set_placed(order.id, 23502) is False
        placed = await tx.orders.get_by_panel_id(23501)
        transitions = await tx.orders.transitions(order.id)
    assert placed is not None
    assert placed.state is OrderState.PENDING
    assert [(t.old_state, t.new_state) for t in transitions] == [
        (OrderState.SUBMITTING, OrderState.PENDING)
    ]


async def test_set_state_is_compare_and_set(db: Database) -> None:
    async with db.transaction() as tx:
        order = await add_order(tx)
        moved = await tx.orders.set_state(
            order.id,
            OrderState.FAILED,
            expected_states={OrderState.SUBMITTING},
            error="Not enough funds on balance",
        )
        moved_again = await tx.orders.set_state(
            order.id, OrderState.PENDING, expected_states={OrderState.SUBMITTING}
        )
        stored = await tx.orders.get(order.id)
    assert (moved, moved_again) == (True, False)
    assert stored is not None
    assert stored.state is OrderState.FAILED
    assert stored.error == "Not enough funds on balance"


async def test_orders_left_submitting_become_unknown(db: Database) -> None:
    async with db.transaction() as tx:
        left = await add_order(tx)
        placed = await add_order(tx)
        await tx.orders.set_placed(placed.id, 1)
        unknown = await tx.orders.mark_submitting_unknown()
        transitions = await tx.orders.transitions(left.id)
    assert [o.id for o in unknown] == [left.id]
    assert unknown[0].state is OrderState.UNKNOWN
    assert [(t.old_state, t.new_state) for t in transitions] == [
        (OrderState.SUBMITTING, OrderState.UNKNOWN)
    ]


async def test_an_unknown_order_can_still_be_placed_by_an_admin(db: Database) -> None:
    async with db.transaction() as tx:
        order = await add_order(tx)
        await tx.orders.mark_submitting_unknown()
        assert await tx.orders.set_placed(order.id, 777) is True


async def test_status_transition_is_recorded_once(db: Database) -> None:
    now = utc_now()
    async with db.transaction() as tx:
        order = await add_order(tx)
        await tx.orders.set_placed(order.id, 10)
        first = await tx.orders.apply_status(
            order.id,
            state=OrderState.IN_PROGRESS,
            panel_status="In progress",
            start_count=100,
            remains=1000,
            charge=Decimal("0.9"),
            now=now,
        )
        same = await tx.orders.apply_status(
            order.id,
            state=OrderState.IN_PROGRESS,
            panel_status="In Progress",
            start_count=None,
            remains=400,
            charge=None,
            now=now + timedelta(minutes=1),
        )
        stored = await tx.orders.get(order.id)
        transitions = await tx.orders.transitions(order.id)
    assert (first, same) == (True, False)
    assert stored is not None
    assert stored.panel_status == "In Progress"
    assert (stored.start_count, stored.remains, stored.panel_charge) == (100, 400, Decimal("0.9"))
    assert stored.last_polled_at == now + timedelta(minutes=1)
    assert [(t.old_state, t.new_state, t.remains) for t in transitions] == [
        (OrderState.SUBMITTING, OrderState.PENDING, None),
        (OrderState.PENDING, OrderState.IN_PROGRESS, 1000),
    ]


async def test_figures_of_orders_that_keep_their_state_are_stored_together(
    db: Database,
) -> None:
    now = utc_now()
    async with db.transaction() as tx:
        running, moved = [await add_order(tx) for _ in range(2)]
        for panel_id, order in enumerate((running, moved), start=10):
            await tx.orders.set_placed(order.id, panel_id)
            await tx.orders.bump_item_errors(order.id, now)
        # Completed since the poll read it as pending: its figures must not be touched.
        await tx.orders.set_state(
            moved.id, OrderState.COMPLETED, expected_states={OrderState.PENDING}
        )
        await tx.orders.apply_figures(
            [
                FigureReport(running.id, OrderState.PENDING, "Pending", 120, 900, Decimal("0.5")),
                FigureReport(moved.id, OrderState.PENDING, "Pending", 5, 5, None),
            ],
            now + timedelta(minutes=1),
        )
        stored_running = await tx.orders.get(running.id)
        stored_moved = await tx.orders.get(moved.id)
        transitions = await tx.orders.transitions(running.id)
    assert stored_running is not None and stored_moved is not None
    assert stored_running.state is OrderState.PENDING
    assert (stored_running.start_count, stored_running.remains) == (120, 900)
    assert stored_running.panel_charge == Decimal("0.5")
    assert stored_running.item_errors == 0
    assert stored_running.last_polled_at == now + timedelta(minutes=1)
    assert [t.new_state for t in transitions] == [OrderState.PENDING]  # no transition added
    assert stored_moved.state is OrderState.COMPLETED
    assert (stored_moved.start_count, stored_moved.remains) == (None, None)
    assert stored_moved.item_errors == 1


async def test_a_late_poll_cannot_undo_a_final_state(db: Database) -> None:
    async with db.transaction() as tx:
        order = await add_order(tx)
        await tx.orders.set_placed(order.id, 10)
        for state in (OrderState.PARTIAL, OrderState.IN_PROGRESS):
            await tx.orders.apply_status(
                order.id,
                state=state,
                panel_status=state.value,
                start_count=None,
                remains=300,
                charge=None,
                now=utc_now(),
            )
        stored = await tx.orders.get(order.id)
    assert stored is not None
    assert stored.state is OrderState.PARTIAL


async def test_polling_pages_through_active_orders_with_panel_ids(db: Database) -> None:
    async with db.transaction() as tx:
        orders = [await add_order(tx) for _ in range(5)]
        for panel_id, order in enumerate(orders[:4], start=100):
            await tx.orders.set_placed(order.id, panel_id)
        await tx.orders.set_state(
            orders[1].id, OrderState.COMPLETED, expected_states={OrderState.PENDING}
        )
    async with db.read() as r:
        first = await r.orders.active_with_panel_id(limit=2)
        rest = await r.orders.active_with_panel_id(after_id=first[-1].id, limit=2)
        pending = await r.orders.in_states([OrderState.PENDING, OrderState.SUBMITTING])
        counts = await r.orders.counts_by_state()
    assert [o.id for o in first + rest] == [orders[0].id, orders[2].id, orders[3].id]
    assert [o.id for o in pending] == [orders[0].id, orders[2].id, orders[3].id, orders[4].id]
    assert counts == {
        OrderState.COMPLETED: 1,
        OrderState.PENDING: 3,
        OrderState.SUBMITTING: 1,
    }


async def test_pages_of_active_orders_run_by_id_across_states_up_to_a_bound(
    db: Database,
) -> None:
    running = [OrderState.IN_PROGRESS, OrderState.PROCESSING, OrderState.PENDING]
    async with db.transaction() as tx:
        orders = [await add_order(tx) for _ in range(9)]
        for panel_id, order in enumerate(orders, start=100):
            await tx.orders.set_placed(order.id, panel_id)
            state = running[panel_id % 3]
            if state is not OrderState.PENDING:
                await tx.orders.set_state(order.id, state, expected_states={OrderState.PENDING})
    ids = [order.id for order in orders]

    async def pages(upto: int | None) -> list[list[int]]:
        found: list[list[int]] = []
        after = 0
        async with db.read() as r:
            while page := await r.orders.active_with_panel_id(after, 2, upto_id=upto):
                found.append([order.id for order in page])
                after = page[-1].id
        return found

    assert await pages(None) == [ids[0:2], ids[2:4], ids[4:6], ids[6:8], ids[8:9]]
    assert await pages(ids[4]) == [ids[0:2], ids[2:4], ids[4:5]]


async def test_a_panels_pages_of_active_orders_hold_only_its_orders(db: Database) -> None:
    async with db.transaction() as tx:
        orders = [
            await add_order(tx, panel="second" if number % 3 else "main") for number in range(9)
        ]
        for panel_id, order in enumerate(orders, start=100):
            await tx.orders.set_placed(order.id, panel_id)
    found: list[int] = []
    async with db.read() as r:
        while page := await r.orders.active_with_panel_id(
            found[-1] if found else 0, 2, panel="main"
        ):
            found += [order.id for order in page]

    assert found == [order.id for order in orders if order.panel == "main"]


async def test_a_users_orders_are_listed_newest_first(db: Database) -> None:
    async with db.transaction() as tx:
        mine = [await add_order(tx, user_id=1) for _ in range(3)]
        theirs = await add_order(tx, user_id=2)
    async with db.read() as r:
        page = await r.orders.list_for_user(1, offset=0, limit=2)
        count = await r.orders.count_for_user(1)
        foreign = await r.orders.get_for_user(theirs.id, 1)
    assert [o.id for o in page] == [mine[2].id, mine[1].id]
    assert count == 3
    assert foreign is None


async def test_item_errors_count_up_and_reset(db: Database) -> None:
    async with db.transaction() as tx:
        order = await add_order(tx)
        counts = [await tx.orders.bump_item_errors(order.id) for _ in range(3)]
        await tx.orders.reset_item_errors(order.id)
        stored = await tx.orders.get(order.id)
        missing = await tx.orders.bump_item_errors(9999)
    assert counts == [1, 2, 3]
    assert stored is not None
    assert stored.item_errors == 0
    assert missing == 0


def test_panel_statuses_map_to_stored_states() -> None:
    assert OrderState.of(OrderStatus.IN_PROGRESS) is OrderState.IN_PROGRESS
    assert RefillState.of(RefillStatus.REJECTED) is RefillState.REJECTED
    with pytest.raises(ValueError, match="unrecognised"):
        OrderState.of(OrderStatus.UNRECOGNISED)
