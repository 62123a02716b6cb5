"""An admin command with arguments it cannot use answers with its usage, and does nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from aiogram.methods import SendMessage

from api.sandbox import SandboxPanel
from bot.runtime import Runtime

from ..support.telegram import BotClient
from .conftest import ADMIN_CHAT
from .shop import add_customer, ledger_rows

USAGE = {
    "stats": (
        "/stats [today|7d|30d|90d] — sales, costs, margin, refunds, customers, and a chart of"
        " them by day"
    ),
    "order": "/order <shop or panel order id> — an order with its history and money",
    "attach": "/attach <order id> <panel order id> — an uncertain order was placed",
    "refund": "/refund <order id> [amount] — refund an uncertain order, or settle a held refund",
    "user": "/user <telegram id or @username> — a customer",
    "credit": "/credit <user> <amount> <reason> — add to a balance",
    "debit": "/debit <user> <amount> <reason> — take from a balance",
    "service": (
        "/service <id> [on|off] — sell a service or not; alone: where it is sold from, its"
        " alternatives"
    ),
    "price": "/price <id> <markup %>|reset — a service's own markup",
    "markup": "/markup <percent> — the default markup",
    "broadcast": "/broadcast (as a reply to a message) — send it to every customer",
    "refundstars": "/refundstars <user> <charge id> — return a Stars payment",
}

BAD_COMMANDS = [
    "/stats year",
    "/stats 7",
    "/stats 60d",
    "/order",
    "/order abc",
    "/order -5",
    "/order 99999999999999999999",
    "/attach",
    "/attach 1",
    "/attach x 23501",
    "/attach 1 y",
    "/attach 1 0",
    "/refund",
    "/refund one",
    "/refund 1 abc",
    "/refund 1 -0.5",
    "/refund 1 0.001",
    "/refund 1 0.5 extra",
    "/user",
    "/user al ice",
    "/user @a!",
    "/credit",
    "/credit 111",
    "/credit 111 abc x",
    "/credit 111 5",
    "/credit 111 -5 x",
    "/credit 111 0 x",
    "/credit 111 5.001 x",
    "/credit 111 1e30 x",
    "/credit 111 2000000000 x",
    "/credit 111 NaN x",
    "/credit 111 Infinity x",
    "/credit 99999999999999999999 5 x",
    "/credit @a 5 x",
    "/debit",
    "/debit 111",
    "/debit 111 abc x",
    "/debit 111 5",
    "/service",
    "/service 5 maybe",
    "/service x on",
    "/service 101 on now",
    "/price",
    "/price x 10",
    "/price 101",
    "/price 101 abc",
    "/price 101 -5",
    "/price 101 10001",
    "/price 101 reset now",
    "/markup",
    "/markup abc",
    "/markup 20000",
    "/markup -1",
    "/broadcast",
    "/broadcast Hello everyone",
    "/refundstars",
    "/refundstars 111",
    "/refundstars 111 charge-1 extra",
]


def _by_command() -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for command in BAD_COMMANDS:
        grouped.setdefault(command.split(maxsplit=1)[0].removeprefix("/"), []).append(command)
    return grouped


@pytest.mark.parametrize(("name", "commands"), list(_by_command().items()))
async def test_bad_arguments_get_the_usage_text_and_change_nothing(
    owner: BotClient, services: Runtime, panel: SandboxPanel, name: str, commands: list[str]
) -> None:
    await add_customer(services, 111, username="alice", funds=Decimal(10))
    panel.requests.clear()

    for command in commands:
        requests = await owner.send(command)

        [reply] = requests.of(SendMessage)
        assert (reply.chat_id, owner.screen.last.text) == (
            ADMIN_CHAT,
            f"Usage: {USAGE[name]}",
        ), command

    assert len(await ledger_rows(services, 111)) == 1
    async with services.db.read() as r:
        assert await r.services.count(available_only=True) == 34
        assert await r.meta.get("markup_percent") is None
        followers = await r.services.get(101)
        assert followers is not None
        assert followers.markup_override is None
        assert (await r.outbox.counts_by_state()) == {}
    assert panel.requests == []
