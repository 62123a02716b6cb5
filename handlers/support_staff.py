"""The staff's side of support, in the admin group: what a member of the group writes in a
customer's topic, or in reply to a customer's message, is copied to that customer under the
shop's name. ``/close`` and ``/tickets`` are admin commands (:mod:`handlers.admin.support`).

A member writes as themselves, or, as an admin who chose to remain anonymous, as the group
itself (Telegram then names its GroupAnonymousBot as the sender); what other bots post, and
posts made as a channel, are nobody's answer.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import Message

from handlers.filters import ContentIn, Slash
from handlers.support import RELAYED
from shop.support import SupportDesk


def router() -> Router:
    """Staff answers, on a new router (its parent filters on the admin group)."""
    staff = Router(name=__name__)
    staff.message.register(
        answer,
        from_staff,
        ContentIn(RELAYED),
        ~Slash(),
    )
    return staff


async def from_staff(message: Message) -> bool:
    """Whether a member of the group wrote ``message``: a person, or an anonymous admin
    (posting as the group); not a bot, nor a post made as a channel."""
    if message.sender_chat is not None:
        return message.sender_chat.id == message.chat.id
    return message.from_user is not None and not message.from_user.is_bot


def thread_of(message: Message) -> int | None:
    """The forum topic the message is in (None: the General topic or a plain group)."""
    return message.message_thread_id if message.is_topic_message else None


def replied_to(message: Message) -> int | None:
    """The id of the message this one replies to, if any."""
    return None if message.reply_to_message is None else message.reply_to_message.message_id


async def answer(message: Message, support_desk: SupportDesk) -> None:
    """A staff member wrote: a copy goes to the customer it is about, if any."""
    await support_desk.answer(
        message.chat.id,
        message.message_id,
        thread_id=thread_of(message),
        reply_to=replied_to(message),
    )
