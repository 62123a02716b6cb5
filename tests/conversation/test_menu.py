"""/start and the main menu, /help, leaving a form with /cancel or Cancel, referrals, the
bot's command list."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from aiogram import Bot
from aiogram.methods import SetMyCommands

from api import OrderType
from api.sandbox import SandboxPanel
from bot.app import Runtime
from handlers.menu import register_commands

from ..support.telegram import BotClient, RecordingSession, TelegramFailure, bad_request
from .shopping import (
    MENU,
    add_requests,
    answered_callbacks,
    reach_summary,
    row_count,
    service_of_type,
    start_order,
    unanswered_callbacks,
)


async def test_start_greets_the_customer_with_the_main_menu(alice: BotClient) -> None:
    await alice.send("/start")

    assert alice.screen.last.text == (
        "👋 Hello, Alice!\nOrder followers, likes, views and more for your social networks. "
        "Choose below, or just type what you are looking for."
    )
    assert alice.screen.last.buttons == MENU


async def test_a_name_with_html_is_shown_as_written(
    make_client: Callable[..., BotClient],
) -> None:
    tom = make_client(user_id=222, first_name="Tom & <Jerry>")

    await tom.send("/start")

    assert (tom.screen.last.text or "").startswith("👋 Hello, Tom & <Jerry>!\n")


async def test_help_explains_ordering_and_leads_back_to_the_menu(alice: BotClient) -> None:
    await alice.send("/help")
    assert (alice.screen.last.text or "").startswith("How ordering works\n1. Tap New order")
    assert alice.screen.last.buttons == [["🏠 Menu"]]

    await alice.click("Menu")
    assert alice.screen.last.buttons == MENU

    await alice.click("Help")
    assert (alice.screen.last.text or "").startswith("How ordering works")
    assert len(alice.screen.bot_messages) == 1  # screens replace each other in place


async def test_an_unknown_command_is_answered_with_the_ones_the_bot_knows(
    alice: BotClient,
) -> None:
    await alice.send("/start")
    await alice.send("/orders now")

    assert alice.screen.last.text == (
        "I don't know that command. /start opens the menu, /help tells how ordering works, "
        "/cancel stops an order."
    )
    assert alice.screen.last.buttons == [["🏠 Menu"]]
    await alice.click("Menu")
    assert alice.screen.last.buttons == MENU


# --- leaving a form ---------------------------------------------------------------------------

LINK = "https://instagram.com/shop.alice"
#: Answers that bring a drip-feed order to each of its steps.
STEPS = {
    "link": (),
    "quantity": (LINK,),
    "drip_feed": (LINK, "100"),
    "runs": (LINK, "100", "Yes"),
    "interval": (LINK, "100", "Yes", "3"),
}


async def _reach(client: BotClient, panel: SandboxPanel, answers: tuple[str, ...]) -> None:
    await start_order(
        client, panel, service_of_type(panel, OrderType.DEFAULT, lambda s: s.dripfeed)
    )
    for answer in answers:
        if answer == "Yes":
            await client.click("Yes")
        else:
            await client.send(answer)


@pytest.mark.parametrize("step", STEPS)
async def test_cancel_command_leaves_any_step_for_the_menu(
    step: str, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await _reach(alice, panel, STEPS[step])
    assert await alice.fsm_state() == f"DefaultForm:{step}"

    await alice.send("/cancel")

    assert [m.text for m in alice.screen.bot_messages[-2:]][0] == (
        "Cancelled. Nothing was ordered."
    )
    assert (alice.screen.last.text or "").startswith("👋 Hello, Alice!")
    assert alice.screen.last.buttons == MENU
    assert await alice.fsm_state() is None
    assert row_count(services, "quotes") == 0


@pytest.mark.parametrize("step", STEPS)
async def test_cancel_button_leaves_any_step_for_the_menu(
    step: str, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await _reach(alice, panel, STEPS[step])
    question = alice.screen.last

    await alice.click("Cancel")

    assert alice.screen.last is question
    assert (question.text or "").startswith("Cancelled. Nothing was ordered.\n\n👋 Hello, Alice!")
    assert question.buttons == MENU
    assert alice.last_answer_callback().text is None
    assert await alice.fsm_state() is None
    assert row_count(services, "quotes") == 0


async def test_cancel_on_the_summary_leaves_no_order(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await alice.send("/start")
    await reach_summary(alice, panel, service_of_type(panel, OrderType.DEFAULT))

    await alice.send("/cancel")

    assert alice.screen.last.buttons == MENU
    assert await alice.fsm_state() is None
    assert add_requests(panel) == []
    assert row_count(services, "orders") == 0


async def test_text_after_cancel_is_a_search_not_an_answer(
    alice: BotClient, panel: SandboxPanel
) -> None:
    await _reach(alice, panel, STEPS["quantity"])
    await alice.send("/cancel")

    await alice.send("1000")

    assert alice.screen.last.text == "🔎 Services matching “1000”:"
    assert await alice.fsm_state() is None


async def test_every_button_tapped_on_the_way_is_answered(
    alice: BotClient, panel: SandboxPanel
) -> None:
    await _reach(alice, panel, STEPS["interval"])
    await alice.click("Cancel")
    await alice.click("Language")
    await alice.click("Menu")

    assert len(answered_callbacks(alice)) == 8
    assert unanswered_callbacks(alice) == set()


# --- referrals --------------------------------------------------------------------------------


async def _referrer_of(services: Runtime, user_id: int) -> int | None:
    async with services.db.read() as r:
        user = await r.users.get(user_id)
    assert user is not None
    return user.referrer_id


async def test_a_new_customer_is_linked_to_the_customer_who_referred_them(
    make_client: Callable[..., BotClient], services: Runtime
) -> None:
    bob = make_client(user_id=222, first_name="Bob", username="bob")
    await bob.send("/start")
    alice = make_client()

    await alice.send("/start ref_222")

    assert (alice.screen.last.text or "").startswith("👋 Hello, Alice!")
    assert await _referrer_of(services, alice.user.id) == 222


async def test_nobody_refers_themselves(alice: BotClient, services: Runtime) -> None:
    await alice.send(f"/start ref_{alice.user.id}")

    assert alice.screen.last.buttons == MENU
    assert await _referrer_of(services, alice.user.id) is None


async def test_a_customer_who_was_here_before_is_not_linked_later(
    make_client: Callable[..., BotClient], services: Runtime
) -> None:
    await make_client(user_id=222, first_name="Bob", username="bob").send("/start")
    alice = make_client()
    await alice.send("/start")

    await alice.send("/start ref_222")

    assert await _referrer_of(services, alice.user.id) is None


@pytest.mark.parametrize(
    "parameter", ["ref_999", "ref_99999999999999999999999", "ref_abc", "ref_", "promo"]
)
async def test_an_unknown_or_malformed_referrer_is_ignored(
    parameter: str, alice: BotClient, services: Runtime
) -> None:
    await alice.send(f"/start {parameter}")

    assert alice.screen.last.buttons == MENU
    assert await _referrer_of(services, alice.user.id) is None


# --- the bot's commands -----------------------------------------------------------------------


async def test_commands_are_registered_in_each_language(
    bot: Bot, session: RecordingSession, services: Runtime
) -> None:
    await register_commands(bot, services.texts)

    registered = {
        call.language_code: [(c.command, c.description) for c in call.commands]
        for call in session.requests_of(SetMyCommands)
    }
    assert registered == {
        None: [
            ("start", "Open the shop menu"),
            ("support", "Write to the shop's staff"),
            ("cancel", "Stop the current order"),
            ("export", "Your orders and balance as a CSV file"),
            ("help", "How ordering works"),
        ],
        "ru": [
            ("start", "Открыть меню магазина"),
            ("support", "Написать сотрудникам магазина"),
            ("cancel", "Прервать текущий заказ"),
            ("export", "Ваши заказы и баланс в файле CSV"),
            ("help", "Как сделать заказ"),
        ],
    }


@pytest.mark.parametrize(
    "failure",
    [bad_request("BOT_COMMANDS_TOO_MUCH"), TelegramFailure(500, "Internal Server Error")],
)
async def test_a_refused_command_list_is_logged_and_start_up_goes_on(
    failure: TelegramFailure,
    bot: Bot,
    session: RecordingSession,
    services: Runtime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    session.fail_always(SetMyCommands, failure)

    with caplog.at_level(logging.WARNING, logger="handlers.menu"):
        await register_commands(bot, services.texts)

    assert len(session.requests_of(SetMyCommands)) == 2
    warnings = [r.getMessage() for r in caplog.records if r.name == "handlers.menu"]
    assert len(warnings) == 2
    assert all("were not set" in message for message in warnings)
    assert failure.description in warnings[0]


async def test_one_refused_language_does_not_stop_the_other(
    bot: Bot, session: RecordingSession, services: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    session.fail_next(SetMyCommands, bad_request("BOT_COMMAND_INVALID"))

    with caplog.at_level(logging.WARNING, logger="handlers.menu"):
        await register_commands(bot, services.texts)

    assert [call.ok for call in session.calls if isinstance(call.method, SetMyCommands)] == [
        False,
        True,
    ]
    assert len([r for r in caplog.records if r.name == "handlers.menu"]) == 1
