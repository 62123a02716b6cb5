"""Async client for CryptoBot's Crypto Pay API (https://help.crypt.bot/crypto-pay-api)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final

import aiohttp
from pydantic import SecretStr

from api import http
from api.cryptopay import answers
from api.cryptopay.errors import (
    CryptoPayBadResponse,
    CryptoPayConnectionError,
    CryptoPayError,
    CryptoPayRefusal,
    CryptoPayTimeout,
    CryptoPayUnreachable,
)
from api.cryptopay.models import App, Invoice, InvoiceStatus

logger = logging.getLogger(__name__)

MAINNET_URL: Final = "https://pay.crypt.bot/api"
TESTNET_URL: Final = "https://testnet-pay.crypt.bot/api"
#: Ids asked for in one ``getInvoices`` call; the API's default page is 100 invoices.
MAX_INVOICE_IDS_PER_CALL: Final = 100
#: 100 invoices with long payloads and descriptions stay well below this.
MAX_BODY_BYTES: Final = 8 * 1024 * 1024
DEFAULT_TIMEOUTS: Final = aiohttp.ClientTimeout(total=20, connect=10, sock_read=15)
TOKEN_HEADER: Final = "Crypto-Pay-API-Token"
_REDACTED: Final = "***"


class CryptoPayClient(http.SessionHolder):
    """One Crypto Pay app, reached over one reused aiohttp session.

    ``base_url`` is the API's root, every method being ``{base_url}/{method}``: mainnet
    (:data:`MAINNET_URL`, the default), testnet (:data:`TESTNET_URL`) or any other address,
    such as the sandbox's. ``session`` may be shared with the rest of the application; if it
    is not given, the client makes its own and closes it in :meth:`aclose`.
    """

    def __init__(
        self,
        token: str | SecretStr,
        base_url: str = MAINNET_URL,
        session: aiohttp.ClientSession | None = None,
        timeouts: aiohttp.ClientTimeout = DEFAULT_TIMEOUTS,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token.get_secret_value() if isinstance(token, SecretStr) else token
        super().__init__(session, timeouts)
        #: Number of HTTP requests made so far (tests read it).
        self.calls = 0

    def __repr__(self) -> str:
        return f"CryptoPayClient(base_url={self.base_url!r}, token={_REDACTED!r})"

    # --- the methods of the API ------------------------------------------------------------

    async def get_me(self) -> App:
        """The app this token belongs to: a cheap check that the token works."""
        return answers.parse_app("getMe", await self._call("getMe"))

    async def create_invoice(
        self,
        amount: Decimal,
        fiat: str,
        accepted_assets: Sequence[str],
        payload: str,
        description: str,
        expires_in: int,
    ) -> Invoice:
        """Create an invoice priced in ``fiat`` (``currency_type=fiat``), payable in any of
        ``accepted_assets``, open for ``expires_in`` seconds.

        :class:`~api.cryptopay.errors.CryptoPayRefusal` means no invoice was made. An
        ambiguous error means one may have been: it cannot be found again except by reading
        invoices back, so a caller that creates another must treat the lost one as payable
        until it expires.
        """
        fields: dict[str, str | int] = {
            "currency_type": "fiat",
            "fiat": fiat,
            # Plain digits: str() would write some Decimals with an exponent ("1E+2").
            "amount": format(amount, "f"),
            "accepted_assets": ",".join(accepted_assets),
            "payload": payload,
            "description": description,
            "expires_in": expires_in,
        }
        return answers.parse_invoice("createInvoice", await self._call("createInvoice", fields))

    async def get_invoices(self, invoice_ids: Sequence[int]) -> dict[int, Invoice]:
        """The invoices of ``invoice_ids`` by id, asked 100 ids a call, one call after
        another; an id Crypto Pay does not know (a deleted invoice) is absent.

        All or nothing: the first failed call raises its error.
        """
        unique = list(dict.fromkeys(invoice_ids))
        found: dict[int, Invoice] = {}
        for start in range(0, len(unique), MAX_INVOICE_IDS_PER_CALL):
            chunk = unique[start : start + MAX_INVOICE_IDS_PER_CALL]
            fields: dict[str, str | int] = {
                "invoice_ids": ",".join(str(item) for item in chunk),
                "count": len(chunk),
            }
            for invoice in answers.parse_invoices(
                "getInvoices", await self._call("getInvoices", fields)
            ):
                found[invoice.invoice_id] = invoice
        return found

    async def list_invoices(
        self, status: InvoiceStatus | None = None, *, offset: int = 0, count: int = 100
    ) -> list[Invoice]:
        """One page of the app's invoices (``count`` 1 to 1000), optionally of one status."""
        fields: dict[str, str | int] = {"offset": offset, "count": count}
        if status is not None:
            fields["status"] = status.value
        return answers.parse_invoices("getInvoices", await self._call("getInvoices", fields))

    async def delete_invoice(self, invoice_id: int) -> None:
        """Delete an invoice so it can no longer be paid."""
        answers.parse_true(
            "deleteInvoice", await self._call("deleteInvoice", {"invoice_id": invoice_id})
        )

    # --- transport -------------------------------------------------------------------------

    async def _call(self, method: str, fields: dict[str, str | int] | None = None) -> Any:
        self.calls += 1
        started = time.perf_counter()
        try:
            status, body = await self._post(method, fields or {})
            return answers.decode(method, status, body)
        except CryptoPayError as exc:
            self._scrub(exc)
            logger.warning("crypto pay %s failed: %s", method, exc)
            raise
        finally:
            logger.debug("crypto pay %s took %.3fs", method, time.perf_counter() - started)

    async def _post(self, method: str, fields: dict[str, str | int]) -> tuple[int, bytes]:
        try:
            return await http.post(
                self._http(),
                f"{self.base_url}/{method}",
                max_bytes=MAX_BODY_BYTES,
                timeout=self._timeouts,
                json=fields,
                headers={TOKEN_HEADER: self._token},
            )
        except http.PostFailed as failed:
            raise _crypto_pay_error(failed, method) from None

    def _scrub(self, exc: CryptoPayError) -> None:
        """Keep the token out of an error's text, whatever the other side echoed."""
        exc.message = http.redacted(exc.message, self._token, _REDACTED)
        exc.args = (exc.message,)


def _crypto_pay_error(failed: http.PostFailed, method: str) -> CryptoPayError:
    """Crypto Pay's error of the same meaning as ``failed``."""
    match failed.failure:
        case http.Failure.REDIRECTED:
            # The request was not applied, so this is definite.
            return CryptoPayRefusal(
                "REDIRECTED",
                code=failed.http_status,
                method=method,
                http_status=failed.http_status,
                detail=f"to {failed.detail}; check the base URL",
            )
        case http.Failure.UNREACHABLE:
            return CryptoPayUnreachable(f"cannot connect: {failed.detail}", method=method)
        case http.Failure.TIMEOUT:
            return CryptoPayTimeout("no answer in time", method=method)
        case http.Failure.CONNECTION:
            return CryptoPayConnectionError(f"connection failed: {failed.detail}", method=method)
        case http.Failure.TOO_LARGE:
            return CryptoPayBadResponse("answer too large", method=method)
