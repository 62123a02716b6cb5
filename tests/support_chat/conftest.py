"""A shop whose customers write to the staff: the admin group (a forum where a test makes it
one), its owner in ``ADMIN_IDS``, a staff member who is only a member of the group, two
customers, and the notifier that delivers what the conversations queue."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aiogram import Bot

from bot.notifier import Notifier, SendLimits
from bot.runtime import Runtime

from ..conftest import ADMIN_CHAT
from ..support.telegram import BotClient

OWNER = 7001
#: A member of the admin group who is not in ADMIN_IDS: answers customers, runs no command.
HELPER = 7003
ALICE = 111
BOB = 222
#: Customer messages relayed a minute, in these tests.
PER_MINUTE = 4

__all__ = ["ADMIN_CHAT", "ALICE", "BOB", "HELPER", "OWNER", "PER_MINUTE"]


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"admin_ids": (OWNER,), "support_per_minute": PER_MINUTE}


@pytest.fixture
def owner(make_client: Callable[..., BotClient]) -> BotClient:
    """The owner, in the admin group."""
    return make_client(user_id=OWNER, chat_id=ADMIN_CHAT, first_name="Olga", username="olga")


@pytest.fixture
def helper(make_client: Callable[..., BotClient]) -> BotClient:
    """A staff member in the admin group, not an admin."""
    return make_client(user_id=HELPER, chat_id=ADMIN_CHAT, first_name="Sam", username="sam")


@pytest.fixture
def alice(make_client: Callable[..., BotClient]) -> BotClient:
    return make_client(user_id=ALICE, first_name="Alice", username="alice")


@pytest.fixture
def bob(make_client: Callable[..., BotClient]) -> BotClient:
    return make_client(user_id=BOB, first_name="Bob", username=None)


#: No pauses between sends: the tests look at what is sent, not when.
UNPACED = SendLimits(per_second=10_000, chat_interval_seconds=0, group_per_minute=10_000)


def notifier_of(runtime: Runtime, bot: Bot) -> Notifier:
    """The notifier as the bot runs it, without the pauses between sends."""
    return Notifier(runtime.db, bot, UNPACED, support=runtime.support_desk)


@pytest.fixture
def notifier(services: Runtime, bot: Bot) -> Notifier:
    services.notifier = notifier_of(services, bot)
    return services.notifier


async def deliver(notifier: Notifier) -> None:
    """Deliver the outbox until nothing is left that is due."""
    while await notifier.deliver_due() == 0:
        pass
