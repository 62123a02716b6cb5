"""Service catalogues for the sandbox panel, in the exact shape of the ``services`` answer.

Real panels are inconsistent about numbers: ``rate``, ``min`` and ``max`` usually come as
strings but sometimes as JSON numbers. Both catalogues here mix the two on purpose so that
clients meet both forms.
"""

from __future__ import annotations

import random
from typing import Any, Final

from api.models import OrderType

#: One entry of the ``services`` answer, as it goes on the wire. Values are loosely typed
#: on purpose: a row may hold a number where another holds a string.
ServiceRow = dict[str, Any]

_D = OrderType.DEFAULT
_PKG = OrderType.PACKAGE
_CC = OrderType.CUSTOM_COMMENTS
_MWH = OrderType.MENTIONS_WITH_HASHTAGS
_MCL = OrderType.MENTIONS_CUSTOM_LIST
_MH = OrderType.MENTIONS_HASHTAG
_MUF = OrderType.MENTIONS_USER_FOLLOWERS
_SUB = OrderType.SUBSCRIPTIONS
_CCP = OrderType.CUSTOM_COMMENTS_PACKAGE
_POLL = OrderType.POLL

_Number = str | int | float
# id, name, type, category, rate, min, max, refill, cancel, dripfeed
_BUILTIN: Final[
    tuple[tuple[int, str, OrderType, str, _Number, _Number, _Number, bool, bool, bool], ...]
] = (
    (101, "Instagram Followers [Real] [30 days refill]", _D, "Instagram Followers",
     "0.90", "50", "10000", True, True, True),
    (102, "Instagram Followers [HQ] [No refill]", _D, "Instagram Followers",
     "0.45", 100, "50000", False, True, False),
    (103, "Instagram Followers [Premium] [Lifetime refill]", _D, "Instagram Followers",
     "2.1500", "20", "25000", True, False, True),
    (111, "Instagram Likes [Instant]", _D, "Instagram Likes",
     "0.0850", "10", "100000", False, True, True),
    (112, "Instagram Likes [Real] [30 days refill]", _D, "Instagram Likes",
     "0.32", "20", "20000", True, True, False),
    (113, "Instagram Likes Package [1000 likes]", _PKG, "Instagram Likes",
     "0.65", "1", "1", False, False, False),
    (121, "Instagram Custom Comments [Worldwide]", _CC, "Instagram Comments",
     "8", "10", "1500", False, True, False),
    (122, "Instagram Random Comments [Emoji]", _D, "Instagram Comments",
     "4.50", 10, "5000", False, True, False),
    (123, "Instagram Custom Comments Package [10 comments]", _CCP, "Instagram Comments",
     "2.40", "1", "1", False, False, False),
    (131, "Instagram Mentions [Custom List]", _MCL, "Instagram Mentions",
     "3.20", "100", "10000", False, True, False),
    (132, "Instagram Mentions [Hashtag]", _MH, "Instagram Mentions",
     "2.80", "500", "50000", False, False, False),
    (133, "Instagram Mentions [User Followers]", _MUF, "Instagram Mentions",
     "2.95", "500", "50000", False, False, False),
    (134, "Instagram Mentions with Hashtags", _MWH, "Instagram Mentions",
     "3.60", "100", "20000", False, True, False),
    (141, "Instagram Auto Likes [Subscription] [Future posts]", _SUB, "Instagram Auto Likes",
     "0.12", 50, "5000", False, False, False),
    (201, "TikTok Views [Instant]", _D, "TikTok Views",
     "0.0125", "100", "10000000", False, True, True),
    (202, "TikTok Views [HQ] [Drip-feed]", _D, "TikTok Views",
     "0.02500", "500", "5000000", False, False, True),
    (211, "TikTok Followers [Real] [30 days refill]", _D, "TikTok Followers",
     "3.40", "100", "50000", True, True, True),
    (212, "TikTok Followers [Bots] [No refill]", _D, "TikTok Followers",
     "1.1500", "50", "20000", False, True, False),
    (221, "TikTok Likes [Fast]", _D, "TikTok Likes",
     "0.55", "50", "100000", False, True, True),
    (301, "Telegram Channel Members [Real] [30 days refill]", _D, "Telegram Members",
     "1.2345", "100", "30000", True, True, True),
    # A JSON number, as some panels send rates.
    (302, "Telegram Group Members [Non-drop]", _D, "Telegram Members",
     1.5, "100", "20000", True, False, False),
    (311, "Telegram Post Views [Last post]", _D, "Telegram Post Views",
     "0.0200", "100", "1000000", False, True, True),
    (312, "Telegram Auto Views [Future posts]", _SUB, "Telegram Post Views",
     "0.025", "100", "100000", False, False, False),
    (321, "Telegram Poll Votes", _POLL, "Telegram Poll Votes",
     "0.75", "50", "50000", False, True, False),
    (331, "Telegram Reactions [Positive mix]", _D, "Telegram Reactions",
     "0.18", "10", "100000", False, True, True),
    (401, "YouTube Views [Non-drop] [Lifetime refill]", _D, "YouTube Views",
     "1.8900", "500", "1000000", True, True, True),
    (402, "YouTube Views [Fast] [No refill]", _D, "YouTube Views",
     "1.05", 1000, "500000", False, True, False),
    (411, "YouTube Likes", _D, "YouTube Likes",
     "2.40", "20", "50000", True, True, False),
    (421, "YouTube Subscribers [30 days refill]", _D, "YouTube Subscriptions",
     "14.00", "50", "10000", True, False, True),
    (422, "YouTube Auto Views [Subscription]", _SUB, "YouTube Subscriptions",
     "1.20", "100", "10000", False, False, False),
    (431, "YouTube Custom Comments", _CC, "YouTube Comments",
     "18.00", "5", "500", False, True, False),
    (501, "X (Twitter) Followers", _D, "X (Twitter) Followers",
     "4.80", "100", "10000", True, True, False),
    (511, "X (Twitter) Poll Votes", _POLL, "X (Twitter) Poll Votes",
     "1.10", "100", "10000", False, False, False),
    (601, "Facebook Page Likes Package [500 likes]", _PKG, "Facebook Page Likes",
     "3.99", "1", "1", False, True, False),
)  # fmt: skip


# What some panels add to a service beyond its terms, in both spellings panels use: a
# description with HTML in it, an average time in words or as a number of minutes. Most
# services carry neither, as on real panels.
_DETAILS: Final[dict[int, ServiceRow]] = {
    101: {
        "desc": "Real-looking accounts with a photo and posts.<br>Start: 0-1 hour<br>"
        "Speed: up to 5K/day<br><br><b>30 days refill</b> &amp; a cancel button",
        "average_time": "1 hour 20 minutes",
    },
    111: {
        "description": "Likes from mixed accounts, starting at once. <i>No refill</i>.",
        "average_time": 45,
    },
    201: {"average_time": "12 minutes"},
    301: {
        "desc": "Members join within 24 hours.\nThe channel must be public (t.me/name).",
        "average_time": "",
    },
}


def builtin_catalogue() -> list[ServiceRow]:
    """A realistic catalogue of about thirty services covering every order type; a few
    carry a description and an average time.

    A fresh list is returned each time, so a caller may edit it freely.
    """
    return [
        {
            "service": service_id,
            "name": name,
            "type": order_type.value,
            "category": category,
            "rate": rate,
            "min": minimum,
            "max": maximum,
            "refill": refill,
            "cancel": cancel,
            "dripfeed": dripfeed,
            **_DETAILS.get(service_id, {}),
        }
        for (
            service_id,
            name,
            order_type,
            category,
            rate,
            minimum,
            maximum,
            refill,
            cancel,
            dripfeed,
        ) in _BUILTIN
    ]


_PLATFORMS: Final = (
    "Instagram", "TikTok", "Telegram", "YouTube", "X (Twitter)", "Facebook", "Spotify",
    "Twitch", "Threads", "Discord",
)  # fmt: skip
_GOODS: Final = ("Followers", "Likes", "Views", "Comments")
_GRADES: Final = (
    "Real", "HQ", "Bots", "Premium", "Instant", "Non-drop", "Worldwide", "USA", "Slow",
    "Drip-feed",
)  # fmt: skip
_LIMITS: Final = ((10, 5000), (20, 10000), (50, 50000), (100, 100000), (500, 1000000))
_PACKAGE_TYPES: Final = frozenset({OrderType.PACKAGE, OrderType.CUSTOM_COMMENTS_PACKAGE})


def generated_catalogue(count: int, seed: int = 0) -> list[ServiceRow]:
    """``count`` services over forty categories, for benchmarks on large catalogues.

    The same ``seed`` gives the same catalogue. The first services take every order type in
    turn, so any catalogue of at least ten services holds every type; the rest are mostly
    ``Default``, as on real panels.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    rng = random.Random(seed)
    categories = [f"{platform} {goods}" for platform in _PLATFORMS for goods in _GOODS]
    order_types = list(OrderType)
    rows: list[ServiceRow] = []
    for index in range(count):
        if index < len(order_types):
            order_type = order_types[index]
        elif rng.random() < 0.8:
            order_type = OrderType.DEFAULT
        else:
            order_type = rng.choice(order_types)
        category = categories[index % len(categories)]
        minimum, maximum = (1, 1) if order_type in _PACKAGE_TYPES else rng.choice(_LIMITS)
        places = rng.randint(2, 5)
        rate = f"{rng.uniform(0.01, 25.0):.{places}f}"
        rows.append(
            {
                "service": index + 1,
                "name": f"{category} [{rng.choice(_GRADES)}] #{index + 1}",
                "type": order_type.value,
                "category": category,
                "rate": rate,
                # Now and then a number instead of a string, as panels do.
                "min": minimum if rng.random() < 0.1 else str(minimum),
                "max": str(maximum),
                "refill": rng.random() < 0.4,
                "cancel": rng.random() < 0.6,
                "dripfeed": order_type is OrderType.DEFAULT and rng.random() < 0.5,
            }
        )
    return rows
