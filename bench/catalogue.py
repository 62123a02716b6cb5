"""Benchmark: syncing and browsing a catalogue of 10,000 services.

The sandbox panel serves ``generated_catalogue(10_000)`` over loopback HTTP; the shop keeps
it in a real SQLite file in a temporary folder. Prints the time of the first sync (every
service inserted), of a second sync (nothing changed), of a sync where 1% of the rates
changed, the time to list the categories, to render one page of a category
(``Catalogue.page``) and to search; then the peak memory of a sync from scratch
(tracemalloc, the sandbox's answer included, since it runs in this process) and the
process's peak resident size. With ``--described`` every service carries a description of
about 600 characters of HTML and an average time, as on panels that send them.

    python bench/catalogue.py [--services 10000] [--repeat 200] [--described]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiohttp import web

from api import PanelClient
from api.sandbox import ManualClock, SandboxPanel, create_app, generated_catalogue
from shop.catalogue import Catalogue, SyncReport, sync_catalogue
from shop.money import Currency
from shop.storage import Database
from shop.terms import Terms

KEY = "bench-key"


async def _serve(panel: SandboxPanel) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(create_app(panel), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/api/v2"


async def _timed_sync(db: Database, client: PanelClient) -> tuple[SyncReport, float]:
    started = time.perf_counter()
    report = await sync_catalogue(db, client)
    return report, time.perf_counter() - started


async def _mean_ms(repeat: int, call: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    """The first call's time and the mean of ``repeat`` more, in milliseconds."""
    started = time.perf_counter()
    await call()
    first = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(repeat):
        await call()
    return first * 1000, (time.perf_counter() - started) / repeat * 1000


def _max_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Kilobytes on Linux, bytes on macOS.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


#: A description as panels write them: tags, entities, line breaks.
DESCRIPTION = (
    "<p><b>Real &amp; active</b> accounts with a photo and posts.</p>"
    "<p>Start: 0-1 hour<br>Speed: up to 5K/day<br>Refill: 30 days &lt;auto&gt;</p>"
    "<ul><li>No password needed</li><li>The profile must be public</li></ul>\n\n"
) * 3


def _described(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**row, "desc": f"{DESCRIPTION}#{index}", "average_time": f"{index % 90} minutes"}
        for index, row in enumerate(rows)
    ]


async def run(count: int, repeat: int, described: bool = False) -> None:
    rows = generated_catalogue(count)
    if described:
        rows = _described(rows)
    panel = SandboxPanel(clock=ManualClock(), services=rows)
    panel.record_requests = False
    panel.add_account(KEY, Decimal(1000))
    answer_bytes = len(json.dumps(rows).encode())
    shop = Terms(currency=Currency("USD", 2), markup_percent=Decimal(30))
    runner, url = await _serve(panel)
    failures: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-catalogue-") as folder:
            async with (
                await Database.open(Path(folder) / "shop.sqlite3") as db,
                PanelClient(url, KEY) as client,
            ):
                first, first_time = await _timed_sync(db, client)
                second, second_time = await _timed_sync(db, client)
                changed = [dict(row) for row in rows]
                for row in changed[::100]:
                    row["rate"] = str(Decimal(str(row["rate"])) + Decimal("0.01"))
                panel.set_services(changed)
                third, third_time = await _timed_sync(db, client)
                if (first.inserted, second.unchanged, third.updated) != (
                    count,
                    count,
                    len(changed[::100]),
                ):
                    failures.append(f"sync counts: {first}, {second}, {third}")

                catalogue = Catalogue(db, shop)
                categories = await catalogue.categories()
                biggest = max(categories, key=lambda category: category.service_count)
                pages = (await catalogue.page(biggest.first_service_id, 0)).pages
                categories_ms = await _mean_ms(repeat, catalogue.categories)
                first_page_ms = await _mean_ms(
                    repeat, lambda: catalogue.page(biggest.first_service_id, 0)
                )
                last_page_ms = await _mean_ms(
                    repeat, lambda: catalogue.page(biggest.first_service_id, pages - 1)
                )
                page = await catalogue.page(biggest.first_service_id, pages - 1)
                word = "premium"
                found = await catalogue.search(word)
                word_ms = await _mean_ms(repeat, lambda: catalogue.search(word))
                missing_ms = await _mean_ms(repeat, lambda: catalogue.search("no such service"))
                id_ms = await _mean_ms(repeat, lambda: catalogue.search(str(count // 2)))
                if not found or not page.offers:
                    failures.append("a page or a search came back empty")

            # Memory of one sync from scratch, into a fresh database.
            tracemalloc.start()
            async with await Database.open(Path(folder) / "fresh.sqlite3") as fresh:
                tracemalloc.reset_peak()
                async with PanelClient(url, KEY) as client:
                    await sync_catalogue(fresh, client)
                _, traced_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    finally:
        await runner.cleanup()

    print(f"machine: {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}")  # fmt: skip
    print(f"services: {count} in {len(categories)} categories"
          f"{', each described' if described else ''} "
          f"(answer of 'services': {answer_bytes / 1024:,.0f} KiB)")  # fmt: skip
    print(f"first sync (all inserted): {first_time:.3f} s ({first.inserted} inserted)")
    print(f"second sync (unchanged): {second_time:.3f} s ({second.unchanged} unchanged)")
    print(f"third sync (1% of rates changed): {third_time:.3f} s ({third.updated} updated)")
    print(f"categories (first / mean of {repeat}): "
          f"{categories_ms[0]:.2f} / {categories_ms[1]:.2f} ms")  # fmt: skip
    print(f"page 1 of {pages} of '{biggest.name}' ({biggest.service_count} services), "
          f"first / mean: {first_page_ms[0]:.2f} / {first_page_ms[1]:.2f} ms")  # fmt: skip
    print(f"last page of the same, first / mean: "
          f"{last_page_ms[0]:.2f} / {last_page_ms[1]:.2f} ms")  # fmt: skip
    print(f"search '{word}' ({len(found)} shown), first / mean: "
          f"{word_ms[0]:.2f} / {word_ms[1]:.2f} ms")  # fmt: skip
    print(f"search with no match (whole table scanned), first / mean: "
          f"{missing_ms[0]:.2f} / {missing_ms[1]:.2f} ms")  # fmt: skip
    print(f"search by id, first / mean: {id_ms[0]:.2f} / {id_ms[1]:.2f} ms")
    print(f"peak traced memory of a sync from scratch: {traced_peak / 1024 / 1024:.1f} MiB")
    print(f"peak resident size of the process: {_max_rss_mb():.1f} MiB")
    if failures:
        raise SystemExit("FAILED: " + "; ".join(failures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument(
        "--described", action="store_true", help="give every service a description"
    )
    args = parser.parse_args()
    if args.services < 1 or args.repeat < 1:
        parser.error("--services and --repeat must be positive")
    asyncio.run(run(args.services, args.repeat, args.described))


if __name__ == "__main__":
    main()
