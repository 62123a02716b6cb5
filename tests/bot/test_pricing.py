"""Prices: units per order type, markup, rounding in the shop's favour by < 1 minor unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
from shop.pricing import UNIT_RULES, UnpriceableOrder, order_units, price_order

USD = Currency("USD", 2)
LINK = "https://instagram.com/p/abc"


@pytest.mark.parametrize(
    ("request_", "units"),
    [
        (DefaultOrder(service=1, link=LINK, quantity=500), 500),
        (DefaultOrder(service=1, link=LINK, quantity=500, runs=4, interval=30), 2000),
        (PackageOrder(service=1, link=LINK), 1),
        (CustomCommentsOrder(service=1, link=LINK, comments="nice\n\ngreat\n  wow  "), 3),
        (CustomCommentsPackageOrder(service=1, link=LINK, comments=["a", "b"]), 1),
        (MentionsWithHashtagsOrder(service=1, link=LINK, quantity=70, usernames=["u"],
                                   hashtags=["#h"]), 70),
        (MentionsCustomListOrder(service=1, link=LINK, usernames="@a\n@b"), 2),
        (MentionsHashtagOrder(service=1, link=LINK, quantity=90, hashtag="#cats"), 90),
        (MentionsUserFollowersOrder(service=1, link=LINK, quantity=80, username="nasa"), 80),
        (PollOrder(service=1, link=LINK, quantity=300, answer_number=2), 300),
        (SubscriptionOrder(service=1, username="shop", min=100, max=200, delay=0, posts=10,
                           old_posts=5, expiry=dt.date(2030, 1, 1)), 3000),
    ],
)  # fmt: skip
def test_units_of_every_order_type(request_: OrderRequest, units: int) -> None:
    assert order_units(request_) == units


def test_every_order_type_has_a_rule() -> None:
    assert set(UNIT_RULES) == set(OrderType)


def test_subscription_without_posts_is_not_sold() -> None:
    with pytest.raises(UnpriceableOrder):
        order_units(SubscriptionOrder(service=1, username="shop", min=1, max=2, delay=0))


def test_price_is_rate_per_thousand_with_markup_rounded_up() -> None:
    price = price_order(
        Decimal("0.90"), Decimal(30), USD, DefaultOrder(service=1, link=LINK, quantity=1234)
    )
    assert price.cost == Decimal("1.1106")
    # 1.1106 * 1.3 = 1.44378 -> 1.45
    assert price.price == Decimal("1.45")


def test_package_rate_is_the_price_of_one_package() -> None:
    price = price_order(Decimal("4.5"), Decimal(10), USD, PackageOrder(service=1, link=LINK))
    assert price.cost == Decimal("4.5")
    assert price.price == Decimal("4.95")


@given(
    rate=st.decimals(min_value=Decimal("0.00001"), max_value=Decimal(1000), places=5),
    quantity=st.integers(min_value=1, max_value=10_000_000),
    markup=st.decimals(min_value=Decimal(0), max_value=Decimal(500), places=2),
    decimals=st.integers(min_value=0, max_value=4),
)
def test_rounding_favours_the_shop_by_less_than_one_minor_unit(
    rate: Decimal, quantity: int, markup: Decimal, decimals: int
) -> None:
    currency = Currency("XXX", decimals)
    request = DefaultOrder(service=1, link=LINK, quantity=quantity)
    price = price_order(rate, markup, currency, request)
    exact = rate * quantity / 1000 * (1 + markup / 100)
    assert exact <= price.price < exact + currency.quantum
    assert currency.is_exact(price.price)
