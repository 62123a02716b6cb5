"""/help, /panel and /stats from an admin in the admin group."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import timedelta
from decimal import Decimal

from aiogram import Dispatcher
from aiogram.methods import SendMessage

from api.sandbox import PARTIAL_MARKER, Fault, ManualClock, SandboxPanel
from bot.runtime import Runtime
from shop.storage import utc_now
from shop.storage.times import to_db_time

from ..support.telegram import BotClient
from .conftest import ADMIN_CHAT, PANEL_KEY, STAFF
from .shop import LINK, add_customer, last_text, place, uncertain_order

ALICE, BOB = 111, 222

HELP_EN = """Shop commands (this group only)
/panel — the panel's balance and the shop's state
/stats [today|7d|30d|90d] — sales, costs, margin, refunds, customers, and a chart of them by day
/order <shop or panel order id> — an order with its history and money
/unknown — orders whose placement is uncertain
/attach <order id> <panel order id> — an uncertain order was placed
/refund <order id> [amount] — refund an uncertain order, or settle a held refund
/user <telegram id or @username> — a customer
/credit <user> <amount> <reason> — add to a balance
/debit <user> <amount> <reason> — take from a balance
/sync — take the catalogue from the panel now
/service <id> [on|off] — sell a service or not; alone: where it is sold from, its alternatives
/price <id> <markup %>|reset — a service's own markup
/markup <percent> — the default markup
/desc <service> [text|reset] — the shop's own description of a service, shown instead of the panel's; alone: both
/broadcast (as a reply to a message) — send it to every customer
/refundstars <user> <charge id> — return a Stars payment
/payments — transfers waiting for a decision
/approve <request> [amount] — confirm a transfer, crediting the amount asked or another
/reject <request> [reason] — turn a transfer down; the customer is told the reason
/receipt <request> — post a waiting transfer's receipt and buttons again
/promo new <CODE> <amount|percent%> [uses] [days] · /promo list · /promo off <CODE> — promo codes: an amount credited at once, or a percent on the next top-up
/ban <user> [reason] — serve a customer nothing more; their running orders go on, their balance stays
/unban <user> — serve a banned customer again
/banned — the banned customers, latest first
/export orders|ledger|customers [from] [to] — a CSV file; days as YYYY-MM-DD in UTC, both included (from: the beginning, to: today when left out)
/tickets — open support conversations, oldest first
/close — in a customer's topic (or in reply to their message): end their conversation"""  # noqa: E501


async def test_help_lists_every_command_in_the_admins_language(
    owner: BotClient, make_client: Callable[..., BotClient]
) -> None:
    requests = await owner.send("/help")
    [reply] = requests.of(SendMessage)
    assert reply.chat_id == ADMIN_CHAT
    assert owner.screen.last.text == HELP_EN
    # It answers the command it was asked by, as a reply.
    assert reply.reply_parameters is not None

    staff = make_client(user_id=STAFF, chat_id=ADMIN_CHAT, language_code="ru", username="ivan")
    await staff.send("/help")
    text = staff.screen.last.text or ""
    assert text.startswith("Команды магазина (только в этой группе)\n/panel — баланс панели")
    assert text.count("\n/") == HELP_EN.count("\n/")

    # Addressed to the bot by its username, as group members often do.
    await owner.send("/help@shop_bot")
    assert owner.screen.last.text == HELP_EN


async def test_panel_shows_the_panels_balance_and_the_shops_counts(
    owner: BotClient, services: Runtime, panel: SandboxPanel
) -> None:
    await add_customer(services, ALICE, funds=Decimal(10))
    await place(services, ALICE)
    await uncertain_order(services, panel, ALICE, link=f"{LINK}/2")
    await owner.send("/service 102 off")
    # One poll of the tracker's own loop, so the last status check has a time.
    loop = asyncio.create_task(services.tracker.run(3600))
    while services.tracker.last_poll_at is None:
        await asyncio.sleep(0.01)
    loop.cancel()

    await owner.send("/panel")

    lines = (owner.screen.last.text or "").split("\n")
    assert lines[0] == f"Panel {services.settings.panel_api_url}"
    # Two orders of 0.90 at the panel: the one placed, and the uncertain one it took.
    assert lines[1] == "Balance: 99998.20000 USD"
    assert lines[2] == "Services for sale: 33 (of 34 known)"
    assert re.fullmatch(r"Catalogue taken: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", lines[3])
    assert re.fullmatch(r"Last status check: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", lines[4])
    assert lines[5] == "Active orders: 1 · uncertain: 1 · refills: 0"
    assert PANEL_KEY not in (owner.screen.last.text or "")


async def test_panel_shows_the_panels_currency_as_the_panel_wrote_it(
    owner: BotClient, panel: SandboxPanel
) -> None:
    panel.add_account(PANEL_KEY, Decimal("100.84292"), currency='<b>US$& "cents"')

    await owner.send("/panel")

    lines = (owner.screen.last.text or "").split("\n")
    assert lines[1] == 'Balance: 100.84292 <b>US$& "cents"'
    assert lines[2] == "Services for sale: 34 (of 34 known)"


async def test_panel_says_when_the_panel_does_not_answer(
    owner: BotClient, panel: SandboxPanel
) -> None:
    panel.faults.add(Fault.html_502(action="balance", times=1))
    await owner.send("/panel")
    lines = (owner.screen.last.text or "").split("\n")
    assert lines[1].startswith("Balance: not available (")
    assert "502" in lines[1]
    assert lines[2] == "Services for sale: 34 (of 34 known)"
    assert lines[4:] == ["Last status check: —", "Active orders: 0 · uncertain: 0 · refills: 0"]


def _backdate_customer(services: Runtime, user_id: int, days: int) -> None:
    with closing(sqlite3.connect(services.settings.database_path)) as connection:
        connection.execute(
            "UPDATE users SET created_at = ? WHERE id = ?",
            (to_db_time(utc_now() - timedelta(days=days)), user_id),
        )
        connection.commit()


async def test_stats_reports_the_period_asked_for(
    owner: BotClient, services: Runtime, panel: SandboxPanel, clock: ManualClock
) -> None:
    await add_customer(services, ALICE, funds=Decimal(10))
    await add_customer(services, BOB)
    _backdate_customer(services, BOB, days=10)
    # Completed: 1.17 charged, 0.90 cost.
    await place(services, ALICE)
    # Partly delivered: 1.17 charged, 333 of 1000 undelivered, so 0.38 refunded and the
    # panel charged for the 667 delivered: 0.6003.
    partial = await place(services, ALICE, link=f"{LINK}?{PARTIAL_MARKER}")
    assert partial.order.panel_order_id is not None
    panel.force_outcome(partial.order.panel_order_id, "partial", remains=333)
    # Refused by the panel: 0.59 charged and refunded, not counted as an order.
    panel.faults.add(Fault.error("Incorrect link", action="add", times=1))
    await place(services, ALICE, link=f"{LINK}/refused", service_id=102)
    clock.advance(panel.pending_seconds + panel.progress_seconds + 5)
    await services.tracker.poll_once()

    await owner.send("/stats")
    today = last_text(owner)
    assert today == (
        "Figures for today\n"
        "Orders: 2\n"
        "Revenue: 1.96 USD\n"
        "Panel cost: 1.50 USD\n"
        "Margin: 0.46 USD\n"
        "Refunds: 0.97 USD\n"
        "Top-ups: ⭐ Stars 10.00 USD · 🪙 crypto 0.00 USD · 🏦 transfers 0.00 USD\n"
        "Promo credits: 0.00 USD\n"
        "New customers: 1\n"
        "Top services:\n"
        "#101 Instagram Followers [Real] [30 days refill]: 2"
    )
    await owner.send("/stats today")
    assert last_text(owner) == today
    await owner.send("/stats 7d")
    assert last_text(owner) == today.replace("for today", "for 7d")
    await owner.send("/stats 30D")
    assert last_text(owner) == today.replace("for today", "for 30d").replace(
        "New customers: 1", "New customers: 2"
    )


async def test_stats_of_a_shop_without_sales(owner: BotClient) -> None:
    await owner.send("/stats 30d")
    assert last_text(owner) == (
        "Figures for 30d\nOrders: 0\nRevenue: 0.00 USD\nPanel cost: 0.00 USD\n"
        "Margin: 0.00 USD\nRefunds: 0.00 USD\n"
        "Top-ups: ⭐ Stars 0.00 USD · 🪙 crypto 0.00 USD · 🏦 transfers 0.00 USD\n"
        "Promo credits: 0.00 USD\nNew customers: 0\nTop services:\n—"
    )


async def test_panel_says_so_when_the_shop_runs_on_its_sandbox(
    owner: BotClient, services: Runtime, dispatcher: Dispatcher
) -> None:
    # As create_dispatcher puts it for a shop started with --sandbox.
    dispatcher["sandbox"] = True
    await owner.send("/panel")
    lines = (owner.screen.last.text or "").split("\n")
    assert lines[0].startswith("🧪 SANDBOX: the panel is a sandbox inside the bot.")
    assert lines[1] == f"Panel {services.settings.panel_api_url}"
