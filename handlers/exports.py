"""/export and the Balance screen's "Export CSV": the customer's own orders and balance
movements as a CSV document; and the sending of any export, the staff's included."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

from aiogram import Bot, Router
from aiogram.exceptions import ClientDecodeError, TelegramAPIError
from aiogram.filters import Command
from aiogram.types import CallbackQuery, FSInputFile, Message
from aiogram_i18n import I18nContext

from handlers.callbacks import ExportCb
from shop.exports import ExportFile, ExportJob, ExportRefused, Exports
from shop.storage import UserRow

logger = logging.getLogger(__name__)

#: How long an upload may take: a 50 MB file on a slow link takes minutes.
UPLOAD_SECONDS: Final = 600


def router() -> Router:
    """The customer's export, by command and by button, on a new router."""
    exports = Router(name="exports")
    exports.message.register(export_command, Command("export"))
    exports.callback_query.register(export_button, ExportCb.filter())
    return exports


def refusal_text(i18n: I18nContext, refused: ExportRefused) -> str:
    """Why no export came, in plain words."""
    return i18n.get(f"export-{refused.problem.value}", seconds=refused.wait_seconds)


def topic_of(message: Message) -> int | None:
    """The forum topic ``message`` was written in, where an answer to it belongs; None in
    General or a chat without topics (a reply thread outside a forum is no topic)."""
    return message.message_thread_id if message.is_topic_message else None


async def send_export(
    bot: Bot,
    chat_id: int,
    job: ExportJob,
    i18n: I18nContext,
    caption: Callable[[ExportFile], str],
    *,
    topic: int | None = None,
) -> None:
    """ "Preparing…", then the export as a document with ``caption(file)``, or why none came,
    all in the forum topic ``topic`` when given. The file is deleted afterwards, whatever
    happened."""
    await bot.send_message(chat_id, i18n.get("export-preparing"), message_thread_id=topic)
    try:
        async with job.written() as export:
            text = caption(export)
            if export.zipped:
                text += "\n" + i18n.get("export-zipped")
            await bot.send_document(
                chat_id,
                FSInputFile(export.path, filename=export.file_name),
                message_thread_id=topic,
                caption=text,
                request_timeout=UPLOAD_SECONDS,
            )
    except ExportRefused as refused:
        await bot.send_message(chat_id, refusal_text(i18n, refused), message_thread_id=topic)
    except (TelegramAPIError, ClientDecodeError) as exc:
        logger.warning("an export to chat %d was not sent: %s", chat_id, exc)
        await bot.send_message(chat_id, i18n.get("export-not-sent"), message_thread_id=topic)


async def _export_for(
    bot: Bot, chat_id: int, customer: UserRow, i18n: I18nContext, exports: Exports
) -> None:
    try:
        async with exports.for_customer(customer.id, i18n.locale) as job:
            await send_export(
                bot,
                chat_id,
                job,
                i18n,
                lambda export: i18n.get("export-caption-customer", rows=export.rows),
            )
    except ExportRefused as refused:
        await bot.send_message(chat_id, refusal_text(i18n, refused))


async def export_command(
    message: Message, bot: Bot, i18n: I18nContext, exports: Exports, customer: UserRow
) -> None:
    """``/export``: the customer's orders and balance movements as a CSV document."""
    await _export_for(bot, message.chat.id, customer, i18n, exports)


async def export_button(
    callback: CallbackQuery, bot: Bot, i18n: I18nContext, exports: Exports, customer: UserRow
) -> None:
    """The Balance screen's "Export CSV": the same as ``/export``, sent below the screen."""
    await _export_for(bot, callback.from_user.id, customer, i18n, exports)
