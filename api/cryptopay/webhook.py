"""Webhook requests from Crypto Pay: their signature, and their body.

Crypto Pay signs each request with ``crypto-pay-api-signature``: the hex HMAC-SHA-256 of
the raw body, keyed with the SHA-256 digest of the app's API token. Check it against the
body's bytes exactly as received, before parsing them.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

from pydantic import ValidationError

from api.cryptopay.answers import load_json
from api.cryptopay.errors import InvalidSignature, InvalidUpdate
from api.cryptopay.models import InvoicePaidUpdate

#: The header carrying the signature (HTTP header names are case-insensitive).
SIGNATURE_HEADER: Final = "crypto-pay-api-signature"
#: Larger bodies are refused unread: one invoice with its payload is a few kB.
MAX_UPDATE_BYTES: Final = 64 * 1024


def sign(token: str, raw_body: bytes) -> str:
    """The signature Crypto Pay sends with ``raw_body`` for the app of ``token``."""
    secret = hashlib.sha256(token.encode()).digest()
    return hmac.new(secret, raw_body, hashlib.sha256).hexdigest()


def verify_signature(token: str, raw_body: bytes, signature_header: str | None) -> bool:
    """True when ``signature_header`` is the signature of ``raw_body`` under ``token``.

    Compared in constant time; a missing, empty or non-hex header is simply False.
    """
    if not signature_header or not token:
        return False
    try:
        given = signature_header.strip().lower().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(given, sign(token, raw_body).encode("ascii"))


def parse_update(raw_body: bytes) -> InvoicePaidUpdate:
    """The ``invoice_paid`` update in ``raw_body``.

    Raises :class:`~api.cryptopay.errors.InvalidUpdate` for anything else: a body that is
    not JSON, another ``update_type``, or an invoice that cannot be read. Does not check the
    signature: see :func:`read_update`.
    """
    if len(raw_body) > MAX_UPDATE_BYTES:
        raise InvalidUpdate(f"update too large ({len(raw_body)} bytes)")
    try:
        value = load_json(raw_body)
    except ValueError:
        raise InvalidUpdate("update body is not JSON") from None
    if not isinstance(value, dict):
        raise InvalidUpdate("update body is not a JSON object")
    if value.get("update_type") != "invoice_paid":
        raise InvalidUpdate(f"not an invoice_paid update: {str(value.get('update_type'))[:40]!r}")
    try:
        return InvoicePaidUpdate.model_validate(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise InvalidUpdate(f"unreadable update: {where}: {error['msg']}") from None


def read_update(token: str, raw_body: bytes, signature_header: str | None) -> InvoicePaidUpdate:
    """The update of a webhook request, once its signature is checked.

    Raises :class:`~api.cryptopay.errors.InvalidSignature` when the signature is missing or
    wrong, and :class:`~api.cryptopay.errors.InvalidUpdate` when the body is not an
    ``invoice_paid`` update.
    """
    if not verify_signature(token, raw_body, signature_header):
        raise InvalidSignature("missing or wrong crypto-pay-api-signature")
    return parse_update(raw_body)
