"""/export orders|ledger|customers [from] [to] in the admin group: a CSV document."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram_i18n import I18nContext

from handlers.admin.arguments import Argument, Arguments, rest_of_line, word
from handlers.exports import refusal_text, send_export, topic_of
from shop.exports import ExportKind, ExportRefused, Exports, Period, read_export_kind, read_period

#: ``orders``, ``ledger`` or ``customers``.
KIND = word(read_export_kind)
#: ``[from] [to]``: days as YYYY-MM-DD, both included.
PERIOD: Argument[Period] = rest_of_line(read_period)


async def export_command(
    message: Message,
    bot: Bot,
    *,
    kind: ExportKind,
    period: Period,
    i18n: I18nContext,
    exports: Exports,
) -> None:
    """``/export <kind> [from] [to]``, answered in the forum topic it was sent in."""
    chat_id = message.chat.id

    def caption(rows: int) -> str:
        return i18n.get(
            "admin-export-caption",
            kind=i18n.get(f"admin-export-kind-{kind.value}"),
            period=period.label(),
            rows=rows,
        )

    try:
        async with exports.for_staff(chat_id, kind, period) as job:
            await send_export(
                bot,
                chat_id,
                job,
                i18n,
                lambda export: caption(export.rows),
                topic=topic_of(message),
            )
    except ExportRefused as refused:
        await message.reply(refusal_text(i18n, refused))


def router() -> Router:
    """/export."""
    exports = Router(name=__name__)
    exports.message.register(
        export_command, Command("export"), Arguments(kind=KIND, period=PERIOD)
    )
    return exports
