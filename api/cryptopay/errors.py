"""The exception family of the Crypto Pay client.

As for the panel (:mod:`api.errors`), the split that matters is *definite* versus
*ambiguous*:

* :class:`CryptoPayRefusal` — Crypto Pay answered ``{"ok": false, "error": ...}``: it read
  the request and said no (``UNAUTHORIZED``, ``EXPIRES_IN_INVALID``, ``AMOUNT_TOO_SMALL``,
  ``INVOICE_NOT_FOUND``...). Nothing was done; ``name`` says why.
* :class:`CryptoPayUnreachable` — no connection could be made; nothing was sent. Definite.
* :class:`CryptoPayUnavailable` — we do not know what happened (timeout, connection lost,
  HTTP 5xx, a body we cannot read). An invoice may have been created or deleted; try again
  later, and read back before acting on a guess.
"""

from __future__ import annotations


class CryptoPayError(Exception):
    """Base of every error raised by :mod:`api.cryptopay`."""

    #: True when Crypto Pay may have applied the request despite the error.
    ambiguous: bool = False

    def __init__(self, message: str, *, method: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method

    def __str__(self) -> str:
        if self.method:
            return f"{self.method}: {self.message}"
        return self.message


class CryptoPayRefusal(CryptoPayError):
    """Crypto Pay answered ``ok: false``. Definite: nothing was applied.

    ``name`` is the API's error name (``"UNAUTHORIZED"``, ``"AMOUNT_TOO_SMALL"``...), ``code``
    its error code (mostly the HTTP status: 400, 401, 403, 405).
    """

    def __init__(
        self,
        name: str,
        *,
        code: int,
        method: str | None = None,
        http_status: int = 400,
        detail: str = "",
    ) -> None:
        text = f"{name} (code {code})"
        super().__init__(f"{text}: {detail}" if detail else text, method=method)
        self.name = name
        self.code = code
        self.http_status = http_status

    @property
    def unauthorized(self) -> bool:
        """True when the API token was refused: no call will work until it is replaced."""
        return self.name == "UNAUTHORIZED"


class CryptoPayUnreachable(CryptoPayError):
    """No connection could be made, so nothing was sent. Definite, though not a refusal."""


class CryptoPayUnavailable(CryptoPayError):
    """The outcome is unknown: the request may or may not have been applied."""

    ambiguous = True


class CryptoPayTimeout(CryptoPayUnavailable):
    """No answer came in time."""


class CryptoPayConnectionError(CryptoPayUnavailable):
    """The connection failed or was lost after the request may have been sent."""


class CryptoPayServerError(CryptoPayUnavailable):
    """HTTP 5xx (or another status without an ``ok: false`` answer), or an internal error."""

    def __init__(self, message: str, *, method: str | None = None, http_status: int) -> None:
        super().__init__(message, method=method)
        self.http_status = http_status


class CryptoPayBadResponse(CryptoPayUnavailable):
    """The answer could not be read: not JSON, or JSON of an unexpected shape."""


class InvalidUpdate(ValueError):
    """A webhook request that is not a readable ``invoice_paid`` update; ignore it."""


class InvalidSignature(InvalidUpdate):
    """A webhook request whose signature is missing or wrong: it did not come from Crypto
    Pay (or was changed on the way), so nothing in it may be trusted."""
