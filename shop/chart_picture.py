"""The /stats chart as a PNG, drawn with matplotlib.

Import this module only when a chart is asked for (:func:`shop.charts.sales_picture` does):
importing it loads matplotlib. It draws with the Agg canvas on its own figures, never
through pyplot's global state, so a draw in a worker thread touches nothing else.
"""

from __future__ import annotations

import asyncio
import io
import math
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from shop.charts import ChartLabels, CreditKind, SalesChart

#: Days labelled under the chart at most; the others are left unlabelled.
MAX_DAY_LABELS = 12
#: The picture's size in inches and its resolution: 1200 x 900 pixels, sharp in a chat.
SIZE = (12.0, 9.0)
DPI = 100
_COLOURS = {
    "revenue": "#2e7d32",
    "cost": "#c62828",
    "margin": "#1565c0",
    CreditKind.STARS: "#f9a825",
    CreditKind.CRYPTO: "#6a1b9a",
    CreditKind.MANUAL: "#00838f",
    CreditKind.PROMO: "#ef6c00",
}
#: matplotlib's caches are not made for two draws at once.
_DRAWING = threading.Lock()
#: One thread draws every chart: a new thread for each would give the memory allocator
#: one more arena each, and the draws wait for one another anyway.
_DRAWER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chart")


async def draw_in_worker(chart: SalesChart, labels: ChartLabels) -> bytes:
    """:func:`draw_sales_chart` in the drawing thread, so the event loop goes on meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(
        _DRAWER, draw_sales_chart, chart, labels
    )


def draw_sales_chart(chart: SalesChart, labels: ChartLabels) -> bytes:
    """``chart`` as a PNG: revenue, cost and margin per day above, credits by kind per day
    below; a panel with nothing to show says so in its middle."""
    # No word of the labels is TeX: a currency such as "US$" stays as it is.
    with _DRAWING, matplotlib.rc_context({"text.parse_math": False}):
        figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        sales, top_ups = figure.subplots(2, 1, sharex=True)
        figure.suptitle(labels.title, fontsize=16)
        _draw_sales(sales, chart, labels)
        _draw_credits(top_ups, chart, labels)
        _label_days(top_ups, chart, labels)
        picture = io.BytesIO()
        # The title goes into the file too, where a saved copy still tells what it shows.
        figure.savefig(picture, format="png", metadata={"Title": labels.title})
    return picture.getvalue()


def _draw_sales(axes: Axes, chart: SalesChart, labels: ChartLabels) -> None:
    axes.set_title(labels.sales_title, loc="left")
    axes.set_ylabel(labels.amount_axis)
    if not chart.has_sales:
        _say_nothing(axes, labels.no_sales)
        return
    positions = range(len(chart.days))
    width = 0.4
    revenue = axes.bar(
        [x - width / 2 for x in positions],
        _floats(day.revenue for day in chart.days),
        width,
        label=labels.revenue,
        color=_COLOURS["revenue"],
    )
    cost = axes.bar(
        [x + width / 2 for x in positions],
        _floats(day.cost for day in chart.days),
        width,
        label=labels.cost,
        color=_COLOURS["cost"],
    )
    (margin,) = axes.plot(
        list(positions),
        _floats(day.margin for day in chart.days),
        label=labels.margin,
        color=_COLOURS["margin"],
        marker="o",
        markersize=4 if len(chart.days) > 31 else 6,
    )
    # A day of refunds brings revenue below zero: the zero line shows where.
    axes.axhline(0, color="#9e9e9e", linewidth=0.8)
    axes.grid(axis="y", alpha=0.3)
    axes.legend(handles=[revenue, cost, margin], loc="upper left")


def _draw_credits(axes: Axes, chart: SalesChart, labels: ChartLabels) -> None:
    axes.set_title(labels.credits_title, loc="left")
    axes.set_ylabel(labels.amount_axis)
    if not chart.has_credits:
        _say_nothing(axes, labels.no_credits)
        return
    positions = list(range(len(chart.days)))
    bottom = [0.0] * len(chart.days)
    for kind in CreditKind:
        amounts = _floats(day.credits[kind] for day in chart.days)
        axes.bar(
            positions,
            amounts,
            0.7,
            bottom=bottom,
            label=labels.kinds[kind],
            color=_COLOURS[kind],
        )
        bottom = [low + amount for low, amount in zip(bottom, amounts, strict=True)]
    # Room above the highest day, which the bars' edges would otherwise touch.
    if max(bottom) > 0:
        axes.set_ylim(0, max(bottom) * 1.1)
    axes.grid(axis="y", alpha=0.3)
    axes.legend(loc="upper left")


def _label_days(axes: Axes, chart: SalesChart, labels: ChartLabels) -> None:
    """Day labels under the lower panel, at most :data:`MAX_DAY_LABELS` of them, the last
    day (today) always among them."""
    count = len(chart.days)
    step = max(1, math.ceil(count / MAX_DAY_LABELS))
    shown = list(range(count - 1, -1, -step))[::-1]
    axes.set_xticks(shown, [chart.days[index].day.strftime("%m-%d") for index in shown])
    axes.set_xlim(-0.6, count - 0.4)
    axes.set_xlabel(labels.days_axis)


def _say_nothing(axes: Axes, text: str) -> None:
    axes.set_ylim(0, 1)
    axes.set_yticks([])
    axes.text(
        0.5,
        0.5,
        text,
        transform=axes.transAxes,
        ha="center",
        va="center",
        fontsize=18,
        color="#757575",
    )


def _floats(amounts: Iterable[Decimal]) -> list[float]:
    """Amounts as the plotting library takes them; only the picture sees them rounded."""
    return [float(amount) for amount in amounts]
