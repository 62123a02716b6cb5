"""The rules of ``add``: what each order type must carry and what it costs.

:func:`assess` reads the form of one ``add`` request for a known service and either
returns the :class:`Placement` to book or raises :class:`~api.sandbox.messages.Refusal`
with the panel's own wording. It does not look at balances or other orders.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from api.models import OrderType, Service
from api.order_requests import EXPIRY_FORMAT, MAX_LINK_LENGTH, SUBSCRIPTION_DELAYS
from api.sandbox import messages
from api.sandbox.messages import Refusal

#: Panels keep money to five decimal places.
CENT_FRACTION: Final = Decimal("0.00001")
_THOUSAND: Final = Decimal(1000)
_WHOLE_NUMBER: Final = re.compile(r"\s*(\d{1,12})\s*")
_LINE_BREAK: Final = re.compile(r"\r\n|\n")


@dataclass(frozen=True, slots=True)
class Placement:
    """An ``add`` that passed the rules: where it goes, how much, and its price."""

    link: str
    quantity: int
    units: int
    charge: Decimal
    runs: int | None = None
    interval: int | None = None


def round_money(amount: Decimal) -> Decimal:
    """``amount`` to the panel's five decimal places, halves rounded up."""
    return amount.quantize(CENT_FRACTION, rounding=ROUND_HALF_UP)


def assess(service: Service, fields: Mapping[str, str], today: dt.date) -> Placement:
    """The placement ``fields`` ask for on ``service``; Refusal if a rule is broken.

    ``today`` (the panel's date) bounds a subscription's expiry. A type this panel does
    not know is treated as ``Default``, which is what most panels fall back to.
    """
    rule = _RULES.get(service.order_type or OrderType.DEFAULT, _default)
    return rule(service, fields, today)


# --- field readers -------------------------------------------------------------------------


def _given(fields: Mapping[str, str], name: str) -> str | None:
    """The stripped value of ``name``; an empty field counts as absent, as in PHP's empty()."""
    value = fields.get(name, "").strip()
    return value or None


def _whole(fields: Mapping[str, str], name: str, refusal: str) -> int:
    """A whole, non-negative number from ``name``, or Refusal with ``refusal``."""
    value = fields.get(name, "")
    match = _WHOLE_NUMBER.fullmatch(value)
    if match is None:
        raise Refusal(refusal)
    return int(match.group(1))


def _single(fields: Mapping[str, str], name: str, refusal: str) -> str:
    """A required one-value field such as a link or a username, at most 2048 characters."""
    value = _given(fields, name)
    if value is None or len(value) > MAX_LINK_LENGTH:
        raise Refusal(refusal)
    return value


def _link(fields: Mapping[str, str]) -> str:
    return _single(fields, "link", messages.INCORRECT_LINK)


def _lines(fields: Mapping[str, str], name: str, refusal: str) -> list[str]:
    """The non-blank lines of a list field (the spec splits on CR LF or LF only)."""
    lines = [line for line in _LINE_BREAK.split(fields.get(name, "")) if line.strip()]
    if not lines:
        raise Refusal(refusal)
    return lines


def _within(service: Service, quantity: int) -> None:
    if quantity < service.min:
        raise Refusal(messages.quantity_below(service.min))
    if quantity > service.max:
        raise Refusal(messages.quantity_above(service.max))


def _per_thousand(service: Service, units: int) -> Decimal:
    return round_money(service.rate * units / _THOUSAND)


# --- one rule per order type ----------------------------------------------------------------


def _default(service: Service, fields: Mapping[str, str], today: dt.date) -> Placement:
    link = _link(fields)
    quantity = _whole(fields, "quantity", messages.INCORRECT_QUANTITY)
    runs: int | None = None
    interval: int | None = None
    if _given(fields, "runs") is not None or _given(fields, "interval") is not None:
        if not service.dripfeed:
            raise Refusal(messages.DRIP_FEED_DISABLED)
        runs = _whole(fields, "runs", messages.INCORRECT_RUNS)
        if runs < 1:
            raise Refusal(messages.INCORRECT_RUNS)
        interval = _whole(fields, "interval", messages.INCORRECT_INTERVAL)
        if interval < 1:
            raise Refusal(messages.INCORRECT_INTERVAL)
    # Drip-feed limits apply to each run; the total is quantity times runs.
    _within(service, quantity)
    units = quantity * (runs or 1)
    return Placement(
        link=link,
        quantity=quantity,
        units=units,
        charge=_per_thousand(service, units),
        runs=runs,
        interval=interval,
    )


def _package(service: Service, fields: Mapping[str, str], today: dt.date) -> Placement:
    return Placement(link=_link(fields), quantity=1, units=1, charge=round_money(service.rate))


def _custom_comments(service: Service, fields: Mapping[str, str], today: dt.date) -> Placement:
    link = _link(fields)
    count = len(_lines(fields, "comments", messages.INCORRECT_COMMENTS))
    _within(service, count)
    return Placement(link=link, quantity=count, units=count, charge=_per_thousand(service, count))


def _custom_comments_package(
    service: Service, fields: Mapping[str, str], today: dt.date
) -> Placement:
    link = _link(fields)
    _lines(fields, "comments", messages.INCORRECT_COMMENTS)
    return Placement(link=link, quantity=1, units=1, charge=round_money(service.rate))


def _mentions_custom_list(
    service: Service, fields: Mapping[str, str], today: dt.date
) -> Placement:
    link = _link(fields)
    count = len(_lines(fields, "usernames", messages.INCORRECT_USERNAMES))
    _within(service, count)
    return Placement(link=link, quantity=count, units=count, charge=_per_thousand(service, count))


def _with_quantity(
    required: Callable[[Mapping[str, str]], None],
) -> Callable[[Service, Mapping[str, str], dt.date], Placement]:
    """The rule of a type that takes a link, a quantity and some fields of its own."""

    def rule(service: Service, fields: Mapping[str, str], today: dt.date) -> Placement:
        link = _link(fields)
        quantity = _whole(fields, "quantity", messages.INCORRECT_QUANTITY)
        required(fields)
        _within(service, quantity)
        return Placement(
            link=link,
            quantity=quantity,
            units=quantity,
            charge=_per_thousand(service, quantity),
        )

    return rule


def _needs_usernames_and_hashtags(fields: Mapping[str, str]) -> None:
    _lines(fields, "usernames", messages.INCORRECT_USERNAMES)
    _lines(fields, "hashtags", messages.INCORRECT_HASHTAGS)


def _needs_hashtag(fields: Mapping[str, str]) -> None:
    _single(fields, "hashtag", messages.INCORRECT_HASHTAG)


def _needs_username(fields: Mapping[str, str]) -> None:
    _single(fields, "username", messages.INCORRECT_USERNAME)


def _needs_answer_number(fields: Mapping[str, str]) -> None:
    if _whole(fields, "answer_number", messages.INCORRECT_ANSWER_NUMBER) < 1:
        raise Refusal(messages.INCORRECT_ANSWER_NUMBER)


def _subscriptions(service: Service, fields: Mapping[str, str], today: dt.date) -> Placement:
    username = _single(fields, "username", messages.INCORRECT_USERNAME)
    low = _whole(fields, "min", messages.INCORRECT_QUANTITY)
    high = _whole(fields, "max", messages.INCORRECT_QUANTITY)
    if low > high:
        raise Refusal(messages.INCORRECT_QUANTITY)
    if low < service.min:
        raise Refusal(messages.quantity_below(service.min))
    if high > service.max:
        raise Refusal(messages.quantity_above(service.max))
    posts: int | None = None
    if _given(fields, "posts") is not None:
        posts = _whole(fields, "posts", messages.INCORRECT_POSTS)
        if posts < 1:
            raise Refusal(messages.INCORRECT_POSTS)
    old_posts = 0
    if _given(fields, "old_posts") is not None:
        old_posts = _whole(fields, "old_posts", messages.INCORRECT_OLD_POSTS)
    if _whole(fields, "delay", messages.INCORRECT_DELAY) not in SUBSCRIPTION_DELAYS:
        raise Refusal(messages.INCORRECT_DELAY)
    expiry = _given(fields, "expiry")
    if expiry is not None:
        try:
            last_day = dt.datetime.strptime(expiry, EXPIRY_FORMAT).date()  # noqa: DTZ007
        except ValueError:
            raise Refusal(messages.INCORRECT_EXPIRY) from None
        if last_day < today:
            raise Refusal(messages.INCORRECT_EXPIRY)
    # Paid up front for the posts known now: the old ones plus the limited new ones. An
    # unlimited subscription is paid post by post, which this panel does not bill.
    units = high * ((posts or 0) + old_posts)
    return Placement(
        link=username, quantity=units, units=units, charge=_per_thousand(service, units)
    )


_Rule = Callable[[Service, Mapping[str, str], dt.date], Placement]
_RULES: Final[dict[OrderType, _Rule]] = {
    OrderType.DEFAULT: _default,
    OrderType.PACKAGE: _package,
    OrderType.CUSTOM_COMMENTS: _custom_comments,
    OrderType.MENTIONS_WITH_HASHTAGS: _with_quantity(_needs_usernames_and_hashtags),
    OrderType.MENTIONS_CUSTOM_LIST: _mentions_custom_list,
    OrderType.MENTIONS_HASHTAG: _with_quantity(_needs_hashtag),
    OrderType.MENTIONS_USER_FOLLOWERS: _with_quantity(_needs_username),
    OrderType.SUBSCRIPTIONS: _subscriptions,
    OrderType.CUSTOM_COMMENTS_PACKAGE: _custom_comments_package,
    OrderType.POLL: _with_quantity(_needs_answer_number),
}
