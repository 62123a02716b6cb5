"""The order form: one question per step of the service's flow, then the quote.

The handlers only move between Telegram and shop.order_forms (which steps, how answers are
checked) and shop.ordering (the quote). The form lives in the FSM storage, so a restart in
the middle of a form resumes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram_i18n import I18nContext

from api import OrderType
from handlers import keyboards
from handlers.callbacks import ChoiceCb, OrderStartCb
from handlers.order_states import FORM_STATES, Confirming, state_for
from handlers.screens import answer_quietly
from shop.catalogue import Catalogue
from shop.display import WHOLE, escaped, shortened
from shop.ledger import balance_of
from shop.order_forms import (
    Answer,
    InputProblem,
    OrderForm,
    Step,
    is_telegram_service,
    next_step,
    read_answer,
    steps_for,
)
from shop.ordering import QuoteRefused, quote_order
from shop.storage import Database, QuoteRow, ServiceRow, UserRow
from shop.terms import Terms

router = Router(name="order_form")


def _key(field: str) -> str:
    return field.replace("_", "-")


def prompt(i18n: I18nContext, service: ServiceRow, step: Step, answers: dict[str, str]) -> str:
    """The question of ``step``, with the limits that apply to it."""
    params: dict[str, Any] = {"min": service.least_quantity, "max": service.max}
    key = f"ask-{_key(step.field)}"
    if step.answer is Answer.QUANTITY and step.field == "max" and "min" in answers:
        params["min"] = answers["min"]
    if step.answer is Answer.LINK and is_telegram_service(service):
        key = "ask-link-telegram"
    if step.answer is Answer.LINES and step.counted:
        key = f"{key}-counted"
    return i18n.get(key, **params)


async def _ask(
    message: Message, i18n: I18nContext, service: ServiceRow, step: Step, answers: dict[str, str]
) -> None:
    await message.answer(
        prompt(i18n, service, step, answers), reply_markup=keyboards.step(i18n, step)
    )


@router.callback_query(OrderStartCb.filter())
async def start_form(
    callback: CallbackQuery,
    callback_data: OrderStartCb,
    *,
    state: FSMContext,
    i18n: I18nContext,
    catalogue: Catalogue,
) -> None:
    offer = await catalogue.offer(callback_data.service_id)
    first = None if offer is None else next_step(offer.service, {})
    if offer is None or first is None or not isinstance(callback.message, Message):
        await answer_quietly(callback, i18n.get("service-unavailable"))
        return
    service = offer.service
    step = steps_for(service)[first]
    await state.set_state(state_for(OrderType(service.type), step.field))
    await state.set_data({"service_id": service.id, "step": first, "answers": {}})
    await answer_quietly(callback)
    await callback.message.answer(
        i18n.get("form-started", name=escaped(service.name)),
    )
    await _ask(callback.message, i18n, service, step, {})


async def _current_step(
    message: Message, state: FSMContext, i18n: I18nContext, catalogue: Catalogue
) -> tuple[ServiceRow, int, dict[str, str]] | None:
    """The service, the index of the step being asked and the answers so far; None (and
    the menu) when the service went off sale meanwhile."""
    data = await state.get_data()
    offer = await catalogue.offer(int(data.get("service_id", 0)))
    index = int(data.get("step", -1))
    if offer is None or not 0 <= index < len(steps_for(offer.service)):
        await state.clear()
        await message.answer(
            i18n.get("service-unavailable"), reply_markup=keyboards.main_menu(i18n)
        )
        return None
    return offer.service, index, dict(data.get("answers", {}))


async def _take_answer(
    message: Message,
    text: str,
    *,
    state: FSMContext,
    i18n: I18nContext,
    catalogue: Catalogue,
    terms: Terms,
    db: Database,
    customer: UserRow,
) -> None:
    current = await _current_step(message, state, i18n, catalogue)
    if current is None:
        return
    service, index, answers = current
    steps = steps_for(service)
    step = steps[index]
    try:
        answers[step.field] = read_answer(step, text, service, answers)
    except InputProblem as problem:
        await message.answer(
            f"{i18n.get(problem.key, **problem.params)}\n\n{prompt(i18n, service, step, answers)}",
            reply_markup=keyboards.step(i18n, step),
        )
        return
    following = next_step(service, answers, index)
    if following is not None:
        await state.update_data(step=following, answers=answers)
        await state.set_state(state_for(OrderType(service.type), steps[following].field))
        await _ask(message, i18n, service, steps[following], answers)
        return
    await _quote(message, OrderForm(service.id, OrderType(service.type), answers), service,
                 state=state, i18n=i18n, terms=terms, db=db, customer=customer)  # fmt: skip


#: Lines of a list shown in the summary, and the longest each may be there; the longest
#: single answer shown. Escaped, a character may become six ("&quot;"): all the answers of a
#: form stay within the 2,500 characters Fluent takes in one placeable.
SUMMARY_LINES = 3
SUMMARY_LINE_LENGTH = 60
SUMMARY_VALUE_LENGTH = 150


def _summarised(i18n: I18nContext, value: str) -> str:
    """A list answer as its first lines and its count, a long answer as its start: a
    summary must stay short."""
    lines = value.split("\n")
    if len(lines) == 1:
        return shortened(value, SUMMARY_VALUE_LENGTH)
    shown = [shortened(line, SUMMARY_LINE_LENGTH) for line in lines[:SUMMARY_LINES]]
    if len(lines) > SUMMARY_LINES:
        shown.append(i18n.get("summary-more-lines", count=len(lines) - SUMMARY_LINES))
    return "\n".join(shown)


async def _quote(
    message: Message,
    form: OrderForm,
    service: ServiceRow,
    *,
    state: FSMContext,
    i18n: I18nContext,
    terms: Terms,
    db: Database,
    customer: UserRow,
) -> None:
    try:
        quote = await quote_order(db, terms, customer.id, form.to_request())
    except QuoteRefused as refused:
        await state.clear()
        await message.answer(refusal_text(i18n, refused), reply_markup=keyboards.main_menu(i18n))
        return
    balance = await balance_of(db, customer.id)
    text = summary_text(i18n, terms, service, form.answers, quote, balance=balance)
    await state.set_state(Confirming.quote)
    await state.set_data({"quote_id": quote.id})
    await message.answer(
        text, reply_markup=keyboards.quote(i18n, quote.id, short_of_funds=balance < quote.price)
    )


def refusal_text(i18n: I18nContext, refused: QuoteRefused) -> str:
    """Why an order form cannot be quoted, in plain words."""
    return i18n.get(f"quote-refused-{_key(refused.problem.value)}", limit=refused.limit or 0)


def quoted_answers(service: ServiceRow, fields: Mapping[str, str]) -> dict[str, str]:
    """A stored quote's form fields as the answers of the service's form, in its order."""
    return {
        step.field: fields[step.field] for step in steps_for(service) if fields.get(step.field)
    }


def summary_text(
    i18n: I18nContext,
    terms: Terms,
    service: ServiceRow,
    answers: Mapping[str, str],
    quote: QuoteRow,
    *,
    balance: Decimal,
) -> str:
    """The summary of a quote the customer is asked to confirm: the service, the answers,
    the price, the balance, and what the balance is short of, if it is."""
    lines = [
        i18n.get(f"field-{_key(name)}") + ": " + escaped(_summarised(i18n, value), WHOLE)
        for name, value in answers.items()
        if value and name != "drip_feed"
    ]
    text = i18n.get(
        "quote-summary",
        name=escaped(service.name),
        details="\n".join(lines),
        units=quote.units,
        price=terms.currency.format(quote.price),
        balance=terms.currency.format(balance),
    )
    if balance < quote.price:
        text += "\n\n" + i18n.get(
            "quote-short", missing=terms.currency.format(quote.price - balance)
        )
    return text


@router.message(StateFilter(*FORM_STATES), F.text)
async def typed_answer(
    message: Message,
    *,
    state: FSMContext,
    i18n: I18nContext,
    catalogue: Catalogue,
    terms: Terms,
    db: Database,
    customer: UserRow,
) -> None:
    await _take_answer(message, message.text or "", state=state, i18n=i18n,
                       catalogue=catalogue, terms=terms, db=db, customer=customer)  # fmt: skip


@router.callback_query(StateFilter(*FORM_STATES), ChoiceCb.filter())
async def button_answer(
    callback: CallbackQuery,
    callback_data: ChoiceCb,
    *,
    state: FSMContext,
    i18n: I18nContext,
    catalogue: Catalogue,
    terms: Terms,
    db: Database,
    customer: UserRow,
) -> None:
    current = await state.get_state()
    if (
        not isinstance(callback.message, Message)
        or current is None
        or not current.endswith(f":{callback_data.field}")
    ):
        await answer_quietly(callback, i18n.get("button-outdated"))
        return
    await answer_quietly(callback)
    await _take_answer(callback.message, callback_data.value, state=state, i18n=i18n,
                       catalogue=catalogue, terms=terms, db=db, customer=customer)  # fmt: skip


@router.message(StateFilter(*FORM_STATES))
async def not_text(
    message: Message, state: FSMContext, i18n: I18nContext, catalogue: Catalogue
) -> None:
    current = await _current_step(message, state, i18n, catalogue)
    if current is None:
        return
    service, index, answers = current
    step = steps_for(service)[index]
    await message.answer(
        f"{i18n.get('input-send-text')}\n\n{prompt(i18n, service, step, answers)}",
        reply_markup=keyboards.step(i18n, step),
    )


@router.message(Confirming.quote)
async def waiting_for_confirmation(message: Message, i18n: I18nContext) -> None:
    await message.answer(i18n.get("quote-use-buttons"))
