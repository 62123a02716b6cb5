"""What no other handler takes. A command the bot does not know: the reply names the ones
it does. Buttons from an old message, or forged: Telegram shows a spinner until a callback
query is answered, so each one gets a polite answer. Replies Telegram refused or lost (an
answer to a callback query too old to answer among them): the update is done with, and the
log says so in one line."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import ClientDecodeError, TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import CallbackQuery, ErrorEvent, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_i18n import I18nContext

from handlers.filters import Slash
from handlers.keyboards import back_to_menu

logger = logging.getLogger(__name__)


def router() -> Router:
    """The last handlers, on a new router."""
    fallback = Router(name="fallback")
    fallback.message.register(unknown_command, Slash())
    fallback.callback_query.register(outdated_button)
    fallback.errors.register(
        reply_not_delivered, ExceptionTypeFilter(TelegramAPIError, ClientDecodeError)
    )
    return fallback


async def unknown_command(message: Message, i18n: I18nContext) -> None:
    await message.answer(i18n.get("command-unknown"), reply_markup=back_to_menu(i18n))


async def outdated_button(
    callback: CallbackQuery, i18n: I18nContext, callback_answer: CallbackAnswer
) -> None:
    callback_answer.text = i18n.get("button-outdated")


async def reply_not_delivered(event: ErrorEvent) -> None:
    # A 5xx, a flood wait, a dropped connection or a proxy's HTML page while answering: the
    # customer misses this one answer and can ask again. Whatever the handler stored before
    # is kept; retrying here could answer twice. A fault of Telegram, not a bug of ours,
    # so no traceback.
    error = event.exception
    logger.warning(
        "update %d: answer not delivered: %s: %s",
        event.update.update_id,
        type(error).__name__,
        error,
    )
