"""Benchmark: drawing /stats' chart, and what it costs an idle bot.

Imports the bot as its process does and reads the resident size (VmRSS): matplotlib must not
be loaded yet. Then draws a chart of 90 days, every day with sales, refunds and each kind of
top-up, the first time (which loads matplotlib) and ``--repeat`` times more, and prints the
draw times, the picture's size and how much the resident size grew.

    python bench/chart.py [--repeat 10] [--period 90d]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path


def _rss_mib() -> float:
    """This process's resident size, in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def main(repeat: int, period_name: str) -> None:
    started = time.perf_counter()
    import bot.app  # noqa: F401, PLC0415  (the bot as its process loads it)
    from shop.admin import Period  # noqa: PLC0415
    from shop.charts import ChartLabels, CreditKind, chart_of, sales_picture  # noqa: PLC0415
    from shop.money import Currency  # noqa: PLC0415
    from shop.storage import DailySales, LedgerReason  # noqa: PLC0415

    imported = time.perf_counter() - started
    idle_rss = _rss_mib()
    loaded = "matplotlib" in sys.modules

    now = datetime.now(UTC)
    period = Period(period_name)
    first = period.since(now).date()
    days = [first + timedelta(days=n) for n in range(period.days)]
    sales = DailySales(
        charged={day: Decimal(100 + n % 37) + Decimal("0.45") for n, day in enumerate(days)},
        refunded={day: Decimal(n % 5) for n, day in enumerate(days)},
        panel_cost={day: Decimal(70 + n % 29) + Decimal("0.0045") for n, day in enumerate(days)},
        credits={
            day: {
                LedgerReason.TOPUP: Decimal(50 + n % 11),
                LedgerReason.CRYPTO_TOPUP: Decimal(20 + n % 7),
                LedgerReason.MANUAL_TOPUP: Decimal(n % 3 * 10),
                LedgerReason.PROMO_VOUCHER: Decimal(n % 2),
            }
            for n, day in enumerate(days)
        },
    )
    chart = chart_of(period, Currency("USD", 2), sales, now)
    labels = ChartLabels(
        title=f"Figures for {period.value} ({days[0]} – {days[-1]}), USD",
        sales_title="Revenue, panel cost and margin per day",
        credits_title="Top-ups by method per day",
        revenue="Revenue",
        cost="Panel cost",
        margin="Margin",
        kinds={kind: kind.value.title() for kind in CreditKind},
        days_axis="Day (UTC)",
        amount_axis="Amount, USD",
        no_sales="No sales in this period",
        no_credits="No top-ups in this period",
    )

    started = time.perf_counter()
    picture = await sales_picture(chart, labels)
    first_draw = time.perf_counter() - started
    drawn_rss = _rss_mib()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await sales_picture(chart, labels)
        times.append(time.perf_counter() - started)
    after_rss = _rss_mib()

    print(f"python {platform.python_version()} on {platform.machine()}")
    print(f"bot imported in {imported:.2f} s; RSS {idle_rss:.1f} MiB; matplotlib loaded: {loaded}")
    print(
        f"first chart of {period.days} days (loads matplotlib): {first_draw:.2f} s,"
        f" PNG {len(picture) / 1024:.0f} KiB; RSS {drawn_rss:.1f} MiB"
        f" (+{drawn_rss - idle_rss:.1f} MiB)"
    )
    print(
        f"{repeat} more: median {statistics.median(times) * 1000:.0f} ms,"
        f" max {max(times) * 1000:.0f} ms; RSS {after_rss:.1f} MiB"
        f" (+{after_rss - drawn_rss:.1f} MiB since the first)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="charts drawn after the first")
    parser.add_argument("--period", default="90d", choices=["today", "7d", "30d", "90d"])
    arguments = parser.parse_args()
    asyncio.run(main(arguments.repeat, arguments.period))
