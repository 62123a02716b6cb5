"""My orders: the customer's orders, newest first; a card per order with Refresh, Refill
and Cancel where they apply. A customer only ever sees and acts on their own orders."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_i18n import I18nContext

from handlers.callbacks import MenuCb, OrderActionCb, OrderCb, OrdersCb, SupportAskCb
from handlers.keyboards import button, pager
from handlers.screens import show
from shop.display import WHOLE, escaped
from shop.money import Currency
from shop.order_actions import ActionRefused, OrderView
from shop.order_desk import OrderDesk, OrdersPage
from shop.refusals import classify_refusal
from shop.storage import CancelOutcome, OrderRow, UserRow


def router() -> Router:
    """My orders' handlers, on a new router."""
    orders = Router(name="orders")
    orders.callback_query.register(orders_menu, MenuCb.filter(F.screen == "orders"))
    orders.callback_query.register(orders_page, OrdersCb.filter())
    orders.callback_query.register(order_card, OrderCb.filter())
    orders.callback_query.register(refresh, OrderActionCb.filter(F.action == "refresh"))
    orders.callback_query.register(refill, OrderActionCb.filter(F.action == "refill"))
    orders.callback_query.register(cancel_order, OrderActionCb.filter(F.action == "cancel"))
    return orders


STATE_ICONS = {
    "submitting": "⏳",
    "unknown": "❔",
    "pending": "🕒",
    "in_progress": "🔄",
    "processing": "🔄",
    "completed": "✅",
    "partial": "◐",
    "canceled": "✖️",
    "refunded": "↩️",
    "failed": "⛔",
}


def _reason(i18n: I18nContext, error: str | None) -> str:
    """A panel's refusal in plain words."""
    return i18n.get(f"reason-{classify_refusal(error or '').value.replace('_', '-')}")


def _state(i18n: I18nContext, order: OrderRow) -> str:
    return i18n.get(f"state-{order.state.value.replace('_', '-')}")


def _list_keyboard(
    i18n: I18nContext, listed: OrdersPage, currency: Currency
) -> InlineKeyboardMarkup:
    page = listed.page
    rows = [
        [
            button(
                i18n.get(
                    "orders-line",
                    icon=STATE_ICONS.get(order.state.value, "•"),
                    order_id=str(order.id),
                    state=_state(i18n, order),
                    price=currency.format(order.price),
                ),
                OrderCb(order_id=order.id, page=page).pack(),
            )
        ]
        for order in listed.orders
    ]
    if pages_row := pager(i18n, page, listed.pages, lambda number: OrdersCb(page=number).pack()):
        rows.append(pages_row)
    rows.append([button(i18n.get("button-menu"), MenuCb(screen="main").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def _show_list(
    callback: CallbackQuery, page: int, i18n: I18nContext, order_desk: OrderDesk, customer: UserRow
) -> None:
    listed = await order_desk.orders(customer.id, page)
    if not listed.orders:
        empty = OrdersPage([], 0, 1)
        await show(
            callback, i18n.get("orders-none"), _list_keyboard(i18n, empty, order_desk.currency)
        )
        return
    await show(
        callback, i18n.get("orders-title"), _list_keyboard(i18n, listed, order_desk.currency)
    )


async def orders_menu(
    callback: CallbackQuery, i18n: I18nContext, order_desk: OrderDesk, customer: UserRow
) -> None:
    await _show_list(callback, 0, i18n, order_desk, customer)


async def orders_page(
    callback: CallbackQuery,
    callback_data: OrdersCb,
    i18n: I18nContext,
    order_desk: OrderDesk,
    customer: UserRow,
) -> None:
    await _show_list(callback, callback_data.page, i18n, order_desk, customer)


def card_text(i18n: I18nContext, view: OrderView, currency: Currency) -> str:
    """An order's card: what was ordered, what it cost, where it stands."""
    order = view.order
    refill = (
        i18n.get(f"refill-state-{view.refills[0].state.value.replace('_', '-')}")
        if view.refills
        else i18n.get("refill-none")
    )
    return i18n.get(
        "order-card",
        order_id=str(order.id),
        service=escaped(view.service_name),
        link=escaped(order.link or "—", WHOLE),
        quantity=order.quantity,
        price=currency.format(order.price),
        state=_state(i18n, order),
        icon=STATE_ICONS.get(order.state.value, "•"),
        start_count=order.start_count if order.start_count is not None else "—",
        remains=order.remains if order.remains is not None else "—",
        refill=refill,
    )


def card_keyboard(i18n: I18nContext, view: OrderView, page: int) -> InlineKeyboardMarkup:
    """Refresh always; Refill and Cancel where they apply; a question to the staff about
    it; Back to the list."""
    offered = {"refresh": True, "refill": view.can_refill, "cancel": view.can_cancel}
    labels = {
        "refresh": "button-refresh",
        "refill": "button-refill",
        "cancel": "button-cancel-order",
    }
    actions = [
        button(
            i18n.get(labels[action]), OrderActionCb(action=action, order_id=view.order.id).pack()
        )
        for action, shown in offered.items()
        if shown
    ]
    ask = button(i18n.get("button-ask-order"), SupportAskCb(order_id=view.order.id).pack())
    back = button(i18n.get("button-back"), OrdersCb(page=page).pack())
    return InlineKeyboardMarkup(inline_keyboard=[actions, [ask], [back]])


def _card(
    i18n: I18nContext, view: OrderView, currency: Currency, *, page: int = 0, note: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    """An order's card screen, with ``note`` under the card."""
    text = card_text(i18n, view, currency)
    if note:
        text = f"{text}\n\n{note}"
    return text, card_keyboard(i18n, view, page)


async def order_card(
    callback: CallbackQuery,
    callback_data: OrderCb,
    *,
    i18n: I18nContext,
    order_desk: OrderDesk,
    customer: UserRow,
    callback_answer: CallbackAnswer,
) -> None:
    view = await order_desk.card(customer.id, callback_data.order_id)
    if view is None:
        callback_answer.text = i18n.get("order-not-found")
        return
    await show(callback, *_card(i18n, view, order_desk.currency, page=callback_data.page))


async def refresh(
    callback: CallbackQuery,
    callback_data: OrderActionCb,
    *,
    i18n: I18nContext,
    order_desk: OrderDesk,
    customer: UserRow,
    callback_answer: CallbackAnswer,
) -> None:
    view = await order_desk.refresh(customer.id, callback_data.order_id)
    if view is None:
        callback_answer.text = i18n.get("order-not-found")
        return
    await show(callback, *_card(i18n, view, order_desk.currency))


def _refusal_text(i18n: I18nContext, refused: ActionRefused) -> str:
    return i18n.get(f"action-{refused.problem.value.replace('_', '-')}")


async def refill(
    callback: CallbackQuery,
    callback_data: OrderActionCb,
    *,
    i18n: I18nContext,
    order_desk: OrderDesk,
    customer: UserRow,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        result = await order_desk.refill(customer.id, callback_data.order_id)
    except ActionRefused as refused:
        note = _refusal_text(i18n, refused)
    else:
        if result.accepted:
            note = i18n.get("refill-requested")
        elif result.ambiguous:
            note = i18n.get("action-no-answer")
        else:
            note = i18n.get("refill-refused", reason=_reason(i18n, result.refill.error))
    view = await order_desk.card(customer.id, callback_data.order_id)
    if view is None:
        callback_answer.text = i18n.get("order-not-found")
        return
    await show(callback, *_card(i18n, view, order_desk.currency, note=note))


async def cancel_order(
    callback: CallbackQuery,
    callback_data: OrderActionCb,
    *,
    i18n: I18nContext,
    order_desk: OrderDesk,
    customer: UserRow,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        result = await order_desk.cancel(customer.id, callback_data.order_id)
    except ActionRefused as refused:
        note = _refusal_text(i18n, refused)
    else:
        match result.request.outcome:
            case CancelOutcome.ACCEPTED:
                note = i18n.get("cancel-requested")
            case CancelOutcome.UNKNOWN:
                note = i18n.get("action-no-answer")
            case _:
                note = i18n.get("cancel-refused", reason=_reason(i18n, result.request.error))
    view = await order_desk.card(customer.id, callback_data.order_id)
    if view is None:
        callback_answer.text = i18n.get("order-not-found")
        return
    await show(callback, *_card(i18n, view, order_desk.currency, note=note))
