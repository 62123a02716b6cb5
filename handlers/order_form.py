"""The order form: one question per step of the service's flow, then the quote.

The handlers only move between Telegram and the order desk, which knows the steps, checks
each answer and quotes the finished form. Where the customer stands lives in the FSM
storage (the service, the step, the answers so far), so a restart in the middle of a form
resumes it.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_i18n import I18nContext

from api import OrderType
from handlers import keyboards
from handlers.callbacks import ChoiceCb, OrderStartCb
from handlers.channel import MEMBERS_ONLY
from handlers.conversation_state import end, move_to
from handlers.filters import Has
from handlers.order_states import FORM_STATES, Confirming, state_for
from handlers.screens import send
from shop.display import WHOLE, escaped, shortened
from shop.money import Currency
from shop.order_desk import OrderDesk, Question, Quoted
from shop.order_forms import Answer, InputProblem, is_telegram_service
from shop.ordering import QuoteRefused
from shop.storage import UserRow

#: Every state in which the customer is filling in an order form.
FILLING = StateFilter(*FORM_STATES.values())


def router() -> Router:
    """The order form's handlers, on a new router."""
    form = Router(name="order_form")
    form.callback_query.register(start_form, OrderStartCb.filter(), flags=MEMBERS_ONLY)
    form.message.register(typed_answer, FILLING, Has("text"))
    form.callback_query.register(button_answer, FILLING, ChoiceCb.filter(), answers_the_question)
    form.message.register(not_text, FILLING)
    form.message.register(waiting_for_confirmation, StateFilter(Confirming.quote))
    return form


async def answers_the_question(
    callback: CallbackQuery, callback_data: ChoiceCb, raw_state: str | None = None
) -> bool:
    """True when the button answers the question being asked, on a message the bot can
    write under; a button left from an earlier question is out of date, and the fallback
    says so."""
    return (
        isinstance(callback.message, Message)
        and raw_state is not None
        and raw_state.endswith(f":{callback_data.field}")
    )


def _key(field: str) -> str:
    return field.replace("_", "-")


def prompt(i18n: I18nContext, question: Question) -> str:
    """The question of a step, with the limits that apply to it."""
    service, step, answers = question.service, question.step, question.answers
    params: dict[str, Any] = {"min": service.least_quantity, "max": service.max}
    key = f"ask-{_key(step.field)}"
    if step.answer is Answer.QUANTITY and step.field == "max" and "min" in answers:
        params["min"] = answers["min"]
    if step.answer is Answer.LINK and is_telegram_service(service):
        key = "ask-link-telegram"
    if step.answer is Answer.LINES and step.counted:
        key = f"{key}-counted"
    return i18n.get(key, **params)


async def _stand_at(state: FSMContext, question: Question) -> None:
    """Remember that ``question`` is the one asked."""
    await move_to(
        state,
        state_for(OrderType(question.service.type), question.step.field),
        {
            "service_id": question.service.id,
            "step": question.index,
            "answers": dict(question.answers),
        },
    )


async def _ask(message: Message, i18n: I18nContext, question: Question) -> None:
    await send(message, prompt(i18n, question), keyboards.step(i18n, question.step))


async def start_form(
    callback: CallbackQuery,
    callback_data: OrderStartCb,
    *,
    state: FSMContext,
    i18n: I18nContext,
    order_desk: OrderDesk,
    callback_answer: CallbackAnswer,
) -> None:
    question = await order_desk.open_form(callback_data.service_id)
    if question is None or not isinstance(callback.message, Message):
        callback_answer.text = i18n.get("service-unavailable")
        return
    await _stand_at(state, question)
    await send(callback.message, i18n.get("form-started", name=escaped(question.service.name)))
    await _ask(callback.message, i18n, question)


async def _question(
    message: Message, state: FSMContext, i18n: I18nContext, order_desk: OrderDesk
) -> Question | None:
    """The question the customer's form stands at; None (and the menu) when the service
    went off sale meanwhile."""
    data = await state.get_data()
    question = await order_desk.question(
        int(data.get("service_id", 0)), int(data.get("step", -1)), data.get("answers", {})
    )
    if question is None:
        await end(state)
        await send(message, i18n.get("service-unavailable"), keyboards.main_menu(i18n))
    return question


async def _take_answer(
    message: Message,
    text: str,
    *,
    state: FSMContext,
    i18n: I18nContext,
    order_desk: OrderDesk,
    customer: UserRow,
) -> None:
    question = await _question(message, state, i18n, order_desk)
    if question is None:
        return
    try:
        answered = await order_desk.answer(customer.id, question, text)
    except InputProblem as problem:
        await send(
            message,
            f"{i18n.get(problem.key, **problem.params)}\n\n{prompt(i18n, question)}",
            keyboards.step(i18n, question.step),
        )
        return
    except QuoteRefused as refused:
        await end(state)
        await send(message, refusal_text(i18n, refused), keyboards.main_menu(i18n))
        return
    if isinstance(answered, Question):
        await _stand_at(state, answered)
        await _ask(message, i18n, answered)
        return
    await move_to(state, Confirming.quote, {"quote_id": answered.quote.id})
    await send(
        message,
        summary_text(i18n, order_desk.currency, answered),
        keyboards.quote(i18n, answered.quote.id, short_of_funds=answered.short_of_funds),
    )


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


def refusal_text(i18n: I18nContext, refused: QuoteRefused) -> str:
    """Why an order form cannot be quoted, in plain words."""
    return i18n.get(f"quote-refused-{_key(refused.problem.value)}", limit=refused.limit or 0)


def summary_text(i18n: I18nContext, currency: Currency, quoted: Quoted) -> str:
    """The summary of a quote the customer is asked to confirm: the service, the answers,
    the price, the balance, and what the balance is short of, if it is."""
    lines = [
        i18n.get(f"field-{_key(name)}") + ": " + escaped(_summarised(i18n, value), WHOLE)
        for name, value in quoted.answers.items()
        if value and name != "drip_feed"
    ]
    text = i18n.get(
        "quote-summary",
        name=escaped(quoted.service.name),
        details="\n".join(lines),
        units=quoted.quote.units,
        price=currency.format(quoted.quote.price),
        balance=currency.format(quoted.balance),
    )
    if quoted.short_of_funds:
        text += "\n\n" + i18n.get("quote-short", missing=currency.format(quoted.missing))
    return text


async def typed_answer(
    message: Message,
    state: FSMContext,
    i18n: I18nContext,
    order_desk: OrderDesk,
    customer: UserRow,
) -> None:
    await _take_answer(
        message,
        message.text or "",
        state=state,
        i18n=i18n,
        order_desk=order_desk,
        customer=customer,
    )


async def button_answer(
    callback: CallbackQuery,
    callback_data: ChoiceCb,
    *,
    state: FSMContext,
    i18n: I18nContext,
    order_desk: OrderDesk,
    customer: UserRow,
) -> None:
    assert isinstance(callback.message, Message)  # see answers_the_question
    await _take_answer(
        callback.message,
        callback_data.value,
        state=state,
        i18n=i18n,
        order_desk=order_desk,
        customer=customer,
    )


async def not_text(
    message: Message, state: FSMContext, i18n: I18nContext, order_desk: OrderDesk
) -> None:
    question = await _question(message, state, i18n, order_desk)
    if question is None:
        return
    await message.answer(
        f"{i18n.get('input-send-text')}\n\n{prompt(i18n, question)}",
        reply_markup=keyboards.step(i18n, question.step),
    )


async def waiting_for_confirmation(message: Message, i18n: I18nContext) -> None:
    await message.answer(i18n.get("quote-use-buttons"))
