"""/broadcast: a message sent to every customer through the outbox, within Telegram's
limits, with a progress message in the group that ends with the final counts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import Chat, MessageEntity, User
from aiohttp.test_utils import TestServer

import handlers.admin.broadcast as admin_broadcast
from bot.app import create_bot
from bot.notifier import Notifier, SendLimits
from bot.runtime import Runtime
from shop.storage import OutboxState

from ..support.telegram import BOT_BLOCKED, BotClient
from ..support.telegram.bot_api import BotApiDouble, create_bot_api_app
from ..support.telegram.limits import RateLimits
from .conftest import ADMIN_CHAT, OWNER
from .updates import command_message, update_of

#: The real limits run this many times faster, so 1,000 messages take seconds.
SCALE = 10


@pytest.fixture(autouse=True)
def quick_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin_broadcast, "PROGRESS_EVERY", 0.05)


async def _progress_done(services: Runtime) -> None:
    """Wait for the task that edits the progress message to see the broadcast end."""
    [follow] = [task for task in services.tasks if task.get_name().startswith("progress-")]
    await asyncio.wait_for(follow, 60)


async def _customers(services: Runtime, ids: range, *, blocked: bool = False) -> None:
    async with services.db.transaction() as tx:
        for user_id in ids:
            await tx.users.upsert(user_id, None, f"Customer {user_id}", "en")
            if blocked:
                await tx.users.set_blocked(user_id, True)


async def _blocked(services: Runtime, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` the shop has marked as having blocked the bot."""
    async with services.db.read() as r:
        users = [await r.users.get(user_id) for user_id in ids]
    return {user.id for user in users if user is not None and user.blocked}


async def test_broadcast_sends_the_replied_message_to_every_customer_and_counts(
    owner: BotClient, bot: Bot, services: Runtime
) -> None:
    await _customers(services, range(201, 204))
    await _customers(services, range(204, 205), blocked=True)
    notifier = Notifier(services.db, bot, SendLimits(per_second=1000, chat_interval_seconds=0))
    services.notifier = notifier
    source = command_message(
        owner.chat,
        owner.user,
        "Big sale today!",
        message_id=100,
        entities=[MessageEntity(type="bold", offset=0, length=8)],
    )

    requests = await owner.feed(
        update_of(
            command_message(owner.chat, owner.user, "/broadcast", message_id=101, reply_to=source)
        )
    )

    [started] = requests.of(SendMessage)
    assert (started.chat_id, started.text) == (ADMIN_CHAT, "📣 Broadcast to 3 customers started.")
    progress = owner.screen.last
    # The first customer has blocked the bot since the shop last heard from them.
    owner.session.fail_next(SendMessage, BOT_BLOCKED)
    while await notifier.deliver_due() == 0:
        pass
    await _progress_done(services)

    assert progress.text == (
        "📣 Broadcast finished: 2 delivered, 1 blocked the bot, 0 failed (of 3)."
    )
    for user_id in (202, 203):
        [message] = owner.session.screen(user_id).bot_messages
        assert message.html == "<b>Big sale</b> today!"
    assert owner.session.screen(201).bot_messages == []
    assert owner.session.screen(204).bot_messages == []
    assert await _blocked(services, range(201, 205)) == {201, 204}
    edits = owner.requests_of(EditMessageText)
    assert edits
    assert {edit.message_id for edit in edits} == {progress.message_id}


async def test_broadcast_to_no_customer_finishes_at_once(
    owner: BotClient, services: Runtime
) -> None:
    source = command_message(owner.chat, owner.user, "Anyone?", message_id=100)
    await owner.feed(
        update_of(
            command_message(owner.chat, owner.user, "/broadcast", message_id=101, reply_to=source)
        )
    )
    progress = owner.screen.last
    await _progress_done(services)
    assert progress.text == (
        "📣 Broadcast finished: 0 delivered, 0 blocked the bot, 0 failed (of 0)."
    )


# --- 1,000 customers, against a Bot API that enforces the limits ------------------------------

CUSTOMERS = range(10_001, 11_001)
#: Customers who blocked the bot at Telegram; the shop learns it from the 403.
BLOCKED_AT_TELEGRAM = frozenset(CUSTOMERS[::37])
#: Customers the shop already knows blocked the bot: not even queued.
KNOWN_BLOCKED = range(20_001, 20_011)
TEXT = "📣 <b>Spring sale</b>: 20 % off everything until Sunday!"


@pytest.fixture
async def bot_api() -> AsyncIterator[tuple[BotApiDouble, TestServer]]:
    double = BotApiDouble(limits=RateLimits.scaled(SCALE), blocked=set(BLOCKED_AT_TELEGRAM))
    server = TestServer(create_bot_api_app(double), host="127.0.0.1")
    await server.start_server()
    yield double, server
    await server.close()


async def test_a_broadcast_to_1000_customers_reaches_each_once_within_the_limits(
    services: Runtime,
    dispatcher: Dispatcher,
    bot_api: tuple[BotApiDouble, TestServer],
) -> None:
    double, server = bot_api
    await _customers(services, CUSTOMERS)
    await _customers(services, KNOWN_BLOCKED, blocked=True)
    settings = services.settings.model_copy(
        update={"telegram_api_url": str(server.make_url("")).rstrip("/")}
    )
    bot = create_bot(settings)
    services.notifier = Notifier(
        services.db,
        bot,
        SendLimits(
            per_second=30 * SCALE,
            chat_interval_seconds=1 / SCALE,
            group_per_minute=20 * SCALE,
        ),
    )
    delivering = asyncio.create_task(services.notifier.run())
    group = Chat(id=ADMIN_CHAT, type="supergroup", title="Shop staff")
    admin = User(id=OWNER, is_bot=False, first_name="Olga", language_code="en")
    # "📣 " is three UTF-16 code units long: the bold part is "Spring sale".
    source = command_message(
        group,
        admin,
        "📣 Spring sale: 20 % off everything until Sunday!",
        message_id=7,
        entities=[MessageEntity(type="bold", offset=3, length=11)],
    )
    try:
        await dispatcher.feed_update(
            bot,
            update_of(command_message(group, admin, "/broadcast", message_id=8, reply_to=source)),
        )
        await _progress_done(services)
    finally:
        delivering.cancel()
        await bot.session.close()

    reachable = [user_id for user_id in CUSTOMERS if user_id not in BLOCKED_AT_TELEGRAM]
    # Every reachable customer got the message exactly once; nobody else got anything.
    assert sorted(d.chat_id for d in double.deliveries if d.chat_id > 0) == reachable
    assert {d.text for d in double.deliveries if d.chat_id > 0} == {TEXT}
    # The bot kept within the limits: Telegram never had to refuse it with a 429.
    assert double.limit_refusals() == []
    assert services.notifier.counts.flood_waits == 0
    assert {r.chat_id for r in double.refusals} == set(BLOCKED_AT_TELEGRAM)
    blocked = await _blocked(services, [*CUSTOMERS, *KNOWN_BLOCKED])
    assert blocked == BLOCKED_AT_TELEGRAM | set(KNOWN_BLOCKED)
    async with services.db.read() as r:
        counts = await r.outbox.counts_by_state()
    assert counts == {
        OutboxState.SENT: len(reachable),
        OutboxState.DROPPED: len(BLOCKED_AT_TELEGRAM),
    }

    # The progress message in the group: started, edited as it went, then the final count.
    to_group = [
        (call.method, call.params["text"])
        for call in double.calls
        if call.method in {"sendMessage", "editMessageText"}
        and int(call.params["chat_id"]) == ADMIN_CHAT
    ]
    assert to_group[0] == ("sendMessage", "📣 Broadcast to 1,000 customers started.")
    edits = [text for method, text in to_group[1:] if method == "editMessageText"]
    assert len(edits) == len(to_group) - 1
    assert edits[-1] == (
        f"📣 Broadcast finished: {len(reachable)} delivered, {len(BLOCKED_AT_TELEGRAM)} "
        "blocked the bot, 0 failed (of 1,000)."
    )
    assert any(text.startswith("📣 Broadcast: ") for text in edits[:-1])


async def test_the_same_broadcast_command_delivered_twice_sends_once(
    owner: BotClient, services: Runtime
) -> None:
    await _customers(services, range(201, 204))
    source = command_message(owner.chat, owner.user, "Once only", message_id=100)
    update = update_of(
        command_message(owner.chat, owner.user, "/broadcast", message_id=101, reply_to=source)
    )

    await owner.feed(update)
    requests = await owner.feed(update)

    async with services.db.read() as r:
        assert await r.outbox.counts_by_state() == {OutboxState.PENDING: 3}
    [again] = requests.of(SendMessage)
    assert again.text == "📣 Broadcast to 3 customers started."
