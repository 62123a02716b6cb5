"""One typed ``add`` request per order type of API v2.

Each request checks its own fields when it is built (raising
:class:`~api.errors.InvalidRequest`, so nothing bad is ever sent) and renders exactly the
form fields the spec names for its type, no more.
"""

from __future__ import annotations

import abc
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Final

from api.errors import InvalidRequest
from api.models import OrderType

#: Delays (minutes) the spec allows for Subscriptions.
SUBSCRIPTION_DELAYS: Final = (
    0, 5, 10, 15, 20, 30, 40, 50, 60, 90, 120, 150, 180, 210, 240, 270, 300, 360, 420, 480,
    540, 600,
)  # fmt: skip
#: Longest link or username we send; panels store links in short columns.
MAX_LINK_LENGTH: Final = 2048
EXPIRY_FORMAT: Final = "%d/%m/%Y"

Lines = tuple[str, ...]
_LINE_BREAK: Final = re.compile(r"\r\n|\n")


def _positive(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest(name, "must be a whole number")
    if value < 1:
        raise InvalidRequest(name, "must be at least 1")


def _non_negative(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest(name, "must be a whole number")
    if value < 0:
        raise InvalidRequest(name, "must not be negative")


def _single_line(name: str, value: str) -> str:
    if not isinstance(value, str):
        raise InvalidRequest(name, "must be text")
    text = value.strip()
    if not text:
        raise InvalidRequest(name, "is required")
    if len(text) > MAX_LINK_LENGTH:
        raise InvalidRequest(name, f"is longer than {MAX_LINK_LENGTH} characters")
    if any(ch in text for ch in "\r\n\t"):
        raise InvalidRequest(name, "must be a single line")
    return text


def _lines(name: str, value: str | Sequence[str]) -> Lines:
    """Non-blank, stripped lines from a block of text or a list of strings."""
    items = [value] if isinstance(value, str) else list(value)
    if not all(isinstance(item, str) for item in items):
        raise InvalidRequest(name, "must be text")
    # Panels split on \r\n or \n only; str.splitlines() would also split on \v, \x85, ...
    lines = tuple(
        line.strip() for item in items for line in _LINE_BREAK.split(item) if line.strip()
    )
    if not lines:
        raise InvalidRequest(name, "needs at least one non-empty line")
    return lines


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRequest(abc.ABC):
    """Fields common to every ``add``: the panel's service id."""

    order_type: ClassVar[OrderType]
    service: int

    def __post_init__(self) -> None:
        _positive("service", self.service)

    def to_form(self) -> dict[str, str]:
        """The form fields of this request, without ``key`` and ``action``."""
        return {"service": str(self.service), **self._fields()}

    @abc.abstractmethod
    def _fields(self) -> dict[str, str]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class _LinkedRequest(OrderRequest, abc.ABC):
    link: str

    def __post_init__(self) -> None:
        OrderRequest.__post_init__(self)
        object.__setattr__(self, "link", _single_line("link", self.link))


@dataclass(frozen=True, slots=True, kw_only=True)
class DefaultOrder(_LinkedRequest):
    """A plain order; ``runs`` and ``interval`` (minutes) together make it drip-feed."""

    order_type: ClassVar[OrderType] = OrderType.DEFAULT
    quantity: int
    runs: int | None = None
    interval: int | None = None

    def __post_init__(self) -> None:
        _LinkedRequest.__post_init__(self)
        _positive("quantity", self.quantity)
        if (self.runs is None) != (self.interval is None):
            raise InvalidRequest("runs", "runs and interval go together")
        if self.runs is not None and self.interval is not None:
            _positive("runs", self.runs)
            _positive("interval", self.interval)

    @property
    def is_drip_feed(self) -> bool:
        return self.runs is not None

    def _fields(self) -> dict[str, str]:
        fields = {"link": self.link, "quantity": str(self.quantity)}
        if self.runs is not None and self.interval is not None:
            fields["runs"] = str(self.runs)
            fields["interval"] = str(self.interval)
        return fields


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageOrder(_LinkedRequest):
    """A package: one flat-priced order for a link."""

    order_type: ClassVar[OrderType] = OrderType.PACKAGE

    def _fields(self) -> dict[str, str]:
        return {"link": self.link}


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomCommentsOrder(_LinkedRequest):
    """Comments written by the customer, one per line; their count is the quantity."""

    order_type: ClassVar[OrderType] = OrderType.CUSTOM_COMMENTS
    comments: Sequence[str]

    def __post_init__(self) -> None:
        _LinkedRequest.__post_init__(self)
        object.__setattr__(self, "comments", _lines("comments", self.comments))

    def _fields(self) -> dict[str, str]:
        return {"link": self.link, "comments": "\n".join(self.comments)}


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomCommentsPackageOrder(CustomCommentsOrder):
    """A package of comments written by the customer, at a flat price."""

    order_type: ClassVar[OrderType] = OrderType.CUSTOM_COMMENTS_PACKAGE


@dataclass(frozen=True, slots=True, kw_only=True)
class MentionsWithHashtagsOrder(_LinkedRequest):
    """Mentions of the given usernames, with the given hashtags."""

    order_type: ClassVar[OrderType] = OrderType.MENTIONS_WITH_HASHTAGS
    quantity: int
    usernames: Sequence[str]
    hashtags: Sequence[str]

    def __post_init__(self) -> None:
        _LinkedRequest.__post_init__(self)
        _positive("quantity", self.quantity)
        object.__setattr__(self, "usernames", _lines("usernames", self.usernames))
        object.__setattr__(self, "hashtags", _lines("hashtags", self.hashtags))

    def _fields(self) -> dict[str, str]:
        return {
            "link": self.link,
            "quantity": str(self.quantity),
            "usernames": "\n".join(self.usernames),
            "hashtags": "\n".join(self.hashtags),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class MentionsCustomListOrder(_LinkedRequest):
    """Mentions of a list of usernames, one per line; their count is the quantity."""

    order_type: ClassVar[OrderType] = OrderType.MENTIONS_CUSTOM_LIST
    usernames: Sequence[str]

    def __post_init__(self) -> None:
        _LinkedRequest.__post_init__(self)
        object.__setattr__(self, "usernames", _lines("usernames", self.usernames))

    def _fields(self) -> dict[str, str]:
        return {"link": self.link, "usernames": "\n".join(self.usernames)}


@dataclass(frozen=True, slots=True, kw_only=True)
class MentionsHashtagOrder(_LinkedRequest):
    """Mentions of users scraped from a hashtag."""

    order_type: ClassVar[OrderType] = OrderType.MENTIONS_HASHTAG
    quantity: int
    hashtag: str

    def __post_init__(self) -> None:
        _LinkedRequest.__post_init__(self)
        _positive("quantity", self.quantity)
        object.__setattr__(self, "hashtag", _single_line("hashtag", self.hashtag))

    def _fields(self) -> dict[str, str]:
        return {"link": self.link, "quantity": str(self.quantity), "hashtag": self.hashtag}


@dataclass(frozen=True, slots=True, kw_only=True)
class MentionsUserFollowersOrder(_LinkedRequest):
    """Mentions of the followers of ``username`` (a URL to scrape followers from)."""

    order_type: ClassVar[OrderType] = OrderType.MENTIONS_USER_FOLLOWERS
    quantity: int
    username: str

    def __post_init__(self) -> None:
        _LinkedRequest.__post_init__(self)
        _positive("quantity", self.quantity)
        object.__setattr__(self, "username", _single_line("username", self.username))

    def _fields(self) -> dict[str, str]:
        return {"link": self.link, "quantity": str(self.quantity), "username": self.username}


@dataclass(frozen=True, slots=True, kw_only=True)
class PollOrder(_LinkedRequest):
    """Votes for answer number ``answer_number`` of a poll."""

    order_type: ClassVar[OrderType] = OrderType.POLL
    quantity: int
    answer_number: int

    def __post_init__(self) -> None:
        _LinkedRequest.__post_init__(self)
        _positive("quantity", self.quantity)
        _positive("answer_number", self.answer_number)

    def _fields(self) -> dict[str, str]:
        return {
            "link": self.link,
            "quantity": str(self.quantity),
            "answer_number": str(self.answer_number),
        }


def parse_expiry(text: str) -> dt.date:
    """A date from the spec's ``d/m/Y`` form (``"26/11/2026"``); InvalidRequest otherwise."""
    try:
        return dt.datetime.strptime(text.strip(), EXPIRY_FORMAT).date()  # noqa: DTZ007
    except ValueError as exc:
        raise InvalidRequest("expiry", "must be a real date as day/month/year") from exc


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionOrder(OrderRequest):
    """Automatic orders for the future (``posts``) and existing (``old_posts``) posts of a
    profile, each between ``min`` and ``max`` units, ``delay`` minutes after the post."""

    order_type: ClassVar[OrderType] = OrderType.SUBSCRIPTIONS
    username: str
    min: int
    max: int
    delay: int
    posts: int | None = None
    old_posts: int | None = None
    expiry: dt.date | None = None

    def __post_init__(self) -> None:
        OrderRequest.__post_init__(self)
        object.__setattr__(self, "username", _single_line("username", self.username))
        _positive("min", self.min)
        _positive("max", self.max)
        if self.min > self.max:
            raise InvalidRequest("max", "must not be less than min")
        if self.delay not in SUBSCRIPTION_DELAYS or isinstance(self.delay, bool):
            allowed = ", ".join(map(str, SUBSCRIPTION_DELAYS))
            raise InvalidRequest("delay", f"must be one of {allowed}")
        if self.posts is not None:
            _positive("posts", self.posts)
        if self.old_posts is not None:
            _non_negative("old_posts", self.old_posts)
        if self.expiry is not None:
            if not isinstance(self.expiry, dt.date):
                raise InvalidRequest("expiry", "must be a date")
            if self.expiry < dt.datetime.now(dt.UTC).date():
                raise InvalidRequest("expiry", "must not be in the past")

    def _fields(self) -> dict[str, str]:
        fields = {
            "username": self.username,
            "min": str(self.min),
            "max": str(self.max),
            "delay": str(self.delay),
        }
        if self.posts is not None:
            fields["posts"] = str(self.posts)
        if self.old_posts is not None:
            fields["old_posts"] = str(self.old_posts)
        if self.expiry is not None:
            fields["expiry"] = self.expiry.strftime(EXPIRY_FORMAT)
        return fields


#: The request class for each order type.
REQUEST_TYPES: Final[dict[OrderType, type[OrderRequest]]] = {
    cls.order_type: cls
    for cls in (
        DefaultOrder,
        PackageOrder,
        CustomCommentsOrder,
        MentionsWithHashtagsOrder,
        MentionsCustomListOrder,
        MentionsHashtagOrder,
        MentionsUserFollowersOrder,
        SubscriptionOrder,
        CustomCommentsPackageOrder,
        PollOrder,
    )
}


def _int_field(fields: Mapping[str, str], name: str) -> int:
    try:
        return int(fields[name])
    except KeyError:
        raise InvalidRequest(name, "is required") from None
    except (TypeError, ValueError):
        raise InvalidRequest(name, "must be a whole number") from None


def _optional_int_field(fields: Mapping[str, str], name: str) -> int | None:
    return _int_field(fields, name) if fields.get(name) not in (None, "") else None


def _text_field(fields: Mapping[str, str], name: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str):
        raise InvalidRequest(name, "is required")
    return value


def request_from_fields(order_type: OrderType, fields: Mapping[str, str]) -> OrderRequest:
    """The typed request whose :meth:`~OrderRequest.to_form` gave ``fields``.

    Used to send an order that was stored as its form fields; the fields are checked again.
    """
    service = _int_field(fields, "service")
    if order_type is OrderType.SUBSCRIPTIONS:
        expiry = fields.get("expiry")
        return SubscriptionOrder(
            service=service,
            username=_text_field(fields, "username"),
            min=_int_field(fields, "min"),
            max=_int_field(fields, "max"),
            delay=_int_field(fields, "delay"),
            posts=_optional_int_field(fields, "posts"),
            old_posts=_optional_int_field(fields, "old_posts"),
            expiry=parse_expiry(expiry) if expiry else None,
        )
    link = _text_field(fields, "link")
    match order_type:
        case OrderType.DEFAULT:
            return DefaultOrder(
                service=service,
                link=link,
                quantity=_int_field(fields, "quantity"),
                runs=_optional_int_field(fields, "runs"),
                interval=_optional_int_field(fields, "interval"),
            )
        case OrderType.PACKAGE:
            return PackageOrder(service=service, link=link)
        case OrderType.CUSTOM_COMMENTS:
            return CustomCommentsOrder(
                service=service, link=link, comments=_text_field(fields, "comments")
            )
        case OrderType.CUSTOM_COMMENTS_PACKAGE:
            return CustomCommentsPackageOrder(
                service=service, link=link, comments=_text_field(fields, "comments")
            )
        case OrderType.MENTIONS_WITH_HASHTAGS:
            return MentionsWithHashtagsOrder(
                service=service,
                link=link,
                quantity=_int_field(fields, "quantity"),
                usernames=_text_field(fields, "usernames"),
                hashtags=_text_field(fields, "hashtags"),
            )
        case OrderType.MENTIONS_CUSTOM_LIST:
            return MentionsCustomListOrder(
                service=service, link=link, usernames=_text_field(fields, "usernames")
            )
        case OrderType.MENTIONS_HASHTAG:
            return MentionsHashtagOrder(
                service=service,
                link=link,
                quantity=_int_field(fields, "quantity"),
                hashtag=_text_field(fields, "hashtag"),
            )
        case OrderType.MENTIONS_USER_FOLLOWERS:
            return MentionsUserFollowersOrder(
                service=service,
                link=link,
                quantity=_int_field(fields, "quantity"),
                username=_text_field(fields, "username"),
            )
        case OrderType.POLL:
            return PollOrder(
                service=service,
                link=link,
                quantity=_int_field(fields, "quantity"),
                answer_number=_int_field(fields, "answer_number"),
            )
    raise InvalidRequest("type", f"unknown order type {order_type}")
