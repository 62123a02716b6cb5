"""Benchmark: customers ordering through the bot's Dispatcher, against a bare echo bot.

Each simulated customer runs a whole order conversation, one update after another as a
person tapping through the bot would: /start, New order, a category, a service, Order, the
link, the quantity, No (no drip-feed), Confirm. All customers talk at once. The bot is the
real one (``create_dispatcher``: middlewares, translations, FSM state in SQLite, the
catalogue, quotes and exactly-once placement); the shop runs on a real SQLite file in a
temporary folder and the panel is the sandbox served on 127.0.0.1 in this process. Telegram
is a lean in-memory session (``bench/lean_telegram.py``). The garbage collector and aiogram's
objects are set as the bot sets them once started (``bot.heap.settle``,
``bot.telegram_objects.bind_quickly``).

The reference, in the same run: a bare aiogram Dispatcher with one handler that answers the
text it gets, fed the same number of updates at the same concurrency through the same kind of
session, in a process of its own (``bench/lean_telegram.py``): aiogram as installed, Python's
default garbage collector, and nothing of the shop's code or heap. (Run in the shop's
process, after the shop, its collector walked what the shop had left and spent a fifth of
its time there.)

Prints, for both: updates handled per second (all updates over the wall time) and the time
to handle one update (``Dispatcher.feed_update``) at p50, p99 and max; the mean time and the
spread (p99 over the mean), whose ratios multiply to the p99 ratio; and, for the last round,
the shop's times by step of the conversation. Checks that every customer got their order
placed, once. The shop and the echo bot run one after the other
``--rounds`` times (each round a new shop); the shares of each round and their median are
printed, since the machine's speed may move between two runs.

    python bench/conversation.py [--customers 500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import platform
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from aiohttp import web

from api import OrderType
from api.sandbox import ManualClock, SandboxPanel, create_app
from bot import heap, telegram_objects
from bot.app import create_dispatcher, open_runtime
from bot.config import load_settings
from bot.telegram_session import KeepResponseModels
from shop.catalogue import sync_catalogue
from shop.ledger import credit
from shop.storage import LedgerReason, OrderState

# Run as a script, this folder is on the path (Telegram in memory, the echo bot).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from lean_telegram import (  # noqa: E402
    FIRST_USER,
    TOKEN,
    Customer,
    Figures,
    LeanSession,
    Timings,
    make_bot,
    percentile,
)

KEY = "bench-key"
QUANTITY = 1000
TOP_UP = Decimal(100)
DEFAULT_GC_THRESHOLDS = gc.get_threshold()


#: The steps of a conversation, in order, as the figures by step name them.
STEPS = (
    "/start",
    "New order",
    "a category",
    "a service",
    "Order",
    "the link",
    "the quantity",
    "No drip-feed",
    "Confirm",
)


async def order_conversation(customer: Customer, category: str, service: str) -> None:
    """/start to a placed order: nine updates, and a tap on ▶ per list page turned."""
    steps = iter(STEPS)
    customer.step = next(steps)
    await customer.send("/start")
    customer.step = next(steps)
    await customer.tap(lambda label: label.endswith("New order"))
    customer.step = next(steps)
    await customer.tap(lambda label: label.startswith(f"{category} ("))
    customer.step = next(steps)
    await customer.tap(lambda label: label.startswith(f"{service} — "))
    customer.step = next(steps)
    await customer.tap(lambda label: label.endswith("Order"))
    customer.step = next(steps)
    await customer.send(f"https://instagram.com/p/bench-{customer.user_id}")
    customer.step = next(steps)
    await customer.send(str(QUANTITY))
    customer.step = next(steps)
    await customer.tap(lambda label: label == "No")
    customer.step = next(steps)
    await customer.tap(lambda label: label.endswith("Confirm"))


# --- the run --------------------------------------------------------------------------------


async def _serve(panel: SandboxPanel) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(create_app(panel), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/api/v2"


def _drip_feed_services(panel: SandboxPanel) -> list[tuple[str, str]]:
    """(category, name) of the Default services offering drip-feed that take 1000 units."""
    chosen = []
    for row in panel.services:
        service = panel.service(int(str(row["service"])))
        if (
            service.order_type is OrderType.DEFAULT
            and service.dripfeed
            and service.min <= QUANTITY <= service.max
        ):
            chosen.append((service.category, service.name))
    return chosen


async def run_shop(customers: int) -> tuple[Figures, int, int]:
    """The shop's figures, the customers whose order was placed, and the panel's orders."""
    panel = SandboxPanel(clock=ManualClock(), seed=1)
    panel.record_requests = False
    panel.add_account(KEY, Decimal(10) ** 9)
    runner, url = await _serve(panel)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-conversation-") as folder:
            settings = load_settings(
                env_file=None,
                bot_token=TOKEN,
                panel_api_key=KEY,
                panel_api_url=url,
                database_path=Path(folder) / "shop.sqlite3",
            )
            services = await open_runtime(settings)
            try:
                await sync_catalogue(services.db, services.panel)
                # Returning customers with money on their balance.
                async with services.db.transaction() as tx:
                    for index in range(customers):
                        user_id = FIRST_USER + index
                        await tx.users.upsert(user_id, None, f"Customer {user_id}", "en")
                        await credit(tx, user_id, TOP_UP, LedgerReason.TOPUP, f"topup:{user_id}")
                dispatcher = create_dispatcher(services)
                # As the bot does once started (bot.app.run).
                heap.settle()
                telegram_objects.bind_quickly()
                session = LeanSession()
                # As the bot's own session does (bot.app.create_bot): answer models are kept.
                session.middleware(KeepResponseModels())
                bot = make_bot(session)
                timings = Timings()
                offered = _drip_feed_services(panel)
                started = time.perf_counter()
                await asyncio.gather(
                    *(
                        order_conversation(
                            Customer(dispatcher, bot, session, FIRST_USER + index, timings),
                            *offered[index % len(offered)],
                        )
                        for index in range(customers)
                    )
                )
                elapsed = time.perf_counter() - started
                placed = sum(
                    screen.last_text.startswith("✅ <b>Order #")
                    for screen in session.screens.values()
                )
                async with services.db.read() as r:
                    pending = len(await r.orders.in_states([OrderState.PENDING], 0, customers + 1))
            finally:
                await services.aclose()
                # Each round's shop starts as the first did.
                telegram_objects.unbind()
                gc.unfreeze()
                gc.set_threshold(*DEFAULT_GC_THRESHOLDS)
    finally:
        await runner.cleanup()
    figures = Figures(len(timings.per_update), elapsed, timings.per_update, timings.by_step)
    return figures, min(placed, pending), len(panel.orders)


async def run_echo(customers: int, updates: int) -> Figures:
    """The echo bot's figures for ``updates`` messages from ``customers`` users at once,
    measured in a process of its own: bare aiogram, none of the shop's code or heap."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name("lean_telegram.py")),
        f"--customers={customers}",
        f"--updates={updates}",
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"FAILED: the echo bot exited with {child.returncode}")
    figures = json.loads(out)
    return Figures(len(figures["per_update"]), figures["seconds"], figures["per_update"])


def _line(name: str, figures: Figures) -> str:
    return (
        f"{name:<10} {figures.updates:>8,} {figures.seconds:>9.2f} {figures.per_second:>10,.0f}"
        f" {figures.percentile(0.50) * 1000:>9.1f} {figures.percentile(0.99) * 1000:>9.1f}"
        f" {max(figures.per_update) * 1000:>9.1f}"
    )


def _print_steps(shop: Figures) -> None:
    """The shop's update times by step of the conversation (page turns with their step)."""
    print("the shop's updates by step:")
    print(f"  {'step':<14} {'updates':>8} {'p50 ms':>9} {'p99 ms':>9}")
    for step in STEPS:
        times = shop.by_step.get(step, [])
        if times:
            print(
                f"  {step:<14} {len(times):>8,} {percentile(times, 0.50) * 1000:>9.1f}"
                f" {percentile(times, 0.99) * 1000:>9.1f}"
            )


async def run(customers: int, rounds: int) -> None:
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}")  # fmt: skip
    rates: list[tuple[float, float]] = []
    tails: list[tuple[float, float]] = []
    for number in range(1, rounds + 1):
        # The shop, then the echo bot at once, in each round: the machine's speed moves
        # between rounds (by a third on a shared machine), so each pair is compared.
        shop, placed, at_panel = await run_shop(customers)
        echo = await run_echo(customers, shop.updates)
        print(f"round {number} of {rounds}: customers at once: {customers}, updates per"
              f" customer: {shop.updates / customers:.1f}; orders placed: {placed} of"
              f" {customers}; orders at the panel: {at_panel}")  # fmt: skip
        print(f"{'':<10} {'updates':>8} {'wall s':>9} {'updates/s':>10} {'p50 ms':>9} "
              f"{'p99 ms':>9} {'max ms':>9}")  # fmt: skip
        print(_line("shop", shop))
        print(_line("echo", echo))
        print(
            f"the shop handles {shop.per_second / echo.per_second:.1%} of the echo bot's rate;"
            f" p99 is {shop.percentile(0.99) / echo.percentile(0.99):.1f}x the echo bot's"
        )
        # Each customer sends its next update once the last is handled, so an update takes
        # about customers / rate on average; p99 is that mean times the spread (p99 / mean).
        print(
            f"mean update time: shop {shop.mean * 1000:.1f} ms, echo {echo.mean * 1000:.1f} ms"
            f" (customers / rate: {customers / shop.per_second * 1000:.1f} and"
            f" {customers / echo.per_second * 1000:.1f} ms); spread (p99 / mean): shop"
            f" {shop.spread:.2f}, echo {echo.spread:.2f}; p99 ratio = {shop.mean / echo.mean:.2f}"
            f" (means) x {shop.spread / echo.spread:.2f} (spreads)"
        )
        if number == rounds:
            _print_steps(shop)
        if placed != customers or at_panel != customers:
            raise SystemExit("FAILED: not every customer got exactly one order")
        rates.append((shop.per_second, echo.per_second))
        tails.append((shop.percentile(0.99), echo.percentile(0.99)))
    if rounds > 1:
        shares = [shop / echo for shop, echo in rates]
        ratios = [shop / echo for shop, echo in tails]
        print(
            f"median of {rounds} rounds: the shop handles {statistics.median(shares):.1%} of the"
            f" echo bot's rate (rounds: {', '.join(f'{share:.1%}' for share in shares)}); p99 is"
            f" {statistics.median(ratios):.1f}x the echo bot's"
            f" (rounds: {', '.join(f'{ratio:.1f}x' for ratio in ratios)})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument(
        "--rounds", type=int, default=3, help="shop-then-echo pairs run; their median is printed"
    )
    args = parser.parse_args()
    if args.customers < 1 or args.rounds < 1:
        parser.error("--customers and --rounds must be positive")
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(run(args.customers, args.rounds))


if __name__ == "__main__":
    main()
