"""The customer's balance and orders, as screens of the main menu."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram_i18n import I18nContext

from bot.accounts import balance_of, recent_movements
from bot.db import Database, LedgerRow, UserRow
from bot.ordering import customer_orders
from bot.shop import Shop
from handlers import keyboards
from handlers.callbacks import MenuCb
from handlers.screens import show

router = Router(name="account")

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


def movement_line(i18n: I18nContext, row: LedgerRow, shop: Shop) -> str:
    """One ledger row in plain words: 'Refund for order #12: +1.20 USD'."""
    sign = "+" if row.amount > 0 else "−"
    return i18n.get(
        f"ledger-{row.reason.value.replace('_', '-')}",
        order_id=str(row.order_id or ""),
        amount=f"{sign}{shop.currency.format(abs(row.amount))}",
    )


@router.callback_query(MenuCb.filter(F.screen == "balance"))
async def balance_screen(
    callback: CallbackQuery, i18n: I18nContext, db: Database, shop: Shop, customer: UserRow
) -> None:
    balance = await balance_of(db, customer.id)
    rows = await recent_movements(db, customer.id)
    history = "\n".join(movement_line(i18n, row, shop) for row in rows) or i18n.get(
        "balance-no-history"
    )
    await show(
        callback,
        i18n.get("balance-screen", balance=shop.currency.format(balance), history=history),
        keyboards.back_to_menu(i18n),
    )


@router.callback_query(MenuCb.filter(F.screen == "orders"))
async def orders_screen(
    callback: CallbackQuery, i18n: I18nContext, db: Database, shop: Shop, customer: UserRow
) -> None:
    orders, _, _ = await customer_orders(db, customer.id, 0)
    if not orders:
        await show(callback, i18n.get("orders-none"), keyboards.back_to_menu(i18n))
        return
    lines = [
        i18n.get(
            "orders-line",
            icon=STATE_ICONS.get(order.state.value, "•"),
            order_id=str(order.id),
            state=i18n.get(f"state-{order.state.value.replace('_', '-')}"),
            price=shop.currency.format(order.price),
        )
        for order in orders
    ]
    await show(
        callback,
        i18n.get("orders-screen", orders="\n".join(lines)),
        keyboards.back_to_menu(i18n),
    )
