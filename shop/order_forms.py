"""The order form of each order type: which steps it asks, how each answer is checked, and
how the answers become a panel request.

Pure rules, no Telegram: the handlers walk a flow step by step, hand each answer to
:func:`read_answer`, and show the :class:`InputProblem` it raises as a translated re-ask.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from api import (
    SUBSCRIPTION_DELAYS,
    InvalidRequest,
    OrderRequest,
    OrderType,
    request_from_fields,
)
from api.order_requests import EXPIRY_FORMAT, parse_expiry
from shop.storage import ServiceRow

MAX_LINK_LENGTH: Final = 500
MAX_LINE_LENGTH: Final = 300
MAX_LINES_TEXT: Final = 3500
MAX_RUNS: Final = 1000
MAX_INTERVAL_MINUTES: Final = 10080
MAX_POSTS: Final = 10000
MAX_POLL_ANSWER: Final = 100

_USERNAME: Final = re.compile(r"^@?([A-Za-z0-9_.]{1,64})$")
_HASHTAG: Final = re.compile(r"^#?(\w{1,100})$", re.UNICODE)
_DOMAIN: Final = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_TELEGRAM_WORDS: Final = ("telegram", "телеграм")
_COMMA_GROUPED: Final = re.compile(r"\d{1,3}(,\d{3})+")


class Answer(enum.StrEnum):
    """What kind of answer a step asks for."""

    LINK = "link"
    USERNAME = "username"
    QUANTITY = "quantity"
    LINES = "lines"
    HASHTAG = "hashtag"
    NUMBER = "number"
    YES_NO = "yes_no"
    DELAY = "delay"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class Step:
    """One question of a flow: the form field it fills and the kind of answer it takes.

    ``optional`` steps can be skipped with a button. ``when`` names an earlier yes/no
    field that must be yes for the step to be asked (drip-feed runs and interval).
    """

    field: str
    answer: Answer
    optional: bool = False
    when: str | None = None
    #: Whether the number of lines is the order's quantity (checked against min and max).
    counted: bool = False


_LINK = Step("link", Answer.LINK)
_QUANTITY = Step("quantity", Answer.QUANTITY)

#: The steps of every order type's form, in the order they are asked.
FLOWS: Final[dict[OrderType, tuple[Step, ...]]] = {
    OrderType.DEFAULT: (
        _LINK,
        _QUANTITY,
        Step("drip_feed", Answer.YES_NO),
        Step("runs", Answer.NUMBER, when="drip_feed"),
        Step("interval", Answer.NUMBER, when="drip_feed"),
    ),
    OrderType.PACKAGE: (_LINK,),
    OrderType.CUSTOM_COMMENTS: (_LINK, Step("comments", Answer.LINES, counted=True)),
    OrderType.MENTIONS_WITH_HASHTAGS: (
        _LINK,
        _QUANTITY,
        Step("usernames", Answer.LINES),
        Step("hashtags", Answer.LINES),
    ),
    OrderType.MENTIONS_CUSTOM_LIST: (_LINK, Step("usernames", Answer.LINES, counted=True)),
    OrderType.MENTIONS_HASHTAG: (_LINK, _QUANTITY, Step("hashtag", Answer.HASHTAG)),
    OrderType.MENTIONS_USER_FOLLOWERS: (_LINK, _QUANTITY, Step("username", Answer.USERNAME)),
    OrderType.SUBSCRIPTIONS: (
        Step("username", Answer.USERNAME),
        Step("min", Answer.QUANTITY),
        Step("max", Answer.QUANTITY),
        Step("posts", Answer.NUMBER),
        Step("old_posts", Answer.NUMBER, optional=True),
        Step("delay", Answer.DELAY),
        Step("expiry", Answer.DATE, optional=True),
    ),
    OrderType.CUSTOM_COMMENTS_PACKAGE: (_LINK, Step("comments", Answer.LINES)),
    OrderType.POLL: (_LINK, _QUANTITY, Step("answer_number", Answer.NUMBER)),
}


class InputProblem(Exception):
    """An answer that cannot be taken; ``key`` names the translated explanation."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def steps_for(service: ServiceRow) -> tuple[Step, ...]:
    """The steps asked for ``service``: its type's flow, without drip-feed where the
    service does not offer it."""
    order_type = service.order_type
    if order_type is None:
        return ()
    steps = FLOWS[order_type]
    if not service.dripfeed:
        steps = tuple(s for s in steps if s.field != "drip_feed" and s.when != "drip_feed")
    return steps


def next_step(service: ServiceRow, answers: Mapping[str, str], after: int = -1) -> int | None:
    """Index of the first step after ``after`` that is to be asked, or None when done."""
    steps = steps_for(service)
    for index in range(after + 1, len(steps)):
        step = steps[index]
        if step.when is None or answers.get(step.when) == "yes":
            return index
    return None


def is_telegram_service(service: ServiceRow) -> bool:
    """True for services that work on Telegram: they take @usernames and t.me links."""
    text = f"{service.category} {service.name}".casefold()
    return any(word in text for word in _TELEGRAM_WORDS)


def _read_link(text: str, service: ServiceRow) -> str:
    link = text.strip()
    if len(link) > MAX_LINK_LENGTH:
        raise InputProblem("input-link-too-long", limit=MAX_LINK_LENGTH)
    if is_telegram_service(service) and (match := _USERNAME.match(link)) and "." not in link:
        return f"https://t.me/{match.group(1)}"
    if "://" not in link and _DOMAIN.match(link.split("/", 1)[0]):
        link = f"https://{link}"
    try:
        parts = urlsplit(link)
    except ValueError:
        raise InputProblem("input-link-invalid") from None
    host = parts.hostname or ""
    if (
        parts.scheme not in ("http", "https")
        or not _DOMAIN.match(host)
        or any(ch.isspace() for ch in link)
    ):
        raise InputProblem(
            "input-link-invalid-telegram" if is_telegram_service(service) else "input-link-invalid"
        )
    return link


def _read_whole_number(text: str, low: int, high: int) -> int:
    # Digits may come grouped as the prompts show them: "10,000" (en), "10 000" (ru, with a
    # no-break space), "10_000". A comma counts only between groups of three digits.
    cleaned = re.sub(r"[ _\u00a0\u202f]", "", text.strip())
    if _COMMA_GROUPED.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 12:
        raise InputProblem("input-number-invalid")
    number = int(cleaned)
    if number < low:
        raise InputProblem("input-number-too-small", limit=low)
    if number > high:
        raise InputProblem("input-number-too-large", limit=high)
    return number


def _read_quantity(text: str, step: Step, service: ServiceRow, answers: Mapping[str, str]) -> int:
    low = service.least_quantity
    if step.field == "max" and "min" in answers:
        low = max(low, int(answers["min"]))
    # API v2 has no step: any whole number from the minimum to the maximum is valid.
    return _read_whole_number(text, low, service.max)


def _read_lines(text: str, step: Step, service: ServiceRow) -> str:
    if len(text) > MAX_LINES_TEXT:
        raise InputProblem("input-lines-too-long", limit=MAX_LINES_TEXT)
    lines = [line.strip() for line in re.split(r"\r\n|\n", text) if line.strip()]
    if not lines:
        raise InputProblem("input-lines-empty")
    if any(len(line) > MAX_LINE_LENGTH for line in lines):
        raise InputProblem("input-line-too-long", limit=MAX_LINE_LENGTH)
    if step.counted and len(lines) < service.least_quantity:
        raise InputProblem("input-lines-too-few", count=len(lines), limit=service.least_quantity)
    if step.counted and len(lines) > service.max:
        raise InputProblem("input-lines-too-many", count=len(lines), limit=service.max)
    if step.field == "hashtags":
        lines = [_read_list_hashtag(line, number) for number, line in enumerate(lines, 1)]
    if step.field == "usernames":
        for number, line in enumerate(lines, 1):
            if any(ch.isspace() for ch in line):
                raise InputProblem("input-usernames-invalid", line=number)
    return "\n".join(lines)


def _read_list_hashtag(line: str, number: int) -> str:
    if not _HASHTAG.match(line):
        raise InputProblem("input-hashtags-invalid", line=number)
    return line if line.startswith("#") else f"#{line}"


def _read_number(text: str, step: Step) -> int:
    limits = {
        "runs": (2, MAX_RUNS),
        "interval": (1, MAX_INTERVAL_MINUTES),
        "posts": (1, MAX_POSTS),
        "old_posts": (0, MAX_POSTS),
        "answer_number": (1, MAX_POLL_ANSWER),
    }
    low, high = limits[step.field]
    return _read_whole_number(text, low, high)


def _read_date(text: str, today: dt.date) -> str:
    try:
        date = parse_expiry(text)
    except InvalidRequest:
        raise InputProblem("input-date-invalid", example=today.strftime(EXPIRY_FORMAT)) from None
    if date < today:
        raise InputProblem("input-date-past")
    return date.strftime(EXPIRY_FORMAT)


def read_answer(
    step: Step,
    text: str,
    service: ServiceRow,
    answers: Mapping[str, str],
    today: dt.date | None = None,
) -> str:
    """Check one answer; the value to keep for the form, or :class:`InputProblem`."""
    today = today or dt.datetime.now(dt.UTC).date()
    if step.optional and not text.strip():
        return ""
    match step.answer:
        case Answer.LINK:
            return _read_link(text, service)
        case Answer.USERNAME:
            name = text.strip()
            if not name or len(name) > MAX_LINK_LENGTH or any(c.isspace() for c in name):
                raise InputProblem("input-username-invalid")
            return name
        case Answer.QUANTITY:
            return str(_read_quantity(text, step, service, answers))
        case Answer.LINES:
            return _read_lines(text, step, service)
        case Answer.HASHTAG:
            tag = text.strip()
            if not _HASHTAG.match(tag):
                raise InputProblem("input-hashtag-invalid")
            return tag if tag.startswith("#") else f"#{tag}"
        case Answer.NUMBER:
            return str(_read_number(text, step))
        case Answer.YES_NO:
            if text not in ("yes", "no"):
                raise InputProblem("input-choose-button")
            return text
        case Answer.DELAY:
            # Only the buttons' values: "²" is a digit to isdigit() but not to int().
            if text not in {str(delay) for delay in SUBSCRIPTION_DELAYS}:
                raise InputProblem("input-choose-button")
            return text
        case Answer.DATE:
            return _read_date(text, today)
    raise InputProblem("input-choose-button")


@dataclass(frozen=True, slots=True)
class OrderForm:
    """A finished form: the service and the answers, ready to become a request."""

    service_id: int
    order_type: OrderType
    answers: dict[str, str] = field(default_factory=dict)

    def to_request(self) -> OrderRequest:
        """The panel request for these answers (:class:`InvalidRequest` if incomplete)."""
        fields = {name: value for name, value in self.answers.items() if name != "drip_feed"}
        if self.answers.get("drip_feed") != "yes":
            fields.pop("runs", None)
            fields.pop("interval", None)
        return request_from_fields(self.order_type, {"service": str(self.service_id), **fields})
