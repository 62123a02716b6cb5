"""The owner's chart of /stats: the period's figures day by day, and the picture of them.

The numbers come from the same queries as the /stats text (revenue is what customers were
charged less what went back to them, by the day the ledger recorded it; the panel cost is
counted on the day the order was placed), so the chart's days add up to the text's
figures. Every day of the period is present, a day without anything at zero.

The picture is drawn by :mod:`shop.chart_picture`, imported only when a chart is asked for:
the plotting library is large, and a bot nobody asks for a chart never loads it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from shop.admin import Period
from shop.money import Currency
from shop.storage import DailySales, Database, LedgerReason
from shop.topups import REASONS

ZERO = Decimal(0)


class CreditKind(enum.StrEnum):
    """How money came into customers' balances: each way to top up, and promo codes."""

    STARS = "stars"
    CRYPTO = "crypto"
    MANUAL = "manual"
    PROMO = "promo"


#: The kind of each credit the owner's figures count (see ``CREDIT_REASONS``).
_KIND_OF: dict[LedgerReason, CreditKind] = {
    **{reason: CreditKind(method.value) for method, reason in REASONS.items()},
    LedgerReason.PROMO_VOUCHER: CreditKind.PROMO,
    LedgerReason.PROMO_BONUS: CreditKind.PROMO,
}


@dataclass(frozen=True, slots=True)
class ChartDay:
    """One day (UTC) of the chart."""

    day: date
    #: What customers were charged for orders this day, less what was refunded this day.
    revenue: Decimal
    #: What the panel charged for the orders placed this day.
    cost: Decimal
    #: What each kind of credit added this day; every kind is present.
    credits: Mapping[CreditKind, Decimal]

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost


@dataclass(frozen=True, slots=True)
class SalesChart:
    """The period's figures day by day, oldest day first, in the shop's currency."""

    period: Period
    currency: Currency
    days: tuple[ChartDay, ...]

    @property
    def revenue(self) -> Decimal:
        return sum((day.revenue for day in self.days), ZERO)

    @property
    def cost(self) -> Decimal:
        return sum((day.cost for day in self.days), ZERO)

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    def credited(self, kind: CreditKind) -> Decimal:
        """What ``kind`` added over the whole period."""
        return sum((day.credits[kind] for day in self.days), ZERO)

    @property
    def has_sales(self) -> bool:
        """Whether any day has revenue or cost to draw."""
        return any(day.revenue or day.cost for day in self.days)

    @property
    def has_credits(self) -> bool:
        """Whether any day has a top-up or a promo credit to draw."""
        return any(any(day.credits.values()) for day in self.days)


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """The words drawn on the chart, in the reader's language (the caller translates)."""

    title: str
    sales_title: str
    credits_title: str
    revenue: str
    cost: str
    margin: str
    #: The name of each kind of credit, for the legend.
    kinds: Mapping[CreditKind, str]
    #: Under the days: that they are UTC days.
    days_axis: str
    #: Beside the amounts: the currency.
    amount_axis: str
    no_sales: str
    no_credits: str


def chart_of(period: Period, currency: Currency, sales: DailySales, now: datetime) -> SalesChart:
    """Every day of ``period`` up to ``now``'s day, from the days ``sales`` has figures for."""
    first = period.since(now).date()

    def day_of(day: date) -> ChartDay:
        by_kind = dict.fromkeys(CreditKind, ZERO)
        for reason, amount in sales.credits.get(day, {}).items():
            by_kind[_KIND_OF[reason]] += amount
        return ChartDay(
            day=day,
            revenue=sales.charged.get(day, ZERO) - sales.refunded.get(day, ZERO),
            cost=sales.panel_cost.get(day, ZERO),
            credits=by_kind,
        )

    days = tuple(day_of(first + timedelta(days=n)) for n in range(period.days))
    return SalesChart(period=period, currency=currency, days=days)


async def sales_chart(
    db: Database, currency: Currency, period: Period, now: datetime
) -> SalesChart:
    """The figures of ``period`` day by day, up to ``now``."""
    async with db.read() as r:
        sales = await r.stats.sales_by_day(period.since(now))
    return chart_of(period, currency, sales, now)


async def sales_picture(chart: SalesChart, labels: ChartLabels) -> bytes:
    """``chart`` drawn as a PNG, in a worker thread so the bot goes on answering meanwhile."""
    # Imported here, not at the top: the plotting library costs tens of megabytes, which
    # a bot that is never asked for a chart should not carry.
    from shop.chart_picture import draw_in_worker  # noqa: PLC0415

    return await draw_in_worker(chart, labels)
