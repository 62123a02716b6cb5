"""The order desk: everything a customer does with orders, from the order form to the
order's card.

A form is walked one question at a time (:meth:`OrderDesk.open_form`,
:meth:`OrderDesk.answer`); its last answer brings a quote, which the customer confirms
(:meth:`OrderDesk.place`) or drops. Placed orders are listed, shown, refreshed at the panel,
refilled and cancelled. A customer only ever sees and acts on their own orders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from api import OrderType, PanelClient
from shop.alerts import Alerts
from shop.catalogue import Catalogue
from shop.money import Currency
from shop.order_actions import (
    CancelResult,
    OrderView,
    RefillResult,
    own_order,
    request_cancel,
    request_refill,
    view_order,
)
from shop.order_forms import OrderForm, Step, next_step, read_answer, steps_for
from shop.ordering import (
    Placement,
    PriceRose,
    customer_orders,
    drop_quote,
    place_order,
    quote_order,
)
from shop.panels import Panels
from shop.storage import Database, OrderRow, QuoteRow, ServiceRow
from shop.terms import Terms
from shop.tracking import Tracker


@dataclass(frozen=True, slots=True)
class Question:
    """Where a customer stands in an order form: the service, the index of the step being
    asked, and the answers given so far."""

    service: ServiceRow
    index: int
    answers: Mapping[str, str]

    @property
    def step(self) -> Step:
        """The step being asked."""
        return steps_for(self.service)[self.index]


@dataclass(frozen=True, slots=True)
class Quoted:
    """A quote the customer is asked to confirm: its service, the form's answers in the
    form's order, and the customer's balance beside its price."""

    quote: QuoteRow
    service: ServiceRow
    answers: Mapping[str, str]
    balance: Decimal

    @property
    def short_of_funds(self) -> bool:
        """True when the balance does not cover the price."""
        return self.balance < self.quote.price

    @property
    def missing(self) -> Decimal:
        """What the balance lacks to cover the price (nothing when it does)."""
        return max(self.quote.price - self.balance, Decimal(0))


class Requoted(Exception):
    """At its confirmation the order costs more than its quote: nothing was placed or
    charged. ``quoted`` is a new quote at the current price, ``old_price`` the price the
    customer had seen."""

    def __init__(self, quoted: Quoted, old_price: Decimal) -> None:
        super().__init__(f"the price rose from {old_price} to {quoted.quote.price}")
        self.quoted = quoted
        self.old_price = old_price


@dataclass(frozen=True, slots=True)
class OrdersPage:
    """A page of a customer's orders, newest first; ``page`` counts from 0."""

    orders: list[OrderRow]
    page: int
    pages: int


def answers_in_form_order(service: ServiceRow, fields: Mapping[str, object]) -> dict[str, str]:
    """A stored quote's form fields as the answers of the service's form, in its order."""
    return {
        step.field: str(fields[step.field])
        for step in steps_for(service)
        if fields.get(step.field)
    }


class OrderDesk:
    """What a customer does with orders: quote a form, place or drop the quote, see their
    orders, refresh, refill and cancel them."""

    def __init__(
        self,
        db: Database,
        panels: Panels | PanelClient,
        *,
        catalogue: Catalogue,
        terms: Terms,
        alerts: Alerts,
        tracker: Tracker,
    ) -> None:
        self._db = db
        self._panels = panels
        self._catalogue = catalogue
        self._terms = terms
        self._alerts = alerts
        self._tracker = tracker

    @property
    def currency(self) -> Currency:
        """The shop's currency, in which prices and balances are shown."""
        return self._terms.currency

    # --- the order form ---------------------------------------------------------------------

    async def open_form(self, service_id: int) -> Question | None:
        """The first question of the service's form; None when the service is not for sale
        or its form asks nothing the shop knows."""
        service = await self._catalogue.for_sale(service_id)
        first = None if service is None else next_step(service, {})
        if service is None or first is None:
            return None
        return Question(service, first, {})

    async def question(
        self, service_id: int, index: int, answers: Mapping[str, str]
    ) -> Question | None:
        """The question a form in progress stands at; None when the service went off sale
        meanwhile (or the form is not one of this service)."""
        service = await self._catalogue.for_sale(service_id)
        if service is None or not 0 <= index < len(steps_for(service)):
            return None
        return Question(service, index, dict(answers))

    async def answer(self, user_id: int, question: Question, text: str) -> Question | Quoted:
        """Take the answer to ``question``: the next question, or, after the last one, the
        form's quote. Raises :class:`~shop.order_forms.InputProblem` for an answer that
        cannot be taken, :class:`~shop.ordering.QuoteRefused` for a form the service does
        not take."""
        service = question.service
        answers = dict(question.answers)
        answers[question.step.field] = read_answer(question.step, text, service, answers)
        following = next_step(service, answers, question.index)
        if following is not None:
            return Question(service, following, answers)
        form = OrderForm(service.id, OrderType(service.type), answers)
        quote = await quote_order(self._db, self._terms, user_id, form.to_request())
        return Quoted(quote, service, answers, await self._balance(user_id))

    # --- quotes -----------------------------------------------------------------------------

    async def place(self, user_id: int, quote_id: str) -> Placement:
        """Place the order of a confirmed quote, exactly once (see :mod:`shop.ordering`).

        Raises :class:`Requoted` when it costs more now; :class:`~shop.ordering.QuoteRefused`,
        :class:`~shop.ordering.QuoteNotUsable` and :class:`~shop.ledger.InsufficientFunds`
        as :func:`~shop.ordering.place_order` does.
        """
        try:
            return await place_order(
                self._db, self._panels, self._alerts, user_id, quote_id, terms=self._terms
            )
        except PriceRose as rose:
            answers = answers_in_form_order(rose.service, rose.quote.fields)
            quoted = Quoted(rose.quote, rose.service, answers, await self._balance(user_id))
            raise Requoted(quoted, rose.old_price) from None

    async def drop(self, user_id: int, quote_id: str) -> OrderRow | None:
        """The customer dropped a quote, which can then no longer be confirmed; the order it
        made, if it was confirmed before."""
        return await drop_quote(self._db, user_id, quote_id)

    # --- placed orders ----------------------------------------------------------------------

    async def orders(self, user_id: int, page: int) -> OrdersPage:
        """A page of the customer's orders, the page number kept to the pages there are."""
        orders, page, pages = await customer_orders(self._db, user_id, page)
        return OrdersPage(orders, page, pages)

    async def card(self, user_id: int, order_id: int) -> OrderView | None:
        """The customer's order as its card shows it; None for an order not theirs."""
        return await view_order(self._db, order_id, user_id)

    async def refresh(self, user_id: int, order_id: int) -> OrderView | None:
        """Ask the panel where the customer's order stands (within the tracker's limits on
        Refresh), and show it; None for an order not theirs."""
        order = await own_order(self._db, order_id, user_id)
        if order is None:
            return None
        await self._tracker.refresh_order(order)
        return await self.card(user_id, order_id)

    async def refill(self, user_id: int, order_id: int) -> RefillResult:
        """Ask the panel to refill the customer's order; raises
        :class:`~shop.order_actions.ActionRefused` when it is not asked."""
        return await request_refill(self._db, self._panels, order_id, user_id)

    async def cancel(self, user_id: int, order_id: int) -> CancelResult:
        """Ask the panel to cancel the customer's order; raises
        :class:`~shop.order_actions.ActionRefused` when it is not asked."""
        return await request_cancel(self._db, self._panels, order_id, user_id)

    async def _balance(self, user_id: int) -> Decimal:
        async with self._db.read() as r:
            return await r.ledger.balance(user_id)
