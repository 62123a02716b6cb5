"""Async client for the SMM panel "API v2" protocol."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Final, Generic, Literal, TypeVar

import aiohttp
from pydantic import SecretStr

from api import http, responses
from api.errors import (
    BatchInterrupted,
    PanelBadResponse,
    PanelConnectionError,
    PanelError,
    PanelRefusal,
    PanelTimeout,
    PanelUnreachable,
)
from api.models import Balance, ItemError, RefillStatusInfo, Service, StatusInfo
from api.order_requests import OrderRequest

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: The protocol's limit of ids in one multi call.
MAX_IDS_PER_CALL: Final = 100
#: Largest answer we read; a big panel's catalogue is a few MB.
MAX_BODY_BYTES: Final = 64 * 1024 * 1024
DEFAULT_TIMEOUTS: Final = aiohttp.ClientTimeout(total=30, connect=10, sock_read=25)
_REDACTED: Final = "***"
#: True where the caller logs a failed call itself: see :func:`caller_reports_failures`.
_caller_reports: ContextVar[bool] = ContextVar("panel_caller_reports", default=False)


@contextlib.contextmanager
def caller_reports_failures() -> Iterator[None]:
    """Within this block (of this task), a failed call is logged by the client at DEBUG
    only: the caller logs it in its own words (a loop saying when it tries again), and one
    failure makes one line."""
    token = _caller_reports.set(True)
    try:
        yield
    finally:
        _caller_reports.reset(token)


def chunked(ids: Sequence[int], size: int = MAX_IDS_PER_CALL) -> list[list[int]]:
    """``ids`` in lists of at most ``size``, duplicates removed, order kept."""
    unique = list(dict.fromkeys(ids))
    return [unique[start : start + size] for start in range(0, len(unique), size)]


@dataclass(frozen=True, slots=True)
class FailedChunk:
    """One call of a multi read that got no usable answer: the ids it asked for, and why."""

    ids: list[int]
    error: PanelError


@dataclass(frozen=True, slots=True)
class ChunkedAnswer(Generic[T]):
    """What a multi read of several calls learnt: the answers of every call that was
    answered (per-item errors included), and the calls that were not.

    One failed call out of many costs only its own ids; the caller decides whether a read
    with failures is good enough (a poll is, as long as any call was answered).
    """

    items: dict[int, T] = field(default_factory=dict)
    failed: list[FailedChunk] = field(default_factory=list)
    #: Calls made (one per chunk of at most 100 ids).
    chunks: int = 0

    @property
    def nothing_answered(self) -> bool:
        """True when calls were made and none of them was answered."""
        return self.chunks > 0 and len(self.failed) == self.chunks

    @property
    def unanswered(self) -> list[int]:
        """The ids of the failed calls, in the order they were asked."""
        return [item for chunk in self.failed for item in chunk.ids]

    def all_or_raise(self) -> dict[int, T]:
        """Every answer, or the first failed call's error when any call failed."""
        if self.failed:
            raise self.failed[0].error
        return self.items


class PanelClient(http.SessionHolder):
    """One panel account, reached over one reused aiohttp session.

    ``session`` may be shared with the rest of the application; if it is not given, the
    client makes its own and closes it in :meth:`aclose`. Multi calls accept any number of
    ids and split them into calls of at most 100. Reads of several chunks run up to
    ``concurrency`` calls at once; writes of several chunks run one after another.
    """

    def __init__(
        self,
        url: str,
        key: str | SecretStr,
        session: aiohttp.ClientSession | None = None,
        timeouts: aiohttp.ClientTimeout = DEFAULT_TIMEOUTS,
        *,
        concurrency: int = 4,
    ) -> None:
        self.url = url
        self._key = key.get_secret_value() if isinstance(key, SecretStr) else key
        super().__init__(session, timeouts)
        self._concurrency = max(1, concurrency)
        #: Number of HTTP requests made so far (benchmarks and tests read it).
        self.calls = 0

    def __repr__(self) -> str:
        return f"PanelClient(url={self.url!r}, key={_REDACTED!r})"

    @property
    def read_round(self) -> int:
        """The ids one round of a multi read asks about: ``concurrency`` calls of 100."""
        return self._concurrency * MAX_IDS_PER_CALL

    # --- the operations of API v2 ---------------------------------------------------------

    async def services(self) -> list[Service]:
        """The panel's catalogue (``action=services``)."""
        return responses.parse_services(await self._call("services"))

    async def add(self, request: OrderRequest) -> int:
        """Place an order (``action=add``) and return the panel's order id.

        :class:`~api.errors.PanelRefusal` means the order was not placed. Any
        :class:`~api.errors.PanelUnavailable` means it may have been: do not call again for
        the same order.
        """
        return responses.parse_order_created(await self._call("add", request.to_form()))

    async def status(self, order_id: int) -> StatusInfo:
        """Status of one order."""
        return responses.parse_status(await self._call("status", {"order": str(order_id)}))

    async def multi_status(self, order_ids: Iterable[int]) -> dict[int, StatusInfo | ItemError]:
        """Status of any number of orders, 100 ids a call; per-order errors as ItemError.

        All or nothing: a failed call raises its error once every call has ended. To keep
        the answers of the calls that were answered, use :meth:`multi_status_chunks`.
        """
        return (await self.multi_status_chunks(order_ids)).all_or_raise()

    async def multi_status_chunks(
        self, order_ids: Iterable[int]
    ) -> ChunkedAnswer[StatusInfo | ItemError]:
        """Status of any number of orders, 100 ids a call: the answers of every call that
        was answered, and the calls that failed (never raised)."""
        return await self._read_chunks(
            order_ids,
            lambda chunk: self._call("status", {"orders": _join(chunk)}),
            responses.parse_multi_status,
        )

    async def refill(self, order_id: int) -> int:
        """Ask for a refill of one order; return the refill id."""
        return responses.parse_refill_created(await self._call("refill", {"order": str(order_id)}))

    async def multi_refill(self, order_ids: Iterable[int]) -> dict[int, int | ItemError]:
        """Ask for refills of any number of orders: refill id (or ItemError) by order id.

        Chunks are sent one after another; a failed call stops the rest and raises
        :class:`~api.errors.BatchInterrupted` with what was done so far.
        """
        return await self._write_chunks(
            order_ids,
            lambda chunk: self._call("refill", {"orders": _join(chunk)}),
            responses.parse_multi_refill,
        )

    async def refill_status(self, refill_id: int) -> RefillStatusInfo:
        """Status of one refill."""
        return responses.parse_refill_status(
            await self._call("refill_status", {"refill": str(refill_id)})
        )

    async def multi_refill_status(
        self, refill_ids: Iterable[int]
    ) -> dict[int, RefillStatusInfo | ItemError]:
        """Status of any number of refills, 100 ids a call; per-refill errors as ItemError.

        All or nothing, as :meth:`multi_status`; see :meth:`multi_refill_status_chunks`.
        """
        return (await self.multi_refill_status_chunks(refill_ids)).all_or_raise()

    async def multi_refill_status_chunks(
        self, refill_ids: Iterable[int]
    ) -> ChunkedAnswer[RefillStatusInfo | ItemError]:
        """Status of any number of refills, 100 ids a call, as :meth:`multi_status_chunks`."""
        return await self._read_chunks(
            refill_ids,
            lambda chunk: self._call("refill_status", {"refills": _join(chunk)}),
            responses.parse_multi_refill_status,
        )

    async def cancel(self, order_ids: Iterable[int]) -> dict[int, Literal[True] | ItemError]:
        """Ask the panel to cancel orders: True (accepted) or ItemError by order id.

        Chunks are sent one after another, as in :meth:`multi_refill`.
        """
        return await self._write_chunks(
            order_ids,
            lambda chunk: self._call("cancel", {"orders": _join(chunk)}),
            responses.parse_cancel,
        )

    async def cancel_one(self, order_id: int) -> None:
        """Cancel one order; a refusal for it raises :class:`~api.errors.PanelRefusal`."""
        result = (await self.cancel([order_id]))[order_id]
        if isinstance(result, ItemError):
            raise PanelRefusal(result.error, action="cancel")

    async def balance(self) -> Balance:
        """The money left on this panel account, and its currency."""
        return responses.parse_balance(await self._call("balance"))

    # --- batching --------------------------------------------------------------------------

    async def _read_chunks(
        self,
        ids: Iterable[int],
        call: Callable[[list[int]], Awaitable[Any]],
        parse: Callable[[Any, list[int]], dict[int, T]],
    ) -> ChunkedAnswer[T]:
        limit = asyncio.Semaphore(self._concurrency)

        async def one(chunk: list[int]) -> dict[int, T] | FailedChunk:
            async with limit:
                try:
                    return parse(await call(chunk), chunk)
                except PanelError as exc:
                    # Its own ids only: the other calls carry on and keep their answers.
                    return FailedChunk(chunk, exc)

        chunks = chunked(list(ids))
        answer: ChunkedAnswer[T] = ChunkedAnswer(chunks=len(chunks))
        for part in await asyncio.gather(*(one(chunk) for chunk in chunks)):
            if isinstance(part, FailedChunk):
                answer.failed.append(part)
            else:
                answer.items.update(part)
        return answer

    async def _write_chunks(
        self,
        ids: Iterable[int],
        call: Callable[[list[int]], Awaitable[Any]],
        parse: Callable[[Any, list[int]], dict[int, T]],
    ) -> dict[int, T]:
        chunks = chunked(list(ids))
        results: dict[int, T] = {}
        for index, chunk in enumerate(chunks):
            try:
                results.update(parse(await call(chunk), chunk))
            except PanelError as exc:
                if not results and len(chunks) == 1:
                    raise
                unsent = [item for later in chunks[index + 1 :] for item in later]
                raise BatchInterrupted(
                    exc, completed=results, failed=chunk, unsent=unsent
                ) from exc
        return results

    # --- transport -------------------------------------------------------------------------

    async def _call(self, action: str, fields: dict[str, str] | None = None) -> Any:
        form = {"key": self._key, "action": action, **(fields or {})}
        self.calls += 1
        started = time.perf_counter()
        try:
            status, body = await self._post(form)
            return responses.decode(action, status, body)
        except PanelError as exc:
            self._scrub(exc)
            level = logging.DEBUG if _caller_reports.get() else logging.WARNING
            logger.log(level, "panel %s failed: %s", action, exc)
            raise
        finally:
            logger.debug("panel %s took %.3fs", action, time.perf_counter() - started)

    async def _post(self, form: dict[str, str]) -> tuple[int, bytes]:
        try:
            return await http.post(
                self._http(), self.url, max_bytes=MAX_BODY_BYTES, timeout=self._timeouts, data=form
            )
        except http.PostFailed as failed:
            raise _panel_error(failed, form["action"]) from None

    def _scrub(self, exc: PanelError) -> None:
        """Make sure the key never shows in an error's text, whatever the panel echoed."""
        exc.message = http.redacted(exc.message, self._key, _REDACTED)
        exc.args = (exc.message,)


def _panel_error(failed: http.PostFailed, action: str) -> PanelError:
    """The panel's error of the same meaning as ``failed``."""
    match failed.failure:
        case http.Failure.REDIRECTED:
            # The request was not applied, so this is definite.
            return PanelRefusal(
                f"the panel redirects to {failed.detail}; check PANEL_API_URL",
                action=action,
                http_status=failed.http_status,
            )
        case http.Failure.UNREACHABLE:
            return PanelUnreachable(f"cannot connect: {failed.detail}", action=action)
        case http.Failure.TIMEOUT:
            return PanelTimeout("no answer in time", action=action)
        case http.Failure.CONNECTION:
            return PanelConnectionError(f"connection failed: {failed.detail}", action=action)
        case http.Failure.TOO_LARGE:
            return PanelBadResponse("answer too large", action=action)


def _join(ids: Iterable[int]) -> str:
    return ",".join(str(item) for item in ids)
