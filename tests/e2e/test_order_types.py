"""Every order type of API v2 ordered from the bot running as its own process, over loopback
HTTP: the form a customer fills in, the quote, the order placed, the fields the panel
received, the notices pushed as the panel works, a refill of a finished order and a cancel of
one still waiting, with the ledger and the balance the customer is shown."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from api import OrderType, Service
from api.sandbox import REFILL_REJECT_MARKER, SandboxPanel

from ..support.telegram.chat import Customer, Screen
from .shop import ADMIN_CHAT, OWNER, Shop

#: The shop's default markup.
MARKUP = Decimal("1.30")
CREDIT = Decimal(10)
FIRST_PANEL_ORDER = 23501
NEXT_YEAR = dt.datetime.now(dt.UTC).year + 1
PACKAGES = frozenset({OrderType.PACKAGE, OrderType.CUSTOM_COMMENTS_PACKAGE})


def usd(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):f} USD"


def price_of(service: Service, units: int) -> Decimal:
    """The customer's price: the panel's rate (per 1000, or per package) plus 30 %, rounded
    up to the cent."""
    per = 1 if service.order_type in PACKAGES else 1000
    return (service.rate * units / per * MARKUP).quantize(Decimal("0.01"), ROUND_CEILING)


def greeting(name: str) -> str:
    return (
        f"👋 <b>Hello, {name}!</b>\nOrder followers, likes, views and more for your social "
        "networks. Choose below, or just type what you are looking for."
    )


def limits(service: Service) -> str:
    return f"From {service.min:,} to {service.max:,}."


@dataclass(frozen=True)
class Tap:
    """An answer given with a button."""

    label: str


@dataclass(frozen=True)
class Purchase:
    """One order as a customer places it: each question with the answer given, lines of the
    quote, and the ``add`` fields the panel must receive besides ``service``."""

    order_type: OrderType
    steps: Callable[[Service], list[tuple[str, str | Tap]]]
    summary: list[str]
    fields: dict[str, str]
    units: int
    where: Callable[[Service], bool] = lambda service: True


LINK = "🔗 Send the link (https://…)."
COMMENTS = [
    "Fish & chips",
    "Love it!",
    "",
    "  Nice one  ",
    *(f"Comment {n}" for n in range(4, 11)),
]
LISTED = [f"@fan_{n:03}" for n in range(100)]
#: The sandbox rejects every refill of an order whose link holds this.
REJECTED_REFILL_LINK = f"https://instagram.com/ann.shop?{REFILL_REJECT_MARKER}"

PLAIN = Purchase(
    OrderType.DEFAULT,
    where=lambda service: service.refill and service.cancel and not service.dripfeed,
    steps=lambda service: [
        (LINK, "instagram.com/p/Ann1"),
        (f"🔢 How many? {limits(service)}", "1000"),
    ],
    summary=["Link: https://instagram.com/p/Ann1\nQuantity: 1000"],
    fields={"link": "https://instagram.com/p/Ann1", "quantity": "1000"},
    units=1000,
)
DRIP_FEED = Purchase(
    OrderType.DEFAULT,
    where=lambda service: service.refill and service.dripfeed,
    steps=lambda service: [
        (LINK, REJECTED_REFILL_LINK),
        (f"🔢 How many? {limits(service)}", "100"),
        ("💧 Deliver gradually, in several runs?", Tap("Yes")),
        ("🔁 How many runs? (2 to 1000)", "3"),
        ("⏱ How many minutes between runs? (1 to 10080)", "60"),
    ],
    summary=[
        f"Link: {REJECTED_REFILL_LINK}\nQuantity: 100\nRuns: 3\nInterval, minutes: 60",
    ],
    fields={"link": REJECTED_REFILL_LINK, "quantity": "100", "runs": "3", "interval": "60"},
    units=300,
)
PACKAGE = Purchase(
    OrderType.PACKAGE,
    steps=lambda service: [(LINK, "https://instagram.com/p/Pk1")],
    summary=["Link: https://instagram.com/p/Pk1"],
    fields={"link": "https://instagram.com/p/Pk1"},
    units=1,
)
CUSTOM_COMMENTS = Purchase(
    OrderType.CUSTOM_COMMENTS,
    where=lambda service: service.cancel,
    steps=lambda service: [
        (LINK, "https://instagram.com/p/Cc1"),
        (
            "💬 Send the comments, one per line: from "
            f"{service.min:,} to {service.max:,} lines. Each line is one comment.",
            "\n".join(COMMENTS),
        ),
    ],
    summary=["Comments: Fish &amp; chips\nLove it!\nNice one\n…and 7 more"],
    fields={
        "link": "https://instagram.com/p/Cc1",
        "comments": "\n".join(line.strip() for line in COMMENTS if line.strip()),
    },
    units=10,
)
COMMENTS_PACKAGE = Purchase(
    OrderType.CUSTOM_COMMENTS_PACKAGE,
    steps=lambda service: [
        (LINK, "https://instagram.com/p/Cp1"),
        ("💬 Send the comments, one per line.", "First!\n\nSecond"),
    ],
    summary=["Link: https://instagram.com/p/Cp1\nComments: First!\nSecond"],
    fields={"link": "https://instagram.com/p/Cp1", "comments": "First!\nSecond"},
    units=1,
)
MENTIONS_WITH_HASHTAGS = Purchase(
    OrderType.MENTIONS_WITH_HASHTAGS,
    steps=lambda service: [
        (LINK, "https://instagram.com/p/Mw1"),
        (f"🔢 How many? {limits(service)}", "300"),
        ("👥 Send the usernames to mention, one per line.", "@alice\nbob.b"),
        ("#️⃣ Send the hashtags, one per line.", "travel\n#food"),
    ],
    summary=["Quantity: 300\nUsernames: @alice\nbob.b\nHashtags: #travel\n#food"],
    fields={
        "link": "https://instagram.com/p/Mw1",
        "quantity": "300",
        "usernames": "@alice\nbob.b",
        "hashtags": "#travel\n#food",
    },
    units=300,
)
MENTIONS_CUSTOM_LIST = Purchase(
    OrderType.MENTIONS_CUSTOM_LIST,
    steps=lambda service: [
        (LINK, "https://instagram.com/p/Ml1"),
        (
            "👥 Send the usernames to mention, one per line: "
            f"from {service.min:,} to {service.max:,}.",
            "\n".join(LISTED),
        ),
    ],
    summary=["Usernames: @fan_000\n@fan_001\n@fan_002\n…and 97 more"],
    fields={"link": "https://instagram.com/p/Ml1", "usernames": "\n".join(LISTED)},
    units=100,
)
MENTIONS_HASHTAG = Purchase(
    OrderType.MENTIONS_HASHTAG,
    steps=lambda service: [
        (LINK, "https://instagram.com/p/Mh1"),
        (f"🔢 How many? {limits(service)}", "750"),
        ("#️⃣ Send the hashtag to take users from.", "travel"),
    ],
    summary=["Quantity: 750\nHashtag: #travel"],
    fields={"link": "https://instagram.com/p/Mh1", "quantity": "750", "hashtag": "#travel"},
    units=750,
)
MENTIONS_USER_FOLLOWERS = Purchase(
    OrderType.MENTIONS_USER_FOLLOWERS,
    steps=lambda service: [
        (LINK, "https://instagram.com/p/Mu1"),
        (f"🔢 How many? {limits(service)}", "500"),
        ("👤 Send the username or profile link.", "https://instagram.com/some.star"),
    ],
    summary=["Quantity: 500\nUsername: https://instagram.com/some.star"],
    fields={
        "link": "https://instagram.com/p/Mu1",
        "quantity": "500",
        "username": "https://instagram.com/some.star",
    },
    units=500,
)
SUBSCRIPTION = Purchase(
    OrderType.SUBSCRIPTIONS,
    steps=lambda service: [
        ("👤 Send the username or profile link.", "cat.shop"),
        (f"🔢 The least to order for each post? {limits(service)}", "100"),
        (f"🔢 The most to order for each post? From 100 to {service.max:,}.", "200"),
        ("📅 For how many new posts? (1 to 10000)", "5"),
        ("🗂 For how many existing posts too? (0 to 10000), or Skip.", "2"),
        ("⏳ How long after a post to start? Choose the delay in minutes.", Tap("30")),
        (
            "📆 Until what date? Send it as day/month/year, like 31/12/2026, or Skip.",
            f"1/6/{NEXT_YEAR}",
        ),
    ],
    summary=[
        "Username: cat.shop\nMinimum per post: 100\nMaximum per post: 200\nNew posts: 5\n"
        f"Existing posts: 2\nDelay, minutes: 30\nEnds on: 01/06/{NEXT_YEAR}"
    ],
    fields={
        "username": "cat.shop",
        "min": "100",
        "max": "200",
        "delay": "30",
        "posts": "5",
        "old_posts": "2",
        "expiry": f"01/06/{NEXT_YEAR}",
    },
    units=200 * (5 + 2),
)
POLL = Purchase(
    OrderType.POLL,
    steps=lambda service: [
        ("🔗 Send the link (https://t.me/…) or the @username.", "t.me/cat_news/42"),
        (f"🔢 How many? {limits(service)}", "1000"),
        ("🗳 Which answer to vote for? Send its number (1 for the first).", "2"),
    ],
    summary=["Link: https://t.me/cat_news/42\nQuantity: 1000\nAnswer number: 2"],
    fields={"link": "https://t.me/cat_news/42", "quantity": "1000", "answer_number": "2"},
    units=1000,
)


def service_for(panel: SandboxPanel, purchase: Purchase) -> Service:
    """The sandbox's first service of the purchase's type that it fits."""
    for row in panel.services:
        service = panel.service(int(str(row["service"])))
        if service.order_type is purchase.order_type and purchase.where(service):
            return service
    raise AssertionError(f"no {purchase.order_type} service in the sandbox")


@dataclass
class Placed:
    """An order as the test expects the shop to hold it."""

    buyer: Customer
    purchase: Purchase
    order_id: int
    panel_id: int
    service: Service
    price: Decimal

    @property
    def name(self) -> str:
        return html.escape(self.service.name)


#: The one button under a notice the bot pushes about an order.
VIEW_ORDER = "📦 View order"


def _latest(buyer: Customer) -> Screen | None:
    """The screen the bot last sent or changed in answer to the buyer. Notices about orders
    may come at any moment, so they are left out; and ``Customer.last`` would not do, as it
    is the newest message while an older one may be the one being edited."""
    for call in reversed(buyer.double.calls):
        message_id = buyer.shown_by(call)
        if message_id is None:
            continue
        [screen] = [s for s in buyer.screens() if s.message_id == message_id]
        if [label for label, _ in screen.buttons] != [VIEW_ORDER]:
            return screen
    return None


async def _screen(buyer: Customer, wanted: str | Callable[[str], bool]) -> str:
    """The text of the buyer's latest screen, once it is ``wanted`` (or passes the check)."""
    shown: list[str] = []

    def wanted_shown() -> bool:
        latest = _latest(buyer)
        shown.append(latest.text if latest else "")
        return shown[-1] == wanted if isinstance(wanted, str) else wanted(shown[-1])

    try:
        await buyer.double.until(wanted_shown, 20)
    except AssertionError:
        assert shown[-1] == wanted, f"the screen shows {shown[-1]!r}"
        raise
    return shown[-1]


async def _answer(buyer: Customer, answer: str | Tap) -> None:
    if isinstance(answer, Tap):
        await buyer.click(answer.label)
    else:
        await buyer.send(answer)


async def _order(
    shop: Shop, buyer: Customer, purchase: Purchase, order_id: int, balance: Decimal
) -> Placed:
    """The buyer finds the service by its number, fills in its form and confirms."""
    service = service_for(shop.panel, purchase)
    name = html.escape(service.name)
    await buyer.send(str(service.id))
    await _screen(buyer, f"🔎 Services matching “{service.id}”:")
    await buyer.click(service.name[:30])
    await _screen(buyer, lambda text: text.startswith(f"<b>{name}</b>\n"))
    await buyer.click("Order")
    for question, answer in purchase.steps(service):
        await _screen(buyer, question)
        await _answer(buyer, answer)

    price = price_of(service, purchase.units)
    summary = await _screen(buyer, lambda text: text.startswith("🧾 <b>Your order</b>\n"))
    assert summary.startswith(f"🧾 <b>Your order</b>\n{name}\n")
    for lines in purchase.summary:
        assert lines in summary
    assert summary.endswith(
        f"\n\nUnits: {purchase.units:,}\n💵 Price: <b>{usd(price)}</b>\n"
        f"💰 Your balance: {usd(balance)}"
    )
    await buyer.click("Confirm")
    panel_id = FIRST_PANEL_ORDER + order_id - 1
    await _screen(
        buyer,
        f"✅ <b>Order #{order_id} placed</b>\nPanel order: {panel_id}\nCharged: {usd(price)}\n"
        f"Your balance: {usd(balance - price)}\n"
        "We will tell you when it starts and when it is done.",
    )
    add = [request for request in shop.panel.requests if request.action == "add"][-1]
    assert add.fields == {"service": str(service.id), **purchase.fields}
    return Placed(buyer, purchase, order_id, panel_id, service, price)


def _ledger(shop: Shop, buyer: Customer) -> list[tuple[object, ...]]:
    """The buyer's ledger rows, oldest first: (reason, amount, order id)."""
    rows = shop.query(
        "SELECT reason, amount, order_id FROM ledger WHERE user_id = ? ORDER BY id",
        buyer.user_id,
    )
    return [
        (reason, Decimal(int(str(micros))).scaleb(-6), order) for reason, micros, order in rows
    ]


def _told(buyer: Customer, words: str) -> int:
    """How many of the bot's messages to the buyer say ``words``."""
    return sum(words in screen.text for screen in buyer.screens())


async def test_every_order_type_is_ordered_told_refilled_and_canceled(shop: Shop) -> None:
    owner = Customer(shop.telegram, user_id=OWNER, first_name="Olga", chat_id=ADMIN_CHAT)
    ann = Customer(shop.telegram, user_id=9101, first_name="Ann")
    ben = Customer(shop.telegram, user_id=9102, first_name="Ben")
    cat = Customer(shop.telegram, user_id=9103, first_name="Cat")
    # Three customers, so the notices (one a second in each chat) go out side by side.
    plan = [
        (ann, [PLAIN, DRIP_FEED, PACKAGE, CUSTOM_COMMENTS]),
        (ben, [COMMENTS_PACKAGE, MENTIONS_WITH_HASHTAGS, MENTIONS_CUSTOM_LIST, MENTIONS_HASHTAG]),
        (cat, [MENTIONS_USER_FOLLOWERS, SUBSCRIPTION, POLL]),
    ]
    assert {p.order_type for _, purchases in plan for p in purchases} == set(OrderType)

    for buyer, _ in plan:
        await buyer.send("/start")
        await _screen(buyer, greeting(buyer.first_name))
        await owner.send(f"/credit {buyer.user_id} {CREDIT} welcome")
        await _screen(owner, f"✅ {usd(CREDIT)} added to {buyer.user_id}. Balance: {usd(CREDIT)}")

    placed: list[Placed] = []
    for buyer, purchases in plan:
        balance = CREDIT
        for purchase in purchases:
            order = await _order(shop, buyer, purchase, len(placed) + 1, balance)
            balance -= order.price
            placed.append(order)
    plain, drip_feed, _, comments, *_ = placed
    assert len([r for r in shop.panel.requests if r.action == "add"]) == len(placed)

    # Ann cancels her comments while the panel has not started them.
    await ann.click("My orders")
    await _screen(ann, "📦 <b>Your orders</b>, newest first. Tap one for details.")
    await ann.click(f"#{comments.order_id} ·")
    await ann.click("Cancel order")
    card = (await _screen(ann, lambda text: "Cancel requested" in text)).split("\n")
    # The card shows the order as last polled: the counts are "—" until a poll has seen it,
    # then the panel's; and a poll may even have seen it canceled already.
    assert card[0] in (
        f"🕒 <b>Order #{comments.order_id}</b> · waiting to start",
        f"✖️ <b>Order #{comments.order_id}</b> · canceled",
    )
    assert card[5] in ("Count at start: — · Remaining: —", "Count at start: 0 · Remaining: 10")
    assert card[1:5] + card[6:] == [
        comments.name,
        "🔗 https://instagram.com/p/Cc1",
        "Quantity: 10",
        f"Charged: {usd(comments.price)}",
        "Refill: not requested",
        "",
        "✖ Cancel requested. When the provider confirms, what was not delivered comes back "
        "to your balance.",
    ]
    assert [r.fields for r in shop.panel.requests if r.action == "cancel"] == [
        {"orders": str(comments.panel_id)}
    ]

    shop.clock.advance(shop.panel.pending_seconds + 1)
    ann_balance = CREDIT - sum(order.price for order in placed if order.buyer is ann)
    canceled = await ann.wait_for(f"Order #{comments.order_id} was canceled")
    assert canceled.text == (
        f"✖️ <b>Order #{comments.order_id} was canceled</b>\n{comments.name}\n"
        f"Refunded: {usd(comments.price)}. Your balance: {usd(ann_balance + comments.price)}"
    )
    running = [order for order in placed if order is not comments]
    for order in running:
        started = await order.buyer.wait_for(f"Order #{order.order_id} has started")
        assert started.text == (
            f"🔄 <b>Order #{order.order_id} has started</b>\n{order.name}\n"
            f"Count when it started: {shop.panel.orders[order.panel_id].start_count:,}"
        )
        assert [label for label, _ in started.buttons] == [VIEW_ORDER]

    shop.clock.advance(shop.panel.progress_seconds + 1)
    for order in running:
        completed = await order.buyer.wait_for(f"Order #{order.order_id} is completed")
        assert completed.text == f"✅ <b>Order #{order.order_id} is completed</b>\n{order.name}"

    # Ann asks for refills of her two finished orders from "My orders" of a fresh menu.
    await ann.send("/start")
    await _screen(ann, greeting("Ann"))
    await ann.click("My orders")
    for order in (plain, drip_feed):
        await _screen(ann, "📦 <b>Your orders</b>, newest first. Tap one for details.")
        await ann.click(f"#{order.order_id} · completed")
        await ann.click("Refill")
        start_count = shop.panel.orders[order.panel_id].start_count
        await _screen(
            ann,
            f"✅ <b>Order #{order.order_id}</b> · completed\n{order.name}\n"
            f"🔗 {order.purchase.fields['link']}\nQuantity: {order.purchase.units:,}\n"
            f"Charged: {usd(order.price)}\nCount at start: {start_count:,} · Remaining: 0\n"
            "Refill: waiting\n\n♻️ Refill requested. We will tell you when it is done.",
        )
        await ann.click("Back")
    assert [r.fields for r in shop.panel.requests if r.action == "refill"] == [
        {"order": str(plain.panel_id)},
        {"order": str(drip_feed.panel_id)},
    ]

    shop.clock.advance(shop.panel.refill_pending_seconds + shop.panel.refill_progress_seconds + 1)
    refilled = await ann.wait_for(f"The refill of order #{plain.order_id} is completed")
    assert refilled.text == f"♻️ ✅ The refill of order #{plain.order_id} is completed."
    rejected = await ann.wait_for(f"The refill of order #{drip_feed.order_id} was rejected")
    assert rejected.text == (
        f"♻️ ⛔ The refill of order #{drip_feed.order_id} was rejected by the provider."
    )

    # Each change was told once; the cancel was refunded once, and nothing else was.
    for order in running:
        assert _told(order.buyer, f"Order #{order.order_id} has started") == 1
        assert _told(order.buyer, f"Order #{order.order_id} is completed") == 1
    assert _told(ann, f"Order #{comments.order_id} was canceled") == 1
    for buyer, _ in plan:
        refund = [("refund", comments.price, comments.order_id)] if buyer is ann else []
        assert _ledger(shop, buyer) == [
            ("admin_adjustment", CREDIT, None),
            *(("order_charge", -o.price, o.order_id) for o in placed if o.buyer is buyer),
            *refund,
        ]

    await ann.click("Menu")
    await ann.click("Balance")
    package = placed[2]
    await _screen(
        ann,
        f"💰 <b>Your balance: {usd(ann_balance + comments.price)}</b>\n\n"
        f"Refund for order #{comments.order_id}: +{usd(comments.price)}\n"
        f"Order #{comments.order_id}: −{usd(comments.price)}\n"
        f"Order #{package.order_id}: −{usd(package.price)}\n"
        f"Order #{drip_feed.order_id}: −{usd(drip_feed.price)}\n"
        f"Order #{plain.order_id}: −{usd(plain.price)}\n"
        f"Correction by the shop: +{usd(CREDIT)}",
    )
