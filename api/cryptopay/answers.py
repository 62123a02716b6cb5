"""Turn what Crypto Pay answered into a result, or into our errors.

Every function here returns a value or raises a
:class:`~api.cryptopay.errors.CryptoPayError`, whatever the body holds. JSON numbers are
read as :class:`~decimal.Decimal` so that no amount ever passes through a float.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Final

from pydantic import ValidationError

from api.cryptopay.errors import (
    CryptoPayBadResponse,
    CryptoPayRefusal,
    CryptoPayServerError,
)
from api.cryptopay.models import App, Invoice

_NOT_JSON: Final = object()


def load_json(body: bytes) -> Any:
    """The JSON value of ``body`` with numbers as Decimal, or raise ValueError."""
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
    try:
        return json.loads(text, parse_float=Decimal)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


def decode(method: str, http_status: int, body: bytes) -> Any:
    """The ``result`` of an answer, after sorting out refusals and unreadable answers.

    Definite: ``{"ok": false, "error": {...}}`` below HTTP 500 raises
    :class:`CryptoPayRefusal`. Ambiguous: HTTP 5xx, any other non-200 status, a body that
    is not JSON or not of the API's shape raise :class:`CryptoPayServerError` or
    :class:`CryptoPayBadResponse`.
    """
    try:
        value: Any = load_json(body)
    except ValueError:
        value = _NOT_JSON
    if isinstance(value, dict) and value.get("ok") is False and http_status < 500:
        raise _refusal(method, http_status, value.get("error"))
    if http_status != 200:
        raise CryptoPayServerError(
            f"HTTP {http_status}: {_describe(body)}", method=method, http_status=http_status
        )
    if value is _NOT_JSON:
        raise CryptoPayBadResponse(f"not JSON: {_describe(body)}", method=method)
    if not isinstance(value, dict) or value.get("ok") is not True or "result" not in value:
        raise CryptoPayBadResponse(f"not an API answer: {_describe(body)}", method=method)
    return value["result"]


def parse_app(method: str, result: Any) -> App:
    """The app of a ``getMe`` answer."""
    try:
        return App.model_validate(result)
    except ValidationError as exc:
        raise CryptoPayBadResponse(f"unreadable app: {_first_error(exc)}", method=method) from None


def parse_invoice(method: str, result: Any) -> Invoice:
    """One invoice, as ``createInvoice`` answers."""
    try:
        return Invoice.model_validate(result)
    except ValidationError as exc:
        raise CryptoPayBadResponse(
            f"unreadable invoice: {_first_error(exc)}", method=method
        ) from None


def parse_invoices(method: str, result: Any) -> list[Invoice]:
    """The invoices of a ``getInvoices`` answer: ``{"items": [...]}`` (or a bare list, as
    the API answered before it paged)."""
    items = result.get("items") if isinstance(result, dict) else result
    if not isinstance(items, list):
        raise CryptoPayBadResponse("getInvoices answered no list of items", method=method)
    return [parse_invoice(method, item) for item in items]


def parse_true(method: str, result: Any) -> None:
    """Check an answer whose result is ``true`` (``deleteInvoice``)."""
    if result is not True:
        raise CryptoPayBadResponse(f"expected true, got {str(result)[:80]!r}", method=method)


def _refusal(method: str, http_status: int, error: Any) -> CryptoPayRefusal:
    if not isinstance(error, dict):
        return CryptoPayRefusal("UNKNOWN_ERROR", code=http_status, method=method)
    name = error.get("name")
    code = error.get("code")
    return CryptoPayRefusal(
        str(name)[:100] if name else "UNKNOWN_ERROR",
        code=code if isinstance(code, int) and not isinstance(code, bool) else http_status,
        method=method,
        http_status=http_status,
    )


def _describe(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return "empty body"
    if text[:200].lstrip().startswith("<"):
        return "an HTML page"
    return repr(text[:80])


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "value"
    return f"{where}: {error['msg']}"
