"""Every order type, from /start to an order placed at the sandbox panel: the questions the
customer is asked, the summary with its exact price, the confirmation, the fields the panel
received and the ledger rows written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from api import OrderType, Service
from api.sandbox import SandboxPanel
from bot.app import Runtime
from shop.storage import LedgerReason

from ..support.telegram import BotClient
from .conftest import top_up
from .shopping import (
    FIRST_PANEL_ORDER,
    add_requests,
    grouped,
    ledger,
    open_service,
    order_price,
    service_of_type,
    shop_price,
    unanswered_callbacks,
    usd,
)

TOP_UP = Decimal(100)
NEXT_YEAR = dt.datetime.now(dt.UTC).year + 1


@dataclass(frozen=True)
class Tap:
    """An answer given with a button."""

    label: str


Answer = str | Tap


@dataclass(frozen=True)
class Case:
    """One order type's conversation: each question with the answer given to it, what the
    summary lists, and the ``add`` fields the panel must receive (besides ``service``)."""

    order_type: OrderType
    asked: str
    steps: Callable[[Service], list[tuple[str, Answer]]]
    summary: list[str]
    fields: dict[str, str]
    units: int
    where: Callable[[Service], bool] = field(default=lambda service: True)


def limits(service: Service) -> str:
    return f"From {grouped(service.min)} to {grouped(service.max)}."


COMMENTS = ["Love it!", "", "  So <good> & true  ", *(f"Comment {n}" for n in range(3, 11))]
LISTED = [f"@fan_{n:03}" for n in range(100)]

CASES = [
    Case(
        OrderType.DEFAULT,
        asked="Link, Quantity, Gradual delivery, Runs, Interval, minutes",
        where=lambda service: service.dripfeed,
        steps=lambda service: [
            ("🔗 Send the link (https://…).", "instagram.com/shop.alice"),
            (f"🔢 How many? {limits(service)}", "1,000"),
            ("💧 Deliver gradually, in several runs?", Tap("Yes")),
            ("🔁 How many runs? (2 to 1000)", "3"),
            ("⏱ How many minutes between runs? (1 to 10080)", " 60 "),
        ],
        summary=[
            "Link: https://instagram.com/shop.alice",
            "Quantity: 1000",
            "Runs: 3",
            "Interval, minutes: 60",
        ],
        fields={
            "link": "https://instagram.com/shop.alice",
            "quantity": "1000",
            "runs": "3",
            "interval": "60",
        },
        units=3000,
    ),
    Case(
        OrderType.DEFAULT,
        asked="Link, Quantity",
        where=lambda service: not service.dripfeed and service.min == 100,
        steps=lambda service: [
            ("🔗 Send the link (https://…).", "https://instagram.com/p/Cx1/"),
            (f"🔢 How many? {limits(service)}", "2 000"),
        ],
        summary=["Link: https://instagram.com/p/Cx1/", "Quantity: 2000"],
        fields={"link": "https://instagram.com/p/Cx1/", "quantity": "2000"},
        units=2000,
    ),
    Case(
        OrderType.PACKAGE,
        asked="Link",
        steps=lambda service: [("🔗 Send the link (https://…).", "https://instagram.com/p/Pk9")],
        summary=["Link: https://instagram.com/p/Pk9"],
        fields={"link": "https://instagram.com/p/Pk9"},
        units=1,
    ),
    Case(
        OrderType.CUSTOM_COMMENTS,
        asked="Link, Comments",
        steps=lambda service: [
            ("🔗 Send the link (https://…).", "https://instagram.com/p/Cc1"),
            (
                "💬 Send the comments, one per line: from "
                f"{grouped(service.min)} to {grouped(service.max)} lines. "
                "Each line is one comment.",
                "\n".join(COMMENTS),
            ),
        ],
        summary=[
            "Link: https://instagram.com/p/Cc1",
            "Comments: Love it!\nSo <good> & true\nComment 3",
        ],
        fields={
            "link": "https://instagram.com/p/Cc1",
            "comments": "\n".join(line.strip() for line in COMMENTS if line.strip()),
        },
        units=10,
    ),
    Case(
        OrderType.MENTIONS_WITH_HASHTAGS,
        asked="Link, Quantity, Usernames, Hashtags",
        steps=lambda service: [
            ("🔗 Send the link (https://…).", "https://instagram.com/p/Mw1"),
            (f"🔢 How many? {limits(service)}", "300"),
            ("👥 Send the usernames to mention, one per line.", "@alice\n\nbob.b\n"),
            ("#️⃣ Send the hashtags, one per line.", "travel\n#food"),
        ],
        summary=["Usernames: @alice\nbob.b", "Hashtags: #travel\n#food"],
        fields={
            "link": "https://instagram.com/p/Mw1",
            "quantity": "300",
            "usernames": "@alice\nbob.b",
            "hashtags": "#travel\n#food",
        },
        units=300,
    ),
    Case(
        OrderType.MENTIONS_CUSTOM_LIST,
        asked="Link, Usernames",
        steps=lambda service: [
            ("🔗 Send the link (https://…).", "https://instagram.com/p/Ml1"),
            (
                "👥 Send the usernames to mention, one per line: "
                f"from {grouped(service.min)} to {grouped(service.max)}.",
                "\n".join(LISTED),
            ),
        ],
        summary=["Usernames: @fan_000\n@fan_001"],
        fields={"link": "https://instagram.com/p/Ml1", "usernames": "\n".join(LISTED)},
        units=100,
    ),
    Case(
        OrderType.MENTIONS_HASHTAG,
        asked="Link, Quantity, Hashtag",
        steps=lambda service: [
            ("🔗 Send the link (https://…).", "https://instagram.com/p/Mh1"),
            (f"🔢 How many? {limits(service)}", "750"),
            ("#️⃣ Send the hashtag to take users from.", "  travel  "),
        ],
        summary=["Quantity: 750", "Hashtag: #travel"],
        fields={"link": "https://instagram.com/p/Mh1", "quantity": "750", "hashtag": "#travel"},
        units=750,
    ),
    Case(
        OrderType.MENTIONS_USER_FOLLOWERS,
        asked="Link, Quantity, Username",
        steps=lambda service: [
            ("🔗 Send the link (https://…).", "https://instagram.com/p/Mu1"),
            (f"🔢 How many? {limits(service)}", "500"),
            ("👤 Send the username or profile link.", "https://instagram.com/some.star"),
        ],
        summary=["Username: https://instagram.com/some.star"],
        fields={
            "link": "https://instagram.com/p/Mu1",
            "quantity": "500",
            "username": "https://instagram.com/some.star",
        },
        units=500,
    ),
    Case(
        OrderType.SUBSCRIPTIONS,
        asked=(
            "Username, Minimum per post, Maximum per post, New posts, Existing posts, "
            "Delay, minutes, Ends on"
        ),
        steps=lambda service: [
            ("👤 Send the username or profile link.", "shop.alice"),
            (f"🔢 The least to order for each post? {limits(service)}", "100"),
            (f"🔢 The most to order for each post? From 100 to {grouped(service.max)}.", "200"),
            ("📅 For how many new posts? (1 to 10000)", "5"),
            ("🗂 For how many existing posts too? (0 to 10000), or Skip.", "2"),
            ("⏳ How long after a post to start? Choose the delay in minutes.", Tap("30")),
            (
                "📆 Until what date? Send it as day/month/year, like 31/12/2026, or Skip.",
                f"1/6/{NEXT_YEAR}",
            ),
        ],
        summary=[
            "Username: shop.alice",
            "Minimum per post: 100\nMaximum per post: 200\nNew posts: 5\nExisting posts: 2",
            f"Delay, minutes: 30\nEnds on: 01/06/{NEXT_YEAR}",
        ],
        fields={
            "username": "shop.alice",
            "min": "100",
            "max": "200",
            "delay": "30",
            "posts": "5",
            "old_posts": "2",
            "expiry": f"01/06/{NEXT_YEAR}",
        },
        units=200 * (5 + 2),
    ),
    Case(
        OrderType.CUSTOM_COMMENTS_PACKAGE,
        asked="Link, Comments",
        steps=lambda service: [
            ("🔗 Send the link (https://…).", "https://instagram.com/p/Cp1"),
            ("💬 Send the comments, one per line.", "First!\n\nSecond"),
        ],
        summary=["Comments: First!\nSecond"],
        fields={"link": "https://instagram.com/p/Cp1", "comments": "First!\nSecond"},
        units=1,
    ),
    Case(
        OrderType.POLL,
        asked="Link, Quantity, Answer number",
        steps=lambda service: [
            ("🔗 Send the link (https://t.me/…) or the @username.", "t.me/shop_news/42"),
            (f"🔢 How many? {limits(service)}", "1000"),
            ("🗳 Which answer to vote for? Send its number (1 for the first).", "2"),
        ],
        summary=["Link: https://t.me/shop_news/42", "Answer number: 2"],
        fields={"link": "https://t.me/shop_news/42", "quantity": "1000", "answer_number": "2"},
        units=1000,
    ),
]

KINDS = {
    OrderType.DEFAULT: "Standard",
    OrderType.PACKAGE: "Package",
    OrderType.CUSTOM_COMMENTS: "Custom comments",
    OrderType.MENTIONS_WITH_HASHTAGS: "Mentions with hashtags",
    OrderType.MENTIONS_CUSTOM_LIST: "Mentions of a list",
    OrderType.MENTIONS_HASHTAG: "Mentions from a hashtag",
    OrderType.MENTIONS_USER_FOLLOWERS: "Mentions of followers",
    OrderType.SUBSCRIPTIONS: "Subscription",
    OrderType.CUSTOM_COMMENTS_PACKAGE: "Comments package",
    OrderType.POLL: "Poll votes",
}


def _case_id(case: Case) -> str:
    return f"{case.order_type.value}:{case.asked.split(', ')[-1]}"


def test_every_order_type_has_a_conversation() -> None:
    assert {case.order_type for case in CASES} == set(OrderType)


#: What the cards of the sandbox's services that carry a description or an average time
#: show beneath their terms: the panel's HTML as plain lines.
CARD_DETAILS = {
    101: [
        "⏱ Average time: 1 hour 20 minutes",
        "",
        "Real-looking accounts with a photo and posts.",
        "Start: 0-1 hour",
        "Speed: up to 5K/day",
        "",
        "30 days refill & a cancel button",
    ],
}


def _card_details(case: Case, service: Service) -> list[str]:
    drip_feed = "Gradual delivery" in case.asked
    return [
        *(["💧 Gradual delivery (drip-feed) available"] if drip_feed else []),
        *CARD_DETAILS.get(service.id, []),
    ]


def _card_price(service: Service) -> str:
    if service.order_type in (OrderType.PACKAGE, OrderType.CUSTOM_COMMENTS_PACKAGE):
        return f"💵 {usd(shop_price(service.rate))} per package"
    return (
        f"💵 {usd(shop_price(service.rate))} per 1000 · "
        f"from {grouped(service.min)} to {grouped(service.max)}"
    )


async def _answer(client: BotClient, answer: Answer) -> None:
    if isinstance(answer, Tap):
        await client.click(answer.label)
    else:
        await client.send(answer)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
async def test_a_customer_orders_from_start_to_placed_order(
    case: Case, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    service = service_of_type(panel, case.order_type, case.where)
    await alice.send("/start")
    assert alice.screen.last.text is not None
    assert alice.screen.last.text.startswith("👋 Hello, Alice!")
    assert alice.screen.last.buttons == [
        ["🛒 New order"],
        ["📦 My orders", "💰 Balance"],
        ["💬 Support", "❓ Help"],
        ["🌐 Language"],
    ]
    await top_up(services, alice.user.id, TOP_UP)

    card = await open_service(alice, panel, service)
    assert card.text == "\n".join(
        [
            service.name,
            f"📂 {service.category} · {KINDS[case.order_type]}",
            _card_price(service),
            f"♻️ Refill: {'yes' if service.refill else 'no'} · "
            f"✖ Cancel: {'yes' if service.cancel else 'no'}",
            *_card_details(case, service),
            "",
            f"You will be asked for: {case.asked}.",
        ]
    )
    assert card.buttons == [["🛒 Order"], ["◀ Back"]]

    await alice.click("Order")
    assert alice.screen.bot_messages[-2].text == (
        f"📝 Ordering {service.name}. Send /cancel to stop at any time."
    )
    for question, answer in case.steps(service):
        assert alice.screen.last.text == question
        assert alice.screen.last.buttons[-1] == ["✖ Cancel"]
        await _answer(alice, answer)

    price = order_price(service, case.units)
    summary = alice.screen.last
    assert summary.text is not None
    assert summary.text.startswith(f"🧾 Your order\n{service.name}\n")
    for line in case.summary:
        assert line in summary.text
    assert summary.text.endswith(
        f"Units: {grouped(case.units)}\n💵 Price: {usd(price)}\n💰 Your balance: {usd(TOP_UP)}"
    )
    assert summary.buttons == [["✅ Confirm", "✖ Cancel"]]
    assert add_requests(panel) == []

    await alice.click("Confirm")
    assert alice.screen.last is summary  # the summary turned into the outcome, in place
    assert alice.screen.last.text == (
        f"✅ Order #1 placed\nPanel order: {FIRST_PANEL_ORDER}\nCharged: {usd(price)}\n"
        f"Your balance: {usd(TOP_UP - price)}\n"
        "We will tell you when it starts and when it is done."
    )
    assert alice.last_answer_callback().text is None
    assert add_requests(panel) == [{"service": str(service.id), **case.fields}]
    assert await ledger(services, alice.user.id) == [
        (LedgerReason.TOPUP, TOP_UP),
        (LedgerReason.ORDER_CHARGE, -price),
    ]
    assert await alice.fsm_state() is None
    assert unanswered_callbacks(alice) == set()


async def test_a_drip_feed_service_can_be_ordered_in_one_run(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    service = service_of_type(panel, OrderType.DEFAULT, lambda service: service.dripfeed)
    await alice.send("/start")
    await top_up(services, alice.user.id, TOP_UP)
    await open_service(alice, panel, service)
    await alice.click("Order")
    await alice.send("https://instagram.com/shop.alice")
    await alice.send("100")
    await alice.click("No")

    price = order_price(service, 100)
    assert alice.screen.last.text is not None
    assert "Gradual delivery" not in alice.screen.last.text
    assert f"Price: {usd(price)}" in alice.screen.last.text
    await alice.click("Confirm")
    assert add_requests(panel) == [
        {"service": str(service.id), "link": "https://instagram.com/shop.alice", "quantity": "100"}
    ]


async def test_optional_subscription_steps_can_be_skipped(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    service = service_of_type(panel, OrderType.SUBSCRIPTIONS)
    await alice.send("/start")
    await top_up(services, alice.user.id, TOP_UP)
    await open_service(alice, panel, service)
    await alice.click("Order")
    await alice.send("@shop.alice")
    await alice.send(str(service.min))
    await alice.send(str(service.min))
    await alice.send("3")
    assert alice.screen.last.buttons == [["Skip ⏭"], ["✖ Cancel"]]
    await alice.click("Skip")
    delays = alice.screen.last.labels
    assert delays[:4] == ["0", "5", "10", "15"]
    assert "600" in delays
    await alice.click("0")
    await alice.click("Skip")
    assert alice.screen.last.text is not None
    assert "Existing posts" not in alice.screen.last.text
    assert "Ends on" not in alice.screen.last.text

    await alice.click("Confirm")
    assert add_requests(panel) == [
        {
            "service": str(service.id),
            "username": "@shop.alice",
            "min": str(service.min),
            "max": str(service.min),
            "delay": "0",
            "posts": "3",
        }
    ]
    assert await ledger(services, alice.user.id) == [
        (LedgerReason.TOPUP, TOP_UP),
        (LedgerReason.ORDER_CHARGE, -order_price(service, service.min * 3)),
    ]
