"""/stats' chart: the period's figures day by day (UTC), the same figures as the /stats text,
sent as a PNG after the text in the admin's language; an empty period drawn as such."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from aiogram.methods import SendMessage, SendPhoto
from aiogram.types import BufferedInputFile
from PIL import Image

from api.sandbox import PARTIAL_MARKER, Fault, ManualClock, SandboxPanel
from bot.runtime import Runtime
from shop.admin import Period
from shop.charts import ChartDay, CreditKind
from shop.storage import LedgerReason, utc_now
from shop.storage.repositories import ledger as ledger_repository
from shop.storage.repositories import orders as orders_repository
from shop.topups import Payment, TopUpMethod, credit_top_up

from ..support.telegram import BotClient
from ..support.telegram.failures import bad_request
from .conftest import ADMIN_CHAT, STAFF
from .shop import LINK, add_customer, last_text, place, usd

ALICE = 111
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ZERO = Decimal(0)
NO_CREDITS = dict.fromkeys(CreditKind, ZERO)


class ShopCalendar:
    """Puts what the shop writes (orders, ledger rows) on a chosen day: the moment the
    orders' and the ledger's repositories record is now, ``days_ago`` days earlier."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch
        self.now = utc_now()

    @property
    def today(self) -> date:
        return self.now.date()

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def on(self, days_ago: int) -> None:
        moment = self.now - timedelta(days=days_ago)
        for module in (ledger_repository, orders_repository):
            self._monkeypatch.setattr(module, "utc_now", lambda: moment)


@pytest.fixture
def calendar(monkeypatch: pytest.MonkeyPatch) -> ShopCalendar:
    return ShopCalendar(monkeypatch)


async def _top_up(services: Runtime, method: TopUpMethod, amount: str, payment_id: str) -> None:
    """A paid top-up of ALICE, credited as each way to pay credits it."""
    async with services.db.transaction() as tx:
        await credit_top_up(
            tx, services.topup, ALICE, Decimal(amount), Payment(method, payment_id)
        )


async def _settle(services: Runtime, panel: SandboxPanel, clock: ManualClock) -> None:
    """The panel finishes what it was given, and the tracker sees it."""
    clock.advance(panel.pending_seconds + panel.progress_seconds + 5)
    await services.tracker.poll_once()


@pytest.fixture
async def a_week_of_sales(
    owner: BotClient,
    services: Runtime,
    panel: SandboxPanel,
    clock: ManualClock,
    calendar: ShopCalendar,
) -> None:
    """Orders and top-ups on known days: ten days ago (outside a week, inside 30 days) and
    within the last week. Orders of 1000 followers cost 0.90 at the panel and 1.17 here."""
    await add_customer(services, ALICE)
    await owner.send("/promo new TENPERCENT 10%")
    await owner.send("/promo new HELLO 2")

    calendar.on(10)
    await _top_up(services, TopUpMethod.STARS, "50", "charge-old")
    await place(services, ALICE, link=f"{LINK}/old")
    await _settle(services, panel, clock)

    calendar.on(5)
    assert (await services.promos.redeem(ALICE, "tenpercent")).bonus_percent == 10
    await _top_up(services, TopUpMethod.CRYPTO, "15", "invoice-7")  # +1.50 promo bonus
    await place(services, ALICE, link=f"{LINK}/completed")
    await _settle(services, panel, clock)

    calendar.on(3)
    await _top_up(services, TopUpMethod.MANUAL, "7.50", "3")
    partial = await place(services, ALICE, link=f"{LINK}?{PARTIAL_MARKER}")
    assert partial.order.panel_order_id is not None
    panel.force_outcome(partial.order.panel_order_id, "partial", remains=333)

    calendar.on(2)
    # The partial order ends: 333 of 1000 undelivered, 0.38 refunded today (the panel
    # charged 0.6003 for the 667 delivered, counted on the day the order was placed).
    await _settle(services, panel, clock)
    # Refused by the panel: 0.59 charged and refunded the same day, no cost.
    panel.faults.add(Fault.error("Incorrect link", action="add", times=1))
    await place(services, ALICE, link=f"{LINK}/refused", service_id=102)

    calendar.on(1)
    assert (await services.promos.redeem(ALICE, "HELLO")).credited == 2

    calendar.on(0)
    await _top_up(services, TopUpMethod.STARS, "10", "charge-today")
    canceled = await place(services, ALICE, link=f"{LINK}/canceled")
    assert canceled.order.panel_order_id is not None
    panel.force_outcome(canceled.order.panel_order_id, "canceled")
    await _settle(services, panel, clock)


def _credits(**amounts: str) -> dict[CreditKind, Decimal]:
    return {**NO_CREDITS, **{CreditKind(kind): Decimal(v) for kind, v in amounts.items()}}


@pytest.mark.usefixtures("a_week_of_sales")
async def test_the_chart_holds_each_days_sales_and_top_ups(
    services: Runtime, calendar: ShopCalendar
) -> None:
    chart = await services.admin_desk.sales_chart(Period.WEEK)

    assert chart.period is Period.WEEK
    assert list(chart.days) == [
        ChartDay(calendar.day(6), ZERO, ZERO, NO_CREDITS),
        ChartDay(
            calendar.day(5),
            Decimal("1.17"),
            Decimal("0.9"),
            _credits(crypto="15", promo="1.50"),
        ),
        ChartDay(calendar.day(4), ZERO, ZERO, NO_CREDITS),
        ChartDay(calendar.day(3), Decimal("1.17"), Decimal("0.6003"), _credits(manual="7.50")),
        ChartDay(calendar.day(2), Decimal("-0.38"), ZERO, NO_CREDITS),
        ChartDay(calendar.day(1), ZERO, ZERO, _credits(promo="2")),
        # Charged 1.17 and refunded 1.17 when the panel canceled: nothing earned, no cost.
        ChartDay(calendar.day(0), ZERO, ZERO, _credits(stars="10")),
    ]
    assert [day.margin for day in chart.days] == [
        ZERO,
        Decimal("0.27"),
        ZERO,
        Decimal("0.5697"),
        Decimal("-0.38"),
        ZERO,
        ZERO,
    ]
    assert (chart.revenue, chart.cost, chart.margin) == (
        Decimal("1.96"),
        Decimal("1.5003"),
        Decimal("0.4597"),
    )
    assert chart.has_sales
    assert chart.has_credits


@pytest.mark.usefixtures("a_week_of_sales")
@pytest.mark.parametrize("period", [Period.TODAY, Period.WEEK, Period.MONTH, Period.QUARTER])
async def test_the_charts_days_add_up_to_the_stats_figures(
    services: Runtime, period: Period
) -> None:
    chart = await services.admin_desk.sales_chart(period)
    figures = await services.admin_desk.sales(period)

    assert len(chart.days) == period.days
    assert (chart.revenue, chart.cost, chart.margin) == (
        figures.revenue,
        figures.panel_cost,
        figures.margin,
    )
    for method in TopUpMethod:
        reason = {
            TopUpMethod.STARS: LedgerReason.TOPUP,
            TopUpMethod.CRYPTO: LedgerReason.CRYPTO_TOPUP,
            TopUpMethod.MANUAL: LedgerReason.MANUAL_TOPUP,
        }[method]
        assert chart.credited(CreditKind(method.value)) == figures.credits.get(reason, ZERO)
    assert chart.credited(CreditKind.PROMO) == figures.promo_credits


@pytest.mark.usefixtures("a_week_of_sales")
async def test_the_30_day_chart_reaches_back_to_the_orders_of_ten_days_ago(
    services: Runtime, calendar: ShopCalendar
) -> None:
    chart = await services.admin_desk.sales_chart(Period.MONTH)

    assert chart.days[0].day == calendar.day(29)
    assert chart.days[-1].day == calendar.today
    [ten_days_ago] = [day for day in chart.days if day.day == calendar.day(10)]
    assert ten_days_ago == ChartDay(
        calendar.day(10), Decimal("1.17"), Decimal("0.9"), _credits(stars="50")
    )
    assert (chart.revenue, chart.cost) == (Decimal("3.13"), Decimal("2.4003"))


def _png(requests_of_photo: list[SendPhoto]) -> bytes:
    [photo] = requests_of_photo
    assert isinstance(photo.photo, BufferedInputFile)
    return photo.photo.data


@pytest.mark.usefixtures("a_week_of_sales")
async def test_stats_sends_the_chart_as_a_png_after_the_figures(owner: BotClient) -> None:
    requests = await owner.send("/stats 7d")

    assert [
        type(method) for method in requests if isinstance(method, SendMessage | SendPhoto)
    ] == [
        SendMessage,
        SendPhoto,
    ]
    [photo] = requests.of(SendPhoto)
    assert photo.chat_id == ADMIN_CHAT
    png = _png([photo])
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (1200, 900))
    first, last = utc_now().date() - timedelta(days=6), utc_now().date()
    assert image.info["Title"] == f"Figures for 7d ({first} – {last}), USD"
    assert owner.screen.last.kind == "photo"

    # The text before it says what the chart's days add up to.
    lines = last_text(owner).split("\n")
    assert lines[:5] == [
        "Figures for 7d",
        "Orders: 3",
        f"Revenue: {usd('1.96')}",
        f"Panel cost: {usd('1.50')}",
        f"Margin: {usd('0.46')}",
    ]
    assert lines[6:8] == [
        "Top-ups: ⭐ Stars 10.00 USD · 🪙 crypto 15.00 USD · 🏦 transfers 7.50 USD",
        "Promo credits: 3.50 USD",
    ]


async def test_a_period_without_sales_gives_an_empty_chart(
    owner: BotClient, services: Runtime
) -> None:
    chart = await services.admin_desk.sales_chart(Period.QUARTER)
    assert len(chart.days) == 90
    assert chart.days[-1].day == utc_now().date()
    assert all(day == ChartDay(day.day, ZERO, ZERO, NO_CREDITS) for day in chart.days)
    assert not chart.has_sales
    assert not chart.has_credits

    requests = await owner.send("/stats 90d")

    assert last_text(owner).startswith("Figures for 90d\nOrders: 0\nRevenue: 0.00 USD")
    png = _png(requests.of(SendPhoto))
    assert png.startswith(PNG_SIGNATURE)
    assert Image.open(io.BytesIO(png)).size == (1200, 900)


async def test_the_chart_speaks_the_admins_language(
    make_client: Callable[..., BotClient], services: Runtime
) -> None:
    await add_customer(services, ALICE, funds=Decimal(5))
    staff = make_client(user_id=STAFF, chat_id=ADMIN_CHAT, language_code="ru", username="ivan")

    requests = await staff.send("/stats")

    assert last_text(staff).startswith("Показатели за today\n")
    today = utc_now().date()
    title = Image.open(io.BytesIO(_png(requests.of(SendPhoto)))).info["Title"]
    assert title == f"Показатели за today ({today} – {today}), USD"


async def test_a_period_it_does_not_know_gets_the_usage_and_no_chart(owner: BotClient) -> None:
    for command in ("/stats 60d", "/stats week", "/stats 7d 30d"):
        requests = await owner.send(command)

        assert requests.of(SendPhoto) == [], command
        assert last_text(owner).startswith("Usage: /stats [today|7d|30d|90d]"), command


async def test_a_photo_telegram_refuses_leaves_the_figures_sent(
    owner: BotClient, services: Runtime
) -> None:
    await add_customer(services, ALICE, funds=Decimal(5))
    owner.session.fail_next(SendPhoto, bad_request("PHOTO_INVALID_DIMENSIONS"))

    requests = await owner.send("/stats")

    [text] = requests.of(SendMessage)
    assert text.chat_id == ADMIN_CHAT
    [refused] = [call for call in requests.calls if isinstance(call.method, SendPhoto)]
    assert not refused.ok
    assert last_text(owner).startswith("Figures for today\n")
    assert owner.screen.last.kind == "text"


def test_periods_are_whole_utc_days_ending_today() -> None:
    now = datetime(2025, 3, 10, 15, 42, 7, tzinfo=UTC)
    assert {period: period.since(now) for period in Period} == {
        Period.TODAY: datetime(2025, 3, 10, tzinfo=UTC),
        Period.WEEK: datetime(2025, 3, 4, tzinfo=UTC),
        Period.MONTH: datetime(2025, 2, 9, tzinfo=UTC),
        Period.QUARTER: datetime(2024, 12, 11, tzinfo=UTC),
    }
    # A moment given in another zone counts in UTC: 01:00 in Moscow is 22:00 the day before.
    moscow = datetime(2025, 3, 10, 1, 0, tzinfo=timezone(timedelta(hours=3)))
    assert Period.TODAY.since(moscow) == datetime(2025, 3, 9, tzinfo=UTC)


def test_an_idle_bot_does_not_load_the_plotting_library() -> None:
    """The whole bot, as its process imports it, without matplotlib; a chart drawn loads it."""
    script = textwrap.dedent(
        """
        import asyncio, sys
        from datetime import datetime, UTC
        import bot.__main__, bot.app, bot.runtime, handlers, shop.admin_desk
        assert "matplotlib" not in sys.modules, "matplotlib loaded at start"
        from shop.admin import Period
        from shop.charts import ChartLabels, CreditKind, chart_of, sales_picture
        from shop.money import Currency
        from shop.storage import DailySales
        assert "matplotlib" not in sys.modules, "matplotlib loaded with the chart's data"
        chart = chart_of(
            Period.WEEK, Currency("USD", 2), DailySales({}, {}, {}, {}), datetime.now(UTC)
        )
        labels = ChartLabels(
            "t", "s", "c", "r", "k", "m", {kind: kind.value for kind in CreditKind},
            "d", "a", "no sales", "no credits",
        )
        png = asyncio.run(sales_picture(chart, labels))
        assert png.startswith(b"\\x89PNG"), png[:8]
        assert "matplotlib" in sys.modules
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr
