"""The refusals of the sandbox panel, worded as real panels word them.

Clients match on some of these texts (``Not enough funds on balance`` above all), so the
sandbox must not invent its own phrasing.
"""

from __future__ import annotations

from typing import Final

INVALID_KEY: Final = "Invalid API key"
INCORRECT_REQUEST: Final = "Incorrect request"
INCORRECT_SERVICE: Final = "Incorrect service ID"
INCORRECT_LINK: Final = "Incorrect link"
INCORRECT_QUANTITY: Final = "Incorrect quantity"
NOT_ENOUGH_FUNDS: Final = "Not enough funds on balance"
ACTIVE_ORDER: Final = (
    "You have active order with this link. Please wait until order being completed."
)
INCORRECT_ORDER: Final = "Incorrect order ID"
REFILL_NOT_ELIGIBLE: Final = "Order not eligible for refill"
REFILL_NOT_FOUND: Final = "Refill not found"
CANCEL_NOT_AVAILABLE: Final = "Cancel is not available for this order"
DRIP_FEED_DISABLED: Final = "Drip-feed is disabled for this service"
INCORRECT_RUNS: Final = "Incorrect runs"
INCORRECT_INTERVAL: Final = "Incorrect interval"
INCORRECT_DELAY: Final = "Incorrect delay"
INCORRECT_EXPIRY: Final = "Incorrect expiry date"
INCORRECT_POSTS: Final = "Incorrect posts"
INCORRECT_OLD_POSTS: Final = "Incorrect old posts"
INCORRECT_COMMENTS: Final = "Incorrect comments"
INCORRECT_USERNAMES: Final = "Incorrect usernames"
INCORRECT_USERNAME: Final = "Incorrect username"
INCORRECT_HASHTAGS: Final = "Incorrect hashtags"
INCORRECT_HASHTAG: Final = "Incorrect hashtag"
INCORRECT_ANSWER_NUMBER: Final = "Incorrect answer number"


def quantity_below(minimum: int) -> str:
    """The refusal for a quantity under the service's minimum."""
    return f"Quantity less than minimal {minimum}"


def quantity_above(maximum: int) -> str:
    """The refusal for a quantity over the service's maximum."""
    return f"Quantity more than maximal {maximum}"


class Refusal(Exception):
    """Raised inside the panel to answer ``{"error": message}``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
