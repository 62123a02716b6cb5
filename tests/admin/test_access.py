"""Admin commands from anyone but an admin, or anywhere but the admin group, do nothing
and reveal nothing: no answer at all, no money moved, no switch thrown, no panel call."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from decimal import Decimal
from typing import Any

import pytest
from aiogram.methods import AnswerCallbackQuery, EditMessageText, GetMe, SendMessage

from api.sandbox import SandboxPanel
from bot.runtime import Runtime
from shop.payments import create_invoice, settle_payment
from shop.storage import OrderState

from ..support.telegram import BotClient
from .conftest import ADMIN_CHAT, OWNER, STRANGER
from .shop import LINK, add_customer, order, place, uncertain_order
from .updates import command_message, update_of

ALICE = 111

#: Each command as an admin would send it, with arguments that would change something.
COMMANDS = [
    "/panel",
    "/stats",
    "/stats 30d",
    "/order 2",
    "/unknown",
    "/attach 1 23501",
    "/refund 1",
    "/user 111",
    "/user @alice",
    "/credit 111 5 bonus",
    "/debit 111 5 correction",
    "/sync",
    "/service 101 off",
    "/price 101 50",
    "/price 101 reset",
    "/markup 40",
    "/refundstars 111 charge-1",
    "/promo new SUMMER 5",
    "/promo list",
    "/promo off SUMMER",
    "/broadcast",
    "/panel@shop_bot",
    "/credit",
    "/stats year",
]


def snapshot(services: Runtime, *, with_users: bool) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the shop's tables (the FSM's aside), read as another process would."""
    skipped = {"fsm", "schema_migrations", *(() if with_users else ("users",))}
    with closing(sqlite3.connect(services.settings.database_path)) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            if name not in skipped
        ]
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()  # noqa: S608
            for table in tables
        }


@pytest.fixture
async def shop_with_work(services: Runtime, panel: SandboxPanel) -> None:
    """Something for every command to act on: an uncertain order (1), an order the panel is
    working on (2), a paid Stars top-up, a customer with money."""
    await add_customer(services, ALICE, username="alice", funds=Decimal(10))
    await uncertain_order(services, panel, ALICE)
    await place(services, ALICE, link=f"{LINK}/2")
    invoice = await create_invoice(services.db, services.topup, ALICE, Decimal(5))
    await settle_payment(
        services.db,
        services.topup,
        ALICE,
        payload=invoice.id,
        charge_id="charge-1",
        stars=invoice.stars,
    )


UNKNOWN_COMMAND = (
    "I don't know that command. /start opens the menu, /help tells how ordering works, "
    "/cancel stops an order."
)


@pytest.fixture(params=["stranger in the group", "owner in private", "owner in another group"])
def outsider(request: pytest.FixtureRequest, make_client: Callable[..., BotClient]) -> BotClient:
    if request.param == "stranger in the group":
        return make_client(user_id=STRANGER, chat_id=ADMIN_CHAT, username="sam")
    if request.param == "owner in private":
        return make_client(user_id=OWNER, username="olga")
    return make_client(user_id=OWNER, chat_id=-100999, username="olga")


async def _send(client: BotClient, text: str, message_id: int) -> list[Any]:
    """``text`` from ``client`` (/broadcast as a reply to a message, as an admin would);
    the requests it made, but for ``getMe``: a command filter asks who the bot is to read
    ``/command@bot``, which reveals nothing."""
    if text == "/broadcast":
        source = command_message(client.chat, client.user, "Sale!", message_id=message_id)
        reply = command_message(
            client.chat, client.user, text, message_id=message_id + 1, reply_to=source
        )
        requests = await client.feed(update_of(reply))
    else:
        requests = await client.send(text)
    return [request for request in requests if not isinstance(request, GetMe)]


@pytest.mark.usefixtures("shop_with_work")
async def test_admin_commands_from_outside_do_nothing_and_answer_nothing(
    outsider: BotClient, services: Runtime, panel: SandboxPanel
) -> None:
    """Nothing is done and nothing about the commands is told: in a private chat they get
    what any command the storefront does not know gets, elsewhere no answer at all."""
    in_private = outsider.chat.type == "private"
    if in_private:
        # A customer's first message registers them, whatever it is; that is the storefront.
        await outsider.send("/start")
    before = snapshot(services, with_users=True)
    panel_calls = len(panel.requests)

    for number, command in enumerate(COMMANDS):
        requests = await _send(outsider, command, message_id=1000 + 2 * number)
        if in_private:
            [reply] = requests
            assert reply.text == UNKNOWN_COMMAND, command
        else:
            assert requests == [], (command, requests)

    assert snapshot(services, with_users=True) == before
    assert len(panel.requests) == panel_calls
    assert (await order(services, 1)).state is OrderState.UNKNOWN
    if not in_private:
        assert outsider.screen.bot_messages == []


async def test_help_outside_the_admin_group_is_not_the_admins_help(
    outsider: BotClient,
) -> None:
    requests = await outsider.send("/help")
    replies = [m.text or "" for m in requests.of(SendMessage)]
    if outsider.chat.type == "private":
        # The storefront's own help, for customers.
        [text] = replies
        assert "/panel" not in text
        assert "Shop commands" not in text
    else:
        assert list(requests) == []


@pytest.mark.usefixtures("shop_with_work")
async def test_the_order_buttons_work_for_admins_only(
    owner: BotClient,
    stranger: BotClient,
    owner_in_private: BotClient,
    services: Runtime,
    panel: SandboxPanel,
) -> None:
    await owner.send("/order 2")
    card = owner.screen.last
    before = snapshot(services, with_users=False)
    panel_calls = len(panel.requests)

    for label in ("Refresh", "Refill", "Cancel"):
        # Another member of the group taps the admin's buttons: nothing at all happens.
        assert list(await stranger.click(label, message=card)) == []
    # The same button pressed in a private chat (forged): only the storefront's "out of date".
    await owner_in_private.send("/start")
    requests = await owner_in_private.click_data("ao:cancel:2")
    assert requests.of(EditMessageText) == []
    [answer] = requests.of(AnswerCallbackQuery)
    assert answer.text == "This button is out of date. Open the menu to start again."

    assert snapshot(services, with_users=False) == before
    assert len(panel.requests) == panel_calls
    assert card.edits == 0
    # The admin's own tap works.
    await owner.click("Cancel", message=card)
    assert (card.text or "").endswith("\n\ncancel accepted by the panel")
    assert [r.action for r in panel.requests].count("cancel") == 1


async def test_in_the_admin_group_the_same_command_works_for_the_admin_only(
    owner: BotClient, stranger: BotClient, services: Runtime, panel: SandboxPanel
) -> None:
    await add_customer(services, ALICE, funds=Decimal(10))
    await uncertain_order(services, panel, ALICE)
    requests = await stranger.send("/refund 1")
    assert list(requests) == []
    requests = await owner.send("/refund 1")
    assert [m.text for m in requests.of(SendMessage)] == [
        "✅ Order #1 refunded: 1.17 USD back to the customer."
    ]
