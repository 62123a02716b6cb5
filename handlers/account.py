"""The customer's balance, as a screen of the main menu."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram_i18n import I18nContext

from handlers.callbacks import MenuCb
from handlers.keyboards import button
from handlers.screens import show
from shop.ledger import balance_of, recent_movements
from shop.storage import Database, LedgerRow, UserRow
from shop.terms import Terms

router = Router(name="account")


def movement_line(i18n: I18nContext, row: LedgerRow, terms: Terms) -> str:
    """One ledger row in plain words: 'Refund for order #12: +1.20 USD'."""
    sign = "+" if row.amount > 0 else "−"
    return i18n.get(
        f"ledger-{row.reason.value.replace('_', '-')}",
        order_id=str(row.order_id or ""),
        amount=f"{sign}{terms.currency.format(abs(row.amount))}",
    )


@router.callback_query(MenuCb.filter(F.screen == "balance"))
async def balance_screen(
    callback: CallbackQuery, i18n: I18nContext, db: Database, terms: Terms, customer: UserRow
) -> None:
    balance = await balance_of(db, customer.id)
    rows = await recent_movements(db, customer.id)
    history = "\n".join(movement_line(i18n, row, terms) for row in rows) or i18n.get(
        "balance-no-history"
    )
    await show(
        callback,
        i18n.get("balance-screen", balance=terms.currency.format(balance), history=history),
        InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    button(i18n.get("button-top-up"), MenuCb(screen="topup").pack()),
                    button(i18n.get("button-referrals"), MenuCb(screen="referral").pack()),
                ],
                [button(i18n.get("button-menu"), MenuCb(screen="main").pack())],
            ]
        ),
    )
