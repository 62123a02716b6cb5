"""Turn what a panel answered into typed results, or into our errors.

Every function here either returns a typed value or raises a :class:`~api.errors.PanelError`
— never another exception, whatever JSON a panel sends. Per-item errors of multi answers
become :class:`~api.models.ItemError` values in the result, not an exception for the batch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, Final, Literal, TypeVar

from pydantic import ValidationError

from api.errors import PanelBadResponse, PanelRefusal, PanelServerError
from api.models import (
    Balance,
    ItemError,
    OrderStatus,
    RefillStatus,
    RefillStatusInfo,
    Service,
    StatusInfo,
    parse_int,
)

T = TypeVar("T")

#: A per-item answer we cannot read is reported with this text.
UNREADABLE_ITEM: Final = "Unreadable answer from the panel"
#: An id that was asked for but is absent from the answer.
MISSING_ITEM: Final = "No answer from the panel for this id"
_MAX_ERROR_TEXT: Final = 300


def decode(action: str, http_status: int, body: bytes) -> Any:
    """The JSON value of an answer, after sorting out HTTP-level and ``{"error"}`` failures.

    Definite: HTTP 200-499 carrying ``{"error": ...}`` raises :class:`PanelRefusal`.
    Ambiguous: 5xx, other non-200 codes, HTML or unparsable bodies raise
    :class:`PanelServerError` or :class:`PanelBadResponse`.
    """
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
    try:
        value: Any = json.loads(text)
    except (ValueError, RecursionError):
        value = _NOT_JSON
    if http_status < 500 and isinstance(value, dict) and "error" in value:
        raise PanelRefusal(_error_text(value["error"]), action=action, http_status=http_status)
    if http_status != 200:
        raise PanelServerError(
            f"HTTP {http_status}: {_describe_body(text)}", action=action, http_status=http_status
        )
    if value is _NOT_JSON:
        raise PanelBadResponse(f"not JSON: {_describe_body(text)}", action=action)
    return value


_NOT_JSON: Final = object()


def _error_text(error: Any) -> str:
    if isinstance(error, str):
        text = error.strip()
    else:
        try:
            text = json.dumps(error, ensure_ascii=False, default=str)
        except (ValueError, TypeError, RecursionError):
            text = ""
    return (text or "Unknown error")[:_MAX_ERROR_TEXT]


def _describe_body(text: str) -> str:
    if not text:
        return "empty body"
    if text[:200].lstrip().startswith("<"):
        return "an HTML page"
    return repr(text[:80])


def _bad(action: str, what: str) -> PanelBadResponse:
    return PanelBadResponse(f"unexpected answer: {what}", action=action)


def _validate(action: str, model: type[T], data: Any) -> T:
    try:
        return model.model_validate(data)  # type: ignore[attr-defined, no-any-return]
    except ValidationError as exc:
        raise _bad(action, f"{exc.error_count()} invalid fields") from None


def parse_services(data: Any) -> list[Service]:
    """The catalogue. An entry we cannot read is skipped, not fatal to the whole list."""
    if isinstance(data, dict):
        # A few panels wrap the list, or key it by service id.
        data = data.get("services", data.get("data", list(data.values())))
    if not isinstance(data, list):
        raise _bad("services", "not a list of services")
    services = []
    for entry in data:
        try:
            services.append(Service.model_validate(entry))
        except ValidationError:
            continue
    if data and not services:
        raise _bad("services", "no readable service")
    return services


def parse_order_created(data: Any) -> int:
    """The panel's id of a new order, from ``{"order": 23501}``."""
    return _id_field("add", data, "order")


def parse_refill_created(data: Any) -> int:
    """The panel's id of a new refill, from ``{"refill": "1"}``."""
    return _id_field("refill", data, "refill")


def parse_id(value: Any) -> int:
    """A panel's id: a whole number above zero. ``0`` or ``-1`` is no id, whatever a panel
    meant by it (a failure it did not spell out, most likely), so ValueError."""
    number = parse_int(value)
    if number <= 0:
        raise ValueError(f"not a positive id: {number}")
    return number


def _id_field(action: str, data: Any, name: str) -> int:
    # An answer without a usable id is ambiguous: the panel may have applied the request.
    if not isinstance(data, dict) or name not in data:
        raise _bad(action, f"no {name!r} field")
    try:
        return parse_id(data[name])
    except ValueError:
        raise _bad(action, f"{name!r} is not a positive id") from None


def parse_balance(data: Any) -> Balance:
    """``{"balance": "100.84292", "currency": "USD"}``."""
    return _validate("balance", Balance, data)


def _status_info(data: Any) -> StatusInfo:
    if not isinstance(data, dict) or not isinstance(data.get("status"), str):
        raise ValueError("no status")
    raw = data["status"]
    return StatusInfo.model_validate({**data, "status": OrderStatus.parse(raw), "status_raw": raw})


def _refill_status_info(data: Any) -> RefillStatusInfo:
    if not isinstance(data, dict) or not isinstance(data.get("status"), str):
        raise ValueError("no status")
    raw = data["status"]
    return RefillStatusInfo(status=RefillStatus.parse(raw), status_raw=raw)


def parse_status(data: Any) -> StatusInfo:
    """The answer of ``status`` for one order."""
    try:
        return _status_info(data)
    except (ValueError, ValidationError):
        raise _bad("status", "no readable order status") from None


def parse_refill_status(data: Any) -> RefillStatusInfo:
    """The answer of ``refill_status`` for one refill."""
    try:
        return _refill_status_info(data)
    except (ValueError, ValidationError):
        raise _bad("refill_status", "no readable refill status") from None


def _item(value: Any, parse: Callable[[Any], T]) -> T | ItemError:
    if isinstance(value, dict) and "error" in value:
        return ItemError(error=_error_text(value["error"]))
    try:
        return parse(value)
    except (ValueError, ValidationError):
        return ItemError(error=UNREADABLE_ITEM)


def _key_id(value: Any) -> int | None:
    try:
        return parse_id(value)
    except ValueError:
        return None


def _keyed(action: str, data: Any, id_field: str, value_field: str | None) -> dict[int, Any]:
    """Items of a multi answer by id, whether the panel sent ``{"1": {...}}`` or
    ``[{"order": 1, ...}]``. ``value_field`` picks the value out of list entries."""
    items: dict[int, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            item_id = _key_id(key)
            if item_id is not None:
                items[item_id] = value
    elif isinstance(data, list):
        for entry in data:
            if not isinstance(entry, dict):
                continue
            item_id = _key_id(entry.get(id_field))
            if item_id is not None:
                items[item_id] = entry if value_field is None else entry.get(value_field)
    else:
        raise _bad(action, "not a list or an object")
    return items


def _complete(
    requested: Iterable[int], items: dict[int, Any], parse: Callable[[Any], T]
) -> dict[int, T | ItemError]:
    return {
        item_id: _item(items[item_id], parse)
        if item_id in items
        else ItemError(error=MISSING_ITEM)
        for item_id in requested
    }


def parse_multi_status(data: Any, requested: Iterable[int]) -> dict[int, StatusInfo | ItemError]:
    """``{"1": {...status...}, "10": {"error": "Incorrect order ID"}}`` for the ids asked."""
    return _complete(requested, _keyed("status", data, "order", None), _status_info)


def parse_multi_refill_status(
    data: Any, requested: Iterable[int]
) -> dict[int, RefillStatusInfo | ItemError]:
    """``[{"refill": 1, "status": "Completed"}, {"refill": 3, "status": {"error": ...}}]``."""
    return _complete(
        requested,
        _keyed("refill_status", data, "refill", "status"),
        lambda value: _refill_status_info({"status": value}),
    )


def parse_multi_refill(data: Any, requested: Iterable[int]) -> dict[int, int | ItemError]:
    """``[{"order": 1, "refill": 1}, {"order": 3, "refill": {"error": ...}}]``: refill ids
    by order id."""
    return _complete(requested, _keyed("refill", data, "order", "refill"), parse_id)


def _accepted(value: Any) -> Literal[True]:
    # Panels answer 1, "1", true, or an object such as {"status": "ok"} for an accepted cancel.
    if isinstance(value, dict) and value:
        return True
    if value is True or (not isinstance(value, bool) and parse_int(value) > 0):
        return True
    raise ValueError("not accepted")


def parse_cancel(data: Any, requested: Iterable[int]) -> dict[int, Literal[True] | ItemError]:
    """``[{"order": 2, "cancel": 1}, {"order": 9, "cancel": {"error": ...}}]``."""
    return _complete(requested, _keyed("cancel", data, "order", "cancel"), _accepted)
