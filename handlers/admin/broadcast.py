"""/broadcast: the message an admin replies to goes to every customer, and a progress
message in the group follows it to the end."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import Message
from aiogram_i18n import I18nContext

from handlers.admin.arguments import RepliedText
from handlers.background import Background
from shop.admin_desk import AdminDesk

logger = logging.getLogger(__name__)
#: Seconds between two edits of a broadcast's progress message (groups allow 20 a minute).
PROGRESS_EVERY = 10.0


async def broadcast_command(
    message: Message,
    *,
    text: str,
    bot: Bot,
    i18n: I18nContext,
    admin_desk: AdminDesk,
    background: Background,
) -> None:
    broadcast = await admin_desk.start_broadcast(text, f"{message.chat.id}:{message.message_id}")
    background.wake_notifier()
    progress = await message.reply(i18n.get("admin-broadcast-started", total=broadcast.total))
    background.spawn(
        _follow_broadcast(bot, admin_desk, i18n, progress, broadcast.kind),
        name=f"progress-{broadcast.kind}",
    )


async def _follow_broadcast(
    bot: Bot, admin_desk: AdminDesk, i18n: I18nContext, progress: Message, kind: str
) -> None:
    """Edit the progress message as the broadcast goes, and once more when it is done."""
    last = ""
    while True:
        state = await admin_desk.broadcast_progress(kind)
        key = "admin-broadcast-done" if state.done else "admin-broadcast-progress"
        text = i18n.get(
            key,
            total=state.total,
            delivered=state.delivered,
            blocked=state.blocked,
            failed=state.failed,
        )
        if text != last:
            try:
                await bot.edit_message_text(
                    text, chat_id=progress.chat.id, message_id=progress.message_id
                )
                last = text
            except TelegramAPIError as exc:
                logger.info("broadcast progress not shown: %s", exc)
        if state.done:
            return
        await asyncio.sleep(PROGRESS_EVERY)


def router() -> Router:
    """/broadcast, as a reply to the message to send."""
    broadcast = Router(name=__name__)
    broadcast.message.register(broadcast_command, Command("broadcast"), RepliedText())
    return broadcast
