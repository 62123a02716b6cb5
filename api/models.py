"""Typed results of the panel API.

Panels send numbers as strings or as numbers, inconsistently, and spell statuses in
several ways. Everything here parses defensively: money is :class:`~decimal.Decimal`,
never float; status strings normalise into enums while the raw text is kept.
"""

from __future__ import annotations

import enum
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Final

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

# Far larger than any real count or price, small enough to keep arithmetic sane.
_MAX_ABS_NUMBER: Final = Decimal(10) ** 15


class OrderType(enum.StrEnum):
    """The order types of API v2, spelled as panels spell them in ``services``."""

    DEFAULT = "Default"
    PACKAGE = "Package"
    CUSTOM_COMMENTS = "Custom Comments"
    MENTIONS_WITH_HASHTAGS = "Mentions with Hashtags"
    MENTIONS_CUSTOM_LIST = "Mentions Custom List"
    MENTIONS_HASHTAG = "Mentions Hashtag"
    MENTIONS_USER_FOLLOWERS = "Mentions User Followers"
    SUBSCRIPTIONS = "Subscriptions"
    CUSTOM_COMMENTS_PACKAGE = "Custom Comments Package"
    POLL = "Poll"

    @classmethod
    def parse(cls, raw: str) -> OrderType | None:
        """The type named by ``raw`` (case and spacing forgiven), or None if unknown."""
        return _ORDER_TYPES_BY_KEY.get(_normalise(raw))


class OrderStatus(enum.StrEnum):
    """Status of an order, normalised from the panel's spelling."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    PROCESSING = "processing"
    COMPLETED = "completed"
    PARTIAL = "partial"
    CANCELED = "canceled"
    REFUNDED = "refunded"
    FAILED = "failed"
    #: A spelling we do not know; the raw text is kept beside it.
    UNRECOGNISED = "unrecognised"

    @property
    def is_final(self) -> bool:
        """True when the panel will not change this order any more."""
        return self in _FINAL_ORDER_STATUSES

    @classmethod
    def parse(cls, raw: str) -> OrderStatus:
        """The status named by ``raw`` in any common spelling; UNRECOGNISED if unknown."""
        return _ORDER_STATUS_BY_KEY.get(_normalise(raw), cls.UNRECOGNISED)


class RefillStatus(enum.StrEnum):
    """Status of a refill, normalised from the panel's spelling."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    PROCESSING = "processing"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELED = "canceled"
    ERROR = "error"
    UNRECOGNISED = "unrecognised"

    @property
    def is_final(self) -> bool:
        """True when the panel will not change this refill any more."""
        return self in _FINAL_REFILL_STATUSES

    @classmethod
    def parse(cls, raw: str) -> RefillStatus:
        """The status named by ``raw`` in any common spelling; UNRECOGNISED if unknown."""
        return _REFILL_STATUS_BY_KEY.get(_normalise(raw), cls.UNRECOGNISED)


def _normalise(raw: str) -> str:
    """``"In Progress"``, ``"in_progress"``, ``" IN-PROGRESS "`` all become ``"inprogress"``."""
    return re.sub(r"[\s_\-]+", "", raw).casefold()


_ORDER_TYPES_BY_KEY: Final = {_normalise(t.value): t for t in OrderType}
_ORDER_STATUS_BY_KEY: Final = {
    "pending": OrderStatus.PENDING,
    "inprogress": OrderStatus.IN_PROGRESS,
    "processing": OrderStatus.PROCESSING,
    "completed": OrderStatus.COMPLETED,
    "complete": OrderStatus.COMPLETED,
    "partial": OrderStatus.PARTIAL,
    "canceled": OrderStatus.CANCELED,
    "cancelled": OrderStatus.CANCELED,
    "refunded": OrderStatus.REFUNDED,
    "failed": OrderStatus.FAILED,
    "fail": OrderStatus.FAILED,
}
_REFILL_STATUS_BY_KEY: Final = {
    "pending": RefillStatus.PENDING,
    "inprogress": RefillStatus.IN_PROGRESS,
    "processing": RefillStatus.PROCESSING,
    "completed": RefillStatus.COMPLETED,
    "complete": RefillStatus.COMPLETED,
    "rejected": RefillStatus.REJECTED,
    "canceled": RefillStatus.CANCELED,
    "cancelled": RefillStatus.CANCELED,
    "error": RefillStatus.ERROR,
}
_FINAL_ORDER_STATUSES: Final = frozenset(
    {
        OrderStatus.COMPLETED,
        OrderStatus.PARTIAL,
        OrderStatus.CANCELED,
        OrderStatus.REFUNDED,
        OrderStatus.FAILED,
    }
)
_FINAL_REFILL_STATUSES: Final = frozenset(
    {RefillStatus.COMPLETED, RefillStatus.REJECTED, RefillStatus.CANCELED, RefillStatus.ERROR}
)


# --- lenient scalar parsing ---------------------------------------------------------------


def parse_decimal(value: Any) -> Decimal:
    """A finite Decimal from ``"0.90"``, ``0.9``, ``1`` or ``"1,5"``; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int | float | Decimal):
        # str() of a float gives its shortest repr: 0.9 -> "0.9", not the binary expansion.
        text = str(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", ".")
    else:
        raise ValueError(f"not a number: {type(value).__name__}")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a number: {text[:40]!r}") from exc
    if not number.is_finite() or abs(number) >= _MAX_ABS_NUMBER:
        raise ValueError(f"number out of range: {text[:40]!r}")
    return number


def parse_int(value: Any) -> int:
    """A whole number from ``"50"``, ``50``, ``50.0`` or ``"50.0"``; ValueError otherwise."""
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise ValueError(f"not a whole number: {number}")
    return int(number)


def parse_optional_int(value: Any) -> int | None:
    """Like :func:`parse_int`, but ``None`` and ``""`` mean "not given"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_int(value)


def parse_optional_decimal(value: Any) -> Decimal | None:
    """Like :func:`parse_decimal`, but ``None`` and ``""`` mean "not given"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_decimal(value)


_TRUE_WORDS: Final = frozenset({"1", "true", "yes", "on", "y"})
_FALSE_WORDS: Final = frozenset({"0", "false", "no", "off", "n", "", "null", "none"})


def parse_bool(value: Any) -> bool:
    """``true``/``false``, ``1``/``0``, ``"1"``/``"0"``, ``"true"``; missing means False."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    raise ValueError(f"not a yes/no value: {value!r}"[:80])


def parse_text(value: Any) -> str:
    """Text from a string or a number (some panels send ids and names as numbers)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"not text: {type(value).__name__}")


def parse_optional_text(value: Any) -> str | None:
    """Text from a string or a number; ``None`` for ``""``, null, or anything else (a list,
    an object, a boolean): an extra field a panel fills oddly costs its value, never the
    service that carries it."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    return text or None


Money = Annotated[Decimal, BeforeValidator(parse_decimal)]
Count = Annotated[int, BeforeValidator(parse_int)]
OptionalCount = Annotated[int | None, BeforeValidator(parse_optional_int)]
OptionalMoney = Annotated[Decimal | None, BeforeValidator(parse_optional_decimal)]
Flag = Annotated[bool, BeforeValidator(parse_bool)]
Text = Annotated[str, BeforeValidator(parse_text)]
OptionalText = Annotated[str | None, BeforeValidator(parse_optional_text)]


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class Service(_Result):
    """One entry of the panel's catalogue. ``rate`` is the price per 1000 units."""

    id: Count = Field(alias="service")
    name: Text
    type: Text = "Default"
    category: Text = ""
    rate: Money
    min: Count
    max: Count
    refill: Flag = False
    cancel: Flag = False
    #: Not in the published spec, but most panels send it: drip-feed is allowed.
    dripfeed: Flag = False
    #: Not in the spec either: the panel's description of the service, often with HTML
    #: tags (``<br>``), as the panel wrote it. Panels call it ``desc`` or ``description``.
    description: OptionalText = Field(
        default=None, validation_alias=AliasChoices("desc", "description")
    )
    #: How long the panel says an order takes, as it says it: "1 hour 20 minutes", "45"
    #: (minutes, sent as a number), "Not enough data".
    average_time: OptionalText = None

    @property
    def order_type(self) -> OrderType | None:
        """The known order type, or None for a type this code does not know (kept anyway)."""
        return OrderType.parse(self.type)


class StatusInfo(_Result):
    """Answer of ``status`` for one order."""

    status: OrderStatus
    status_raw: str
    charge: OptionalMoney = None
    start_count: OptionalCount = None
    remains: OptionalCount = None
    currency: str | None = None


class RefillStatusInfo(_Result):
    """Answer of ``refill_status`` for one refill."""

    status: RefillStatus
    status_raw: str


class Balance(_Result):
    """Answer of ``balance``: the money left on the shop's panel account."""

    balance: Money
    currency: Text = ""


class ItemError(_Result):
    """A per-item error inside a multi answer, e.g. ``{"error": "Incorrect order ID"}``."""

    error: str
