"""Topping up the balance: the chooser of the ways to pay, Telegram Stars, and the referral
screen."""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
)
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_i18n import I18nContext

from handlers import keyboards
from handlers.callbacks import CancelFormCb, MenuCb, TopUpCb, TopUpMethodCb
from handlers.conversation_state import end
from handlers.filters import Has
from handlers.keyboards import button
from handlers.screens import show
from shop.payments import STARS, AmountRefused, TopUpTerms
from shop.storage import UserRow
from shop.topups import TopUpMethod
from shop.wallet import Wallet

logger = logging.getLogger(__name__)


class TopUpForm(StatesGroup):
    """Waiting for a typed top-up amount."""

    amount = State()


def router() -> Router:
    """The top-up and referral handlers, on a new router."""
    payments = Router(name="payments")
    payments.callback_query.register(topup_screen, MenuCb.filter(F.screen == "topup"))
    payments.callback_query.register(topup_beside_quote, MenuCb.filter(F.screen == "topup-new"))
    payments.callback_query.register(
        stars_screen, TopUpMethodCb.filter(F.method == TopUpMethod.STARS.value)
    )
    payments.callback_query.register(preset_amount, TopUpCb.filter(F.amount != ""))
    payments.callback_query.register(other_amount, TopUpCb.filter(F.amount == ""))
    payments.message.register(typed_amount, StateFilter(TopUpForm.amount), Has("text"))
    payments.message.register(amount_not_text, StateFilter(TopUpForm.amount))
    payments.pre_checkout_query.register(pre_checkout)
    payments.message.register(successful_payment, Has("successful_payment"))
    payments.callback_query.register(referral_screen, MenuCb.filter(F.screen == "referral"))
    return payments


def methods_keyboard(i18n: I18nContext, methods: tuple[TopUpMethod, ...]) -> InlineKeyboardMarkup:
    """A button per way to top up, then Back to the balance."""
    rows = [
        [button(i18n.get(f"button-topup-{method.value}"), TopUpMethodCb(method=method).pack())]
        for method in methods
    ]
    rows.append([button(i18n.get("button-back"), MenuCb(screen="balance").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def topup_screen_of(i18n: I18nContext, wallet: Wallet) -> tuple[str, InlineKeyboardMarkup]:
    """Balance → Top up: the chooser of the ways to pay, or with one way only, its screen."""
    methods = wallet.methods()
    if len(methods) == 1:
        return _topup_text(i18n, wallet.terms), topup_keyboard(i18n, wallet.terms)
    return i18n.get("topup-methods"), methods_keyboard(i18n, methods)


def amount_keyboard(
    i18n: I18nContext,
    terms: TopUpTerms,
    pick: Callable[[str], str],
    *,
    back: str = "balance",
) -> InlineKeyboardMarkup:
    """The preset amounts two a row, "Another amount" and Back (to the menu screen
    ``back``); ``pick`` gives a button's callback data for an amount ("" for another)."""
    money = terms.currency.format
    presets = [button(money(amount), pick(str(amount))) for amount in terms.presets]
    rows = [presets[start : start + 2] for start in range(0, len(presets), 2)]
    rows.append([button(i18n.get("button-other-amount"), pick(""))])
    rows.append([button(i18n.get("button-back"), MenuCb(screen=back).pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def topup_keyboard(
    i18n: I18nContext, terms: TopUpTerms, back: str = "balance"
) -> InlineKeyboardMarkup:
    """The Stars amounts."""
    return amount_keyboard(i18n, terms, lambda amount: TopUpCb(amount=amount).pack(), back=back)


def _topup_text(i18n: I18nContext, topup: TopUpTerms) -> str:
    return i18n.get(
        "topup-choose",
        min=topup.currency.format(topup.min_amount),
        max=topup.currency.format(topup.max_amount),
    )


def amount_refused_text(i18n: I18nContext, terms: TopUpTerms, refused: AmountRefused) -> str:
    """Why a typed top-up amount is refused, whatever the way to pay."""
    return i18n.get(
        f"topup-amount-{refused.problem.value.replace('_', '-')}",
        min=terms.currency.format(terms.min_amount),
        max=terms.currency.format(terms.max_amount),
    )


def ask_amount_text(i18n: I18nContext, terms: TopUpTerms) -> str:
    """The question for a typed top-up amount, whatever the way to pay."""
    return i18n.get(
        "topup-ask-amount",
        min=terms.currency.format(terms.min_amount),
        max=terms.currency.format(terms.max_amount),
    )


async def topup_screen(callback: CallbackQuery, i18n: I18nContext, wallet: Wallet) -> None:
    await show(callback, *topup_screen_of(i18n, wallet))


async def stars_screen(callback: CallbackQuery, i18n: I18nContext, wallet: Wallet) -> None:
    """Stars, picked in the chooser: its amounts, with Back to the chooser."""
    await show(
        callback, _topup_text(i18n, wallet.terms), topup_keyboard(i18n, wallet.terms, "topup")
    )


async def topup_beside_quote(callback: CallbackQuery, i18n: I18nContext, wallet: Wallet) -> None:
    """Top up from an order summary: a new message, so the summary keeps its Confirm."""
    if isinstance(callback.message, Message):
        text, markup = topup_screen_of(i18n, wallet)
        await callback.message.answer(text, reply_markup=markup)


async def _send_invoice(
    message: Message, amount: Decimal, *, i18n: I18nContext, wallet: Wallet, customer: UserRow
) -> None:
    invoice = await wallet.invoice(customer.id, amount)
    credited = wallet.currency.format(invoice.amount)
    await message.answer_invoice(
        title=i18n.get("invoice-title", amount=credited),
        description=i18n.get("invoice-description", amount=credited, stars=invoice.stars),
        payload=invoice.id,
        currency=STARS,
        prices=[
            LabeledPrice(label=i18n.get("invoice-label", amount=credited), amount=invoice.stars)
        ],
    )


async def preset_amount(
    callback: CallbackQuery,
    callback_data: TopUpCb,
    *,
    i18n: I18nContext,
    wallet: Wallet,
    customer: UserRow,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        amount = wallet.read_amount(callback_data.amount)
    except AmountRefused:
        callback_answer.text = i18n.get("button-outdated")
        return
    if isinstance(callback.message, Message):
        await _send_invoice(callback.message, amount, i18n=i18n, wallet=wallet, customer=customer)


async def other_amount(
    callback: CallbackQuery, state: FSMContext, i18n: I18nContext, wallet: Wallet
) -> None:
    await state.set_state(TopUpForm.amount)
    if isinstance(callback.message, Message):
        await callback.message.answer(
            ask_amount_text(i18n, wallet.terms),
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[button(i18n.get("button-cancel"), CancelFormCb().pack())]]
            ),
        )


async def typed_amount(
    message: Message, state: FSMContext, i18n: I18nContext, wallet: Wallet, customer: UserRow
) -> None:
    try:
        amount = wallet.read_amount(message.text or "")
    except AmountRefused as refused:
        await message.answer(amount_refused_text(i18n, wallet.terms, refused))
        return
    await end(state)
    await _send_invoice(message, amount, i18n=i18n, wallet=wallet, customer=customer)


async def amount_not_text(message: Message, i18n: I18nContext) -> None:
    await message.answer(i18n.get("input-send-text"))


async def pre_checkout(query: PreCheckoutQuery, i18n: I18nContext, wallet: Wallet) -> None:
    problem = await wallet.check_checkout(
        query.from_user.id, query.invoice_payload, query.currency, query.total_amount
    )
    if problem is None:
        await query.answer(ok=True)
        return
    logger.info("pre-checkout %s refused: %s", query.id, problem.value)
    await query.answer(
        ok=False, error_message=i18n.get(f"checkout-{problem.value.replace('_', '-')}")
    )


async def successful_payment(
    message: Message, i18n: I18nContext, wallet: Wallet, customer: UserRow
) -> None:
    payment = message.successful_payment
    assert payment is not None
    result = await wallet.settle(
        customer.id,
        payload=payment.invoice_payload,
        charge_id=payment.telegram_payment_charge_id,
        stars=payment.total_amount,
    )
    money = wallet.currency.format
    if result.unmatched:
        text = i18n.get("topup-unmatched", stars=payment.total_amount)
    elif result.credited == 0:
        text = i18n.get("topup-seen-before", balance=money(result.balance))
    elif result.promo_bonus > 0:
        text = i18n.get(
            "topup-done-with-bonus",
            amount=money(result.credited),
            bonus=money(result.promo_bonus),
            balance=money(result.balance),
        )
    else:
        text = i18n.get("topup-done", amount=money(result.credited), balance=money(result.balance))
    await message.answer(text, reply_markup=keyboards.main_menu(i18n))


async def referral_screen(
    callback: CallbackQuery, bot: Bot, i18n: I18nContext, wallet: Wallet, customer: UserRow
) -> None:
    me = await bot.me()
    stats = await wallet.referrals(customer.id)
    await show(
        callback,
        i18n.get(
            "referral-screen",
            link=f"https://t.me/{me.username}?start=ref_{customer.id}",
            percent=str(wallet.terms.referral_percent.normalize()),
            referrals=stats.referrals,
            earned=wallet.currency.format(stats.earned),
        ),
        InlineKeyboardMarkup(
            inline_keyboard=[[button(i18n.get("button-back"), MenuCb(screen="balance").pack())]]
        ),
    )
