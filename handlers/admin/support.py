"""Support from the admin group: /close ends the conversation of the topic (or of the
message replied to), /tickets lists the open ones."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram_i18n import I18nContext

from handlers.support_staff import replied_to, thread_of
from shop.display import IN_LIST, escaped
from shop.storage import utc_now
from shop.support import SupportDesk, ticket_age

#: Tickets /tickets lists at most; the rest are counted.
TICKETS_SHOWN = 40
#: Telegram's longest message.
MESSAGE_LIMIT = 4096


async def close_command(message: Message, i18n: I18nContext, support_desk: SupportDesk) -> None:
    """``/close`` in a customer's topic, or in reply to their message."""
    assert message.from_user is not None
    closed = await support_desk.close(
        message.chat.id,
        message.from_user.id,
        thread_id=thread_of(message),
        reply_to=replied_to(message),
    )
    if closed is None:
        await message.reply(i18n.get("admin-close-none"))
        return
    await message.reply(
        i18n.get(
            "admin-close-done",
            ticket_id=str(closed.ticket.id),
            name=escaped(closed.customer.first_name or "—", IN_LIST),
        )
    )


async def tickets_command(message: Message, i18n: I18nContext, support_desk: SupportDesk) -> None:
    """``/tickets``: the open tickets, oldest first, within one message."""
    tickets, total = await support_desk.open_tickets(TICKETS_SHOWN)
    if not tickets:
        await message.reply(i18n.get("admin-tickets-none"))
        return
    now = utc_now()
    lines = [i18n.get("admin-tickets", count=total)]
    size = len(lines[0])
    for shown, open_ticket in enumerate(tickets):
        ticket = open_ticket.ticket
        line = i18n.get(
            "admin-tickets-line",
            ticket_id=str(ticket.id),
            name=escaped(open_ticket.first_name or "—", IN_LIST),
            user_id=str(ticket.user_id),
            order="" if ticket.order_id is None else f" · #{ticket.order_id}",
            age=ticket_age(support_desk.texts, i18n.locale, now - ticket.opened_at),
            messages=open_ticket.messages,
        )
        # Room kept for the line counting the rest.
        if size + len(line) + 1 > MESSAGE_LIMIT - 100:
            lines.append(i18n.get("admin-tickets-more", more=total - shown))
            break
        lines.append(line)
        size += len(line) + 1
    else:
        if total > len(tickets):
            lines.append(i18n.get("admin-tickets-more", more=total - len(tickets)))
    await message.reply("\n".join(lines))


def router() -> Router:
    """/close, /tickets."""
    support = Router(name=__name__)
    support.message.register(close_command, Command("close"))
    support.message.register(tickets_command, Command("tickets"))
    return support
