"""My orders: the customer's orders, newest first; a card per order with Refresh, Refill
and Cancel where they apply. A customer only ever sees and acts on their own orders."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram_i18n import I18nContext

from api import PanelClient
from handlers.callbacks import MenuCb, OrderActionCb, OrderCb, OrdersCb
from handlers.keyboards import button, pager
from handlers.screens import answer_quietly, show
from shop.display import WHOLE, escaped
from shop.order_actions import (
    ActionRefused,
    OrderView,
    own_order,
    request_cancel,
    request_refill,
    view_order,
)
from shop.ordering import customer_orders
from shop.refusals import classify_refusal
from shop.storage import CancelOutcome, Database, OrderRow, UserRow
from shop.terms import Terms
from shop.tracking import Tracker

router = Router(name="orders")

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
    i18n: I18nContext, orders: list[OrderRow], page: int, pages: int, terms: Terms
) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                i18n.get(
                    "orders-line",
                    icon=STATE_ICONS.get(order.state.value, "•"),
                    order_id=str(order.id),
                    state=_state(i18n, order),
                    price=terms.currency.format(order.price),
                ),
                OrderCb(order_id=order.id, page=page).pack(),
            )
        ]
        for order in orders
    ]
    if pages_row := pager(i18n, page, pages, lambda number: OrdersCb(page=number).pack()):
        rows.append(pages_row)
    rows.append([button(i18n.get("button-menu"), MenuCb(screen="main").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def _show_list(
    callback: CallbackQuery,
    page: int,
    *,
    i18n: I18nContext,
    db: Database,
    terms: Terms,
    customer: UserRow,
) -> None:
    orders, page, pages = await customer_orders(db, customer.id, page)
    if not orders:
        await show(callback, i18n.get("orders-none"), _list_keyboard(i18n, [], 0, 1, terms))
        return
    await show(
        callback, i18n.get("orders-title"), _list_keyboard(i18n, orders, page, pages, terms)
    )


@router.callback_query(MenuCb.filter(F.screen == "orders"))
async def orders_menu(
    callback: CallbackQuery, i18n: I18nContext, db: Database, terms: Terms, customer: UserRow
) -> None:
    await _show_list(callback, 0, i18n=i18n, db=db, terms=terms, customer=customer)


@router.callback_query(OrdersCb.filter())
async def orders_page(
    callback: CallbackQuery,
    callback_data: OrdersCb,
    *,
    i18n: I18nContext,
    db: Database,
    terms: Terms,
    customer: UserRow,
) -> None:
    await _show_list(
        callback, callback_data.page, i18n=i18n, db=db, terms=terms, customer=customer
    )


def card_text(i18n: I18nContext, view: OrderView, terms: Terms) -> str:
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
        price=terms.currency.format(order.price),
        state=_state(i18n, order),
        icon=STATE_ICONS.get(order.state.value, "•"),
        start_count=order.start_count if order.start_count is not None else "—",
        remains=order.remains if order.remains is not None else "—",
        refill=refill,
    )


def card_keyboard(i18n: I18nContext, view: OrderView, page: int) -> InlineKeyboardMarkup:
    """Refresh always; Refill and Cancel where they apply; Back to the list."""
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
    back = button(i18n.get("button-back"), OrdersCb(page=page).pack())
    return InlineKeyboardMarkup(inline_keyboard=[actions, [back]])


async def _show_card(
    callback: CallbackQuery,
    order_id: int,
    page: int,
    *,
    i18n: I18nContext,
    db: Database,
    terms: Terms,
    customer: UserRow,
    note: str | None = None,
) -> None:
    view = await view_order(db, order_id, customer.id)
    if view is None:
        await answer_quietly(callback, i18n.get("order-not-found"))
        return
    text = card_text(i18n, view, terms)
    if note:
        text = f"{text}\n\n{note}"
    await show(callback, text, card_keyboard(i18n, view, page))


@router.callback_query(OrderCb.filter())
async def order_card(
    callback: CallbackQuery,
    callback_data: OrderCb,
    *,
    i18n: I18nContext,
    db: Database,
    terms: Terms,
    customer: UserRow,
) -> None:
    await _show_card(callback, callback_data.order_id, callback_data.page,
                     i18n=i18n, db=db, terms=terms, customer=customer)  # fmt: skip


@router.callback_query(OrderActionCb.filter(F.action == "refresh"))
async def refresh(
    callback: CallbackQuery,
    callback_data: OrderActionCb,
    *,
    i18n: I18nContext,
    db: Database,
    terms: Terms,
    tracker: Tracker,
    customer: UserRow,
) -> None:
    order = await own_order(db, callback_data.order_id, customer.id)
    if order is None:
        await answer_quietly(callback, i18n.get("order-not-found"))
        return
    await tracker.refresh_order(order)
    await _show_card(callback, order.id, 0, i18n=i18n, db=db, terms=terms, customer=customer)


def _refusal_text(i18n: I18nContext, refused: ActionRefused) -> str:
    return i18n.get(f"action-{refused.problem.value.replace('_', '-')}")


@router.callback_query(OrderActionCb.filter(F.action == "refill"))
async def refill(
    callback: CallbackQuery,
    callback_data: OrderActionCb,
    *,
    i18n: I18nContext,
    db: Database,
    panel: PanelClient,
    terms: Terms,
    customer: UserRow,
) -> None:
    try:
        result = await request_refill(db, panel, callback_data.order_id, customer.id)
    except ActionRefused as refused:
        note = _refusal_text(i18n, refused)
    else:
        if result.accepted:
            note = i18n.get("refill-requested")
        elif result.ambiguous:
            note = i18n.get("action-no-answer")
        else:
            reason = classify_refusal(result.refill.error or "")
            note = i18n.get(
                "refill-refused", reason=i18n.get(f"reason-{reason.value.replace('_', '-')}")
            )
    await _show_card(callback, callback_data.order_id, 0,
                     i18n=i18n, db=db, terms=terms, customer=customer, note=note)  # fmt: skip


@router.callback_query(OrderActionCb.filter(F.action == "cancel"))
async def cancel_order(
    callback: CallbackQuery,
    callback_data: OrderActionCb,
    *,
    i18n: I18nContext,
    db: Database,
    panel: PanelClient,
    terms: Terms,
    customer: UserRow,
) -> None:
    try:
        result = await request_cancel(db, panel, callback_data.order_id, customer.id)
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
    await _show_card(callback, callback_data.order_id, 0,
                     i18n=i18n, db=db, terms=terms, customer=customer, note=note)  # fmt: skip
