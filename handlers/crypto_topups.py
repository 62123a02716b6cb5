"""Topping up the balance through Crypto Pay (CryptoBot): the amounts, the invoice with its
Pay and "Check payment" buttons, and what a check finds."""

from __future__ import annotations

import logging
from decimal import Decimal

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_i18n import I18nContext

from handlers.callbacks import CancelFormCb, CryptoAmountCb, CryptoCheckCb, MenuCb, TopUpMethodCb
from handlers.conversation_state import end
from handlers.filters import Has
from handlers.keyboards import button
from handlers.payments import amount_keyboard, amount_refused_text, ask_amount_text
from handlers.screens import show
from shop.crypto_topups import CheckOutcome, InvoiceNotCreated
from shop.payments import AmountRefused
from shop.storage import CryptoInvoiceRow, UserRow
from shop.topups import TopUpMethod
from shop.wallet import Wallet

logger = logging.getLogger(__name__)
CRYPTO = TopUpMethod.CRYPTO


class CryptoTopUpForm(StatesGroup):
    """Waiting for a typed amount to top up by crypto."""

    amount = State()


def router() -> Router:
    """The Crypto Pay top-up handlers, on a new router."""
    crypto = Router(name="crypto_topups")
    crypto.callback_query.register(amounts_screen, TopUpMethodCb.filter(F.method == CRYPTO.value))
    crypto.callback_query.register(preset_amount, CryptoAmountCb.filter(F.amount != ""))
    crypto.callback_query.register(other_amount, CryptoAmountCb.filter(F.amount == ""))
    crypto.message.register(typed_amount, StateFilter(CryptoTopUpForm.amount), Has("text"))
    crypto.message.register(amount_not_text, StateFilter(CryptoTopUpForm.amount))
    crypto.callback_query.register(check_payment, CryptoCheckCb.filter())
    return crypto


def _amounts_keyboard(i18n: I18nContext, wallet: Wallet) -> InlineKeyboardMarkup:
    return amount_keyboard(
        i18n,
        wallet.terms_for(CRYPTO),
        lambda amount: CryptoAmountCb(amount=amount).pack(),
        back="topup",
    )


async def amounts_screen(
    callback: CallbackQuery, i18n: I18nContext, wallet: Wallet, callback_answer: CallbackAnswer
) -> None:
    if CRYPTO not in wallet.methods():
        callback_answer.text = i18n.get("button-outdated")
        return
    terms = wallet.terms_for(CRYPTO)
    await show(
        callback,
        i18n.get(
            "crypto-choose",
            assets=", ".join(wallet.crypto_assets()),
            min=terms.currency.format(terms.min_amount),
            max=terms.currency.format(terms.max_amount),
        ),
        _amounts_keyboard(i18n, wallet),
    )


async def preset_amount(
    callback: CallbackQuery,
    callback_data: CryptoAmountCb,
    *,
    i18n: I18nContext,
    wallet: Wallet,
    customer: UserRow,
    callback_answer: CallbackAnswer,
) -> None:
    if CRYPTO not in wallet.methods():
        callback_answer.text = i18n.get("button-outdated")
        return
    try:
        amount = wallet.read_amount(callback_data.amount, CRYPTO)
    except AmountRefused:
        callback_answer.text = i18n.get("button-outdated")
        return
    if isinstance(callback.message, Message):
        await _send_invoice(callback.message, amount, i18n, wallet, customer)


async def other_amount(
    callback: CallbackQuery,
    state: FSMContext,
    i18n: I18nContext,
    wallet: Wallet,
    callback_answer: CallbackAnswer,
) -> None:
    if CRYPTO not in wallet.methods():
        callback_answer.text = i18n.get("button-outdated")
        return
    await state.set_state(CryptoTopUpForm.amount)
    if isinstance(callback.message, Message):
        await callback.message.answer(
            ask_amount_text(i18n, wallet.terms_for(CRYPTO)),
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[button(i18n.get("button-cancel"), CancelFormCb().pack())]]
            ),
        )


async def typed_amount(
    message: Message,
    state: FSMContext,
    i18n: I18nContext,
    wallet: Wallet,
    customer: UserRow,
) -> None:
    try:
        amount = wallet.read_amount(message.text or "", CRYPTO)
    except AmountRefused as refused:
        await message.answer(amount_refused_text(i18n, wallet.terms_for(CRYPTO), refused))
        return
    await end(state)
    await _send_invoice(message, amount, i18n, wallet, customer)


async def amount_not_text(message: Message, i18n: I18nContext) -> None:
    await message.answer(i18n.get("input-send-text"))


async def _send_invoice(
    message: Message, amount: Decimal, i18n: I18nContext, wallet: Wallet, customer: UserRow
) -> None:
    """Create the invoice and send it, in ``message``'s chat, with its Pay and "Check
    payment" buttons."""
    money = wallet.currency.format(amount)
    me = await message.bot.me() if message.bot is not None else None
    shop = me.full_name if me is not None else ""
    description = i18n.get("crypto-invoice-description", amount=money, shop=shop)
    try:
        invoice = await wallet.crypto_invoice(customer.id, amount, description)
    except InvoiceNotCreated as failed:
        await message.answer(i18n.get(f"crypto-{failed.problem.value.replace('_', '-')}"))
        return
    text = i18n.get(
        "crypto-invoice",
        amount=money,
        assets=", ".join(wallet.crypto_assets()),
        minutes=int(wallet.crypto_lifetime().total_seconds() // 60),
    )
    check = [button(i18n.get("button-crypto-check"), CryptoCheckCb(invoice=invoice.id).pack())]
    try:
        await message.answer(text, reply_markup=_invoice_keyboard(i18n, invoice, money, check))
    except TelegramBadRequest as exc:
        # Telegram refuses some addresses in a button (a sandbox's loopback one): the link
        # then goes in the text.
        logger.info("the pay button of crypto invoice %d was refused: %s", invoice.id, exc)
        link = i18n.get("crypto-invoice-link", url=invoice.pay_url or "")
        await message.answer(
            f"{text}\n\n{link}", reply_markup=InlineKeyboardMarkup(inline_keyboard=[check])
        )


def _invoice_keyboard(
    i18n: I18nContext, invoice: CryptoInvoiceRow, money: str, check: list[InlineKeyboardButton]
) -> InlineKeyboardMarkup:
    pay = InlineKeyboardButton(
        text=i18n.get("button-crypto-pay", amount=money), url=invoice.pay_url or ""
    )
    return InlineKeyboardMarkup(inline_keyboard=[[pay], check])


async def check_payment(
    callback: CallbackQuery,
    callback_data: CryptoCheckCb,
    *,
    i18n: I18nContext,
    wallet: Wallet,
    customer: UserRow,
    callback_answer: CallbackAnswer,
) -> None:
    checked = await wallet.check_crypto(customer.id, callback_data.invoice)
    invoice = checked.invoice
    match checked.outcome:
        case CheckOutcome.CREDITED | CheckOutcome.PAID_BEFORE if invoice is not None:
            callback_answer.text = i18n.get("crypto-paid-short")
            await show(
                callback, i18n.get("crypto-paid", amount=wallet.currency.format(invoice.amount))
            )
        case CheckOutcome.EXPIRED:
            callback_answer.text = i18n.get("crypto-expired-short")
            await show(
                callback,
                i18n.get("crypto-expired"),
                InlineKeyboardMarkup(
                    inline_keyboard=[
                        [button(i18n.get("button-top-up"), MenuCb(screen="topup").pack())]
                    ]
                ),
            )
        case CheckOutcome.WAITING:
            callback_answer.text = i18n.get("crypto-waiting")
        case CheckOutcome.HELD:
            callback_answer.text = i18n.get("crypto-held")
        case CheckOutcome.UNAVAILABLE:
            callback_answer.text = i18n.get("crypto-unavailable")
        case _:
            callback_answer.text = i18n.get("button-outdated")
