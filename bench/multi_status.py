"""Benchmark: multi-status of 10,000 orders against the sandbox panel over loopback HTTP.

Prints the number of HTTP calls made (the protocol allows 100 ids a call, so it must be
100), the wall time, and orders parsed per second.

    python bench/multi_status.py [--orders 10000] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import time
from decimal import Decimal

from aiohttp import web

from api import ItemError, OrderType, PanelClient
from api.sandbox import ManualClock, SandboxPanel, create_app

KEY = "bench-key"


def _seed_orders(panel: SandboxPanel, count: int) -> list[int]:
    """Place ``count`` orders straight into the panel (set-up, not measured)."""
    service = next(
        entry
        for entry in (panel.service(int(row["service"])) for row in panel.services)
        if entry.order_type is OrderType.DEFAULT
    )
    ids = []
    for number in range(count):
        answer = panel.respond(
            KEY,
            "add",
            {
                "service": str(service.id),
                "link": f"https://instagram.com/p/bench{number}",
                "quantity": str(service.min),
            },
        )
        assert isinstance(answer, dict), answer
        ids.append(int(str(answer["order"])))
    return ids


async def run(orders: int, concurrency: int) -> None:
    clock = ManualClock()
    panel = SandboxPanel(clock=clock)
    panel.record_requests = False
    panel.add_account(KEY, Decimal(10) ** 9)
    ids = _seed_orders(panel, orders)
    # A mix of states, as in a real shop: some pending, some running, some done.
    clock.advance(panel.pending_seconds + panel.progress_seconds / 2)

    runner = web.AppRunner(create_app(panel), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with PanelClient(
            f"http://127.0.0.1:{port}/api/v2", KEY, concurrency=concurrency
        ) as client:
            started = time.perf_counter()
            result = await client.multi_status(ids)
            elapsed = time.perf_counter() - started
            calls = client.calls
    finally:
        await runner.cleanup()

    parsed = sum(1 for value in result.values() if not isinstance(value, ItemError))
    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}")  # fmt: skip
    print(f"orders asked: {orders}")
    print(f"calls made: {calls} (must be {-(-orders // 100)})")
    print(f"orders parsed: {parsed}")
    print(f"wall time: {elapsed:.3f} s")
    print(f"orders parsed per second: {parsed / elapsed:,.0f}")
    if calls != -(-orders // 100) or parsed != orders:
        raise SystemExit("FAILED: wrong number of calls or unparsed orders")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(run(args.orders, args.concurrency))


if __name__ == "__main__":
    main()
