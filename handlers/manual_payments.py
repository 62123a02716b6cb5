"""Topping up by transfer: the amount, the owner's payment details, the receipt."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_i18n import I18nContext

from handlers import keyboards
from handlers.callbacks import CancelFormCb, ManualAmountCb, MenuCb, TopUpMethodCb
from handlers.conversation_state import end
from handlers.filters import Has
from handlers.keyboards import button
from handlers.manual_posts import post_request
from handlers.payments import amount_keyboard, amount_refused_text, ask_amount_text
from handlers.screens import show
from shop.manual_payments import ManualPayments, ManualProblem, ManualRefused, Receipt
from shop.payments import AmountRefused
from shop.storage import ReceiptKind, UserRow
from shop.topups import TopUpMethod
from shop.wallet import Wallet

#: Where the amount chosen waits for the receipt, in the conversation's data.
AMOUNT_KEY = "manual_amount"
#: The key of the form the details were shown in: its receipts make one request.
FORM_KEY = "manual_form"


class ManualForm(StatesGroup):
    """Waiting for a typed amount, then for the receipt of the transfer."""

    amount = State()
    receipt = State()


def router() -> Router:
    """The handlers of top-ups by transfer, on a new router."""
    manual = Router(name="manual_payments")
    manual.callback_query.register(
        amounts_screen, TopUpMethodCb.filter(F.method == TopUpMethod.MANUAL.value)
    )
    manual.callback_query.register(preset_amount, ManualAmountCb.filter(F.amount != ""))
    manual.callback_query.register(other_amount, ManualAmountCb.filter(F.amount == ""))
    manual.message.register(typed_amount, StateFilter(ManualForm.amount), Has("text"))
    manual.message.register(amount_not_text, StateFilter(ManualForm.amount))
    manual.message.register(
        receipt_sent, StateFilter(ManualForm.receipt), Has("photo", "document")
    )
    manual.message.register(not_a_receipt, StateFilter(ManualForm.receipt))
    return manual


def _back(i18n: I18nContext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(i18n.get("button-back"), MenuCb(screen="topup").pack())]]
    )


def _cancel(i18n: I18nContext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(i18n.get("button-cancel"), CancelFormCb().pack())]]
    )


def _refusal_text(i18n: I18nContext, manual_payments: ManualPayments) -> str:
    return i18n.get("manual-too-many", pending=manual_payments.max_pending)


async def amounts_screen(
    callback: CallbackQuery,
    *,
    i18n: I18nContext,
    wallet: Wallet,
    manual_payments: ManualPayments,
    customer: UserRow,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        await manual_payments.check_room(customer.id)
    except ManualRefused as refused:
        if refused.problem is ManualProblem.OFF:
            callback_answer.text = i18n.get("button-outdated")
        else:
            await show(callback, _refusal_text(i18n, manual_payments), _back(i18n))
        return
    terms = wallet.terms_for(TopUpMethod.MANUAL)
    await show(
        callback,
        i18n.get(
            "manual-choose",
            min=terms.currency.format(terms.min_amount),
            max=terms.currency.format(terms.max_amount),
        ),
        amount_keyboard(
            i18n, terms, lambda amount: ManualAmountCb(amount=amount).pack(), back="topup"
        ),
    )


async def _ask_receipt(
    message: Message,
    amount: Decimal,
    *,
    state: FSMContext,
    i18n: I18nContext,
    manual_payments: ManualPayments,
) -> None:
    """The details to pay to, and the request for the receipt."""
    await state.set_state(ManualForm.receipt)
    await state.update_data({AMOUNT_KEY: str(amount), FORM_KEY: secrets.token_hex(8)})
    await message.answer(
        i18n.get(
            "manual-details",
            amount=_money(manual_payments, amount),
            details=manual_payments.details,
        ),
        reply_markup=_cancel(i18n),
    )


def _money(manual_payments: ManualPayments, amount: Decimal) -> str:
    return manual_payments.currency.format(amount)


async def preset_amount(
    callback: CallbackQuery,
    callback_data: ManualAmountCb,
    *,
    state: FSMContext,
    i18n: I18nContext,
    manual_payments: ManualPayments,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        amount = manual_payments.read_amount(callback_data.amount)
        await manual_payments.check_room(callback.from_user.id)
    except (AmountRefused, ManualRefused):
        callback_answer.text = i18n.get("button-outdated")
        return
    if isinstance(callback.message, Message):
        await _ask_receipt(
            callback.message, amount, state=state, i18n=i18n, manual_payments=manual_payments
        )


async def other_amount(
    callback: CallbackQuery,
    *,
    state: FSMContext,
    i18n: I18nContext,
    wallet: Wallet,
    manual_payments: ManualPayments,
    callback_answer: CallbackAnswer,
) -> None:
    if not manual_payments.enabled:
        callback_answer.text = i18n.get("button-outdated")
        return
    await state.set_state(ManualForm.amount)
    if isinstance(callback.message, Message):
        await callback.message.answer(
            ask_amount_text(i18n, wallet.terms_for(TopUpMethod.MANUAL)),
            reply_markup=_cancel(i18n),
        )


async def typed_amount(
    message: Message,
    *,
    state: FSMContext,
    i18n: I18nContext,
    wallet: Wallet,
    manual_payments: ManualPayments,
    customer: UserRow,
) -> None:
    try:
        amount = manual_payments.read_amount(message.text or "")
    except AmountRefused as refused:
        terms = wallet.terms_for(TopUpMethod.MANUAL)
        await message.answer(amount_refused_text(i18n, terms, refused))
        return
    try:
        await manual_payments.check_room(customer.id)
    except ManualRefused:
        await end(state)
        await message.answer(
            _refusal_text(i18n, manual_payments), reply_markup=keyboards.main_menu(i18n)
        )
        return
    await _ask_receipt(message, amount, state=state, i18n=i18n, manual_payments=manual_payments)


async def amount_not_text(message: Message, i18n: I18nContext) -> None:
    await message.answer(i18n.get("input-send-text"))


async def receipt_sent(
    message: Message,
    *,
    state: FSMContext,
    i18n: I18nContext,
    manual_payments: ManualPayments,
    customer: UserRow,
) -> None:
    form = await state.get_data()
    try:
        amount = manual_payments.read_amount(str(form.get(AMOUNT_KEY, "")))
    except (AmountRefused, InvalidOperation):
        # The terms changed since the amount was chosen (a restart with new settings).
        await end(state)
        await message.answer(i18n.get("button-outdated"), reply_markup=keyboards.main_menu(i18n))
        return
    receipt = Receipt(
        chat_id=message.chat.id,
        message_id=message.message_id,
        kind=ReceiptKind.PHOTO if message.photo else ReceiptKind.DOCUMENT,
        comment=(message.caption or "").strip() or None,
        form_key=str(form[FORM_KEY]) if FORM_KEY in form else None,
    )
    try:
        opened = await manual_payments.open(customer.id, amount, receipt)
    except ManualRefused as refused:
        await end(state)
        text = (
            i18n.get("button-outdated")
            if refused.problem is ManualProblem.OFF
            else _refusal_text(i18n, manual_payments)
        )
        await message.answer(text, reply_markup=keyboards.main_menu(i18n))
        return
    # The form's data stays: another photo of the same album, handled at the same time, may
    # still read it, and so finds the request this one opened instead of an emptied form.
    await state.set_state(None)
    if opened.created and message.bot is not None:
        await post_request(message.bot, opened.request, manual_payments)
    await message.answer(
        i18n.get(
            "manual-received",
            request_id=str(opened.request.id),
            amount=_money(manual_payments, opened.request.amount),
        ),
        reply_markup=keyboards.main_menu(i18n),
    )


async def not_a_receipt(message: Message, i18n: I18nContext) -> None:
    await message.answer(i18n.get("manual-receipt-expected"), reply_markup=_cancel(i18n))
