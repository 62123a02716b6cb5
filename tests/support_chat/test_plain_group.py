"""Support in an admin group without topics: each customer message comes under a header
naming the customer, and a reply to either reaches that customer, also after a restart."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.methods import CopyMessage, CreateForumTopic

from bot.app import create_dispatcher, open_runtime
from bot.config import Settings
from bot.notifier import Notifier
from bot.runtime import Runtime
from shop.storage import OutboxState

from ..support.telegram import BotClient, RecordingSession
from ..support.telegram.failures import TelegramFailure, bad_request
from .conftest import ADMIN_CHAT, ALICE, BOB, OWNER, deliver, notifier_of


async def test_each_message_comes_under_a_header_and_replies_to_either_reach_the_customer(
    alice: BotClient,
    bob: BotClient,
    helper: BotClient,
    session: RecordingSession,
    notifier: Notifier,
) -> None:
    await alice.send("/support")
    await alice.send("my order is stuck")
    await bob.send("/support")
    await bob.send_photo("screenshot of the problem")
    await alice.send("order #7")
    await deliver(notifier)

    group = session.screen(ADMIN_CHAT).messages
    assert [(m.kind, (m.text or "").split("\n")[0]) for m in group] == [
        ("text", f"💬 Alice @alice · id {ALICE} · ticket #1"),
        ("text", "my order is stuck"),
        ("text", f"💬 Bob · id {BOB} · ticket #2"),
        ("photo", "screenshot of the problem"),
        ("text", f"💬 Alice @alice · id {ALICE} · ticket #1"),
        ("text", "order #7"),
    ]
    # Each copy replies to its header.
    assert [m.reply_to for m in group[1::2]] == group[0::2]
    assert session.requests_of(CreateForumTopic) == []

    await helper.send("Checking it now", reply_to=group[1])
    await helper.send("Which account?", reply_to=group[2])
    await deliver(notifier)

    assert alice.screen.last.text == "Checking it now"
    assert bob.screen.last.text == "Which account?"


async def test_a_message_that_replies_to_no_customer_goes_nowhere(
    alice: BotClient, helper: BotClient, session: RecordingSession, notifier: Notifier
) -> None:
    await alice.send("/support")
    await alice.send("hello")
    await deliver(notifier)
    session.clear()

    await helper.send("chat among the staff")
    await helper.send("a reply to staff chat", reply_to=session.screen(ADMIN_CHAT).messages[-1])
    await deliver(notifier)

    assert session.requests_of(CopyMessage) == []
    assert alice.screen.last.text != "chat among the staff"


async def test_a_reply_finds_its_customer_after_a_restart(
    alice: BotClient,
    session: RecordingSession,
    notifier: Notifier,
    services: Runtime,
    settings: Settings,
    bot: Bot,
) -> None:
    await alice.send("/support")
    await alice.send("still waiting")
    await deliver(notifier)
    copy = session.screen(ADMIN_CHAT).last
    await services.aclose()

    restarted = await open_runtime(settings)
    try:
        owner = BotClient(
            create_dispatcher(restarted), bot, user_id=OWNER, chat_id=ADMIN_CHAT, first_name="O"
        )
        await owner.send("Sorry for the wait, done now", reply_to=copy)
        await deliver(notifier_of(restarted, bot))
    finally:
        await restarted.aclose()

    assert alice.screen.last.text == "Sorry for the wait, done now"


@pytest.mark.parametrize(
    "refusal",
    [None, bad_request("message can't be copied")],
    ids=["deleted", "not copyable"],
)
async def test_a_message_that_cannot_be_copied_fails_at_once_and_the_group_gets_the_rest(
    alice: BotClient,
    bob: BotClient,
    session: RecordingSession,
    notifier: Notifier,
    services: Runtime,
    refusal: TelegramFailure | None,
) -> None:
    await alice.send("/support")
    await alice.send("oops, wrong chat")
    if refusal is None:
        # Alice deletes her message before the bot copies it: Telegram answers
        # "message to copy not found".
        alice.screen.messages.remove(alice.screen.messages[-2])
    else:
        session.fail_next(CopyMessage, refusal)
    await bob.send("/support")
    await bob.send("where is my order?")
    async with services.db.transaction() as tx:
        await services.alerts.polls_failing(tx, "today", 3, "timeout")
    await deliver(notifier)

    # Not tried again and again: the group's other messages went out in the same round.
    assert [c.chat_id for c in session.requests_of(CopyMessage)] == [ADMIN_CHAT, ADMIN_CHAT]
    group = session.screen(ADMIN_CHAT).messages
    assert [(m.text or "").split("\n")[0] for m in group] == [
        f"💬 Alice @alice · id {ALICE} · ticket #1",
        f"💬 Bob · id {BOB} · ticket #2",
        "where is my order?",
        "🛑 The panel has not answered 3 status checks in a row: timeout",
    ]
    async with services.db.read() as r:
        copy = await r.outbox.get(2)
    assert copy is not None
    assert (copy.copy_from_chat_id, copy.state, copy.attempts) == (ALICE, OutboxState.FAILED, 1)
    assert copy.last_error is not None
    assert ("message to copy not found" if refusal is None else "can't be copied") in (
        copy.last_error
    )


async def test_other_errors_of_a_copy_are_still_tried_again(
    alice: BotClient, session: RecordingSession, notifier: Notifier, services: Runtime
) -> None:
    await alice.send("/support")
    await alice.send("hello")
    session.fail_next(CopyMessage, bad_request("some other problem"))
    await deliver(notifier)

    async with services.db.read() as r:
        copy = await r.outbox.get(2)
    assert copy is not None
    assert (copy.state, copy.attempts) == (OutboxState.PENDING, 1)


async def test_after_the_admin_group_changes_its_old_messages_match_no_reply_in_the_new_one(
    alice: BotClient,
    session: RecordingSession,
    notifier: Notifier,
    services: Runtime,
    settings: Settings,
    bot: Bot,
) -> None:
    await alice.send("/support")
    await alice.send("my order is stuck")
    await deliver(notifier)
    old = session.screen(ADMIN_CHAT).messages
    assert [m.message_id for m in old] == [1, 2]  # the header and the copy
    await services.aclose()

    # The shop moves its staff to a new group, whose messages Telegram numbers from 1 too.
    new_group = -100_600
    moved = settings.model_copy(update={"admin_chat_id": new_group})
    restarted = await open_runtime(moved)
    try:
        dispatcher = create_dispatcher(restarted)
        owner = BotClient(dispatcher, bot, user_id=OWNER, chat_id=new_group, first_name="O")
        await owner.send("hello team")
        await owner.send("the supplier is late today")
        first, second = session.screen(new_group).messages
        assert (first.message_id, second.message_id) == (1, 2)
        await owner.send("agreed", reply_to=second)
        await owner.send("/close", reply_to=first)
        await deliver(notifier_of(restarted, bot))
        async with restarted.db.read() as r:
            ticket = await r.support.open_ticket(ALICE)
    finally:
        await restarted.aclose()

    assert [c for c in session.requests_of(CopyMessage) if c.chat_id == ALICE] == []
    assert alice.screen.last.text != "agreed"
    assert (owner.screen.last.text or "").startswith("No open ticket here.")
    assert ticket is not None
