"""``invoice_paid`` webhook requests as Crypto Pay sends them, genuine or forged."""

from __future__ import annotations

import enum
import json
from typing import Any

import aiohttp

from api.cryptopay.sandbox.records import iso_time
from api.cryptopay.webhook import SIGNATURE_HEADER, sign

_TIMEOUT = aiohttp.ClientTimeout(total=10)


class Forgery(enum.StrEnum):
    """Ways a webhook request can fail to be genuine."""

    #: No signature header at all.
    UNSIGNED = "unsigned"
    #: Signed with a token that is not the app's.
    WRONG_TOKEN = "wrong_token"
    #: Signed correctly, then the body changed on the way (a larger amount).
    ALTERED_BODY = "altered_body"


def update_body(update_id: int, now: float, invoice: dict[str, Any]) -> bytes:
    """The JSON body of an ``invoice_paid`` update carrying ``invoice`` (as the API shows
    it), dated ``now``."""
    update = {
        "update_id": update_id,
        "update_type": "invoice_paid",
        "request_date": iso_time(now),
        "payload": invoice,
    }
    return json.dumps(update, separators=(",", ":"), ensure_ascii=False).encode()


def signed_request(
    token: str, body: bytes, forgery: Forgery | None
) -> tuple[bytes, dict[str, str]]:
    """The body and headers to send: genuine, or forged as ``forgery`` says."""
    headers = {"Content-Type": "application/json"}
    if forgery is Forgery.UNSIGNED:
        return body, headers
    signer = f"not-{token}" if forgery is Forgery.WRONG_TOKEN else token
    headers[SIGNATURE_HEADER] = sign(signer, body)
    if forgery is Forgery.ALTERED_BODY:
        update = json.loads(body)
        update["payload"]["amount"] = "1000000"
        body = json.dumps(update, separators=(",", ":"), ensure_ascii=False).encode()
    return body, headers


async def deliver(url: str, token: str, body: bytes, forgery: Forgery | None) -> int | None:
    """POST an update to ``url``: the receiver's HTTP status, or None when unreachable."""
    data, headers = signed_request(token, body, forgery)
    try:
        async with (
            aiohttp.ClientSession(timeout=_TIMEOUT) as session,
            session.post(url, data=data, headers=headers) as response,
        ):
            return response.status
    except (aiohttp.ClientError, TimeoutError):
        return None
