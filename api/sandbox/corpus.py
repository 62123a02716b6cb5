"""A catalogue shaped like real panels' ``services`` answers.

Real catalogues are nothing like a tidy demo. A large panel lists thousands of services
over a hundred or more categories; rates carry up to five decimals (0.0045 per 1000 is
common); names run to several hundred characters packed with emoji, flags, brackets,
pipes and the characters HTML cares about (``<``, ``>``, ``&``, ``"``); min goes from 0 to
1000 and max up to 10,000,000; refill and cancel come as booleans, as 0/1, as strings or
not at all; numbers come as strings or as JSON numbers; ids have gaps; types are spelled
in several ways, and some are types the protocol does not name. Now and then a panel
lists a service it cannot sell (a rate of 0, a max below its min).

:func:`real_world_catalogue` builds such a catalogue from a seed, the same one each time,
in the exact wire form of the ``services`` answer. The sandbox serves it with
``smm-sandbox --real-world``; tests feed it to the shop to prove that nothing a real panel
lists can break a quote, a message or a poll.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any, Final

from api.models import OrderType
from api.sandbox.catalogue import ServiceRow

#: Services in the catalogue unless asked otherwise.
DEFAULT_SIZE: Final = 2400
#: Rates real panels list, each met in the wild, always somewhere in the catalogue.
NOTABLE_RATES: Final = ("0.0045", "0.01234", "1.0818", "0.001", "0.00001", "1200", "0.5")

_PLATFORMS: Final = (
    ("Instagram", "📸"), ("TikTok", "🎵"), ("YouTube", "▶️"), ("Telegram", "✈️"),
    ("Facebook", "📘"), ("X / Twitter", "🐦"), ("Spotify", "🎧"), ("Twitch", "🎮"),
    ("Threads", "🧵"), ("Discord", "💬"), ("LinkedIn", "💼"), ("VK", "🅥"),
    ("Kick", "🟢"), ("SoundCloud", "☁️"), ("Pinterest", "📌"), ("Snapchat", "👻"),
)  # fmt: skip
_GOODS: Final = (
    "Followers", "Likes", "Views", "Comments", "Shares", "Saves", "Story Views",
    "Reactions", "Members", "Subscribers", "Watch Time", "Poll Votes", "Mentions",
    "Auto Likes", "Live Stream Viewers", "Plays",
)  # fmt: skip
_COUNTRIES: Final = (
    ("🇺🇸", "USA"), ("🇧🇷", "Brazil"), ("🇮🇳", "India"), ("🇷🇺", "Russia"), ("🇹🇷", "Turkey"),
    ("🇸🇦", "Arab"), ("🇩🇪", "Germany"), ("🇮🇩", "Indonesia"), ("🇬🇧", "UK"), ("🌍", "Worldwide"),
)  # fmt: skip
_TAGS: Final = (
    "Real & Active", "<HQ>", '"Non-Drop"', "[Cheapest]", "(Bots)", "{Premium}", "Instant ⚡",
    "Slow & Steady 🐢", "Mixed Quality", "100% Real <Guaranteed>", "Female 👩", "AI-boosted",
)  # fmt: skip
_REFILLS: Final = (
    "No Refill ❌", "Refill 30D ♻️", "Refill 60D ♻️", "Lifetime Refill ♾️", "R365",
    "Auto-Refill 🔄",
)  # fmt: skip
_SPEEDS: Final = ("500/Day", "5K/Day", "10K/Day", "50K/Day", "100K-500K/Day", "1M/Day")
_STARTS: Final = ("0-1 Hour", "Instant", "0-15 Min", "1-6 Hours", "24H")
# Categories real panels write in the customers' own script, right-to-left ones included.
_FOREIGN_CATEGORIES: Final = (
    "إنستغرام متابعين 🇸🇦", "טיקטוק צפיות 🇮🇱", "Телеграм Подписчики 🇷🇺 [Живые]",
    "YouTube 观看次数 🇨🇳", "Instagram Curtidas 🇧🇷 ❤️", "ইউটিউব ভিউ 🇧🇩",
)  # fmt: skip
# Text that a careless renderer would take for markup, for a format string or for a
# Fluent placeable; and control characters and odd spaces that leak out of panels'
# admin screens.
_HOSTILE_NAMES: Final = (
    '"' * 455,
    "<b>Bold</b> <i>Followers</i> <script>alert(1)</script>",
    'Likes &amp; Views &lt;Fast&gt; &#x27;quoted&#x27; & < > "',
    "Followers { $name } { -brand } {{ NUMBER($n) }}",
    "Views %s %d {0} {name!r} $(whoami) `id`",
    "Members\nwith a line break\r\nand another",
    "Tabs\tand\u0000NUL\u0007bell\u001b[31mcolour\u001b[0m",
    "Zero\u200bwidth\u200d and\u2028line\u2029separators\ufeff",
    "👨‍👩‍👧‍👦 Family 🏳️‍🌈 Flags 🇺🇦🇵🇱 Keycaps 1️⃣2️⃣ Skin 👍🏿",
    "\u202eReversed text\u202c with an override",
    "   ",
    "",
    "ç" * 50 + " Combining a\u0301e\u0301i\u0301 " + "Z\u0336a\u0336l\u0336g\u0336o\u0336",
    "Ω≈ç√∫ " * 60,
)
_UNKNOWN_TYPES: Final = ("Comment Likes", "Web Traffic", "Invites From Groups", "Custom")
# How panels spell the types of the protocol besides its own spelling.
_ODD_SPELLINGS: Final = {
    OrderType.DEFAULT: ("default", "DEFAULT"),
    OrderType.CUSTOM_COMMENTS: ("Custom comments", "custom_comments"),
    OrderType.MENTIONS_HASHTAG: ("Mentions  Hashtag", "mentions-hashtag"),
    OrderType.POLL: ("poll",),
}
_PACKAGES: Final = frozenset({OrderType.PACKAGE, OrderType.CUSTOM_COMMENTS_PACKAGE})
_LIST_TYPES: Final = frozenset({OrderType.CUSTOM_COMMENTS, OrderType.MENTIONS_CUSTOM_LIST})
_MINS: Final = (0, 1, 5, 10, 10, 20, 50, 50, 100, 100, 100, 250, 500, 1000)
_MAXES: Final = (
    100, 1000, 5000, 10_000, 20_000, 50_000, 100_000, 500_000, 1_000_000, 5_000_000,
    10_000_000,
)  # fmt: skip


def real_world_catalogue(count: int = DEFAULT_SIZE, seed: int = 0) -> list[ServiceRow]:
    """``count`` services in the wire form of a real panel's ``services`` answer.

    The same ``seed`` gives the same catalogue. Every order type of the protocol is there
    many times, every notable rate, every hostile name, a few services of unknown types and
    a few that cannot be sold (rate 0, max below min). Service ids grow with gaps.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    rng = random.Random(seed)
    categories = _categories(rng)
    rows: list[ServiceRow] = []
    service_id = rng.randint(1, 40)
    for index in range(count):
        service_id += 1 if rng.random() < 0.7 else rng.randint(2, 60)
        order_type = _order_type(rng, index)
        rows.append(_service(rng, index, service_id, order_type, categories))
    return rows


def is_sellable(row: ServiceRow) -> bool:
    """True when a shop can sell ``row``: a known order type, a rate above 0 and a max of at
    least its min (and at least 1: a min of 0 is sold from 1). Everything else a shop must
    hide rather than fail on."""
    order_type = OrderType.parse(str(row.get("type", "Default")))
    return (
        order_type is not None
        and Decimal(str(row["rate"])) > 0
        and max(1, int(row["min"])) <= int(row["max"])
    )


def _categories(rng: random.Random) -> list[str]:
    names: list[str] = []
    for platform, emoji in _PLATFORMS:
        for goods in _GOODS:
            flag, country = rng.choice(_COUNTRIES)
            style = rng.randrange(6)
            if style == 0:
                names.append(f"{emoji} {platform} {goods}")
            elif style == 1:
                names.append(f"{platform} {goods} [{flag} {country}]")
            elif style == 2:
                names.append(f"{platform} {goods} | {rng.choice(_TAGS)} 🔥")
            elif style == 3:
                names.append(f'⭐ {platform} - {goods} <Cheapest> & "Fast" ⭐')
            elif style == 4:
                names.append(f"{platform} {goods}")
            else:
                names.append(f"{emoji}{emoji} {platform.upper()} {goods.upper()} {emoji}{emoji}")
    names.extend(_FOREIGN_CATEGORIES)
    names.append(
        "Instagram Followers — read before ordering: "
        + "no refill for private accounts, <no> refund for wrong links & changed usernames; " * 5
    )
    names.extend(
        ("Tik\tTok\u0000 Views", "  Spaced   Category  ", "", "&lt;b&gt;Escaped&lt;/b&gt;")
    )
    return names


def _order_type(rng: random.Random, index: int) -> OrderType | str:
    types = list(OrderType)
    if index < 3 * len(types):
        # Every type three times at the start, so even a small catalogue has all of them.
        return types[index % len(types)]
    draw = rng.random()
    if draw < 0.02:
        return rng.choice(_UNKNOWN_TYPES)
    if draw < 0.78:
        return OrderType.DEFAULT
    return rng.choice(types)


def _rate(rng: random.Random, index: int) -> Any:
    if index < len(NOTABLE_RATES):
        return NOTABLE_RATES[index]
    places = rng.randint(1, 5)
    value = Decimal(str(10 ** rng.uniform(-3.5, 3.2))).quantize(Decimal(1).scaleb(-places))
    if value <= 0:
        value = Decimal(1).scaleb(-places)
    form = rng.random()
    if form < 0.08:
        # A JSON number, as some panels send rates.
        return float(value)
    if form < 0.12:
        # Trailing zeros, as panels that store rates at fixed precision send them.
        return f"{value:.5f}"
    return f"{value:f}"


def _limits(rng: random.Random, order_type: OrderType | str) -> tuple[int, int]:
    if order_type in _PACKAGES:
        return 1, 1
    if order_type in _LIST_TYPES:
        return rng.choice((1, 5, 10)), rng.choice((100, 500, 1000, 10_000))
    if order_type is OrderType.SUBSCRIPTIONS:
        return rng.choice((10, 50, 100)), rng.choice((1000, 10_000, 100_000))
    low = rng.choice(_MINS)
    return low, max(low, rng.choice(_MAXES))


def _flag(rng: random.Random) -> Any:
    return rng.choice((True, False, True, False, 1, 0, "1", "0", None))


def _name(rng: random.Random, index: int, category: str, order_type: OrderType | str) -> str:
    if index % 97 == 13:
        return _HOSTILE_NAMES[(index // 97) % len(_HOSTILE_NAMES)]
    flag, country = rng.choice(_COUNTRIES)
    base = category.strip() or "Service"
    style = rng.randrange(5)
    if style == 0:
        return (
            f"{base} [Max: {rng.choice(('10K', '100K', '1M', '10M'))}] [Start: "
            f"{rng.choice(_STARTS)}] [Speed: {rng.choice(_SPEEDS)}] [{rng.choice(_REFILLS)}]"
        )
    if style == 1:
        return f"{flag} {base} | {rng.choice(_TAGS)} | {rng.choice(_REFILLS)} | {country}"
    if style == 2:
        return f"{base} ~ {rng.choice(_TAGS)} ~ {rng.choice(_SPEEDS)} ~ Cheapest 💰 ~ ID {index}"
    if style == 3:
        # The long names of panels that put the whole description in the name.
        parts = [
            f"{base} {rng.choice(_TAGS)}",
            f"Start: {rng.choice(_STARTS)}",
            f"Speed: {rng.choice(_SPEEDS)}",
            rng.choice(_REFILLS),
            "Link: profile or post <public only>",
            '"Drop: 0-5%" & no refunds for private accounts',
        ]
        return " | ".join(parts * rng.randint(2, 4))
    return f"{base} {order_type if isinstance(order_type, str) else order_type.value}"


def _service(
    rng: random.Random,
    index: int,
    service_id: int,
    order_type: OrderType | str,
    categories: list[str],
) -> ServiceRow:
    category = categories[rng.randrange(len(categories))]
    low, high = _limits(rng, order_type)
    rate = _rate(rng, index)
    if index % 401 == 200:
        rate = rng.choice(("0", "0.00", 0))
    if index % 499 == 250:
        low, high = 500, 100
    spelled = order_type
    if isinstance(order_type, OrderType):
        odd = _ODD_SPELLINGS.get(order_type, ())
        spelled = rng.choice(odd) if odd and rng.random() < 0.1 else order_type.value
    row: ServiceRow = {
        "service": service_id if rng.random() < 0.9 else str(service_id),
        "name": _name(rng, index, category, order_type),
        "type": spelled,
        "category": category,
        "rate": rate,
        "min": low if rng.random() < 0.3 else str(low),
        "max": high if rng.random() < 0.3 else str(high),
    }
    for name in ("refill", "cancel"):
        value = _flag(rng)
        if value is not None:
            row[name] = value
    if order_type is OrderType.DEFAULT and rng.random() < 0.4:
        row["dripfeed"] = rng.choice((True, 1, "1"))
    if rng.random() < 0.3:
        row["desc"] = f"<p>{rng.choice(_TAGS)} &amp; {rng.choice(_REFILLS)}</p>\n" * 3
    if rng.random() < 0.2:
        row["average_time"] = rng.choice(("2 hours 31 minutes", "Not enough data", 45, "1 day"))
    return row
