"""Quotes of services priced as real panels price them: rates with 4 or 5 decimals, huge
rates and quantities, any markup. Cost is exact, the price is rounded up to the cent, what
is stored is exact to the micro-unit, and nothing but a QuoteRefused ever comes out."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import DefaultOrder, PanelClient, Service
from api.sandbox import SandboxPanel
from shop.alerts import Alerts
from shop.ordering import PlacementOutcome, QuoteProblem, QuoteRefused, place_order, quote_order
from shop.storage import Database, utc_now
from shop.terms import Terms

from .test_ordering import customer

LINK = "https://instagram.com/p/priced-post"
SERVICE_ID = 990_001
#: What the database can hold of an amount: 2**63 - 1 micro-units.
LARGEST_STORED = Fraction(2**63 - 1, 10**6)


def micro_ceiling(amount: Fraction) -> Fraction:
    return Fraction(math.ceil(amount * 10**6), 10**6)


def cent_ceiling(amount: Fraction) -> Fraction:
    return Fraction(math.ceil(amount * 100), 100)


async def offer_service(
    db: Database, rate: Decimal, markup: Decimal | None = None, maximum: int = 10_000_000
) -> None:
    """A Default service of the panel at ``rate``, with its own ``markup`` (None: the
    shop's 30 %)."""
    service = Service.model_validate(
        {
            "service": SERVICE_ID,
            "name": "TikTok Views [Real] 🇺🇸",
            "type": "Default",
            "category": "TikTok Views",
            "rate": format(rate, "f"),
            "min": "0",
            "max": str(maximum),
            "dripfeed": True,
        }
    )
    async with db.transaction() as tx:
        await tx.services.upsert_many([service], utc_now())
        await tx.services.set_markup_override(SERVICE_ID, markup)


async def test_a_rate_with_four_decimals_is_quoted_and_placed(
    db: Database, shop: Terms, panel: SandboxPanel, panel_client: PanelClient, alerts: Alerts
) -> None:
    await customer(db, 1)
    panel.set_services(
        [
            *panel.services,
            {"service": SERVICE_ID, "name": "TikTok Views", "type": "Default",
             "category": "TikTok Views", "rate": "0.0045", "min": "0", "max": "10000000"},
        ]
    )  # fmt: skip
    await offer_service(db, Decimal("0.0045"))
    request = DefaultOrder(service=SERVICE_ID, link=LINK, quantity=1233)

    quote = await quote_order(db, shop, 1, request)
    placement = await place_order(db, panel_client, alerts, 1, quote.id, terms=shop)

    # 0.0045 x 1233 / 1000 = 0.0055485 exactly; x 1.3 = 0.00721305, up to the cent.
    assert quote.price == Decimal("0.01")
    # Stored to the micro-unit, rounded up: a margin is never overstated.
    assert quote.cost == Decimal("0.005549")
    assert placement.outcome is PlacementOutcome.PLACED
    assert (placement.order.price, placement.order.cost) == (Decimal("0.01"), Decimal("0.005549"))
    async with db.read() as r:
        charges = [row.amount for row in await r.ledger.history(1, limit=10)]
    assert charges == [Decimal("-0.01"), Decimal(100)]
    assert placement.balance == Decimal("99.99")


async def test_a_price_too_large_to_keep_is_refused_as_unpriceable(
    db: Database, shop: Terms
) -> None:
    await customer(db, 1)
    await offer_service(db, Decimal("999999999999999.99999"), maximum=10_000_000)
    request = DefaultOrder(service=SERVICE_ID, link=LINK, quantity=10_000_000, runs=1000,
                           interval=10)  # fmt: skip

    try:
        await quote_order(db, shop, 1, request)
    except QuoteRefused as refused:
        assert refused.problem is QuoteProblem.UNPRICEABLE
    else:
        raise AssertionError("a price of 10^22 was quoted")


RATES = st.builds(
    lambda digits, places: Decimal(digits).scaleb(-places),
    st.one_of(st.integers(1, 100_000), st.integers(1, 10**19)),
    st.integers(1, 5),
).filter(lambda rate: rate < Decimal(10) ** 15)
MARKUPS = st.one_of(
    st.none(),
    st.integers(0, 6).flatmap(
        lambda places: st.decimals(min_value=0, max_value=10_000, places=places)
    ),
    st.sampled_from([Decimal(0), Decimal("12.5"), Decimal("33.333333"), Decimal(10_000)]),
)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rate=RATES,
    markup=MARKUPS,
    quantity=st.one_of(st.integers(1, 2000), st.integers(1, 10_000_000)),
    runs=st.one_of(st.none(), st.integers(2, 1000)),
)
async def test_any_rate_quantity_and_markup_is_priced_exactly_or_refused(
    db: Database,
    shop: Terms,
    rate: Decimal,
    markup: Decimal | None,
    quantity: int,
    runs: int | None,
) -> None:
    await customer(db, 1, funds=Decimal(0))
    await offer_service(db, rate, markup)
    request = DefaultOrder(
        service=SERVICE_ID,
        link=LINK,
        quantity=quantity,
        runs=runs,
        interval=None if runs is None else 10,
    )
    exact_cost = Fraction(rate) * quantity * (runs or 1) / 1000
    percent = Fraction(Decimal(30) if markup is None else markup)
    exact_price = exact_cost * (1 + percent / 100)

    try:
        quote = await quote_order(db, shop, 1, request)
    except QuoteRefused as refused:
        assert refused.problem is QuoteProblem.UNPRICEABLE
        assert cent_ceiling(exact_price) > LARGEST_STORED
        return
    assert Fraction(quote.price) == cent_ceiling(exact_price)
    assert Fraction(quote.cost) == micro_ceiling(exact_cost)
    assert quote.units == quantity * (runs or 1)
