"""Showing a screen: edit the message in place where Telegram allows, else send a new one.

Callback queries are answered by the Dispatcher's ``CallbackAnswerMiddleware`` once the
handler is done; a handler that has something to say in the answer sets
``callback_answer.text``.

Telegram answers an edit or a send with the whole message, its keyboard included. aiogram
would build that into objects, a button at a time, for nobody: a screen is edited as
:class:`ScreenEdit` and sent as :class:`ScreenSend`, whose answers are taken as they come.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

logger = logging.getLogger(__name__)


class ScreenEdit(EditMessageText):
    """``editMessageText`` whose answer is not read: the edited message comes back as the
    JSON mapping Telegram sent (``True`` for an inline message), errors as they always do."""

    __returning__ = bool | dict[str, Any]


class ScreenSend(SendMessage):
    """``sendMessage`` whose answer is not read: the message sent comes back as the JSON
    mapping Telegram sent, errors as they always do."""

    __returning__ = dict[str, Any]


async def send(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """A new screen in the chat of ``message`` (in its topic, as ``message.answer`` sends)."""
    await ScreenSend(
        chat_id=message.chat.id,
        message_thread_id=message.message_thread_id if message.is_topic_message else None,
        business_connection_id=message.business_connection_id,
        text=text,
        reply_markup=markup,
    ).as_(message.bot)


async def show(
    callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the screen the button was on."""
    message = callback.message
    if isinstance(message, Message):
        try:
            await ScreenEdit(
                chat_id=message.chat.id,
                message_id=message.message_id,
                business_connection_id=message.business_connection_id,
                text=text,
                reply_markup=markup,
            ).as_(message.bot)
        except TelegramBadRequest as exc:
            if "not modified" in exc.message:
                return
            # Too old to edit, or deleted: the screen comes as a new message.
            logger.debug("cannot edit message %d: %s", message.message_id, exc.message)
            await send(message, text, markup)
    elif callback.bot is not None:
        await callback.bot.send_message(callback.from_user.id, text, reply_markup=markup)
