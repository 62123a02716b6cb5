"""The requests the bot made, as the recording session keeps them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiogram.methods import (
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import Message, ReplyKeyboardRemove

from .html import visible_text
from .keyboards import ButtonRows, inline_rows, reply_keyboard_rows

M = TypeVar("M", bound=TelegramMethod[Any])


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded with a request: its name and its bytes."""

    file_name: str | None
    content: bytes


@dataclass
class RecordedCall:
    """One request the bot made.

    ``method`` is the method object with aiogram's ``Default(...)`` placeholders replaced by the
    bot's defaults (so ``method.parse_mode == "HTML"``); ``params`` is what went over the wire.
    A failed call keeps its ``error``."""

    method: TelegramMethod[Any]
    params: dict[str, Any]
    result: Any = None
    error: BaseException | None = None
    #: The files uploaded, by the method's field (``document``, ``photo``...).
    uploads: dict[str, Upload] = field(default_factory=dict)

    @property
    def api_method(self) -> str:
        return self.method.__api_method__

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class RecordedMessage:
    """A message the bot sent or edited, as the request described it."""

    method: TelegramMethod[Any]
    chat_id: int | str | None
    message_id: int | None
    text: str | None
    """The text as sent, markup included."""
    parse_mode: str | None
    reply_markup: Any

    @classmethod
    def from_call(cls, call: RecordedCall) -> RecordedMessage | None:
        """The message view of a send/edit request; ``None`` for other requests."""
        method = call.method
        if not isinstance(
            method,
            SendMessage | EditMessageText | EditMessageReplyMarkup | EditMessageCaption,
        ):
            return None
        message_id = getattr(method, "message_id", None)
        if message_id is None and isinstance(call.result, Message):
            message_id = call.result.message_id
        elif message_id is None and isinstance(call.result, dict):
            # A screen sent by ``handlers.screens.send``: Telegram's answer as it came.
            message_id = call.result.get("message_id")
        text = getattr(method, "text", None) or getattr(method, "caption", None)
        parse_mode = getattr(method, "parse_mode", None)
        return cls(
            method=method,
            chat_id=getattr(method, "chat_id", None),
            message_id=message_id,
            text=text,
            parse_mode=parse_mode if isinstance(parse_mode, str) else None,
            reply_markup=method.reply_markup,
        )

    @property
    def visible_text(self) -> str | None:
        return visible_text(self.text, self.parse_mode)

    @property
    def inline_keyboard(self) -> ButtonRows:
        return inline_rows(self.reply_markup)

    @property
    def buttons(self) -> list[list[str]]:
        return [[label for label, _ in row] for row in self.inline_keyboard]

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        return reply_keyboard_rows(self.reply_markup)

    @property
    def removes_reply_keyboard(self) -> bool:
        return isinstance(self.reply_markup, ReplyKeyboardRemove)


class RecordedRequests(list[TelegramMethod[Any]]):
    """The requests made while one update was handled, in order."""

    def __init__(self, calls: Iterable[RecordedCall]) -> None:
        self.calls = list(calls)
        super().__init__(call.method for call in self.calls)

    def of(self, method_type: type[M]) -> list[M]:
        return [method for method in self if isinstance(method, method_type)]

    @property
    def messages(self) -> list[RecordedMessage]:
        """The messages sent or edited, successfully."""
        return [
            message
            for call in self.calls
            if call.ok and (message := RecordedMessage.from_call(call)) is not None
        ]
