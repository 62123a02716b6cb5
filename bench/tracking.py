"""Benchmark: one tracking cycle over 10,000 active orders against the sandbox on loopback.

The shop (a real SQLite file in a temporary folder) holds ``--orders`` active orders of
``--customers`` customers; the sandbox panel, served on 127.0.0.1, holds the same orders.
They were placed in four waves two minutes apart on the panel's clock, so when the cycle
runs a quarter has ended (completed, partial or canceled: refunds and notices), half is
running (a transition and a notice each) and a quarter is still pending (no change).

Set-up is not measured: orders go straight into the panel (``panel.respond``) and into the
shop through the repositories, as placement would have left them. The garbage collector is
set as the bot sets it once started (``bot.heap.settle``). Then one
``Tracker.poll_once()`` is timed. Prints the calls made (status must be one per 100 orders,
so 100 for 10,000), the cycle's wall time, the rows it wrote and DB writes per second; then
checks that every refund was made once and that a second cycle right after (the common
case: nothing changed) changes nothing, and prints its time too.

    python bench/tracking.py [--orders 10000] [--customers 1000] [--concurrency 4]

With ``--scale``: the same at 1,000, 10,000 and 100,000 active orders (a tenth as many
customers), then the cost per order of each (the set-up of 100,000 takes minutes).

With ``--panels 3 --slow 5``: the same orders spread over three sandbox panels, the last
answering every status call ``--slow`` seconds late. The tracker polls each panel on its
own, so the fast panels' orders are stored while the slow one is still answering: prints
the status calls per panel and how long each panel's poll took, and checks the fast panels
within 20 % of the one-panel cycle time (run without ``--panels`` for that figure).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import platform
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import aiohttp
from aiohttp import web

from api import DefaultOrder, OrderType, PanelClient
from api.sandbox import Fault, ManualClock, SandboxPanel, create_app
from bot import heap
from shop.alerts import Alerts
from shop.catalogue import sync_catalogue
from shop.ledger import credit
from shop.money import Currency
from shop.notices import Notices
from shop.ordering import refund_key, start_order, store_quote
from shop.panels import Panels
from shop.storage import Database, LedgerReason, OrderState, utc_now
from shop.terms import Terms
from shop.texts import Texts
from shop.tracking import PollReport, Tracker

KEY = "bench-key"
#: The sizes of ``--scale``.
SCALE = (1_000, 10_000, 100_000)
FIRST_USER = 100_000
WAVES = 4
#: Panel seconds between two waves of orders.
WAVE_GAP = 120.0
UNITS = 1000
#: Orders written per transaction while seeding.
SEED_BATCH = 500


@dataclass(frozen=True)
class Seeded:
    customers: int
    orders: int
    seconds: float


async def _serve(panel: SandboxPanel) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(create_app(panel), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/api/v2"


def _services(panel: SandboxPanel) -> list[int]:
    """Default services that take an order of ``UNITS`` units."""
    found = []
    for row in panel.services:
        service = panel.service(int(str(row["service"])))
        if service.order_type is OrderType.DEFAULT and service.min <= UNITS <= service.max:
            found.append(service.id)
    return sorted(found)


async def _seed(
    db: Database,
    panel: SandboxPanel,
    clock: ManualClock,
    shop: Terms,
    *,
    customers: int,
    orders: int,
) -> Seeded:
    """Customers with a top-up, and ``orders`` orders placed at the panel in waves and
    stored in the shop as ``pending`` with the panel's id, each charged once."""
    started = time.perf_counter()
    services = _services(panel)
    async with db.transaction() as tx:
        for index in range(customers):
            user_id = FIRST_USER + index
            await tx.users.upsert(user_id, None, f"Customer {index}", "en" if index % 3 else "ru")
            await credit(tx, user_id, Decimal(10_000), LedgerReason.TOPUP, f"topup:{user_id}")
    per_wave = -(-orders // WAVES)
    for start in range(0, orders, SEED_BATCH):
        async with db.transaction() as tx:
            for number in range(start, min(start + SEED_BATCH, orders)):
                user_id = FIRST_USER + number % customers
                request = DefaultOrder(
                    service=services[number % len(services)],
                    link=f"https://instagram.com/p/bench-{number}",
                    quantity=UNITS,
                )
                answer = panel.respond(KEY, "add", request.to_form())
                assert isinstance(answer, dict) and "order" in answer, answer
                quote = await store_quote(tx, shop, user_id, request, utc_now())
                order = await start_order(tx, shop, user_id, quote.id, utc_now())
                await tx.orders.set_placed(order.id, int(str(answer["order"])))
                # The next wave is placed two minutes later on the panel's clock.
                if (number + 1) % per_wave == 0 and number + 1 < orders:
                    clock.advance(WAVE_GAP)
    return Seeded(customers, orders, time.perf_counter() - started)


async def _outbox_rows(db: Database) -> int:
    async with db.read() as r:
        return sum((await r.outbox.counts_by_state()).values())


async def _refunds_once(db: Database, report: PollReport) -> bool:
    """Every order the cycle refunded has exactly one refund row, of the amount reported."""
    async with db.read() as r:
        for change in report.order_changes:
            if change.refund <= 0:
                continue
            row = await r.ledger.get_by_key(refund_key(change.order.id))
            rows = await r.ledger.rows_for_order(change.order.id)
            refunds = [x for x in rows if x.reason is LedgerReason.REFUND]
            if row is None or row.amount != change.refund or len(refunds) != 1:
                return False
    return True


async def run_panels(
    orders: int, customers: int, concurrency: int, panels: int, slow: float, single: float
) -> None:
    """The several-panels mode (see the module's docstring)."""
    clock = ManualClock()
    names = ["main", *(f"panel-{number}" for number in range(2, panels + 1))]
    sandboxes = {
        name: SandboxPanel(clock=clock, seed=7 + index) for index, name in enumerate(names)
    }
    for sandbox in sandboxes.values():
        sandbox.add_account(KEY, Decimal(10) ** 9)
        sandbox.outcome_mix = {"completed": 0.8, "partial": 0.15, "canceled": 0.05}
    sandboxes[names[-1]].faults.add(Fault.latency(slow, action="status"))
    shop = Terms(currency=Currency("USD", 2), markup_percent=Decimal(30), admin_chat_id=-100)
    texts = await Texts.load("en")
    served = {name: await _serve(sandbox) for name, sandbox in sandboxes.items()}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-tracking-") as folder:
            async with (
                await Database.open(Path(folder) / "shop.sqlite3") as db,
                aiohttp.ClientSession() as http,
            ):
                clients = {
                    name: PanelClient(url, KEY, session=http, concurrency=concurrency)
                    for name, (_, url) in served.items()
                }
                for name, client in clients.items():
                    await sync_catalogue(db, client, name=name)
                seeded = await _seed_panels(db, sandboxes, clock, shop, orders, customers)
                clock.advance(WAVE_GAP / 4)
                tracker = Tracker(
                    db,
                    Panels(clients),
                    shop.currency,
                    Notices(shop, texts, lambda order_id: f"o:{order_id}:0"),
                    Alerts(shop, texts),
                )
                for sandbox in sandboxes.values():
                    sandbox.requests.clear()

                async def timed(name: str) -> tuple[str, float, PollReport]:
                    started = time.perf_counter()
                    report = await tracker.poll_panel(name)
                    return name, time.perf_counter() - started, report

                started = time.perf_counter()
                polls = await asyncio.gather(*(timed(name) for name in names))
                elapsed = time.perf_counter() - started
    finally:
        for runner, _ in served.values():
            await runner.cleanup()

    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}")  # fmt: skip
    print(f"panels: {panels}, the last {slow:g} s late on every status call; "
          f"active orders: {sum(report.orders_polled for _, _, report in polls)}; "
          f"set-up (not measured): {seeded:.1f} s")  # fmt: skip
    fast = []
    for name, seconds, report in polls:
        calls = sum(r.action == "status" for r in sandboxes[name].requests)
        expected = -(-report.orders_polled // 100)
        changes = len(report.order_changes)
        print(
            f"  {name}: {report.orders_polled} orders, {calls} status calls (must be"
            f" {expected}), {changes} changes, poll {seconds:.3f} s"
        )
        if calls != expected:
            raise SystemExit("FAILED")
        if name != names[-1]:
            fast.append(seconds)
    slowest_fast = max(fast)
    print(f"all panels polled at once: {elapsed:.3f} s; the fast panels' longest poll:"
          f" {slowest_fast:.3f} s")  # fmt: skip
    if single > 0:
        share = slowest_fast / single
        print(f"against the one-panel cycle of {single:.3f} s: {share:.0%} (must be at most 120%)")
        if share > 1.2:
            raise SystemExit("FAILED")


async def _seed_panels(
    db: Database,
    sandboxes: dict[str, SandboxPanel],
    clock: ManualClock,
    shop: Terms,
    orders: int,
    customers: int,
) -> float:
    """As :func:`_seed`, the orders spread over the panels in turn: each placed at its panel
    and stored as the shop's service that panel sells it as. Seconds it took."""
    started = time.perf_counter()
    names = list(sandboxes)
    async with db.transaction() as tx:
        for index in range(customers):
            user_id = FIRST_USER + index
            await tx.users.upsert(user_id, None, f"Customer {index}", "en")
            await credit(tx, user_id, Decimal(10**6), LedgerReason.TOPUP, f"topup:{user_id}")
        shop_ids: dict[str, list[tuple[int, int]]] = {}
        for name, sandbox in sandboxes.items():
            pairs = []
            for panel_id in _services(sandbox):
                listing = await tx.listings.at(name, panel_id)
                assert listing is not None
                await tx.listings.prefer(listing.service_id, name)
                pairs.append((listing.service_id, panel_id))
            shop_ids[name] = pairs
    per_wave = -(-orders // WAVES)
    for start in range(0, orders, SEED_BATCH):
        async with db.transaction() as tx:
            for number in range(start, min(start + SEED_BATCH, orders)):
                name = names[number % len(names)]
                shop_id, panel_id = shop_ids[name][number % len(shop_ids[name])]
                user_id = FIRST_USER + number % customers
                link = f"https://instagram.com/p/bench-{number}"
                panel_request = DefaultOrder(service=panel_id, link=link, quantity=UNITS)
                answer = sandboxes[name].respond(KEY, "add", panel_request.to_form())
                assert isinstance(answer, dict) and "order" in answer, answer
                request = DefaultOrder(service=shop_id, link=link, quantity=UNITS)
                quote = await store_quote(tx, shop, user_id, request, utc_now())
                order = await start_order(tx, shop, user_id, quote.id, utc_now())
                assert order.panel == name, (order.panel, name)
                await tx.orders.set_placed(order.id, int(str(answer["order"])))
                if (number + 1) % per_wave == 0 and number + 1 < orders:
                    clock.advance(WAVE_GAP)
    return time.perf_counter() - started


async def run(orders: int, customers: int, concurrency: int) -> tuple[float, float]:
    """One cycle of ``orders`` active orders and the quiet one after it; their seconds."""
    clock = ManualClock()
    panel = SandboxPanel(clock=clock, seed=7)
    panel.add_account(KEY, Decimal(10) ** 9)
    # A real shop's mix: most orders complete, some end partial, a few are canceled.
    panel.outcome_mix = {"completed": 0.8, "partial": 0.15, "canceled": 0.05}
    shop = Terms(currency=Currency("USD", 2), markup_percent=Decimal(30), admin_chat_id=-100)
    texts = await Texts.load("en")
    runner, url = await _serve(panel)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-tracking-") as folder:
            async with (
                await Database.open(Path(folder) / "shop.sqlite3") as db,
                aiohttp.ClientSession() as http,
            ):
                client = PanelClient(url, KEY, session=http, concurrency=concurrency)
                await sync_catalogue(db, client)
                seeded = await _seed(db, panel, clock, shop, customers=customers, orders=orders)
                # A quarter of a gap past the last wave: the first wave has ended, the middle
                # two run, the last is still pending.
                clock.advance(WAVE_GAP / 4)
                tracker = Tracker(
                    db,
                    client,
                    shop.currency,
                    Notices(shop, texts, lambda order_id: f"o:{order_id}:0"),
                    Alerts(shop, texts),
                )
                outbox_before = await _outbox_rows(db)
                panel.requests.clear()
                calls_before = client.calls
                heap.settle()  # as the bot does once started (bot.app.run)

                started = time.perf_counter()
                report = await tracker.poll_once()
                elapsed = time.perf_counter() - started

                calls = Counter(request.action for request in panel.requests)
                http_calls = client.calls - calls_before
                outbox_rows = await _outbox_rows(db) - outbox_before
                refunds_ok = await _refunds_once(db, report)
                panel.requests.clear()
                started = time.perf_counter()
                second = await tracker.poll_once()
                quiet = time.perf_counter() - started
                quiet_calls = sum(request.action == "status" for request in panel.requests)
                gc.unfreeze()  # this run's objects may be collected once it is over
    finally:
        await runner.cleanup()

    changes = Counter(change.order.state for change in report.order_changes)
    refunds = sum(1 for change in report.order_changes if change.refund > 0)
    transitions = len(report.order_changes)
    # One UPDATE per order polled (its figures and poll time), one transition row per
    # change, one ledger row per refund, one outbox row per notice.
    writes = report.orders_polled + transitions + refunds + outbox_rows
    expected_calls = -(-orders // 100)
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}")  # fmt: skip
    print(f"customers: {seeded.customers}, active orders: {report.orders_polled}")
    print(f"set-up (not measured): {seeded.seconds:.1f} s")
    print(f"status calls made: {calls['status']} (must be {expected_calls})")
    print(f"all panel calls in the cycle: {http_calls} {dict(calls)}")
    print("changes: " + ", ".join(f"{state.value} {n}" for state, n in sorted(changes.items())))
    print(f"unchanged (still pending): {report.orders_polled - transitions}")
    print(f"refunds: {refunds}, notices queued: {outbox_rows}")
    print(f"cycle wall time: {elapsed:.3f} s")
    print(f"rows written: {writes} (orders {report.orders_polled}, transitions {transitions},"
          f" ledger {refunds}, outbox {outbox_rows})")  # fmt: skip
    print(f"DB writes per second: {writes / elapsed:,.0f}")
    print(f"orders polled per second: {report.orders_polled / elapsed:,.0f}")
    print(f"second cycle right after: {len(second.order_changes)} changes (must be 0),"
          f" {quiet_calls} status calls, wall time {quiet:.3f} s,"
          f" {second.orders_polled / quiet:,.0f} orders polled per second")  # fmt: skip
    print(f"each refund once: {'OK' if refunds_ok else 'FAILED'}")
    if (
        calls["status"] != expected_calls
        or second.order_changes
        or not refunds_ok
        or changes[OrderState.PENDING]
    ):
        raise SystemExit("FAILED")
    return elapsed, quiet


async def run_scale(concurrency: int) -> None:
    """The same cycle at 1,000, 10,000 and 100,000 active orders: the cost per order."""
    figures = []
    for orders in SCALE:
        print(f"--- {orders:,} active orders")
        figures.append((orders, *await run(orders, max(10, orders // 10), concurrency)))
    print("--- cost per active order")
    for orders, busy, quiet in figures:
        print(f"{orders:>9,} orders: 75% changing {busy:7.3f} s, {busy / orders * 1e6:6.1f} us"
              f" an order; nothing changing {quiet:6.3f} s,"
              f" {quiet / orders * 1e6:5.1f} us an order")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, default=4, help="status calls at once")
    parser.add_argument(
        "--scale", action="store_true", help="1,000, 10,000 and 100,000 orders, one after another"
    )
    parser.add_argument("--panels", type=int, default=1, help="panels the orders are spread over")
    parser.add_argument("--slow", type=float, default=5.0, help="the last panel's lateness, s")
    parser.add_argument(
        "--single", type=float, default=0.0, help="the one-panel cycle time to compare with, s"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.scale:
        asyncio.run(run_scale(args.concurrency))
    elif args.panels > 1:
        asyncio.run(
            run_panels(
                args.orders, args.customers, args.concurrency, args.panels, args.slow, args.single
            )
        )
    else:
        asyncio.run(run(args.orders, args.customers, args.concurrency))


if __name__ == "__main__":
    main()
