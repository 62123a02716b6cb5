"""Confirming a quote: the one path that places an order, exactly once."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram_i18n import I18nContext

from handlers import keyboards
from handlers.callbacks import QuoteCb
from handlers.channel import MEMBERS_ONLY
from handlers.conversation_state import end, move_to
from handlers.order_form import refusal_text, summary_text
from handlers.order_states import Confirming
from handlers.screens import show
from shop.ledger import InsufficientFunds
from shop.money import Currency
from shop.order_desk import OrderDesk, Requoted
from shop.ordering import Placement, PlacementOutcome, QuoteNotUsable, QuoteRefused
from shop.storage import UserRow


def router() -> Router:
    """The confirmation's handlers, on a new router."""
    confirmation = Router(name="confirm")
    confirmation.callback_query.register(
        confirm, QuoteCb.filter(F.action == "confirm"), flags=MEMBERS_ONLY
    )
    confirmation.callback_query.register(drop, QuoteCb.filter(F.action == "drop"))
    return confirmation


def placement_text(i18n: I18nContext, placement: Placement, currency: Currency) -> str:
    """What the customer is told about a confirmation's outcome."""
    order = placement.order
    money = currency.format
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


async def confirm(
    callback: CallbackQuery,
    callback_data: QuoteCb,
    *,
    state: FSMContext,
    i18n: I18nContext,
    order_desk: OrderDesk,
    customer: UserRow,
) -> None:
    currency = order_desk.currency
    try:
        placement = await order_desk.place(customer.id, callback_data.quote_id)
    except Requoted as requoted:
        await _show_new_price(callback, requoted, state=state, i18n=i18n, currency=currency)
        return
    except QuoteRefused as refused:
        await end(state)
        await show(callback, refusal_text(i18n, refused), keyboards.main_menu(i18n))
        return
    except InsufficientFunds as short:
        await show(
            callback,
            i18n.get("order-short", missing=currency.format(short.missing)),
            keyboards.quote(i18n, callback_data.quote_id, short_of_funds=True),
        )
        return
    except QuoteNotUsable as unusable:
        await end(state)
        key = "quote-expired" if unusable.expired else "button-outdated"
        await show(callback, i18n.get(key), keyboards.main_menu(i18n))
        return
    await end(state)
    await show(callback, placement_text(i18n, placement, currency), keyboards.main_menu(i18n))


async def _show_new_price(
    callback: CallbackQuery,
    requoted: Requoted,
    *,
    state: FSMContext,
    i18n: I18nContext,
    currency: Currency,
) -> None:
    """The summary again, with the new quote to confirm and a word on the price."""
    quoted = requoted.quoted
    changed = i18n.get(
        "quote-price-changed",
        old=currency.format(requoted.old_price),
        new=currency.format(quoted.quote.price),
    )
    text = f"{changed}\n\n{summary_text(i18n, currency, quoted)}"
    await move_to(state, Confirming.quote, {"quote_id": quoted.quote.id})
    await show(
        callback,
        text,
        keyboards.quote(i18n, quoted.quote.id, short_of_funds=quoted.short_of_funds),
    )


async def drop(
    callback: CallbackQuery,
    callback_data: QuoteCb,
    *,
    state: FSMContext,
    i18n: I18nContext,
    order_desk: OrderDesk,
    customer: UserRow,
) -> None:
    await end(state)
    placed = await order_desk.drop(customer.id, callback_data.quote_id)
    text = (
        i18n.get("order-already-placed", order_id=str(placed.id))
        if placed is not None
        else i18n.get("order-dropped")
    )
    await show(callback, text, keyboards.main_menu(i18n))
