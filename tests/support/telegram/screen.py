"""A chat as its members see it: the messages in order, edits applied in place, deleted
messages gone, and the reply keyboard shown under the input field."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiogram.types import (
    Chat,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Invoice,
    Message,
    MessageEntity,
    PhotoSize,
    ReplyKeyboardMarkup,
    User,
)

from .keyboards import ButtonRows, inline_rows, match_label, reply_keyboard_rows


def chat_key(chat_id: object) -> int | None:
    """A ``chat_id`` parameter as a number; None for a ``@username`` or nothing."""
    if isinstance(chat_id, int):
        return chat_id
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        return int(chat_id)
    return None


def chat_for(chat_id: int) -> Chat:
    """The chat a bare id names: a person's private chat, or a group."""
    if chat_id > 0:
        return Chat(id=chat_id, type="private", first_name=f"User {chat_id}")
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return Chat(id=chat_id, type=kind, title=f"Chat {chat_id}")


def now() -> int:
    """Telegram's time: whole seconds."""
    return int(time.time())


@dataclass
class ScreenMessage:
    """A message in a chat, in its current state (edits replace its text and keyboard)."""

    chat: Chat
    message_id: int
    sender: User
    from_bot: bool
    date: int
    html: str | None
    """The text as sent, markup included (``None`` for a message without text)."""
    parse_mode: str | None
    text: str | None
    """The text as the user sees it."""
    entities: list[MessageEntity] = field(default_factory=list)
    reply_markup: InlineKeyboardMarkup | None = None
    kind: str = "text"
    invoice: Invoice | None = None
    edit_date: int | None = None
    edits: int = 0
    #: The file of a photo or a document, and a document's name.
    file_id: str | None = None
    file_name: str | None = None
    #: The bytes of a file the bot uploaded (None for one sent by a file_id, or by a user).
    content: bytes | None = None
    #: The forum topic the message is in (None: a chat without topics, or General).
    thread_id: int | None = None
    #: The message this one replies to.
    reply_to: ScreenMessage | None = None
    #: The chat the message was posted as: the group itself for an anonymous admin, a
    #: channel for a post made as the channel (None: as the sender).
    sender_chat: Chat | None = None

    @property
    def button_rows(self) -> ButtonRows:
        """The inline keyboard as rows of ``(label, callback_data or url)``."""
        return inline_rows(self.reply_markup)

    @property
    def buttons(self) -> list[list[str]]:
        """The inline keyboard as rows of labels."""
        return [[label for label, _ in row] for row in self.button_rows]

    @property
    def labels(self) -> list[str]:
        return [label for row in self.buttons for label in row]

    def button(self, label: str) -> InlineKeyboardButton:
        """The button labelled ``label`` (matched as ``ChatScreen.find_button`` does)."""
        matches = match_label(self.labels, label)
        if len(matches) != 1:
            raise AssertionError(
                f"{'no' if not matches else 'ambiguous'} button {label!r} in message "
                f"#{self.message_id}; its buttons: {self.buttons}"
            )
        assert self.reply_markup is not None
        return next(
            button
            for row in self.reply_markup.inline_keyboard
            for button in row
            if button.text == matches[0]
        )

    def to_message(self) -> Message:
        """The message as Telegram delivers it inside an update."""
        caption = self.kind not in {"text", "invoice"}
        return Message(
            message_id=self.message_id,
            date=datetime.fromtimestamp(self.date, tz=UTC),
            chat=self.chat,
            from_user=self.sender,
            sender_chat=self.sender_chat,
            text=None if caption else self.text,
            entities=(self.entities or None) if not caption else None,
            caption=self.text if caption else None,
            caption_entities=(self.entities or None) if caption else None,
            reply_markup=self.reply_markup,
            invoice=self.invoice,
            edit_date=self.edit_date,
            photo=self._photo(),
            document=self._document(),
            message_thread_id=self.thread_id,
            is_topic_message=True if self.thread_id is not None else None,
            reply_to_message=None if self.reply_to is None else self.reply_to.to_message(),
        )

    def _photo(self) -> list[PhotoSize] | None:
        if self.kind != "photo" or self.file_id is None:
            return None
        return [
            PhotoSize(file_id=self.file_id, file_unique_id=self.file_id, width=1280, height=960)
        ]

    def _document(self) -> Document | None:
        if self.kind != "document" or self.file_id is None:
            return None
        return Document(
            file_id=self.file_id, file_unique_id=self.file_id, file_name=self.file_name
        )

    def describe(self) -> str:
        who = "bot" if self.from_bot else (self.sender.username or self.sender.first_name)
        body = " ".join(
            part
            for part in (None if self.kind == "text" else f"<{self.kind}>", self.text)
            if part is not None
        )
        keyboard = f" {self.buttons}" if self.buttons else ""
        return f"#{self.message_id} {who}: {body}{keyboard}"


@dataclass(frozen=True)
class ScreenButton:
    """An inline button found on the screen, with the message that carries it."""

    message: ScreenMessage
    button: InlineKeyboardButton

    @property
    def text(self) -> str:
        return self.button.text

    @property
    def callback_data(self) -> str | None:
        return self.button.callback_data

    @property
    def url(self) -> str | None:
        return self.button.url


class ChatScreen:
    """One chat as its members see it: messages in order, edits applied in place, deleted
    messages gone, and the reply keyboard currently shown under the input field."""

    def __init__(self, chat: Chat) -> None:
        self.chat = chat
        self.messages: list[ScreenMessage] = []
        self.reply_keyboard: ReplyKeyboardMarkup | None = None
        self._message_ids = itertools.count(1)

    def next_message_id(self) -> int:
        return next(self._message_ids)

    @property
    def bot_messages(self) -> list[ScreenMessage]:
        return [message for message in self.messages if message.from_bot]

    @property
    def last(self) -> ScreenMessage:
        """The latest message from the bot."""
        if not self.bot_messages:
            raise AssertionError(f"the bot has sent nothing to chat {self.chat.id}")
        return self.bot_messages[-1]

    @property
    def reply_buttons(self) -> list[list[str]] | None:
        return reply_keyboard_rows(self.reply_keyboard)

    def get(self, message_id: int) -> ScreenMessage | None:
        return next((m for m in self.messages if m.message_id == message_id), None)

    def find_button(self, label: str) -> ScreenButton:
        """The button labelled ``label`` on the latest bot message whose keyboard has it.

        ``label`` matches a button exactly, else as the unique prefix of one (for labels with a
        dynamic suffix such as a price), else ignoring the emoji decorating the label's start."""
        for message in reversed(self.bot_messages):
            matches = match_label(message.labels, label)
            if len(matches) > 1:
                raise AssertionError(
                    f"button {label!r} is ambiguous in message #{message.message_id}: "
                    f"{matches}\n{self.transcript()}"
                )
            if matches:
                return ScreenButton(message, message.button(matches[0]))
        raise AssertionError(f"no button {label!r} on the screen\n{self.transcript()}")

    def transcript(self) -> str:
        """The chat as text, one message a line, with the buttons of each."""
        lines = [message.describe() for message in self.messages] or ["(no messages)"]
        if self.reply_buttons:
            lines.append(f"reply keyboard: {self.reply_buttons}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"ChatScreen({self.chat.id})\n{self.transcript()}"
