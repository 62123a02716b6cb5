"""Topping up the balance with Telegram Stars, and the referral screen."""

from __future__ import annotations

import logging
from decimal import Decimal

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
)
from aiogram_i18n import I18nContext

from handlers import keyboards
from handlers.callbacks import CancelFormCb, MenuCb, TopUpCb
from handlers.keyboards import button
from handlers.screens import answer_quietly, show
from shop.alerts import Alerts
from shop.payments import (
    STARS,
    AmountRefused,
    TopUpTerms,
    check_checkout,
    create_invoice,
    read_amount,
    referral_stats,
    settle_payment,
)
from shop.storage import Database, UserRow

logger = logging.getLogger(__name__)
router = Router(name="payments")


class TopUpForm(StatesGroup):
    """Waiting for a typed top-up amount."""

    amount = State()


def topup_keyboard(i18n: I18nContext, terms: TopUpTerms) -> InlineKeyboardMarkup:
    money = terms.currency.format
    presets = [
        button(money(amount), TopUpCb(amount=str(amount)).pack()) for amount in terms.presets
    ]
    rows = [presets[start : start + 2] for start in range(0, len(presets), 2)]
    rows.append([button(i18n.get("button-other-amount"), TopUpCb(amount="").pack())])
    rows.append([button(i18n.get("button-back"), MenuCb(screen="balance").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _topup_text(i18n: I18nContext, topup: TopUpTerms) -> str:
    return i18n.get(
        "topup-choose",
        min=topup.currency.format(topup.min_amount),
        max=topup.currency.format(topup.max_amount),
    )


@router.callback_query(MenuCb.filter(F.screen == "topup"))
async def topup_screen(callback: CallbackQuery, i18n: I18nContext, topup: TopUpTerms) -> None:
    await show(callback, _topup_text(i18n, topup), topup_keyboard(i18n, topup))


@router.callback_query(MenuCb.filter(F.screen == "topup-new"))
async def topup_beside_quote(
    callback: CallbackQuery, i18n: I18nContext, topup: TopUpTerms
) -> None:
    """Top up from an order summary: a new message, so the summary keeps its Confirm."""
    await answer_quietly(callback)
    if isinstance(callback.message, Message):
        await callback.message.answer(
            _topup_text(i18n, topup), reply_markup=topup_keyboard(i18n, topup)
        )


async def _send_invoice(
    message: Message,
    amount: Decimal,
    *,
    i18n: I18nContext,
    db: Database,
    topup: TopUpTerms,
    customer: UserRow,
) -> None:
    invoice = await create_invoice(db, topup, customer.id, amount)
    credited = topup.currency.format(invoice.amount)
    await message.answer_invoice(
        title=i18n.get("invoice-title", amount=credited),
        description=i18n.get("invoice-description", amount=credited, stars=invoice.stars),
        payload=invoice.id,
        currency=STARS,
        prices=[
            LabeledPrice(label=i18n.get("invoice-label", amount=credited), amount=invoice.stars)
        ],
    )


@router.callback_query(TopUpCb.filter(F.amount != ""))
async def preset_amount(
    callback: CallbackQuery,
    callback_data: TopUpCb,
    *,
    i18n: I18nContext,
    db: Database,
    topup: TopUpTerms,
    customer: UserRow,
) -> None:
    try:
        amount = read_amount(callback_data.amount, topup)
    except AmountRefused:
        await answer_quietly(callback, i18n.get("button-outdated"))
        return
    await answer_quietly(callback)
    if isinstance(callback.message, Message):
        await _send_invoice(
            callback.message, amount, i18n=i18n, db=db, topup=topup, customer=customer
        )


@router.callback_query(TopUpCb.filter(F.amount == ""))
async def other_amount(
    callback: CallbackQuery, state: FSMContext, i18n: I18nContext, topup: TopUpTerms
) -> None:
    await state.set_state(TopUpForm.amount)
    await answer_quietly(callback)
    if isinstance(callback.message, Message):
        await callback.message.answer(
            i18n.get(
                "topup-ask-amount",
                min=topup.currency.format(topup.min_amount),
                max=topup.currency.format(topup.max_amount),
            ),
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[button(i18n.get("button-cancel"), CancelFormCb().pack())]]
            ),
        )


@router.message(TopUpForm.amount, F.text)
async def typed_amount(
    message: Message,
    *,
    state: FSMContext,
    i18n: I18nContext,
    db: Database,
    topup: TopUpTerms,
    customer: UserRow,
) -> None:
    try:
        amount = read_amount(message.text or "", topup)
    except AmountRefused as refused:
        await message.answer(
            i18n.get(
                f"topup-amount-{refused.problem.value.replace('_', '-')}",
                min=topup.currency.format(topup.min_amount),
                max=topup.currency.format(topup.max_amount),
            )
        )
        return
    await state.clear()
    await _send_invoice(message, amount, i18n=i18n, db=db, topup=topup, customer=customer)


@router.message(TopUpForm.amount)
async def amount_not_text(message: Message, i18n: I18nContext) -> None:
    await message.answer(i18n.get("input-send-text"))


@router.pre_checkout_query()
async def pre_checkout(query: PreCheckoutQuery, i18n: I18nContext, db: Database) -> None:
    problem = await check_checkout(
        db, query.invoice_payload, query.from_user.id, query.currency, query.total_amount
    )
    if problem is None:
        await query.answer(ok=True)
        return
    logger.info("pre-checkout %s refused: %s", query.id, problem.value)
    await query.answer(
        ok=False, error_message=i18n.get(f"checkout-{problem.value.replace('_', '-')}")
    )


@router.message(F.successful_payment)
async def successful_payment(
    message: Message,
    *,
    i18n: I18nContext,
    db: Database,
    topup: TopUpTerms,
    alerts: Alerts,
    customer: UserRow,
) -> None:
    payment = message.successful_payment
    assert payment is not None
    result = await settle_payment(
        db,
        topup,
        customer.id,
        payload=payment.invoice_payload,
        charge_id=payment.telegram_payment_charge_id,
        stars=payment.total_amount,
        alerts=alerts,
    )
    money = topup.currency.format
    if result.unmatched:
        text = i18n.get("topup-unmatched", stars=payment.total_amount)
    elif result.credited == 0:
        text = i18n.get("topup-seen-before", balance=money(result.balance))
    else:
        text = i18n.get("topup-done", amount=money(result.credited), balance=money(result.balance))
    await message.answer(text, reply_markup=keyboards.main_menu(i18n))


@router.callback_query(MenuCb.filter(F.screen == "referral"))
async def referral_screen(
    callback: CallbackQuery,
    *,
    bot: Bot,
    i18n: I18nContext,
    db: Database,
    topup: TopUpTerms,
    customer: UserRow,
) -> None:
    me = await bot.me()
    stats = await referral_stats(db, customer.id)
    await show(
        callback,
        i18n.get(
            "referral-screen",
            link=f"https://t.me/{me.username}?start=ref_{customer.id}",
            percent=str(topup.referral_percent.normalize()),
            referrals=stats.referrals,
            earned=topup.currency.format(stats.earned),
        ),
        InlineKeyboardMarkup(
            inline_keyboard=[[button(i18n.get("button-back"), MenuCb(screen="balance").pack())]]
        ),
    )
