"""What a panel's refusal means, in the shop's terms.

Panels word their errors freely; these are the common wordings seen in the wild. The
reason decides what the customer is told, and whether the admins must act.
"""

from __future__ import annotations

import enum
import re
from typing import Final


class RefusalReason(enum.StrEnum):
    """Why the panel refused, as far as the shop can tell."""

    #: Not enough money on the shop's panel account, a bad key, a blocked account...
    SHOP_SIDE = "shop_side"
    ACTIVE_ORDER_FOR_LINK = "active_order_for_link"
    BELOW_MINIMUM = "below_minimum"
    ABOVE_MAXIMUM = "above_maximum"
    #: A quantity the panel does not take for another reason (a multiple it wants, say).
    BAD_QUANTITY = "bad_quantity"
    BAD_LINK = "bad_link"
    SERVICE_UNAVAILABLE = "service_unavailable"
    NOT_ELIGIBLE = "not_eligible"
    OTHER = "other"


_PATTERNS: Final = (
    (RefusalReason.SHOP_SIDE, r"not enough funds|insufficient|api key|invalid key|banned"
     r"|account (is )?(blocked|disabled|suspended)|unreachable|cannot connect"),
    (RefusalReason.ACTIVE_ORDER_FOR_LINK, r"active order"),
    (RefusalReason.BELOW_MINIMUM, r"less than min|minimal|minimum"),
    (RefusalReason.ABOVE_MAXIMUM, r"more than max|maximal|maximum"),
    (RefusalReason.BAD_QUANTITY, r"quantity|multiple of"),
    (RefusalReason.BAD_LINK, r"link|url"),
    (RefusalReason.SERVICE_UNAVAILABLE, r"service"),
    (RefusalReason.NOT_ELIGIBLE, r"not eligible|not available|cannot be|can't be|not allowed"),
)  # fmt: skip
_COMPILED: Final = tuple((reason, re.compile(rx, re.IGNORECASE)) for reason, rx in _PATTERNS)


def classify_refusal(message: str) -> RefusalReason:
    """The reason behind a panel's error ``message``."""
    for reason, pattern in _COMPILED:
        if pattern.search(message):
            return reason
    return RefusalReason.OTHER
