"""One HTTP POST as the shop's outside services (the panel, Crypto Pay) need it, and the
form fields of one as the sandboxes read them.

A redirect is not followed (the body would be lost, or sent twice) and the answer is read
up to a limit. Every way the POST can fail is one :class:`PostFailed`, whose ``failure``
says what it means for a request that may have been applied: each client turns it into its
own error of the same meaning.
"""

from __future__ import annotations

import enum
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import aiohttp

if TYPE_CHECKING:
    from aiohttp import web


class SessionHolder:
    """The HTTP session of a client of an outside service: the caller's, or one it makes on
    first use and closes with :meth:`aclose` (or on leaving ``async with``)."""

    def __init__(
        self, session: aiohttp.ClientSession | None, timeouts: aiohttp.ClientTimeout
    ) -> None:
        self._session = session
        self._owns_session = session is None
        self._timeouts = timeouts

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeouts)
            self._owns_session = True
        return self._session

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP session if this client made it."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None


class Failure(enum.Enum):
    """How a POST failed."""

    #: The server redirects: the request was not applied.
    REDIRECTED = "redirected"
    #: No connection could be made: nothing was sent.
    UNREACHABLE = "unreachable"
    #: No answer in time: the request may have been applied.
    TIMEOUT = "timeout"
    #: The connection broke: the request may have been applied.
    CONNECTION = "connection"
    #: The answer is larger than any real one: something else answered.
    TOO_LARGE = "too_large"


class PostFailed(Exception):
    """A POST that got no usable answer; ``detail`` says more (the redirect's target, the
    connection's error), ``http_status`` is the status of a redirect (0 otherwise)."""

    def __init__(self, failure: Failure, detail: str = "", http_status: int = 0) -> None:
        super().__init__(f"{failure.value}: {detail}")
        self.failure = failure
        self.detail = detail
        self.http_status = http_status


async def post(
    session: aiohttp.ClientSession,
    url: str,
    *,
    max_bytes: int,
    timeout: aiohttp.ClientTimeout,
    **request: Any,
) -> tuple[int, bytes]:
    """POST to ``url`` (``request``: aiohttp's ``data``, ``json``, ``headers``); the status
    and the body, read up to ``max_bytes``. Raises :class:`PostFailed`."""
    try:
        async with session.post(
            url, timeout=timeout, allow_redirects=False, **request
        ) as response:
            if 300 <= response.status < 400:
                location = response.headers.get("Location", "?")
                raise PostFailed(Failure.REDIRECTED, location, response.status)
            body = bytearray()
            async for piece in response.content.iter_chunked(1 << 16):
                body += piece
                if len(body) > max_bytes:
                    raise PostFailed(Failure.TOO_LARGE, f"more than {max_bytes} bytes")
            return response.status, bytes(body)
    except TimeoutError:
        raise PostFailed(Failure.TIMEOUT, "no answer in time") from None
    except aiohttp.ClientConnectorError as exc:
        raise PostFailed(Failure.UNREACHABLE, str(exc.os_error or exc)) from None
    except aiohttp.ClientError as exc:
        raise PostFailed(Failure.CONNECTION, f"{type(exc).__name__}: {exc}") from None


def redacted(text: str, secret: str, mask: str = "***") -> str:
    """``text`` with ``secret`` masked wherever the other side echoed it."""
    return text.replace(secret, mask) if secret else text


async def form_fields(request: web.Request) -> dict[str, str]:
    """The fields of a form POST (urlencoded or multipart, files read as text); ``{}`` for
    any other body."""
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return {}
    fields: dict[str, str] = {}
    for name, value in (await request.post()).items():
        if isinstance(value, str):
            fields[name] = value
        elif isinstance(value, bytes | bytearray):
            fields[name] = value.decode("utf-8", errors="replace")
        else:
            fields[name] = value.file.read().decode("utf-8", errors="replace")
    return fields
