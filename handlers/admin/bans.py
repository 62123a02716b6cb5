"""Bans from the admin group: /ban, /unban, /banned."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram_i18n import I18nContext

from handlers.admin.arguments import NOTE, USER, USER_LINE, Arguments
from shop.admin import UserReference
from shop.admin_desk import AdminDesk, Ban
from shop.display import IN_LIST, escaped

#: A reason's characters in the /banned list.
LIST_REASON_CHARS = 80


def _outcome_text(i18n: I18nContext, command: str, ban: Ban) -> str:
    if ban.user is None:
        return i18n.get("admin-user-not-found")
    return i18n.get(f"admin-{command}-{ban.outcome.value}", user_id=str(ban.user.id))


async def ban_command(
    message: Message,
    *,
    user: UserReference,
    reason: str,
    i18n: I18nContext,
    admin_desk: AdminDesk,
) -> None:
    """``/ban <user> [reason]``."""
    ban = await admin_desk.ban(user, reason.strip() or None)
    await message.reply(_outcome_text(i18n, "ban", ban))


async def unban_command(
    message: Message, *, user: UserReference, i18n: I18nContext, admin_desk: AdminDesk
) -> None:
    """``/unban <user>``."""
    await message.reply(_outcome_text(i18n, "unban", await admin_desk.unban(user)))


async def banned_command(message: Message, *, i18n: I18nContext, admin_desk: AdminDesk) -> None:
    """``/banned``: the banned customers, latest first."""
    users, total = await admin_desk.banned()
    if not users:
        await message.reply(i18n.get("admin-banned-none"))
        return
    lines = [i18n.get("admin-banned", count=total)]
    for user in users:
        assert user.banned_at is not None
        lines.append(
            i18n.get(
                "admin-banned-line",
                user_id=str(user.id),
                name=escaped(user.first_name or "—", IN_LIST),
                since=f"{user.banned_at:%Y-%m-%d}",
                reason=escaped(user.ban_reason or "—", LIST_REASON_CHARS),
            )
        )
    if total > len(users):
        lines.append(i18n.get("admin-banned-more", more=total - len(users)))
    await message.reply("\n".join(lines))


def router() -> Router:
    """/ban, /unban, /banned."""
    bans = Router(name=__name__)
    bans.message.register(ban_command, Command("ban"), Arguments(user=USER, reason=NOTE))
    bans.message.register(unban_command, Command("unban"), Arguments(user=USER_LINE))
    bans.message.register(banned_command, Command("banned"))
    return bans
