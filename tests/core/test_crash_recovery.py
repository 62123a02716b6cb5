"""Exactly-once placement across a real crash: the shop process dies with SIGKILL after the
panel applied ``add`` but before its answer arrived.

The sandbox panel runs here, on loopback, holding every ``add`` answer for a long time (the
order itself is booked on arrival). A separate Python process (``crash_worker.py``) quotes
and confirms an order against it and is killed while it waits. This process then plays the
restarted bot: the interrupted order must become ``unknown`` with its money held and the
admins alerted, must never be sent again, and, once an admin attaches the panel's order id,
must be tracked to its end with the books in order.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from api import PanelClient
from api.sandbox import Fault, ManualClock, SandboxPanel
from shop.alerts import ALERT_KIND, Alerts
from shop.money import Currency
from shop.ordering import (
    PlacementOutcome,
    attach_panel_order,
    charge_key,
    place_order,
    recover_interrupted,
)
from shop.pricing import customer_price
from shop.storage import Database, LedgerReason, OrderState, utc_now
from shop.terms import Terms

from ..support.ledger import assert_ledger_consistent
from ..support.process import ROOT, Child, Launcher
from .conftest import ADMIN_CHAT, PANEL_KEY, poll_once

WORKER = Path(__file__).with_name("crash_worker.py")
USER = 7
SERVICE = 101  # Instagram Followers, Default, 0.90 per 1000
QUANTITY = 1000
FUNDS = Decimal(50)
LINK = "https://instagram.com/p/crash-test"
#: Long enough that the worker is always killed while the answer is still held.
HELD_FOR = 60.0
#: The whole run (worker start-up, sync, quote, add) must reach the panel within this.
DEADLINE = 20.0

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")


async def start_worker(launcher: Launcher, db_path: Path, url: str) -> Child:
    """The worker, in a process of its own (forked by the tests' launcher, so it does not
    spend seconds on imports), its output in files beside the database."""
    return await launcher.run(
        "--db", str(db_path),
        "--url", url,
        "--key", PANEL_KEY,
        "--user", str(USER),
        "--service", str(SERVICE),
        "--link", LINK,
        "--quantity", str(QUANTITY),
        "--funds", str(FUNDS),
        "--markup", "30",
        "--admin-chat", str(ADMIN_CHAT),
        path=WORKER,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        stdout=db_path.with_suffix(".out"),
        stderr=db_path.with_suffix(".err"),
    )  # fmt: skip


async def wait_for_add(panel: SandboxPanel, worker: Child) -> None:
    """Until the panel has booked the worker's order (and holds its answer)."""
    deadline = time.monotonic() + DEADLINE
    while not panel.orders:
        if worker.returncode is not None:
            out, err = await worker.communicate()
            pytest.fail(f"the worker ended early ({worker.returncode}):\n{out!r}\n{err.decode()}")
        if time.monotonic() > deadline:
            worker.kill()
            out, err = await worker.communicate()
            pytest.fail(f"no add reached the panel in {DEADLINE} s:\n{out!r}\n{err.decode()}")
        await asyncio.sleep(0.01)


def adds(panel: SandboxPanel) -> int:
    return sum(1 for request in panel.requests if request.action == "add")


async def test_order_interrupted_by_a_crash_is_held_never_resent_and_then_tracked(
    tmp_path: Path,
    clock: ManualClock,
    panel: SandboxPanel,
    panel_client: PanelClient,
    shop: Terms,
    alerts: Alerts,
    launcher: Launcher,
) -> None:
    db_path = tmp_path / "crash.sqlite3"
    panel.faults.add(Fault.latency(HELD_FOR, action="add"))

    # --- the first process: confirms, and dies while the panel holds the answer ----------
    worker = await start_worker(launcher, db_path, panel_client.url)
    try:
        await wait_for_add(panel, worker)
    finally:
        if worker.returncode is None:
            worker.send_signal(signal.SIGKILL)
    out, err = await worker.communicate()
    assert worker.returncode == -signal.SIGKILL, err.decode()
    lines = out.decode().split()
    assert lines[0] == "quote" and len(lines) == 2, out  # killed before any answer
    quote_id = lines[1]

    assert adds(panel) == 1
    [(panel_order_id, booked)] = panel.orders.items()
    assert (booked.service, booked.link, booked.quantity) == (SERVICE, LINK, QUANTITY)

    # --- the restarted bot ------------------------------------------------------------------
    currency = Currency("USD", 2)
    price = customer_price(Decimal("0.90") * QUANTITY / 1000, Decimal(30), currency)
    assert price == Decimal("1.17")
    async with await Database.open(db_path) as db:
        async with db.read() as r:
            [order] = await r.orders.list_for_user(USER, 0, 10)
            assert order.state is OrderState.SUBMITTING
            assert order.quote_id == quote_id
            assert order.panel_order_id is None
            assert order.price == price
            assert await r.ledger.balance(USER) == FUNDS - price
            charge = await r.ledger.get_by_key(charge_key(order.id))
            assert charge is not None
            assert (charge.amount, charge.reason, charge.order_id) == (
                -price,
                LedgerReason.ORDER_CHARGE,
                order.id,
            )
            assert await r.outbox.due(utc_now(), 100) == []

        # Start-up: the interrupted order becomes uncertain, the admins hear of it once.
        [recovered] = await recover_interrupted(db, alerts)
        assert recovered.id == order.id
        assert recovered.state is OrderState.UNKNOWN
        assert await recover_interrupted(db, alerts) == []
        async with db.read() as r:
            stored = await r.orders.get(order.id)
            assert stored is not None and stored.state is OrderState.UNKNOWN
            assert await r.ledger.balance(USER) == FUNDS - price
            messages = await r.outbox.due(utc_now(), 100)
        assert [(m.kind, m.chat_id) for m in messages] == [(ALERT_KIND, ADMIN_CHAT)]
        assert messages[0].dedupe_key == f"alert:unknown:{order.id}"
        assert f"{order.id}" in messages[0].text

        # The customer taps "confirm" again: nothing is sent, nothing is charged.
        again = await place_order(db, panel_client, alerts, USER, quote_id, terms=shop)
        assert again.outcome is PlacementOutcome.ALREADY_PLACED
        assert again.order.id == order.id
        assert again.order.state is OrderState.UNKNOWN
        assert again.balance == FUNDS - price
        assert adds(panel) == 1
        assert len(panel.orders) == 1

        # An admin finds the order at the panel and attaches its id; tracking takes over.
        panel.faults.clear()
        attached = await attach_panel_order(db, order.id, panel_order_id)
        assert attached.state is OrderState.PENDING
        assert attached.panel_order_id == panel_order_id

        clock.advance(panel.pending_seconds + 1)
        report = await poll_once(db, panel_client, currency)
        assert [(c.order.id, c.order.state) for c in report.order_changes] == [
            (order.id, OrderState.IN_PROGRESS)
        ]
        clock.advance(panel.progress_seconds)
        report = await poll_once(db, panel_client, currency)
        [change] = report.order_changes
        assert (change.order.id, change.order.state, change.refund) == (
            order.id,
            OrderState.COMPLETED,
            Decimal(0),
        )
        assert change.order.remains == 0
        assert (await poll_once(db, panel_client, currency)).orders_polled == 0

        async with db.read() as r:
            assert await r.ledger.balance(USER) == FUNDS - price
            transitions = [
                (t.old_state, t.new_state) for t in await r.orders.transitions(order.id)
            ]
        assert transitions == [
            (OrderState.SUBMITTING, OrderState.UNKNOWN),
            (OrderState.UNKNOWN, OrderState.PENDING),
            (OrderState.PENDING, OrderState.IN_PROGRESS),
            (OrderState.IN_PROGRESS, OrderState.COMPLETED),
        ]
        assert adds(panel) == 1
        await assert_ledger_consistent(db, currency)
