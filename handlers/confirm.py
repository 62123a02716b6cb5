"""Confirming a quote: the one path that places an order, exactly once."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram_i18n import I18nContext

from api import PanelClient
from handlers import keyboards
from handlers.callbacks import QuoteCb
from handlers.order_form import quoted_answers, refusal_text, summary_text
from handlers.order_states import Confirming
from handlers.screens import show
from shop.alerts import Alerts
from shop.ledger import InsufficientFunds, balance_of
from shop.ordering import (
    Placement,
    PlacementOutcome,
    PriceRose,
    QuoteNotUsable,
    QuoteRefused,
    drop_quote,
    place_order,
)
from shop.storage import Database, UserRow
from shop.terms import Terms

router = Router(name="confirm")


def placement_text(i18n: I18nContext, placement: Placement, terms: Terms) -> str:
    """What the customer is told about a confirmation's outcome."""
    order = placement.order
    money = terms.currency.format
    match placement.outcome:
        case PlacementOutcome.PLACED:
            return i18n.get(
                "order-placed",
                order_id=str(order.id),
                panel_id=str(order.panel_order_id or ""),
                price=money(order.price),
                balance=money(placement.balance),
            )
        case PlacementOutcome.ALREADY_PLACED:
            return i18n.get("order-already-placed", order_id=str(order.id))
        case PlacementOutcome.HELD:
            return i18n.get("order-held", order_id=str(order.id), price=money(order.price))
        case PlacementOutcome.REFUSED:
            reason = placement.reason.value if placement.reason else "other"
            return i18n.get(
                f"order-refused-{reason.replace('_', '-')}",
                price=money(order.price),
                balance=money(placement.balance),
            )


@router.callback_query(QuoteCb.filter(F.action == "confirm"))
async def confirm(
    callback: CallbackQuery,
    callback_data: QuoteCb,
    *,
    state: FSMContext,
    i18n: I18nContext,
    db: Database,
    panel: PanelClient,
    alerts: Alerts,
    terms: Terms,
    customer: UserRow,
) -> None:
    try:
        placement = await place_order(
            db, panel, alerts, customer.id, callback_data.quote_id, terms=terms
        )
    except PriceRose as rose:
        await _show_new_price(callback, rose, state=state, i18n=i18n, db=db, terms=terms)
        return
    except QuoteRefused as refused:
        await state.clear()
        await show(callback, refusal_text(i18n, refused), keyboards.main_menu(i18n))
        return
    except InsufficientFunds as short:
        await show(
            callback,
            i18n.get("order-short", missing=terms.currency.format(short.missing)),
            keyboards.quote(i18n, callback_data.quote_id, short_of_funds=True),
        )
        return
    except QuoteNotUsable as unusable:
        await state.clear()
        key = "quote-expired" if unusable.expired else "button-outdated"
        await show(callback, i18n.get(key), keyboards.main_menu(i18n))
        return
    await state.clear()
    await show(callback, placement_text(i18n, placement, terms), keyboards.main_menu(i18n))


async def _show_new_price(
    callback: CallbackQuery,
    rose: PriceRose,
    *,
    state: FSMContext,
    i18n: I18nContext,
    db: Database,
    terms: Terms,
) -> None:
    """The summary again, with the new quote to confirm and a word on the price."""
    quote = rose.quote
    balance = await balance_of(db, quote.user_id)
    answers = quoted_answers(rose.service, quote.fields)
    changed = i18n.get(
        "quote-price-changed",
        old=terms.currency.format(rose.old_price),
        new=terms.currency.format(quote.price),
    )
    summary = summary_text(i18n, terms, rose.service, answers, quote, balance=balance)
    text = f"{changed}\n\n{summary}"
    await state.set_state(Confirming.quote)
    await state.set_data({"quote_id": quote.id})
    await show(
        callback, text, keyboards.quote(i18n, quote.id, short_of_funds=balance < quote.price)
    )


@router.callback_query(QuoteCb.filter(F.action == "drop"))
async def drop(
    callback: CallbackQuery,
    callback_data: QuoteCb,
    *,
    state: FSMContext,
    i18n: I18nContext,
    db: Database,
    customer: UserRow,
) -> None:
    await state.clear()
    placed = await drop_quote(db, customer.id, callback_data.quote_id)
    text = (
        i18n.get("order-already-placed", order_id=str(placed.id))
        if placed is not None
        else i18n.get("order-dropped")
    )
    await show(callback, text, keyboards.main_menu(i18n))
