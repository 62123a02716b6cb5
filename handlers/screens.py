"""Showing a screen: edit the message in place where Telegram allows, else send a new one.

Callback queries are answered by the Dispatcher's ``CallbackAnswerMiddleware`` once the
handler is done; a handler that has something to say in the answer sets
``callback_answer.text``.
"""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

logger = logging.getLogger(__name__)


async def show(
    callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the screen the button was on."""
    message = callback.message
    if isinstance(message, Message):
        try:
            await message.edit_text(text, reply_markup=markup)
        except TelegramBadRequest as exc:
            if "not modified" in exc.message:
                return
            # Too old to edit, or deleted: the screen comes as a new message.
            logger.debug("cannot edit message %d: %s", message.message_id, exc.message)
            await message.answer(text, reply_markup=markup)
    elif callback.bot is not None:
        await callback.bot.send_message(callback.from_user.id, text, reply_markup=markup)
