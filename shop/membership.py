"""The required channel: when the owner sets ``REQUIRED_CHANNEL``, only its members may order.

The domain decides who may order; asking Telegram is the caller's part, through a
:class:`MemberLookup` (see ``handlers.channel``). The rules for what Telegram answers:

- a member (also the channel's owner, an admin, or a restricted member) may order, and is
  not asked about again for :data:`MEMBER_FOR`;
- someone who left, or never joined, or was banned from the channel may not; not kept, so
  the moment they join, their next tap lets them through;
- Telegram refuses to tell (the bot is not an admin of the channel, the channel is gone):
  nobody is turned away for the shop's own fault, and the admins are told, once a day;
- Telegram is out of reach: the customer is let through this time, and nothing is kept.
"""

from __future__ import annotations

import enum
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from shop.alerts import Alerts
from shop.storage import Database
from shop.storage.times import utc_now

logger = logging.getLogger(__name__)

#: How long a member is let through without asking Telegram again, in seconds.
MEMBER_FOR = 300.0
#: How long the channel's title and link are kept before Telegram is asked again, in seconds.
DESCRIBED_FOR = 600.0
#: How many members are remembered at once; the oldest are asked about again.
REMEMBERED = 10_000


class Standing(enum.Enum):
    """What Telegram says of a customer and the channel."""

    MEMBER = "member"
    NOT_MEMBER = "not_member"
    #: Telegram refuses the bot the answer: the shop's own setup is at fault.
    REFUSED = "refused"
    #: No answer: a network fault, a timeout, Telegram's server error.
    UNREACHABLE = "unreachable"


@dataclass(frozen=True, slots=True)
class Answer:
    """Telegram's answer about a customer, with its description when Telegram refused."""

    standing: Standing
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Channel:
    """The required channel as customers are shown it: its title and a link to join it
    (None when Telegram gave neither a public name nor an invite link)."""

    title: str
    link: str | None


class MemberLookup(Protocol):
    """Asks Telegram about the channel (the adapter over the Bot API)."""

    async def standing(self, channel: str | int, user_id: int) -> Answer:
        """Whether ``user_id`` is in ``channel``."""
        ...

    async def describe(self, channel: str | int) -> Channel:
        """The channel's title and join link."""
        ...

    async def bot_standing(self, channel: str | int) -> Answer:
        """MEMBER when the bot is an admin of ``channel`` (so it may ask who is in it),
        else REFUSED with the reason."""
        ...


class Membership:
    """Who may order, for a shop with a required channel (or None: everyone may)."""

    def __init__(self, channel: str | int | None, db: Database, alerts: Alerts) -> None:
        self._channel = channel
        self._db = db
        self._alerts = alerts
        # user id -> until when (monotonic) they count as a member.
        self._members: OrderedDict[int, float] = OrderedDict()
        self._described: Channel | None = None
        self._described_until = 0.0

    @property
    def required(self) -> bool:
        """True when ordering needs the channel."""
        return self._channel is not None

    async def may_order(self, user_id: int, lookup: MemberLookup, *, fresh: bool = False) -> bool:
        """True when ``user_id`` may order now. ``fresh`` asks Telegram even about a member
        it remembers (the customer's "Check again")."""
        if self._channel is None:
            return True
        now = time.monotonic()
        until = self._members.get(user_id)
        if not fresh and until is not None and until > now:
            return True
        answer = await lookup.standing(self._channel, user_id)
        if answer.standing is Standing.MEMBER:
            self._remember(user_id, now + MEMBER_FOR)
            return True
        self._members.pop(user_id, None)
        if answer.standing is Standing.NOT_MEMBER:
            return False
        if answer.standing is Standing.REFUSED:
            logger.error(
                "Telegram does not say who is in REQUIRED_CHANNEL %s: %s; ordering is open",
                self._channel,
                answer.detail,
            )
            await self.report_refusal(answer.detail)
        else:
            logger.warning("channel membership not checked (%s): let through", answer.detail)
        return True

    async def report_refusal(self, detail: str) -> None:
        """Tell the admins, once a day, that the channel cannot be checked."""
        async with self._db.transaction() as tx:
            await self._alerts.channel_unchecked(
                tx, str(self._channel), detail, utc_now().date().isoformat()
            )

    async def check_setup(self, lookup: MemberLookup) -> None:
        """At start: tell the admins if the bot cannot see who is in the channel."""
        if self._channel is None:
            return
        answer = await lookup.bot_standing(self._channel)
        if answer.standing is Standing.REFUSED:
            logger.error("REQUIRED_CHANNEL %s cannot be checked: %s", self._channel, answer.detail)
            await self.report_refusal(answer.detail)

    async def channel(self, lookup: MemberLookup) -> Channel:
        """The channel's title and link, asked of Telegram at most every
        :data:`DESCRIBED_FOR` (a title or link changed by the owner shows after that)."""
        now = time.monotonic()
        if self._described is None or now >= self._described_until:
            self._described = await lookup.describe(self._channel_or_fail())
            self._described_until = now + DESCRIBED_FOR
        return self._described

    def _channel_or_fail(self) -> str | int:
        if self._channel is None:
            raise LookupError("no channel is required")
        return self._channel

    def _remember(self, user_id: int, until: float) -> None:
        self._members[user_id] = until
        self._members.move_to_end(user_id)
        while len(self._members) > REMEMBERED:
            self._members.popitem(last=False)
