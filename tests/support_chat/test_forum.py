"""Support in an admin group with topics: one topic per customer, made on their first
message and reused; the staff's answers in it reach that customer, under the shop's name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from aiogram.methods import CopyMessage, CreateForumTopic, GetChat, SendMessage
from aiogram.types import Chat

from bot.notifier import Notifier
from bot.runtime import Runtime
from shop import support
from shop.storage import OutboxState

from ..support.telegram import BotClient, RecordingSession
from ..support.telegram.failures import BOT_BLOCKED, bad_request
from .conftest import ADMIN_CHAT, ALICE, BOB, deliver

RECEIVED = "✅ Your message reached the shop's staff. They answer here; you may keep writing."


async def _topic_of(services: Runtime, user_id: int) -> int | None:
    async with services.db.read() as r:
        return await r.support.topic(user_id, ADMIN_CHAT)


async def test_three_messages_at_once_make_one_topic_and_arrive_in_it_in_order(
    alice: BotClient, session: RecordingSession, notifier: Notifier, services: Runtime
) -> None:
    session.make_forum(ADMIN_CHAT)
    await alice.send("/support")
    assert (alice.screen.last.text or "").startswith("💬 Write to the shop's staff")
    sent = [await alice.send(text) for text in ("where is my order?", "it is #12", "thanks")]

    # One acknowledgement, for the message that opened the ticket.
    assert [m.text for r in sent for m in r.of(SendMessage)] == [RECEIVED]
    await deliver(notifier)

    [created] = session.requests_of(CreateForumTopic)
    assert (created.chat_id, created.name) == (ADMIN_CHAT, f"Alice · {ALICE}")
    thread = await _topic_of(services, ALICE)
    assert thread is not None
    copies = session.requests_of(CopyMessage)
    assert [(c.chat_id, c.from_chat_id, c.message_thread_id) for c in copies] == [
        (ADMIN_CHAT, ALICE, thread)
    ] * 3
    in_topic = [m for m in session.screen(ADMIN_CHAT).messages if m.thread_id == thread]
    assert [m.text for m in in_topic][1:] == ["where is my order?", "it is #12", "thanks"]
    header = in_topic[0].text or ""
    assert header.startswith(f"💬 Alice @alice · id {ALICE} · ticket #1")
    assert f"Orders and balance: /user {ALICE}" in header
    # The copies are the bot's: no customer's name on them but the header's.
    assert all(m.from_bot for m in in_topic)


async def test_answers_in_each_topic_reach_that_customer_under_the_shops_name(
    alice: BotClient,
    bob: BotClient,
    owner: BotClient,
    helper: BotClient,
    session: RecordingSession,
    notifier: Notifier,
    services: Runtime,
) -> None:
    session.make_forum(ADMIN_CHAT)
    for customer, text in ((alice, "Alice here"), (bob, "Bob here")):
        await customer.send("/support")
        await customer.send(text)
    await deliver(notifier)
    alice_topic, bob_topic = await _topic_of(services, ALICE), await _topic_of(services, BOB)
    assert None not in (alice_topic, bob_topic)
    assert alice_topic != bob_topic

    await helper.send("Bob, your order is on its way", thread_id=bob_topic)
    await owner.send("Alice, we refunded you", thread_id=alice_topic)
    await deliver(notifier)

    assert alice.screen.last.text == "Alice, we refunded you"
    assert bob.screen.last.text == "Bob, your order is on its way"
    # Copied, so neither staff member's name is shown: the bot sent them.
    assert alice.screen.last.sender.id == bob.screen.last.sender.id == services_bot_id(session)
    answers = [c for c in session.requests_of(CopyMessage) if c.from_chat_id == ADMIN_CHAT]
    assert sorted(c.chat_id for c in answers) == [ALICE, BOB]


def services_bot_id(session: RecordingSession) -> int:
    """The bot's own id, as the session signs its messages."""
    return next(m.sender.id for s in session.screens.values() for m in s.messages if m.from_bot)


async def test_an_answer_to_a_customer_who_blocked_the_bot_is_reported_in_the_topic(
    alice: BotClient,
    owner: BotClient,
    session: RecordingSession,
    notifier: Notifier,
    services: Runtime,
) -> None:
    session.make_forum(ADMIN_CHAT)
    await alice.send("/support")
    await alice.send("hello?")
    await deliver(notifier)
    thread = await _topic_of(services, ALICE)

    await owner.send("Hello Alice!", thread_id=thread)
    answer = session.screen(ADMIN_CHAT).messages[-1]
    session.fail_next(CopyMessage, BOT_BLOCKED)
    await deliver(notifier)

    note = session.screen(ADMIN_CHAT).last
    assert note.text == f"⚠️ Not delivered: Alice ({ALICE}) has blocked the bot."
    assert note.thread_id == thread
    assert note.reply_to is answer
    async with services.db.read() as r:
        customer = await r.users.get(ALICE)
        counts = await r.outbox.counts_by_state("support_answer")
    assert customer is not None
    assert customer.blocked
    assert counts == {OutboxState.DROPPED: 1}


async def test_a_deleted_topic_is_made_again_on_the_next_message(
    alice: BotClient, session: RecordingSession, notifier: Notifier, services: Runtime
) -> None:
    session.make_forum(ADMIN_CHAT)
    await alice.send("/support")
    await alice.send("first")
    await deliver(notifier)
    first = await _topic_of(services, ALICE)
    assert first is not None
    session.delete_topic(ADMIN_CHAT, first)

    await alice.send("second")
    await deliver(notifier)

    second = await _topic_of(services, ALICE)
    assert second not in (None, first)
    assert len(session.requests_of(CreateForumTopic)) == 2
    last = session.screen(ADMIN_CHAT).last
    assert (last.text, last.thread_id) == ("second", second)
    async with services.db.read() as r:
        # The header queued with "second", needless in a topic, is not sent.
        assert await r.outbox.counts_by_state("support_in") == {
            OutboxState.SENT: 3,
            OutboxState.DROPPED: 1,
        }


async def test_a_long_name_full_of_markup_is_cut_for_the_topic_and_escaped_in_the_header(
    make_client: Callable[..., BotClient], session: RecordingSession, notifier: Notifier
) -> None:
    name = '<b>Tom & "Jerry"</b> ' + "🦊" * 200
    tom = make_client(user_id=333, first_name=name, username=None)
    session.make_forum(ADMIN_CHAT)
    await tom.send("/support")
    await tom.send("hi")
    await deliver(notifier)

    [created] = session.requests_of(CreateForumTopic)
    assert len(created.name) == 128
    assert created.name.startswith('<b>Tom & "Jerry"</b> 🦊')
    assert created.name.endswith("… · 333")
    group = session.screen(ADMIN_CHAT).messages
    header = next(m for m in group if m.html and "ticket #" in m.html)
    assert (header.text or "").startswith('💬 <b>Tom & "Jerry"</b> 🦊')


async def test_when_topics_are_switched_off_messages_still_reach_the_group(
    alice: BotClient, session: RecordingSession, notifier: Notifier
) -> None:
    session.make_forum(ADMIN_CHAT)
    await alice.send("/support")
    await alice.send("first")  # queued for Alice's topic
    del session.topics[ADMIN_CHAT]  # the staff switch topics off before it is delivered
    await deliver(notifier)
    await alice.send("second")  # asked again: a plain group now
    await deliver(notifier)

    group = session.screen(ADMIN_CHAT).messages
    assert [(m.text or "").split("\n")[0] for m in group] == [
        f"💬 Alice @alice · id {ALICE} · ticket #1",
        "first",
        f"💬 Alice @alice · id {ALICE} · ticket #1",
        "second",
    ]
    assert all(m.thread_id is None for m in group)
    assert group[3].reply_to is group[2]


#: Telegram's accounts behind messages posted as a chat: an anonymous admin's, and a post
#: made as a channel.
GROUP_ANONYMOUS_BOT = 1087968824
CHANNEL_BOT = 136817688


async def test_an_anonymous_admins_answer_reaches_the_customer_and_bots_and_channels_do_not(
    alice: BotClient,
    make_client: Callable[..., BotClient],
    session: RecordingSession,
    notifier: Notifier,
    services: Runtime,
) -> None:
    session.make_forum(ADMIN_CHAT)
    await alice.send("/support")
    await alice.send("anyone there?")
    await deliver(notifier)
    thread = await _topic_of(services, ALICE)
    group = session.screen(ADMIN_CHAT).chat
    anonymous = make_client(
        user_id=GROUP_ANONYMOUS_BOT,
        chat_id=ADMIN_CHAT,
        first_name="Group",
        username="GroupAnonymousBot",
        is_bot=True,
    )
    channel_post = make_client(
        user_id=CHANNEL_BOT, chat_id=ADMIN_CHAT, first_name="Channel", is_bot=True
    )
    other_bot = make_client(
        user_id=5005, chat_id=ADMIN_CHAT, first_name="Helper bot", username="x_bot", is_bot=True
    )
    channel = Chat(id=-1001234, type="channel", title="Shop news")

    await other_bot.send("automated: order #5 synced", thread_id=thread)
    await channel_post.send("New services this week!", thread_id=thread, sender_chat=channel)
    await anonymous.send("We are on it, Alice", thread_id=thread, sender_chat=group)
    await deliver(notifier)

    answers = [c for c in session.requests_of(CopyMessage) if c.chat_id == ALICE]
    assert len(answers) == 1
    assert alice.screen.last.text == "We are on it, Alice"
    assert alice.screen.last.from_bot


#: What Telegram answers createForumTopic in a forum where the bot lacks "Manage topics".
NO_TOPIC_RIGHTS = bad_request("not enough rights to create a topic")
RIGHTS_ALERT = (
    "⚠️ The bot may not create topics in the admin group: not enough rights to create a"
    " topic. Customers' messages come under a header in General instead (answer by"
    " replying to them). For a topic per customer, give the bot the “Manage topics” right."
)


def _general(session: RecordingSession) -> list[str]:
    """What reached the group, each message by its first line."""
    return [(m.text or "").split("\n")[0] for m in session.screen(ADMIN_CHAT).messages]


@pytest.mark.parametrize("at_once", [False, True], ids=["one by one", "at once"])
async def test_without_the_right_to_manage_topics_each_message_comes_under_a_header(
    alice: BotClient, session: RecordingSession, notifier: Notifier, at_once: bool
) -> None:
    session.make_forum(ADMIN_CHAT)
    session.fail_always(CreateForumTopic, NO_TOPIC_RIGHTS)
    await alice.send("/support")
    for text in ("first", "second", "third"):
        await alice.send(text)
        if not at_once:
            await deliver(notifier)
    await deliver(notifier)

    header = f"💬 Alice @alice · id {ALICE} · ticket #1"
    group = session.screen(ADMIN_CHAT).messages
    conversation = [m for m in group if m.text != RIGHTS_ALERT]
    assert [(m.text or "").split("\n")[0] for m in conversation] == [
        header,
        "first",
        header,
        "second",
        header,
        "third",
    ]
    assert all(m.thread_id is None for m in group)
    assert [m.reply_to for m in conversation[1::2]] == conversation[0::2]
    assert [m.text for m in group].count(RIGHTS_ALERT) == 1
    assert len(session.requests_of(CreateForumTopic)) == 1
    assert len(session.requests_of(GetChat)) == 1


async def test_topics_refused_are_asked_for_again_later_and_the_admins_told_once_a_day(
    alice: BotClient,
    helper: BotClient,
    session: RecordingSession,
    notifier: Notifier,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What the shop learnt of the group is forgotten at once: each message asks again.
    monkeypatch.setattr(support, "TOPICS_RECHECK", timedelta(0))
    session.make_forum(ADMIN_CHAT)
    session.fail_always(CreateForumTopic, NO_TOPIC_RIGHTS)
    await alice.send("/support")
    await alice.send("first")
    await deliver(notifier)
    await alice.send("second")
    await deliver(notifier)
    assert len(session.requests_of(CreateForumTopic)) >= 2
    assert _general(session).count(RIGHTS_ALERT) == 1

    # The owner gives the bot the right: the next message opens Alice's topic.
    session.stop_failing(CreateForumTopic)
    await alice.send("third")
    await deliver(notifier)
    last = session.screen(ADMIN_CHAT).last
    assert last.text == "third"
    assert last.thread_id is not None
    in_topic = [m for m in session.screen(ADMIN_CHAT).messages if m.thread_id == last.thread_id]
    # A new topic starts with the header that says whose it is.
    assert [(m.text or "").split("\n")[0] for m in in_topic] == [
        f"💬 Alice @alice · id {ALICE} · ticket #1",
        "third",
    ]
    await helper.send("Hi Alice, how can we help?", thread_id=last.thread_id)
    await deliver(notifier)
    assert alice.screen.last.text == "Hi Alice, how can we help?"
