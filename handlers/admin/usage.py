"""/help, and what the admin group gets when no other handler takes a command or a button:
a command's usage when its arguments do not read, "out of date" for a button."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_i18n import I18nContext

from shop.admin_desk import AdminDesk

#: Every admin command, in the order /help lists them.
COMMANDS = (
    "panel", "panels", "stats", "order", "unknown", "attach", "refund", "user", "credit", "debit",
    "sync", "service", "price", "markup", "desc", "link", "unlink", "prefer", "broadcast",
    "refundstars", "payments", "approve", "reject", "receipt", "promo", "ban", "unban",
    "banned", "export", "tickets", "close",
)  # fmt: skip


#: The commands of a shop with several panels: a one-panel shop's /help leaves them out.
PANEL_COMMANDS = frozenset({"panels", "link", "unlink", "prefer"})


async def admin_help(message: Message, i18n: I18nContext, admin_desk: AdminDesk) -> None:
    shown = [name for name in COMMANDS if admin_desk.several_panels or name not in PANEL_COMMANDS]
    # Joined here, not in one Fluent placeable: Fluent cuts a placeable at 1,000 characters.
    lines = [i18n.get("admin-help"), *(i18n.get(f"admin-usage-{name}") for name in shown)]
    await message.reply("\n".join(lines))


async def usage(message: Message, command: CommandObject, i18n: I18nContext) -> None:
    """A command whose arguments did not read (see :mod:`handlers.admin.arguments`)."""
    await message.reply(i18n.get("admin-usage", usage=i18n.get(f"admin-usage-{command.command}")))


async def outdated_button(
    callback: CallbackQuery, callback_answer: CallbackAnswer, i18n: I18nContext
) -> None:
    """A button of the group no handler takes (old, or forged) still gets an answer, so
    Telegram stops its spinner."""
    callback_answer.text = i18n.get("button-outdated")


def router() -> Router:
    """/help, the usage of a command given arguments it cannot use, and the answer to a
    button no other handler takes. Included after every other admin router."""
    fallback = Router(name=__name__)
    fallback.message.register(admin_help, Command("help"))
    fallback.message.register(usage, Command(*COMMANDS))
    fallback.callback_query.register(outdated_button)
    return fallback
