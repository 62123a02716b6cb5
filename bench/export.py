"""Benchmark: the staff's ``/export orders`` and ``/export ledger`` of a large shop.

The shop (a real SQLite file in a temporary folder) holds ``--orders`` orders of
``--customers`` customers, stored through the repositories as placement leaves them (quote,
order, charge, the panel's id) and priced as it prices them, with links full of quotes and
commas; every tenth order is canceled and refunded. Set-up is not measured. Then the orders
export and the ledger export are written to disk, as the bot writes them before the upload,
each twice: once timed, once under ``tracemalloc`` for the peak of Python's memory while it
runs.

Prints, for each: rows, the file's size (and whether it had to be zipped to fit Telegram's
50 MB upload limit), the time, rows per second, the peak of Python's memory and the growth
of the process's resident memory. The export is streamed (read in chunks by id, written as
it goes) when the peak stays far below the file's size.

    python bench/export.py [--orders 100000] [--customers 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import platform
import resource
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from aiohttp import web

from api import OrderType, PanelClient
from api.sandbox import ManualClock, SandboxPanel, create_app
from shop.catalogue import sync_catalogue
from shop.exports import UPLOAD_LIMIT, ExportKind, Exports, Period
from shop.ledger import credit
from shop.money import Currency
from shop.ordering import charge_key, refund_key
from shop.storage import (
    MAIN_PANEL,
    Database,
    Destination,
    LedgerReason,
    NewQuote,
    OrderState,
    utc_now,
)
from shop.terms import Terms
from shop.texts import Texts

KEY = "bench-key"
FIRST_USER = 100_000
UNITS = 1000
#: Orders written per transaction while seeding.
SEED_BATCH = 1000
MB = 1000 * 1000


@dataclass(frozen=True)
class Figures:
    rows: int
    size: int
    zipped: bool
    seconds: float
    peak_python: int
    rss_growth: int


def _rss() -> int:
    """The process's resident memory now, in bytes."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize()


async def _serve(panel: SandboxPanel) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(create_app(panel), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/api/v2"


def _services(panel: SandboxPanel) -> list[int]:
    found = []
    for row in panel.services:
        service = panel.service(int(str(row["service"])))
        if service.order_type is OrderType.DEFAULT and service.min <= UNITS <= service.max:
            found.append(service.id)
    return sorted(found)


async def _seed(
    db: Database, panel: SandboxPanel, terms: Terms, orders: int, customers: int
) -> None:
    """Customers with a top-up, and orders as a confirmation and the panel's answer leave
    them (quote, order, charge, panel id), written straight through the repositories: the
    placement's own checks are the orders benchmark's, not this one's."""
    async with db.read() as r:
        services = [service for sid in _services(panel) if (service := await r.services.get(sid))]
    async with db.transaction() as tx:
        for index in range(customers):
            user_id = FIRST_USER + index
            name = f'=Customer "{index}", <b>&</b>; Клиент'
            await tx.users.upsert(user_id, f"user_{index}", name, "en" if index % 3 else "ru")
            await credit(tx, user_id, Decimal(100_000), LedgerReason.TOPUP, f"topup:{user_id}")
    expires = utc_now() + timedelta(days=1)
    for start in range(0, orders, SEED_BATCH):
        async with db.transaction() as tx:
            for number in range(start, min(start + SEED_BATCH, orders)):
                user_id = FIRST_USER + number % customers
                service = services[number % len(services)]
                link = f'https://instagram.com/p/bench-{number}?utm="a,b";c'
                cost = service.rate * UNITS / 1000
                price = terms.currency.round_up(cost * (1 + terms.markup_percent / 100))
                quote = await tx.quotes.create(
                    NewQuote(user_id, service.id, "Default", {"link": link, "quantity": UNITS},
                             UNITS, price, cost, expires)
                )  # fmt: skip
                order = await tx.orders.insert_submitting(
                    quote,
                    destination=Destination(MAIN_PANEL, service.id, link, UNITS),
                    price=price,
                    cost=cost,
                )
                await tx.ledger.append(
                    user_id, -price, LedgerReason.ORDER_CHARGE, charge_key(order.id),
                    order_id=order.id,
                )  # fmt: skip
                await tx.orders.set_placed(order.id, 1_000_000 + number)
                if number % 10 == 0:
                    await tx.orders.set_state(
                        order.id, OrderState.CANCELED, expected_states={OrderState.PENDING}
                    )
                    await tx.ledger.append(
                        user_id, price, LedgerReason.REFUND, refund_key(order.id),
                        order_id=order.id,
                    )  # fmt: skip


async def _export(exports: Exports, kind: ExportKind, *, traced: bool) -> Figures:
    period = Period(None, utc_now().date())
    rss = _rss()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    async with exports.for_staff(-1, kind, period) as job, job.written() as file:
        seconds = time.perf_counter() - started
        size = file.path.stat().st_size
        rows, zipped = file.rows, file.zipped
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    if traced:
        tracemalloc.stop()
    return Figures(rows, size, zipped, seconds, peak, max(0, _rss() - rss))


async def run(orders: int, customers: int) -> None:
    clock = ManualClock()
    panel = SandboxPanel(clock=clock)
    panel.add_account(KEY, Decimal(10) ** 9)
    runner, url = await _serve(panel)
    currency = Currency("USD", 2)
    terms = Terms(currency=currency, markup_percent=Decimal(30))
    with tempfile.TemporaryDirectory() as folder:
        async with await Database.open(Path(folder) / "bench.sqlite3") as db:
            async with PanelClient(url, KEY) as client:
                await sync_catalogue(db, client)
            await runner.cleanup()
            started = time.perf_counter()
            await _seed(db, panel, terms, orders, customers)
            print(f"seeded {orders:,} orders of {customers:,} customers in "
                  f"{time.perf_counter() - started:.1f} s (not measured)")  # fmt: skip
            texts = await Texts.load("en")
            exports = Exports(db, currency, texts, Path(folder) / "exports")
            for kind in (ExportKind.ORDERS, ExportKind.LEDGER):
                timed = await _export(exports, kind, traced=False)
                traced = await _export(exports, kind, traced=True)
                print(
                    f"/export {kind}: {timed.rows:,} rows, {timed.size / MB:.1f} MB"
                    f"{' (zipped)' if timed.zipped else ''}"
                    f" (limit {UPLOAD_LIMIT / MB:.0f} MB), {timed.seconds:.2f} s,"
                    f" {timed.rows / timed.seconds:,.0f} rows/s;"
                    f" peak Python memory {traced.peak_python / MB:.1f} MB"
                    f" ({traced.peak_python / timed.size:.1%} of the file),"
                    f" RSS growth {timed.rss_growth / MB:.1f} MB"
                )
            left = list((Path(folder) / "exports").iterdir())
            print(f"files left in the exports folder: {len(left)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=5_000)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(f"Python {platform.python_version()}, {platform.machine()}")
    asyncio.run(run(arguments.orders, arguments.customers))


if __name__ == "__main__":
    main()
