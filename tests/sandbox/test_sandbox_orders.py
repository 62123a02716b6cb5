"""``add``: what each order type costs, and every refusal in the panel's own words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api.models import OrderType
from api.sandbox import FIRST_ORDER_ID, ManualClock, SandboxPanel

from .sandbox_http import KEY, SandboxAPI

LINK = "https://instagram.com/p/abc"
COMMENTS = "Great!\r\nLove it\n\n  \nWow\r\n" + "\n".join(f"nice {i}" for i in range(9))
USERNAMES_150 = "\n".join(f"user{i}" for i in range(150))

# service, fields, charge, quantity, units
CHARGES: list[tuple[int, dict[str, str], str, int, int]] = [
    (101, {"link": LINK, "quantity": "1000"}, "0.90", 1000, 1000),
    (101, {"link": LINK, "quantity": "100", "runs": "5", "interval": "10"}, "0.45", 100, 500),
    (113, {"link": LINK}, "0.65", 1, 1),
    (121, {"link": LINK, "comments": COMMENTS}, "0.096", 12, 12),
    (
        134,
        {"link": LINK, "quantity": "500", "usernames": "a\nb", "hashtags": "#x\r\n#y"},
        "1.80",
        500,
        500,
    ),
    (131, {"link": LINK, "usernames": USERNAMES_150}, "0.48", 150, 150),
    (132, {"link": LINK, "quantity": "1000", "hashtag": "#sun"}, "2.80", 1000, 1000),
    (133, {"link": LINK, "quantity": "600", "username": "https://x.com/u"}, "1.77", 600, 600),
    (
        141,
        {"username": "shop", "min": "100", "max": "200", "posts": "10", "old_posts": "5",
         "delay": "30", "expiry": "31/12/2030"},
        "0.36",
        3000,
        3000,
    ),
    (141, {"username": "shop", "min": "100", "max": "200", "old_posts": "5", "delay": "0"},
     "0.12", 1000, 1000),
    (123, {"link": LINK, "comments": "one\ntwo"}, "2.40", 1, 1),
    (321, {"link": LINK, "quantity": "1000", "answer_number": "2"}, "0.75", 1000, 1000),
    # 1.2345 x 150 / 1000 = 0.185175: five places, the half rounded up.
    (301, {"link": LINK, "quantity": "150"}, "0.18518", 150, 150),
]  # fmt: skip


@pytest.mark.parametrize("case", CHARGES, ids=lambda case: f"{case[0]}-{case[2]}")
async def test_add_charges_the_balance_per_type(
    api: SandboxAPI, panel: SandboxPanel, case: tuple[int, dict[str, str], str, int, int]
) -> None:
    service, fields, charge, quantity, units = case
    order_id = await api.order(service=str(service), **fields)
    assert order_id == FIRST_ORDER_ID
    order = panel.orders[order_id]
    assert order.charged == order.charge == Decimal(charge)
    assert (order.quantity, order.units) == (quantity, units)
    assert order.service == service
    assert order.key == KEY
    assert order.fields == {"service": str(service), **fields}
    assert panel.balance_of(KEY) == Decimal(100) - Decimal(charge)
    status = await api.call("status", order=str(order_id))
    assert status["charge"] == format(Decimal(charge).quantize(Decimal("0.00001")), "f")
    balance = await api.call("balance")
    assert balance == {
        "balance": format((Decimal(100) - Decimal(charge)).quantize(Decimal("0.00001")), "f"),
        "currency": "USD",
    }


def test_every_order_type_is_charged_in_the_table() -> None:
    panel = SandboxPanel(clock=ManualClock())
    charged_types = {panel.service(service).order_type for service, *_ in CHARGES}
    assert charged_types == set(OrderType)


async def test_order_ids_increase_from_23501(api: SandboxAPI) -> None:
    ids = [
        await api.order(service="101", link=f"https://instagram.com/u{i}", quantity="100")
        for i in range(3)
    ]
    assert ids == [23501, 23502, 23503]


async def test_requests_are_recorded_with_exact_fields(
    api: SandboxAPI, panel: SandboxPanel, clock: ManualClock
) -> None:
    await api.call("balance")
    await api.call("add", service="101", link=LINK, quantity="100", surprise="yes")
    await api.raw({"action": "balance"})
    assert [(r.action, r.fields, r.key) for r in panel.requests] == [
        ("balance", {}, KEY),
        ("add", {"service": "101", "link": LINK, "quantity": "100", "surprise": "yes"}, KEY),
        ("balance", {}, ""),
    ]
    assert panel.requests[0].at == clock.now()


def test_answers_for_an_unknown_key_and_action() -> None:
    panel = SandboxPanel(clock=ManualClock())
    panel.add_account("k")
    assert panel.respond("nope", "balance", {}) == {"error": "Invalid API key"}
    assert panel.respond("", "balance", {}) == {"error": "Invalid API key"}
    assert panel.respond("k", "refund", {}) == {"error": "Incorrect request"}
    assert panel.respond("k", "", {}) == {"error": "Incorrect request"}
    # The key is checked first, as real panels do.
    assert panel.respond("nope", "refund", {}) == {"error": "Invalid API key"}


async def test_key_and_action_errors_over_http(api: SandboxAPI) -> None:
    assert (await api.raw({"action": "balance"})).json() == {"error": "Invalid API key"}
    assert (await api.raw({"key": "wrong", "action": "balance"})).json() == {
        "error": "Invalid API key"
    }
    assert (await api.raw({"key": api.key})).json() == {"error": "Incorrect request"}
    assert await api.error_of("withdraw") == "Incorrect request"


def _long_link() -> str:
    return "https://instagram.com/" + "a" * 2030


SUBSCRIPTION = {"username": "shop", "min": "100", "max": "200", "delay": "30"}

# service, fields, error
REFUSALS: list[tuple[str, dict[str, str], str]] = [
    ("", {"link": LINK, "quantity": "100"}, "Incorrect service ID"),
    ("abc", {"link": LINK, "quantity": "100"}, "Incorrect service ID"),
    ("999", {"link": LINK, "quantity": "100"}, "Incorrect service ID"),
    ("101", {"quantity": "100"}, "Incorrect link"),
    ("101", {"link": "   ", "quantity": "100"}, "Incorrect link"),
    ("101", {"link": _long_link(), "quantity": "100"}, "Incorrect link"),
    ("101", {"link": LINK}, "Incorrect quantity"),
    ("101", {"link": LINK, "quantity": "ten"}, "Incorrect quantity"),
    ("101", {"link": LINK, "quantity": "10.5"}, "Incorrect quantity"),
    ("101", {"link": LINK, "quantity": "-5"}, "Incorrect quantity"),
    ("101", {"link": LINK, "quantity": "0"}, "Quantity less than minimal 50"),
    ("101", {"link": LINK, "quantity": "49"}, "Quantity less than minimal 50"),
    ("101", {"link": LINK, "quantity": "10001"}, "Quantity more than maximal 10000"),
    ("102", {"link": LINK, "quantity": "100", "runs": "2", "interval": "5"},
     "Drip-feed is disabled for this service"),
    ("101", {"link": LINK, "quantity": "100", "runs": "x", "interval": "5"}, "Incorrect runs"),
    ("101", {"link": LINK, "quantity": "100", "runs": "0", "interval": "5"}, "Incorrect runs"),
    ("101", {"link": LINK, "quantity": "100", "interval": "5"}, "Incorrect runs"),
    ("101", {"link": LINK, "quantity": "100", "runs": "2"}, "Incorrect interval"),
    ("101", {"link": LINK, "quantity": "100", "runs": "2", "interval": "0"},
     "Incorrect interval"),
    ("113", {"quantity": "1"}, "Incorrect link"),
    ("121", {"link": LINK}, "Incorrect comments"),
    ("121", {"link": LINK, "comments": "\n \r\n"}, "Incorrect comments"),
    ("121", {"link": LINK, "comments": "a\nb\nc"}, "Quantity less than minimal 10"),
    ("431", {"link": LINK, "comments": "\n".join(["c"] * 501)}, "Quantity more than maximal 500"),
    ("123", {"link": LINK}, "Incorrect comments"),
    ("131", {"link": LINK}, "Incorrect usernames"),
    ("131", {"link": LINK, "usernames": "a\nb"}, "Quantity less than minimal 100"),
    ("134", {"link": LINK, "quantity": "500", "hashtags": "#x"}, "Incorrect usernames"),
    ("134", {"link": LINK, "quantity": "500", "usernames": "a"}, "Incorrect hashtags"),
    ("134", {"link": LINK, "usernames": "a", "hashtags": "#x"}, "Incorrect quantity"),
    ("132", {"link": LINK, "quantity": "1000"}, "Incorrect hashtag"),
    ("133", {"link": LINK, "quantity": "1000"}, "Incorrect username"),
    ("133", {"link": LINK, "quantity": "100", "username": "u"}, "Quantity less than minimal 500"),
    ("321", {"link": LINK, "quantity": "100"}, "Incorrect answer number"),
    ("321", {"link": LINK, "quantity": "100", "answer_number": "0"}, "Incorrect answer number"),
    ("321", {"link": LINK, "quantity": "100", "answer_number": "first"},
     "Incorrect answer number"),
    ("141", {**SUBSCRIPTION, "username": ""}, "Incorrect username"),
    ("141", {**SUBSCRIPTION, "delay": "7"}, "Incorrect delay"),
    ("141", {**SUBSCRIPTION, "delay": ""}, "Incorrect delay"),
    ("141", {**SUBSCRIPTION, "expiry": "31/02/2030"}, "Incorrect expiry date"),
    ("141", {**SUBSCRIPTION, "expiry": "2030-12-31"}, "Incorrect expiry date"),
    ("141", {**SUBSCRIPTION, "expiry": "01/01/2020"}, "Incorrect expiry date"),
    ("141", {**SUBSCRIPTION, "min": "300"}, "Incorrect quantity"),
    ("141", {**SUBSCRIPTION, "min": "many"}, "Incorrect quantity"),
    ("141", {**SUBSCRIPTION, "min": "10"}, "Quantity less than minimal 50"),
    ("141", {**SUBSCRIPTION, "max": "6000"}, "Quantity more than maximal 5000"),
    ("141", {**SUBSCRIPTION, "posts": "0"}, "Incorrect posts"),
    ("141", {**SUBSCRIPTION, "old_posts": "some"}, "Incorrect old posts"),
]  # fmt: skip


@pytest.mark.parametrize(("service", "fields", "error"), REFUSALS)
async def test_add_refusals(
    api: SandboxAPI, panel: SandboxPanel, service: str, fields: dict[str, str], error: str
) -> None:
    form = {"service": service, **fields} if service else fields
    assert await api.error_of("add", **form) == error
    assert panel.orders == {}
    assert panel.balance_of(KEY) == Decimal(100)


async def test_expiry_today_is_accepted(api: SandboxAPI) -> None:
    # The manual clock starts on 15 January 2027 (UTC).
    assert await api.order(service="141", **SUBSCRIPTION, expiry="15/01/2027")
    late = {**SUBSCRIPTION, "username": "b", "expiry": "14/01/2027"}
    assert await api.error_of("add", service="141", **late) == "Incorrect expiry date"


async def test_not_enough_funds(api: SandboxAPI, panel: SandboxPanel) -> None:
    panel.add_account(api.key, Decimal("0.89999"))
    error = await api.error_of("add", service="101", link=LINK, quantity="1000")
    assert error == "Not enough funds on balance"
    panel.add_account(api.key, Decimal("0.90"))
    assert await api.order(service="101", link=LINK, quantity="1000")
    assert panel.balance_of(api.key) == 0


async def test_active_order_with_the_same_link(api: SandboxAPI, clock: ManualClock) -> None:
    await api.order(service="101", link=LINK, quantity="100")
    error = await api.error_of("add", service="101", link=LINK, quantity="100")
    assert error == (
        "You have active order with this link. Please wait until order being completed."
    )
    # Another service or another link is fine.
    await api.order(service="102", link=LINK, quantity="100")
    await api.order(service="101", link=LINK + "/2", quantity="100")
    clock.advance(360)
    await api.order(service="101", link=LINK, quantity="100")


async def test_active_link_is_per_key(api: SandboxAPI, panel: SandboxPanel) -> None:
    panel.add_account("other-key")
    await api.order(service="101", link=LINK, quantity="100")
    other = await api.raw(
        {"key": "other-key", "action": "add", "service": "101", "link": LINK, "quantity": "100"}
    )
    assert other.json() == {"order": 23502}


async def test_unknown_type_is_treated_as_default(clock: ManualClock) -> None:
    panel = SandboxPanel(
        clock=clock,
        services=[
            {"service": 1, "name": "X", "type": "Web Traffic", "category": "Web",
             "rate": "2", "min": "10", "max": "100", "refill": False, "cancel": False},
        ],
    )  # fmt: skip
    panel.add_account("k")
    assert panel.respond("k", "add", {"service": "1", "link": "x", "quantity": "50"}) == {
        "order": 23501
    }
    assert panel.orders[23501].charged == Decimal("0.1")
