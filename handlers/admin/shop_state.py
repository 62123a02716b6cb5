"""/panel and /stats: the shop's state at a glance, and its figures over a period."""

from __future__ import annotations

import logging
from decimal import Decimal

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message
from aiogram_i18n import I18nContext

from handlers.admin.arguments import PERIOD_LINE, Arguments
from shop.admin import Period
from shop.admin_desk import AdminDesk
from shop.charts import ChartLabels, CreditKind, SalesChart
from shop.display import IN_LIST, PANEL_WORDS, escaped
from shop.topups import REASONS

logger = logging.getLogger(__name__)


async def panel_command(
    message: Message, *, i18n: I18nContext, admin_desk: AdminDesk, sandbox: bool
) -> None:
    """``sandbox``: the bot runs on its embedded sandbox panel, where nothing is bought."""
    status = await admin_desk.status()
    balance = (
        f"{status.panel_balance.balance} {escaped(status.panel_balance.currency, PANEL_WORDS)}"
        if status.panel_balance
        else i18n.get(
            "admin-panel-unreachable", error=escaped(status.panel_error or "", PANEL_WORDS)
        )
    )
    sandbox_line = i18n.get("admin-panel-sandbox") + "\n" if sandbox else ""
    await message.reply(
        sandbox_line
        + i18n.get(
            "admin-panel",
            url=escaped(status.panel_url, PANEL_WORDS),
            balance=balance,
            services=status.services_for_sale,
            stored=status.services_stored,
            synced=status.synced_at or "—",
            polled=status.last_poll_at.isoformat(timespec="seconds")
            if status.last_poll_at
            else "—",
            orders=status.active_orders,
            uncertain=status.uncertain_orders,
            refills=status.active_refills,
        )
    )


async def stats_command(
    message: Message, *, period: Period, i18n: I18nContext, admin_desk: AdminDesk
) -> None:
    figures = await admin_desk.sales(period)
    money = admin_desk.currency.format
    top = "\n".join(
        i18n.get("admin-stats-top", service_id=str(sid), name=escaped(name, IN_LIST), orders=count)
        for sid, name, count in figures.top_services
    )
    text = i18n.get(
        "admin-stats",
        period=period.value,
        orders=figures.orders,
        revenue=money(figures.revenue),
        cost=money(figures.panel_cost),
        margin=money(figures.margin),
        refunds=money(figures.refunded),
        topups=i18n.get(
            "admin-topups-by-method",
            **{
                method.value: money(figures.credits.get(reason, Decimal(0)))
                for method, reason in REASONS.items()
            },
        ),
        promo=money(figures.promo_credits),
        customers=figures.new_customers,
        top=top or "—",
    )
    if admin_desk.several_panels:
        text += "\n" + "\n".join(
            i18n.get(
                "admin-stats-panel",
                panel=name,
                revenue=money(panel.revenue),
                cost=money(panel.cost),
                margin=money(panel.margin),
            )
            for name, panel in figures.by_panel.items()
        )
    await message.reply(text)
    await send_chart(message, period, i18n=i18n, admin_desk=admin_desk)


async def send_chart(
    message: Message, period: Period, *, i18n: I18nContext, admin_desk: AdminDesk
) -> None:
    """The figures of ``period`` day by day, as a picture after the /stats text. A chart
    that cannot be drawn or sent is logged; the text has arrived already."""
    try:
        chart = await admin_desk.sales_chart(period)
        picture = await admin_desk.sales_picture(chart, chart_labels(chart, i18n))
    except Exception:
        # Whatever the plotting library raises, the owner keeps the text they asked for.
        logger.exception("the /stats chart of %s could not be drawn", period.value)
        return
    try:
        await message.answer_photo(
            BufferedInputFile(picture, filename=f"stats-{period.value}.png")
        )
    except TelegramAPIError as exc:
        logger.warning("the /stats chart of %s was not sent: %s", period.value, exc)


def chart_labels(chart: SalesChart, i18n: I18nContext) -> ChartLabels:
    """The words of ``chart`` in the reader's language."""
    currency = chart.currency.code
    return ChartLabels(
        title=i18n.get(
            "admin-chart-title",
            period=chart.period.value,
            first=chart.days[0].day.isoformat(),
            last=chart.days[-1].day.isoformat(),
            currency=currency,
        ),
        sales_title=i18n.get("admin-chart-sales"),
        credits_title=i18n.get("admin-chart-credits"),
        revenue=i18n.get("admin-chart-revenue"),
        cost=i18n.get("admin-chart-cost"),
        margin=i18n.get("admin-chart-margin"),
        kinds={kind: i18n.get(f"admin-chart-{kind.value}") for kind in CreditKind},
        days_axis=i18n.get("admin-chart-days"),
        amount_axis=i18n.get("admin-chart-amount", currency=currency),
        no_sales=i18n.get("admin-chart-no-sales"),
        no_credits=i18n.get("admin-chart-no-credits"),
    )


async def panels_command(message: Message, *, i18n: I18nContext, admin_desk: AdminDesk) -> None:
    """``/panels``: each panel's balance, reachability, services and active orders."""
    lines = [i18n.get("admin-panels")]
    for state in await admin_desk.panels_at_a_glance():
        balance = (
            f"{state.balance.balance} {escaped(state.balance.currency, PANEL_WORDS)}"
            if state.balance
            else i18n.get("admin-panel-unreachable", error=escaped(state.error or "", PANEL_WORDS))
        )
        lines.append(
            i18n.get(
                "admin-panels-line",
                name=state.name,
                url=escaped(state.url, PANEL_WORDS),
                balance=balance,
                services=state.services_listed,
                known=state.services_known,
                orders=state.active_orders,
            )
        )
    await message.reply("\n".join(lines))


def router() -> Router:
    """/panel, /panels and /stats."""
    shop_state = Router(name=__name__)
    shop_state.message.register(panel_command, Command("panel"))
    shop_state.message.register(panels_command, Command("panels"))
    shop_state.message.register(stats_command, Command("stats"), Arguments(period=PERIOD_LINE))
    return shop_state
