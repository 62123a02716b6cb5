"""A customer redeeming a promo code, from the Balance screen."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram_i18n import I18nContext

from handlers.callbacks import CancelFormCb, MenuCb
from handlers.conversation_state import end
from handlers.filters import Has, Slash
from handlers.keyboards import button
from handlers.screens import show
from shop.promos import PromoProblem, PromoRefused, Promos
from shop.storage import UserRow


class PromoForm(StatesGroup):
    """Waiting for the code the customer types."""

    code = State()


def router() -> Router:
    """The promo code's handlers, on a new router."""
    promo = Router(name="promo_codes")
    promo.callback_query.register(ask_code, MenuCb.filter(F.screen == "promo"))
    # A command (/start, /cancel, an unknown one) is not a code: the menu or the fallback
    # takes it.
    promo.message.register(typed_code, StateFilter(PromoForm.code), Has("text"), ~Slash())
    promo.message.register(code_not_text, StateFilter(PromoForm.code), ~Has("text"))
    return promo


def _cancel(i18n: I18nContext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(i18n.get("button-cancel"), CancelFormCb().pack())]]
    )


def _after(i18n: I18nContext, *, top_up: bool) -> InlineKeyboardMarkup:
    rows = [[button(i18n.get("button-top-up"), MenuCb(screen="topup").pack())]] if top_up else []
    rows.append([button(i18n.get("menu-balance"), MenuCb(screen="balance").pack())])
    rows.append([button(i18n.get("button-menu"), MenuCb(screen="main").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def ask_code(callback: CallbackQuery, state: FSMContext, i18n: I18nContext) -> None:
    await state.set_state(PromoForm.code)
    await show(callback, i18n.get("promo-ask"), _cancel(i18n))


async def typed_code(
    message: Message, state: FSMContext, i18n: I18nContext, promos: Promos, customer: UserRow
) -> None:
    try:
        redeemed = await promos.redeem(customer.id, message.text or "")
    except PromoRefused as refused:
        if refused.problem is PromoProblem.TOO_MANY_TRIES:
            await end(state)
            await message.answer(
                i18n.get("promo-too-many-tries", minutes=refused.retry_minutes),
                reply_markup=_after(i18n, top_up=False),
            )
            return
        # The customer may type the code again, or another one.
        await message.answer(
            i18n.get(f"promo-{refused.problem.value.replace('_', '-')}"),
            reply_markup=_cancel(i18n),
        )
        return
    await end(state)
    money = promos.currency.format
    if redeemed.bonus_percent is not None:
        text = i18n.get(
            "promo-bonus-granted",
            code=redeemed.code.code,
            percent=f"{redeemed.bonus_percent:f}",
        )
        await message.answer(text, reply_markup=_after(i18n, top_up=True))
        return
    await message.answer(
        i18n.get(
            "promo-voucher-credited",
            code=redeemed.code.code,
            amount=money(redeemed.credited),
            balance=money(redeemed.balance),
        ),
        reply_markup=_after(i18n, top_up=False),
    )


async def code_not_text(message: Message, i18n: I18nContext) -> None:
    await message.answer(i18n.get("input-send-text"), reply_markup=_cancel(i18n))
