"""Any order from the admin group: /order with its card and buttons, the uncertain ones
(/unknown) and how they are resolved (/attach, /refund), and /refund's decision on a held
refund."""

from __future__ import annotations

import contextlib
from decimal import Decimal

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_i18n import I18nContext

from handlers.admin.arguments import HELD_AMOUNT, ID, ID_LINE, NOTE, Arguments, optional
from handlers.background import Background
from handlers.callbacks import AdminOrderCb
from shop.admin import OrderDetails
from shop.admin_desk import AdminDesk, ButtonOutcome, OrderButton
from shop.display import PANEL_WORDS, WHOLE, escaped
from shop.money import Currency
from shop.ordering import ResolutionRefused
from shop.refunds import HeldRefundProblem, HeldRefundRefused
from shop.storage import MAIN_PANEL, OrderRow

#: Characters of a list per message: Fluent refuses a placeable over 2,500 characters, and
#: Telegram a message over 4,096.
LIST_CHARS = 2000
#: Escaped characters of a link shown in a list; /order shows it whole.
LIST_LINK_CHARS = 100


def _pages(lines: list[str], limit: int = LIST_CHARS) -> list[str]:
    """``lines`` joined into as few texts of at most ``limit`` characters as they fit in."""
    pages: list[list[str]] = [[]]
    size = 0
    for line in lines:
        if pages[-1] and size + len(line) > limit:
            pages.append([])
            size = 0
        pages[-1].append(line)
        size += len(line) + 1
    return ["\n".join(page) for page in pages]


def _order_text(i18n: I18nContext, details: OrderDetails, currency: Currency) -> str:
    order, money = details.order, currency.format
    history = "\n".join(
        f"{t.at:%Y-%m-%d %H:%M} {t.old_state.value} → {t.new_state.value}"
        for t in details.transitions
    )
    ledger = "\n".join(
        f"{row.created_at:%Y-%m-%d %H:%M} {row.reason.value} {money(row.amount)}"
        for row in details.ledger
    )
    refills = ", ".join(f"#{r.id} {r.state.value}" for r in details.refills)
    hold = ""
    if order.refund_held_at is not None:
        since = f"{order.refund_held_at:%Y-%m-%d %H:%M}"
        hold = "\n" + i18n.get("admin-order-refund-held", since=since, order_id=str(order.id))
    return i18n.get(
        "admin-order",
        order_id=str(order.id),
        panel_id=_panel_reference(order),
        user_id=str(order.user_id),
        service=escaped(details.service_name),
        link=escaped(order.link or "—", WHOLE),
        quantity=order.quantity,
        price=money(order.price),
        cost=money(order.cost),
        state=order.state.value,
        panel_status=escaped(order.panel_status or "—", PANEL_WORDS),
        error=escaped(order.error or "—", PANEL_WORDS),
        history=history or "—",
        ledger=ledger or "—",
        refills=refills or "—",
        hold=hold,
    )


def _panel_reference(order: OrderRow) -> str:
    """The order's id at its panel, named with the panel when it is not the main one."""
    panel_id = str(order.panel_order_id or "—")
    return panel_id if order.panel == MAIN_PANEL else f"{escaped(order.panel)}: {panel_id}"


def _order_buttons(i18n: I18nContext, order: OrderRow) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=i18n.get(f"admin-button-{button.value}"),
                    callback_data=AdminOrderCb(action=button.value, order_id=order.id).pack(),
                )
                for button in OrderButton
            ]
        ]
    )


async def order_command(
    message: Message, *, reference: int, i18n: I18nContext, admin_desk: AdminDesk
) -> None:
    details = await admin_desk.order(reference)
    if details is None:
        await message.reply(i18n.get("admin-order-not-found", reference=str(reference)))
        return
    await message.reply(
        _order_text(i18n, details, admin_desk.currency),
        reply_markup=_order_buttons(i18n, details.order),
    )


def _button_note(i18n: I18nContext, outcome: ButtonOutcome) -> str:
    """What the panel said to a refill or cancel, or why none was asked for."""
    if outcome.refused is not None:
        return i18n.get(f"action-{outcome.refused.value.replace('_', '-')}")
    if outcome.refill is not None:
        refill = outcome.refill
        return refill.error or i18n.get(f"refill-state-{refill.state.value.replace('_', '-')}")
    if outcome.cancel is not None:
        cancel = outcome.cancel
        return cancel.error or i18n.get(f"admin-cancel-{cancel.outcome.value}")
    return ""


async def order_button(
    callback: CallbackQuery,
    callback_data: AdminOrderCb,
    *,
    callback_answer: CallbackAnswer,
    i18n: I18nContext,
    admin_desk: AdminDesk,
) -> None:
    outcome = await admin_desk.press(
        callback_data.order_id, OrderButton.named(callback_data.action)
    )
    if outcome is None:
        callback_answer.text = i18n.get(
            "admin-order-not-found", reference=str(callback_data.order_id)
        )
        return
    text = _order_text(i18n, outcome.details, admin_desk.currency)
    if note := _button_note(i18n, outcome):
        text += "\n\n" + escaped(note, PANEL_WORDS)
    if isinstance(callback.message, Message):
        # An edit that changes nothing (a refresh with no news) is refused: the card stands.
        with contextlib.suppress(TelegramBadRequest):
            await callback.message.edit_text(
                text, reply_markup=_order_buttons(i18n, outcome.details.order)
            )


async def unknown_command(message: Message, i18n: I18nContext, admin_desk: AdminDesk) -> None:
    orders = await admin_desk.uncertain_orders()
    if not orders:
        await message.reply(i18n.get("admin-unknown-none"))
        return
    lines = [
        i18n.get(
            "admin-unknown-line",
            order_id=str(order.id),
            user_id=str(order.user_id),
            price=admin_desk.currency.format(order.price),
            created=f"{order.created_at:%Y-%m-%d %H:%M}",
            link=escaped(order.link or "—", LIST_LINK_CHARS),
        )
        for order in orders
    ]
    first, *more = _pages(lines)
    await message.reply(i18n.get("admin-unknown", orders=first))
    for page in more:
        await message.answer(page)


async def attach_command(
    message: Message, *, order_id: int, panel_id: int, i18n: I18nContext, admin_desk: AdminDesk
) -> None:
    try:
        await admin_desk.attach(order_id, panel_id)
    except ResolutionRefused as refused:
        await message.reply(i18n.get("admin-refused", reason=escaped(str(refused), PANEL_WORDS)))
        return
    await message.reply(i18n.get("admin-attached", order_id=str(order_id), panel_id=str(panel_id)))


async def refund_command(
    message: Message,
    *,
    order_id: int,
    amount: Decimal | None,
    i18n: I18nContext,
    admin_desk: AdminDesk,
    background: Background,
) -> None:
    """``/refund <order>``: an uncertain order refunded in full; ``/refund <order>
    <amount>``: the admins' decision on a held refund."""
    if amount is not None:
        await message.reply(await _settle_refund(order_id, amount, i18n, admin_desk))
        background.wake_notifier()
        return
    try:
        order = await admin_desk.refund_uncertain(order_id)
    except ResolutionRefused as refused:
        await message.reply(i18n.get("admin-refused", reason=escaped(str(refused), PANEL_WORDS)))
        return
    background.wake_notifier()
    await message.reply(
        i18n.get(
            "admin-refunded", order_id=str(order.id), price=admin_desk.currency.format(order.price)
        )
    )


async def _settle_refund(
    order_id: int, amount: Decimal, i18n: I18nContext, admin_desk: AdminDesk
) -> str:
    """The reply to a decision on a held refund."""
    money = admin_desk.currency.format
    try:
        settled = await admin_desk.settle_held_refund(order_id, amount)
    except HeldRefundRefused as refused:
        if refused.problem is HeldRefundProblem.ABOVE_PRICE and refused.order is not None:
            price = money(refused.order.price)
            return i18n.get("admin-refund-above-price", order_id=str(order_id), price=price)
        return i18n.get("admin-refund-not-held", order_id=str(order_id))
    key = "admin-refund-settled" if settled.amount > 0 else "admin-refund-settled-none"
    return i18n.get(key, order_id=str(order_id), amount=money(settled.amount))


def router() -> Router:
    """/order and its card's buttons, /unknown, /attach, /refund."""
    orders = Router(name=__name__)
    orders.message.register(order_command, Command("order"), Arguments(reference=ID_LINE))
    orders.callback_query.register(order_button, AdminOrderCb.filter())
    orders.message.register(unknown_command, Command("unknown"))
    # Words after the two ids are the admin's own, for the group to read.
    orders.message.register(
        attach_command, Command("attach"), Arguments(order_id=ID, panel_id=ID, note=NOTE)
    )
    orders.message.register(
        refund_command, Command("refund"), Arguments(order_id=ID, amount=optional(HELD_AMOUNT))
    )
    return orders
