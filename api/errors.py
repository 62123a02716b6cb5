"""The one exception family of the panel client.

The split that matters is *definite* versus *ambiguous*:

* :class:`PanelRefusal` — the panel answered and said no (``{"error": ...}``, or an
  HTTP 4xx carrying an error body). Nothing was done; the message is meant for people.
* :class:`PanelUnreachable` — no connection could be made; nothing was sent. Definite.
* :class:`PanelUnavailable` — we do not know what happened (timeout, connection lost,
  HTTP 5xx, an HTML page, a body we cannot read). A write such as ``add`` may still have
  been applied, so it must never be retried blindly.

:class:`InvalidRequest` is raised before anything is sent, when a request built by the
caller breaks the protocol's own rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Generic, TypeVar

T = TypeVar("T")


class PanelError(Exception):
    """Base of every error raised by :mod:`api`."""

    #: True when the panel may have applied the request despite the error.
    ambiguous: bool = False

    def __init__(self, message: str, *, action: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.action = action

    def __str__(self) -> str:
        if self.action:
            return f"{self.action}: {self.message}"
        return self.message


class InvalidRequest(PanelError, ValueError):
    """A request that breaks the protocol's rules; it was not sent."""

    def __init__(self, field: str, reason: str, *, action: str | None = "add") -> None:
        super().__init__(f"{field}: {reason}", action=action)
        self.field = field
        self.reason = reason


class PanelRefusal(PanelError):
    """The panel answered and refused. Definite: nothing was applied.

    ``message`` is the panel's own text (e.g. ``"Not enough funds on balance"``).
    """

    def __init__(self, message: str, *, action: str | None = None, http_status: int = 200) -> None:
        super().__init__(message, action=action)
        self.http_status = http_status


class PanelUnreachable(PanelError):
    """No connection could be made, so nothing was sent. Definite, though not a refusal."""


class PanelUnavailable(PanelError):
    """The outcome is unknown: the request may or may not have been applied."""

    ambiguous = True


class PanelTimeout(PanelUnavailable):
    """No answer came in time."""


class PanelConnectionError(PanelUnavailable):
    """The connection failed or was lost."""


class PanelServerError(PanelUnavailable):
    """The panel (or a proxy in front of it) answered HTTP 5xx, or 4xx without an error."""

    def __init__(self, message: str, *, action: str | None = None, http_status: int) -> None:
        super().__init__(message, action=action)
        self.http_status = http_status


class PanelBadResponse(PanelUnavailable):
    """The answer could not be read: HTML, garbage, or JSON of an unexpected shape."""


class BatchInterrupted(PanelError, Generic[T]):
    """A multi-call write stopped part-way through its chunks of at most 100 ids.

    ``completed`` holds the results of the chunks that were answered, ``failed`` the ids of
    the chunk whose call failed (``error`` says how; if it is ambiguous those may have been
    applied), and ``unsent`` the ids that were never sent.
    """

    def __init__(
        self,
        error: PanelError,
        *,
        completed: Mapping[int, T],
        failed: list[int],
        unsent: list[int],
    ) -> None:
        super().__init__(
            f"stopped after {len(completed)} ids: {error.message}", action=error.action
        )
        self.error = error
        self.ambiguous = error.ambiguous
        self.completed = dict(completed)
        self.failed = failed
        self.unsent = unsent
