"""The customer's balance, as a screen of the main menu."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram_i18n import I18nContext

from handlers.callbacks import ExportCb, HistoryCb, MenuCb
from handlers.keyboards import button
from handlers.screens import show
from shop.money import Currency
from shop.promos import Promos
from shop.storage import LedgerRow, UserRow
from shop.wallet import Statement, Wallet


def router() -> Router:
    """The balance screen's handlers, on a new router."""
    account = Router(name="account")
    account.callback_query.register(balance_screen, MenuCb.filter(F.screen == "balance"))
    account.callback_query.register(balance_screen, HistoryCb.filter())
    return account


def _pages_row(statement: Statement) -> list[list[InlineKeyboardButton]]:
    """◀ and ▶ to the newer and older pages of the history, where there are some."""
    row = []
    if statement.page > 0:
        row.append(button("◀", HistoryCb(page=statement.page - 1).pack()))
    if statement.page < statement.pages - 1:
        row.append(button("▶", HistoryCb(page=statement.page + 1).pack()))
    return [row] if row else []


def movement_line(i18n: I18nContext, row: LedgerRow, currency: Currency) -> str:
    """One ledger row in plain words: 'Refund for order #12: +1.20 USD'."""
    sign = "+" if row.amount > 0 else "−"
    return i18n.get(
        f"ledger-{row.reason.value.replace('_', '-')}",
        order_id=str(row.order_id or ""),
        amount=f"{sign}{currency.format(abs(row.amount))}",
    )


async def balance_screen(
    callback: CallbackQuery,
    i18n: I18nContext,
    wallet: Wallet,
    promos: Promos,
    customer: UserRow,
    callback_data: MenuCb | HistoryCb,
) -> None:
    """The balance and a page of the whole history (the first from the menu)."""
    page = callback_data.page if isinstance(callback_data, HistoryCb) else 0
    statement = await wallet.statement(customer.id, page)
    history = "\n".join(
        movement_line(i18n, row, wallet.currency) for row in statement.movements
    ) or i18n.get("balance-no-history")
    text = i18n.get(
        "balance-screen", balance=wallet.currency.format(statement.balance), history=history
    )
    if statement.pages > 1:
        text += "\n" + i18n.get("balance-page", page=statement.page + 1, pages=statement.pages)
    waiting = await promos.waiting_bonus(customer.id)
    if waiting is not None and waiting.bonus_percent is not None:
        text += "\n\n" + i18n.get(
            "balance-promo-waiting", code=waiting.code, percent=f"{waiting.bonus_percent:f}"
        )
    await show(
        callback,
        text,
        InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    button(i18n.get("button-top-up"), MenuCb(screen="topup").pack()),
                    button(i18n.get("button-referrals"), MenuCb(screen="referral").pack()),
                ],
                *_pages_row(statement),
                [
                    button(i18n.get("button-promo-code"), MenuCb(screen="promo").pack()),
                    button(i18n.get("button-export"), ExportCb().pack()),
                ],
                [button(i18n.get("button-menu"), MenuCb(screen="main").pack())],
            ]
        ),
    )
