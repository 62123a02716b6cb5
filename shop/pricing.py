"""What an order costs: the units of each order type, the panel's cost, the customer's price.

Customer price = rate per 1000 × units / 1000 × (1 + markup), rounded up to the currency's
minor unit (in the shop's favour, by less than one minor unit). For packages the rate is the
price of one package. The cost is exact: panels quote rates such as 0.0045 per 1000, so a
cost may have more decimals than any currency; it is rounded only where it is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import (
    ROUND_CEILING,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Any, Final, Generic, TypeVar

from api import (
    CustomCommentsOrder,
    CustomCommentsPackageOrder,
    DefaultOrder,
    MentionsCustomListOrder,
    MentionsHashtagOrder,
    MentionsUserFollowersOrder,
    MentionsWithHashtagsOrder,
    OrderRequest,
    OrderType,
    PackageOrder,
    PollOrder,
    SubscriptionOrder,
)
from shop.money import Currency
from shop.storage import MICRO

# Far more digits than any rate, quantity and markup multiplied together need, so the
# arithmetic is exact; Inexact is trapped all the same: a result is exact or refused, never
# rounded unnoticed.
_EXACT: Final = Context(prec=1000, traps=[Inexact, InvalidOperation, DivisionByZero, Overflow])
# Rounding on purpose (to the minor unit, to the micro-unit) under the same precision, so
# no amount is too long to round.
_ROUNDING: Final = Context(prec=1000)


class UnpriceableOrder(ValueError):
    """An order whose cost this shop cannot bound, so it is not sold."""


R = TypeVar("R", bound=OrderRequest)


@dataclass(frozen=True, slots=True)
class UnitRule(Generic[R]):
    """How many units an order of a type is, and how many units the rate is the price of."""

    request_type: type[R]
    count: Callable[[R], int]
    rate_per: int
    meaning: str

    def units(self, request: OrderRequest) -> int:
        if not isinstance(request, self.request_type):
            raise TypeError(f"{type(request).__name__} is not a {self.request_type.__name__}")
        return self.count(request)


def _subscription_units(request: SubscriptionOrder) -> int:
    if request.posts is None:
        # Without a number of posts the panel keeps charging for every future post.
        raise UnpriceableOrder("a subscription needs a number of posts in this shop")
    return request.max * (request.posts + (request.old_posts or 0))


#: The pricing rule of every order type, in one place.
UNIT_RULES: Final[dict[OrderType, UnitRule[Any]]] = {
    OrderType.DEFAULT: UnitRule(
        DefaultOrder, lambda r: r.quantity * (r.runs or 1), 1000, "quantity x runs (drip-feed)"
    ),
    OrderType.PACKAGE: UnitRule(PackageOrder, lambda r: 1, 1, "one package at the rate"),
    OrderType.CUSTOM_COMMENTS: UnitRule(
        CustomCommentsOrder, lambda r: len(r.comments), 1000, "number of comments"
    ),
    OrderType.MENTIONS_WITH_HASHTAGS: UnitRule(
        MentionsWithHashtagsOrder, lambda r: r.quantity, 1000, "quantity"
    ),
    OrderType.MENTIONS_CUSTOM_LIST: UnitRule(
        MentionsCustomListOrder, lambda r: len(r.usernames), 1000, "number of usernames"
    ),
    OrderType.MENTIONS_HASHTAG: UnitRule(
        MentionsHashtagOrder, lambda r: r.quantity, 1000, "quantity"
    ),
    OrderType.MENTIONS_USER_FOLLOWERS: UnitRule(
        MentionsUserFollowersOrder, lambda r: r.quantity, 1000, "quantity"
    ),
    OrderType.SUBSCRIPTIONS: UnitRule(
        SubscriptionOrder, _subscription_units, 1000, "max x (posts + old_posts)"
    ),
    OrderType.CUSTOM_COMMENTS_PACKAGE: UnitRule(
        CustomCommentsPackageOrder, lambda r: 1, 1, "one package at the rate"
    ),
    OrderType.POLL: UnitRule(PollOrder, lambda r: r.quantity, 1000, "quantity"),
}


@dataclass(frozen=True, slots=True)
class Price:
    """The units of an order, what the panel charges for it and what the customer pays."""

    units: int
    #: What the panel charges, exact.
    cost: Decimal
    #: What the customer pays: rounded up to the currency's minor unit.
    price: Decimal

    @property
    def recorded_cost(self) -> Decimal:
        """The cost as the books keep it (see :func:`recorded_cost`)."""
        return recorded_cost(self.cost)


def recorded_cost(cost: Decimal) -> Decimal:
    """``cost`` as the books keep it: rounded up to the micro-unit, so a margin worked out
    from it is never overstated."""
    return cost.quantize(MICRO, rounding=ROUND_CEILING, context=_ROUNDING)


def order_units(request: OrderRequest) -> int:
    """The number of units an order is priced on (see :data:`UNIT_RULES`)."""
    return UNIT_RULES[request.order_type].units(request)


def panel_cost(rate: Decimal, request: OrderRequest) -> Decimal:
    """What the panel charges for ``request`` at ``rate``, exact (UnpriceableOrder if it
    cannot be)."""
    rule = UNIT_RULES[request.order_type]
    try:
        with localcontext(_EXACT):
            return rate * rule.units(request) / rule.rate_per
    except ArithmeticError as exc:
        raise UnpriceableOrder(f"the cost at rate {rate} cannot be computed exactly") from exc


def customer_price(cost: Decimal, markup_percent: Decimal, currency: Currency) -> Decimal:
    """``cost`` with the markup, rounded up to the currency's minor unit (UnpriceableOrder
    if it cannot be computed exactly before that)."""
    try:
        with localcontext(_EXACT):
            marked = cost * (1 + markup_percent / 100)
    except ArithmeticError as exc:
        raise UnpriceableOrder(f"{cost} with a markup of {markup_percent} %") from exc
    with localcontext(_ROUNDING):
        return currency.round_up(marked)


def price_order(
    rate: Decimal, markup_percent: Decimal, currency: Currency, request: OrderRequest
) -> Price:
    """Units, panel cost and customer price of ``request`` for a service at ``rate``."""
    cost = panel_cost(rate, request)
    return Price(
        units=order_units(request),
        cost=cost,
        price=customer_price(cost, markup_percent, currency),
    )
