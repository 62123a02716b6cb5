"""Benchmark: customers quoting and confirming orders against the sandbox panel over loopback.

Each customer is created with a top-up, then quotes and confirms its orders one after
another, as a person tapping through the bot would; up to ``--concurrency`` customers do so
at once. The shop runs on a real SQLite file in a temporary folder; the panel is the sandbox
served on 127.0.0.1. A small share of ``add`` calls is refused (``--refuse-ratio``) or has
its answer lost after the order was booked (``--lose-ratio``), so the refund and hold paths
run too.

Prints orders per second, the time from confirmation (the ``place_order`` call) to the
panel's order id at p50 and p99, how many orders were placed, refused and held, and whether
the books hold: every balance equals its ledger and what the customer's orders left of
their top-up, and every order was charged once and refunded only when refused.

    python bench/orders.py [--customers 1000] [--orders 10000] [--concurrency 200]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import platform
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import aiohttp
from aiohttp import web

from api import DefaultOrder, OrderType, PanelClient
from api.sandbox import Fault, ManualClock, SandboxPanel, create_app
from shop.alerts import Alerts
from shop.catalogue import sync_catalogue
from shop.ledger import credit
from shop.money import Currency
from shop.ordering import PlacementOutcome, charge_key, place_order, quote_order, refund_key
from shop.storage import Database, LedgerReason, OrderState
from shop.terms import Terms
from shop.texts import Texts

KEY = "bench-key"
FIRST_USER = 100_000
#: Top-up per order a customer will place: more than the dearest order costs (14.00 x 1.3).
TOP_UP_PER_ORDER = Decimal(25)


@dataclass
class Tally:
    """What the customers saw, kept by the benchmark itself to check the shop against."""

    outcomes: Counter[PlacementOutcome] = field(default_factory=Counter)
    #: Seconds from the place_order call to the panel's id, for placed orders.
    to_panel_id: list[float] = field(default_factory=list)
    #: Per customer: the top-up, and the money their orders keep (placed and held orders;
    #: refused ones come back).
    top_ups: dict[int, Decimal] = field(default_factory=dict)
    spent: dict[int, Decimal] = field(default_factory=dict)
    links: dict[int, str] = field(default_factory=dict)


def _plan(customers: int, orders: int) -> list[int]:
    """How many orders each customer places, as even as possible."""
    share, extra = divmod(orders, customers)
    return [share + (1 if index < extra else 0) for index in range(customers)]


async def _serve(panel: SandboxPanel) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(create_app(panel), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/api/v2"


@dataclass(frozen=True)
class Storefront:
    """What every customer's task shares: the shop's services, as the bot wires them."""

    db: Database
    panel: PanelClient
    shop: Terms
    alerts: Alerts
    #: Default services that take an order of 1000 units.
    services: list[int]
    #: Customers tapping through the bot at the same time.
    gate: asyncio.Semaphore


async def _customer(front: Storefront, user_id: int, count: int, tally: Tally) -> None:
    async with front.gate:
        spent = Decimal(0)
        for number in range(count):
            service = front.services[(user_id + number) % len(front.services)]
            link = f"https://instagram.com/p/bench-{user_id}-{number}"
            request = DefaultOrder(service=service, link=link, quantity=1000)
            quote = await quote_order(front.db, front.shop, user_id, request)
            started = time.perf_counter()
            placement = await place_order(
                front.db, front.panel, front.alerts, user_id, quote.id, terms=front.shop
            )
            elapsed = time.perf_counter() - started
            tally.outcomes[placement.outcome] += 1
            if placement.outcome is PlacementOutcome.PLACED:
                tally.to_panel_id.append(elapsed)
                assert placement.order.panel_order_id is not None
                tally.links[placement.order.panel_order_id] = link
            if placement.outcome is not PlacementOutcome.REFUSED:
                spent += quote.price
        tally.spent[user_id] = spent


async def _check_books(db: Database, tally: Tally, panel: SandboxPanel) -> list[str]:
    """Every problem found in the books; an empty list when they hold."""
    problems: list[str] = []
    async with db.read() as r:
        totals = await r.ledger.totals_by_user()
        for user_id, spent in tally.spent.items():
            balance = await r.ledger.balance(user_id)
            expected = tally.top_ups[user_id] - spent
            if balance != totals.get(user_id) or balance != expected or balance < 0:
                problems.append(f"user {user_id}: balance {balance}, expected {expected}")
        states: Counter[OrderState] = Counter()
        after = 0
        every_state = list(OrderState)
        while page := await r.orders.in_states(every_state, after, 1000):
            after = page[-1].id
            for order in page:
                states[order.state] += 1
                rows = {row.key: row for row in await r.ledger.rows_for_order(order.id)}
                charge = rows.get(charge_key(order.id))
                refund = rows.get(refund_key(order.id))
                if charge is None or charge.amount != -order.price or len(rows) > 2:
                    problems.append(f"order {order.id}: charge {charge}, rows {len(rows)}")
                refunded = refund.amount if refund is not None else Decimal(0)
                if refunded != (order.price if order.state is OrderState.FAILED else 0):
                    problems.append(f"order {order.id} ({order.state}): refund {refunded}")
                if order.state is OrderState.PENDING:
                    booked = panel.orders.get(order.panel_order_id or 0)
                    if booked is None or booked.link != tally.links.get(booked.id):
                        problems.append(f"order {order.id}: not the panel's {booked}")
    outcomes = {
        OrderState.PENDING: tally.outcomes[PlacementOutcome.PLACED],
        OrderState.FAILED: tally.outcomes[PlacementOutcome.REFUSED],
        OrderState.UNKNOWN: tally.outcomes[PlacementOutcome.HELD],
    }
    if +states != +Counter(outcomes):
        problems.append(f"order states {dict(states)} differ from outcomes {outcomes}")
    # Held orders had their answer lost after booking: the panel has them too.
    if len(panel.orders) != states[OrderState.PENDING] + states[OrderState.UNKNOWN]:
        problems.append(f"the panel holds {len(panel.orders)} orders")
    return problems


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(
    customers: int, orders: int, concurrency: int, refuse_ratio: float, lose_ratio: float
) -> None:
    panel = SandboxPanel(clock=ManualClock(), seed=1)
    panel.record_requests = False
    panel.add_account(KEY, Decimal(10) ** 9)
    if refuse_ratio:
        panel.faults.add(
            Fault.error("Not enough funds on balance", action="add", ratio=refuse_ratio)
        )
    if lose_ratio:
        panel.faults.add(Fault.html_502(action="add", ratio=lose_ratio, after_apply=True))
    shop = Terms(currency=Currency("USD", 2), markup_percent=Decimal(30), admin_chat_id=-100)
    alerts = Alerts(shop, await Texts.load("en"))
    runner, url = await _serve(panel)
    tally = Tally()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-orders-") as folder:
            async with (
                await Database.open(Path(folder) / "shop.sqlite3") as db,
                aiohttp.ClientSession() as http,
            ):
                client = PanelClient(url, KEY, session=http)
                await sync_catalogue(db, client)
                services = sorted(
                    int(str(row["service"]))
                    for row in panel.services
                    if panel.service(int(str(row["service"]))).order_type is OrderType.DEFAULT
                    and panel.service(int(str(row["service"]))).min <= 1000
                    and panel.service(int(str(row["service"]))).max >= 1000
                )
                plan = _plan(customers, orders)
                started = time.perf_counter()
                async with db.transaction() as tx:
                    for index in range(customers):
                        user_id = FIRST_USER + index
                        top_up = TOP_UP_PER_ORDER * max(plan[index], 1)
                        tally.top_ups[user_id] = top_up
                        await tx.users.upsert(user_id, None, f"Customer {index}", "en")
                        await credit(tx, user_id, top_up, LedgerReason.TOPUP, f"topup:{user_id}")
                setup = time.perf_counter() - started

                front = Storefront(
                    db, client, shop, alerts, services, asyncio.Semaphore(concurrency)
                )
                started = time.perf_counter()
                await asyncio.gather(
                    *(
                        _customer(front, FIRST_USER + index, count, tally)
                        for index, count in enumerate(plan)
                    )
                )
                elapsed = time.perf_counter() - started
                checked = time.perf_counter()
                problems = await _check_books(db, tally, panel)
                check_time = time.perf_counter() - checked
                calls = client.calls
    finally:
        await runner.cleanup()

    done = sum(tally.outcomes.values())
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}")  # fmt: skip
    print(f"customers: {customers}, orders: {orders}, concurrency: {concurrency}")
    print(f"services ordered: {len(services)} (Default, 1000 units each)")
    print(f"set-up (customers and top-ups, one transaction): {setup:.3f} s")
    print(f"orders confirmed: {done}")
    print(f"  placed: {tally.outcomes[PlacementOutcome.PLACED]}")
    print(f"  refused (refunded): {tally.outcomes[PlacementOutcome.REFUSED]}")
    print(f"  held (answer lost, money held): {tally.outcomes[PlacementOutcome.HELD]}")
    print(f"  already placed: {tally.outcomes[PlacementOutcome.ALREADY_PLACED]}")
    print(f"panel calls: {calls}, orders at the panel: {len(panel.orders)}")
    print(f"wall time (quote + confirm): {elapsed:.3f} s")
    print(f"orders per second: {done / elapsed:,.0f}")
    print(f"confirm to panel id, p50: {_percentile(tally.to_panel_id, 0.50) * 1000:.1f} ms")
    print(f"confirm to panel id, p99: {_percentile(tally.to_panel_id, 0.99) * 1000:.1f} ms")
    print(f"confirm to panel id, max: {max(tally.to_panel_id, default=0) * 1000:.1f} ms")
    if tally.to_panel_id:
        print(f"confirm to panel id, mean: {statistics.fmean(tally.to_panel_id) * 1000:.1f} ms")
    print(f"ledger check ({check_time:.2f} s): {'OK' if not problems else 'FAILED'}")
    for problem in problems[:20]:
        print(f"  {problem}")
    if problems or done != orders:
        raise SystemExit("FAILED: the books do not hold, or orders are missing")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--refuse-ratio", type=float, default=0.01)
    parser.add_argument("--lose-ratio", type=float, default=0.005)
    args = parser.parse_args()
    # Refusals and lost answers are part of the run; their warnings are not the figures.
    logging.basicConfig(level=logging.ERROR)
    if args.customers < 1 or args.orders < 0 or args.concurrency < 1:
        parser.error("--customers and --concurrency must be positive, --orders not negative")
    asyncio.run(
        run(args.customers, args.orders, args.concurrency, args.refuse_ratio, args.lose_ratio)
    )


if __name__ == "__main__":
    main()
