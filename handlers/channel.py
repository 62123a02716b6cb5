"""The required channel, on Telegram's side: asking the Bot API who is in it, the gate in
front of ordering, and the customer's "Check again".

Handlers that start or confirm an order carry the flag :data:`MEMBERS_ONLY`; the gate lets
a customer through to them when :class:`~shop.membership.Membership` says they may order,
and otherwise answers with the channel's Join and Check again buttons.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final

import aiohttp
from aiogram import BaseMiddleware, Bot, Router
from aiogram.dispatcher.flags import get_flag
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import CallbackQuery, ChatMemberRestricted, Message, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_i18n import I18nContext

from handlers import keyboards
from handlers.callbacks import ChannelCb
from shop.display import escaped
from shop.membership import Answer, Channel, Membership, Standing

logger = logging.getLogger(__name__)

#: The handler flag of the steps only the channel's members may take.
MEMBERS_ONLY: Final = {"members_only": True}

_IN: Final = frozenset(
    {ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}
)
_RUNS_IT: Final = frozenset({ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR})
#: Telegram's answers meaning "this user is not there", not "you may not ask".
_NO_SUCH_MEMBER: Final = ("user not found", "participant_id_invalid")
_OUT_OF_REACH: Final = (
    TelegramRetryAfter,
    TelegramServerError,
    TelegramNetworkError,
    ClientDecodeError,
    aiohttp.ClientError,
    TimeoutError,
)
_REFUSED: Final = (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramUnauthorizedError,
)


class TelegramMembers:
    """The Bot API's answers about the channel, as the domain reads them."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def standing(self, channel: str | int, user_id: int) -> Answer:
        """Whether ``user_id`` is in ``channel``, by getChatMember."""
        try:
            member = await self._bot.get_chat_member(channel, user_id)
        except _REFUSED as exc:
            if any(words in exc.message.lower() for words in _NO_SUCH_MEMBER):
                return Answer(Standing.NOT_MEMBER)
            return Answer(Standing.REFUSED, exc.message)
        except _OUT_OF_REACH as exc:
            return Answer(Standing.UNREACHABLE, f"{type(exc).__name__}: {exc}")
        if member.status in _IN or (isinstance(member, ChatMemberRestricted) and member.is_member):
            return Answer(Standing.MEMBER)
        return Answer(Standing.NOT_MEMBER)

    async def bot_standing(self, channel: str | int) -> Answer:
        """MEMBER when the bot is an admin of ``channel``."""
        try:
            me = await self._bot.me()
            member = await self._bot.get_chat_member(channel, me.id)
        except _REFUSED as exc:
            return Answer(Standing.REFUSED, exc.message)
        except _OUT_OF_REACH as exc:
            return Answer(Standing.UNREACHABLE, f"{type(exc).__name__}: {exc}")
        if member.status in _RUNS_IT:
            return Answer(Standing.MEMBER)
        return Answer(Standing.REFUSED, "the bot is not an admin of the channel")

    async def describe(self, channel: str | int) -> Channel:
        """The channel's title and a link to join it, by getChat."""
        public = f"https://t.me/{channel[1:]}" if isinstance(channel, str) else None
        try:
            chat = await self._bot.get_chat(channel)
        except (*_REFUSED, *_OUT_OF_REACH) as exc:
            logger.warning("REQUIRED_CHANNEL %s not described: %s", channel, exc)
            return Channel(title=str(channel), link=public)
        link = f"https://t.me/{chat.username}" if chat.username else chat.invite_link
        return Channel(title=chat.title or str(channel), link=link or public)


class MembersOnly(BaseMiddleware):
    """In front of the handlers flagged :data:`MEMBERS_ONLY`: only the channel's members
    reach them; anyone else is shown how to join."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        membership: Membership | None = data.get("membership")
        if (
            membership is None
            or not membership.required
            or not get_flag(data, "members_only")
            or not isinstance(event, CallbackQuery)
        ):
            return await handler(event, data)
        lookup = TelegramMembers(data["bot"])
        if await membership.may_order(event.from_user.id, lookup):
            return await handler(event, data)
        i18n: I18nContext = data["i18n"]
        channel = await membership.channel(lookup)
        if isinstance(event.message, Message):
            await event.message.answer(
                i18n.get("channel-required", channel=escaped(channel.title)),
                reply_markup=keyboards.join_channel(i18n, channel.link),
            )
        return None


def guard(storefront: Router) -> None:
    """Put the gate in front of the storefront's members-only steps."""
    storefront.callback_query.middleware(MembersOnly())


def router() -> Router:
    """The customer's "Check again", on a new router."""
    channel = Router(name="channel")
    channel.callback_query.register(check_again, ChannelCb.filter())
    return channel


async def check_again(
    callback: CallbackQuery,
    bot: Bot,
    i18n: I18nContext,
    membership: Membership,
    callback_answer: CallbackAnswer,
) -> None:
    if not await membership.may_order(callback.from_user.id, TelegramMembers(bot), fresh=True):
        callback_answer.text = i18n.get("channel-not-yet")
        callback_answer.show_alert = True
        return
    if isinstance(callback.message, Message):
        await callback.message.edit_text(i18n.get("channel-joined"))
