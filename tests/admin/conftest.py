"""The shop with its admin group: the shared fixtures (``tests/conftest.py``) with the group,
its admins and the alert thresholds set.

``ADMIN_CHAT`` is the admin group; ``OWNER`` and ``STAFF`` are in ``ADMIN_IDS``;
``STRANGER`` is a member of the group who is not an admin.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from ..conftest import ADMIN_CHAT, PANEL_KEY, TOKEN
from ..support.telegram import BotClient

OWNER = 7001
STAFF = 7002
STRANGER = 7003
#: Orders at or above this price are reported to the group.
LARGE_ORDER_ALERT = Decimal(10)
#: The group is told when the panel's balance falls below this.
PANEL_BALANCE_ALERT = Decimal(50)

__all__ = ["ADMIN_CHAT", "OWNER", "PANEL_KEY", "STAFF", "STRANGER", "TOKEN"]


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {
        "admin_ids": (OWNER, STAFF),
        "large_order_alert": LARGE_ORDER_ALERT,
        "panel_balance_alert": PANEL_BALANCE_ALERT,
    }


@pytest.fixture
def owner(make_client: Callable[..., BotClient]) -> BotClient:
    """The owner, in the admin group."""
    return make_client(user_id=OWNER, chat_id=ADMIN_CHAT, first_name="Olga", username="olga")


@pytest.fixture
def stranger(make_client: Callable[..., BotClient]) -> BotClient:
    """A member of the admin group who is not in ADMIN_IDS."""
    return make_client(user_id=STRANGER, chat_id=ADMIN_CHAT, first_name="Sam", username="sam")


@pytest.fixture
def owner_in_private(make_client: Callable[..., BotClient]) -> BotClient:
    """The owner, writing to the bot in a private chat."""
    return make_client(user_id=OWNER, first_name="Olga", username="olga")
