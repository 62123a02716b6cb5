"""The Bot API's error answers, one kind for both doubles: the recording session raises them
through aiogram's own ``check_response`` (so the exception is the one aiogram would raise),
the HTTP double sends them over the wire."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TelegramFailure:
    """An error answer of the Bot API; with ``html``, the page a proxy in front of it answers
    instead of JSON (as Telegram's front does in an outage); with ``disconnect``, no answer
    at all: the connection drops."""

    status: int
    description: str
    retry_after: int | None = None
    #: The supergroup a group became, as Telegram names it when refusing a send there.
    migrate_to_chat_id: int | None = None
    html: str | None = None
    disconnect: bool = False

    def response(self) -> dict[str, Any]:
        """The JSON body of the answer."""
        parameters = {
            key: value
            for key, value in (
                ("retry_after", self.retry_after),
                ("migrate_to_chat_id", self.migrate_to_chat_id),
            )
            if value is not None
        }
        return {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
            **({"parameters": parameters} if parameters else {}),
        }


class Rejected(Exception):
    """A request Telegram refuses; each double turns it into its error answer."""

    def __init__(self, failure: TelegramFailure) -> None:
        super().__init__(failure.description)
        self.failure = failure


def bad_request(description: str) -> TelegramFailure:
    """``400 Bad Request: <description>`` → ``TelegramBadRequest``."""
    return TelegramFailure(400, f"Bad Request: {description}")


def flood_wait(seconds: int) -> TelegramFailure:
    """``429`` with ``retry_after`` → ``TelegramRetryAfter``."""
    return TelegramFailure(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)


def migrated(to_chat_id: int) -> TelegramFailure:
    """The answer to a send to a group that became the supergroup ``to_chat_id``."""
    return TelegramFailure(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=to_chat_id,
    )


MESSAGE_NOT_MODIFIED = bad_request(
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
MESSAGE_TO_EDIT_NOT_FOUND = bad_request("message to edit not found")
MESSAGE_TO_DELETE_NOT_FOUND = bad_request("message to delete not found")
MESSAGE_CANT_BE_EDITED = bad_request("message can't be edited")
QUERY_TOO_OLD = bad_request("query is too old and response timeout expired or query ID is invalid")
CHARGE_NOT_FOUND = bad_request("CHARGE_NOT_FOUND")
CHARGE_ALREADY_REFUNDED = bad_request("CHARGE_ALREADY_REFUNDED")
BOT_BLOCKED = TelegramFailure(403, "Forbidden: bot was blocked by the user")
BAD_GATEWAY = TelegramFailure(
    502, "Bad Gateway", html="<html><head><title>502 Bad Gateway</title></head></html>"
)
#: The connection drops before any answer.
DISCONNECT = TelegramFailure(0, "connection reset", disconnect=True)
SERVER_ERROR = TelegramFailure(500, "Internal Server Error")
#: Telegram's answer to a call under a token it does not know (revoked, or mistyped).
UNAUTHORIZED = TelegramFailure(401, "Unauthorized")
#: Telegram's answer to a call under something that is not a token at all.
NOT_FOUND = TelegramFailure(404, "Not Found")
