"""Conversation tests against the real Dispatcher.

``RecordingSession`` plays Telegram's part in-process: it records every Bot API request, keeps
each chat as the user sees it (a ``ChatScreen``), answers the way the Bot API does and rejects
what the Bot API rejects (malformed HTML, oversized callback data, edits that change nothing).
``BotClient`` is one user typing and tapping buttons; every update goes through
``Dispatcher.feed_update`` with the bot's own routers, middlewares and FSM storage.

The session also keeps the bot's Telegram Stars account: a successful payment fed to the bot
is an incoming star transaction (``getStarTransactions`` lists it), ``refundStarPayment``
returns it once, and :meth:`RecordingSession.record_star_payment` makes a payment whose
update the bot never handled::

    session = RecordingSession()
    bot = make_bot(session)
    client = BotClient(dispatcher, bot)
    await client.send("/start")
    await client.click("New order")
    assert client.screen.last.text.startswith("Pick a category")
    assert client.last_answer_callback().text is None
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import AsyncGenerator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any, TypeVar

from aiogram import Bot, Dispatcher
from aiogram.client.default import Default, DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.exceptions import ClientDecodeError, TelegramAPIError, TelegramNetworkError
from aiogram.fsm.context import FSMContext
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    DeleteMessages,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    GetStarTransactions,
    RefundStarPayment,
    SendInvoice,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Invoice,
    Message,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    StarTransaction,
    StarTransactions,
    TransactionPartnerUser,
    Update,
    User,
)
from pydantic import BaseModel

BOT_TOKEN = "123456:TEST-TOKEN-aaaaaaaaaaaaaaaaaaaaaa"

M = TypeVar("M", bound=TelegramMethod[Any])

MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64


def make_bot(session: RecordingSession) -> Bot:
    """A Bot speaking HTML, as ``bot.app.create_bot`` builds it, talking to ``session``."""
    return Bot(
        token=BOT_TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


# --- Bot API errors -------------------------------------------------------------------------


@dataclass(frozen=True)
class TelegramFailure:
    """An error answer of the Bot API. The session raises it through aiogram's own
    ``check_response``, so the exception is the class (and message) aiogram would raise."""

    status: int
    description: str
    retry_after: int | None = None
    migrate_to_chat_id: int | None = None

    def response(self) -> dict[str, Any]:
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


def bad_request(description: str) -> TelegramFailure:
    """``400 Bad Request: <description>`` → ``TelegramBadRequest``."""
    return TelegramFailure(400, f"Bad Request: {description}")


def flood_wait(seconds: int) -> TelegramFailure:
    """``429`` with ``retry_after`` → ``TelegramRetryAfter``."""
    return TelegramFailure(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)


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

Failure = TelegramFailure | BaseException | Callable[[TelegramMethod[Any]], BaseException]
"""What a test may inject: a Bot API error answer, an exception, or a factory of one that
receives the method being called."""

MethodSelector = type[TelegramMethod[Any]] | str
"""A method class (``EditMessageText``), its class name, or its API name (``editMessageText``)."""


class _Rejected(Exception):
    """A request Telegram refuses; `make_request` turns it into the Bot API error answer."""

    def __init__(self, failure: TelegramFailure) -> None:
        super().__init__(failure.description)
        self.failure = failure


# --- What the user sees: Telegram's HTML parse mode -----------------------------------------


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML (the Bot API answers ``can't parse entities``)."""


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>")
_ATTRIBUTE = re.compile(r"""([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_CHAR_REFERENCE = re.compile(r"&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|(lt|gt|amp|quot));")
_NAMED_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_ENTITIES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_SUPPORTED_TAGS = {*_SIMPLE_ENTITIES, "span", "a", "blockquote", "tg-emoji"}


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    offset: int
    language: str | None = None


def parse_html(text: str) -> tuple[str, list[MessageEntity]]:
    """The plain text and entities Telegram makes of ``text`` sent with ``parse_mode=HTML``.

    Only the tags and character references Telegram supports are accepted; anything else
    raises ``EntityParseError``, as the Bot API refuses such a message."""
    pieces: list[str] = []
    offset = 0
    stack: list[_OpenTag] = []
    entities: list[MessageEntity] = []
    position = 0

    def emit(piece: str) -> None:
        nonlocal offset
        pieces.append(piece)
        offset += _utf16_length(piece)

    def byte_offset() -> int:
        return len(text[:position].encode())

    while position < len(text):
        char = text[position]
        if char == "&":
            reference = _CHAR_REFERENCE.match(text, position)
            if reference is None:
                emit("&")
                position += 1
                continue
            decimal, hexadecimal, name = reference.groups()
            if name:
                emit(_NAMED_REFERENCES[name])
            else:
                emit(chr(int(decimal) if decimal else int(hexadecimal, 16)))
            position = reference.end()
            continue
        if char == ">":
            raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset()}")
        if char != "<":
            next_special = min(
                (index for index in (text.find(c, position) for c in "<>&") if index != -1),
                default=len(text),
            )
            emit(text[position:next_special])
            position = next_special
            continue
        tag = _TAG.match(text, position)
        if tag is None:
            raise EntityParseError(f"Unsupported start tag at byte offset {byte_offset()}")
        closing, name, raw_attributes = tag.group(1) == "/", tag.group(2).lower(), tag.group(3)
        if not closing:
            if name not in _SUPPORTED_TAGS:
                raise EntityParseError(
                    f'Unsupported start tag "{name}" at byte offset {byte_offset()}'
                )
            attributes = {
                match.group(1).lower(): next(
                    (value for value in match.group(2, 3, 4) if value is not None), ""
                )
                for match in _ATTRIBUTE.finditer(raw_attributes)
            }
            stack.append(_OpenTag(name, attributes, offset))
            position = tag.end()
            continue
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset()}")
        opened = stack.pop()
        if opened.name != name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {byte_offset()}, expected "</{opened.name}>", '
                f'found "</{name}>"'
            )
        entity = _entity_for(opened, offset, stack)
        if entity is not None and entity.length > 0:
            entities.append(entity)
        position = tag.end()
    if stack:
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"'
        )
    entities.sort(key=lambda entity: (entity.offset, -entity.length))
    return "".join(pieces), entities


def _entity_for(opened: _OpenTag, end: int, stack: list[_OpenTag]) -> MessageEntity | None:
    length = end - opened.offset
    name, attributes = opened.name, opened.attributes
    if name == "code" and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is one pre entity carrying the language.
        language_class = attributes.get("class", "")
        if language_class.startswith("language-"):
            stack[-1].language = language_class.removeprefix("language-")
        return None
    if name == "pre":
        return MessageEntity(
            type="pre", offset=opened.offset, length=length, language=opened.language
        )
    if name in _SIMPLE_ENTITIES:
        return MessageEntity(type=_SIMPLE_ENTITIES[name], offset=opened.offset, length=length)
    if name == "span":
        if attributes.get("class") != "tg-spoiler":
            raise EntityParseError('Tag "span" must have class "tg-spoiler"')
        return MessageEntity(type="spoiler", offset=opened.offset, length=length)
    if name == "a":
        url = attributes.get("href", "")
        return MessageEntity(type="text_link", offset=opened.offset, length=length, url=url)
    if name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in attributes else "blockquote"
        return MessageEntity(type=kind, offset=opened.offset, length=length)
    return MessageEntity(
        type="custom_emoji",
        offset=opened.offset,
        length=length,
        custom_emoji_id=attributes.get("emoji-id", ""),
    )


def render(text: str, parse_mode: str | None) -> tuple[str, list[MessageEntity]]:
    """The text as the user sees it, with its entities. Only HTML is interpreted; text in
    other parse modes is returned as it was sent."""
    if parse_mode is not None and parse_mode.upper() == ParseMode.HTML.value.upper():
        return parse_html(text)
    return text, []


def visible_text(text: str | None, parse_mode: str | None) -> str | None:
    """``text`` without its markup (as sent when it is not valid HTML)."""
    if text is None:
        return None
    try:
        return render(text, parse_mode)[0]
    except EntityParseError:
        return text


# --- Keyboards ------------------------------------------------------------------------------

ButtonRows = list[list[tuple[str, str | None]]]


def inline_rows(markup: object) -> ButtonRows:
    """An inline keyboard as rows of ``(label, callback_data or url)``; ``[]`` for none."""
    if not isinstance(markup, InlineKeyboardMarkup):
        return []
    return [
        [(button.text, button.callback_data or button.url) for button in row]
        for row in markup.inline_keyboard
    ]


def reply_keyboard_rows(markup: object) -> list[list[str]] | None:
    """A reply keyboard as rows of labels; ``None`` when ``markup`` is not one."""
    if not isinstance(markup, ReplyKeyboardMarkup):
        return None
    return [[button.text for button in row] for row in markup.keyboard]


def _normalised(label: str) -> str:
    """A label without the emoji or symbols that decorate its start."""
    index = 0
    while index < len(label) and not label[index].isalnum():
        index += 1
    return label[index:]


def _match_label(labels: Sequence[str], wanted: str) -> list[str]:
    """Labels matching ``wanted``: exactly, else by prefix, else ignoring leading decoration."""
    for candidates in (
        [label for label in labels if label == wanted],
        [label for label in labels if label.startswith(wanted)],
        [label for label in labels if _normalised(label) == _normalised(wanted)],
        [label for label in labels if _normalised(label).startswith(_normalised(wanted))],
    ):
        if candidates:
            return candidates
    return []


# --- Recorded requests ----------------------------------------------------------------------


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


def _resolve_defaults(value: Any, bot: Bot) -> Any:
    """``value`` with every ``Default(name)`` replaced by ``bot.default[name]``.

    aiogram keeps the placeholders in the method objects and resolves them only while
    serialising the request (``BaseSession.prepare_value``)."""
    if isinstance(value, Default):
        default = bot.default[value.name]
        return default.value if isinstance(default, Enum) else default
    if isinstance(value, BaseModel):
        updates = {}
        for name in type(value).model_fields:
            current = getattr(value, name, None)
            resolved = _resolve_defaults(current, bot)
            if resolved is not current:
                updates[name] = resolved
        return value.model_copy(update=updates) if updates else value
    if isinstance(value, list):
        items = [_resolve_defaults(item, bot) for item in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if isinstance(value, dict):
        resolved_items = {key: _resolve_defaults(item, bot) for key, item in value.items()}
        changed = any(resolved_items[key] is not item for key, item in value.items())
        return resolved_items if changed else value
    return value


def _chat_key(chat_id: object) -> int | None:
    if isinstance(chat_id, int):
        return chat_id
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        return int(chat_id)
    return None


def _chat_for(chat_id: int) -> Chat:
    if chat_id > 0:
        return Chat(id=chat_id, type="private", first_name=f"User {chat_id}")
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return Chat(id=chat_id, type=kind, title=f"Chat {chat_id}")


def _now() -> int:
    return int(time.time())


# --- The chat as the user sees it -----------------------------------------------------------


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
        matches = _match_label(self.labels, label)
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
            text=None if caption else self.text,
            entities=(self.entities or None) if not caption else None,
            caption=self.text if caption else None,
            caption_entities=(self.entities or None) if caption else None,
            reply_markup=self.reply_markup,
            invoice=self.invoice,
            edit_date=self.edit_date,
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
            matches = _match_label(message.labels, label)
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


# --- The session ----------------------------------------------------------------------------

Responder = Callable[[TelegramMethod[Any]], Any]


class RecordingSession(BaseSession):
    """A Bot API in memory: records every request and answers it as Telegram would.

    ``reject_unmodified_edits`` answers an edit that changes neither text nor keyboard with
    ``message is not modified``, as Telegram does; ``validate`` rejects text that is not valid
    HTML, empty or too long, and callback data over 64 bytes."""

    def __init__(
        self,
        *,
        bot_first_name: str = "Shop",
        bot_username: str = "shop_bot",
        reject_unmodified_edits: bool = True,
        validate: bool = True,
    ) -> None:
        super().__init__()
        self.bot_first_name = bot_first_name
        self.bot_username = bot_username
        self.reject_unmodified_edits = reject_unmodified_edits
        self.validate = validate
        self.calls: list[RecordedCall] = []
        self.screens: dict[int, ChatScreen] = {}
        self._failures_next: list[tuple[MethodSelector, Failure]] = []
        self._lost_answers: list[MethodSelector] = []
        self._failures_always: list[tuple[MethodSelector, Failure]] = []
        self._responders: list[tuple[MethodSelector, Responder]] = []
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._open_callbacks: set[str] = set()
        #: The bot's Telegram Stars transactions, oldest first, as getStarTransactions lists
        #: them: incoming payments and outgoing refunds (a refund has its payment's id).
        self.star_transactions: list[StarTransaction] = []

    # Recorded requests

    @property
    def requests(self) -> list[TelegramMethod[Any]]:
        """Every request made, in order (failed ones included)."""
        return [call.method for call in self.calls]

    def requests_of(self, method_type: type[M]) -> list[M]:
        return [method for method in self.requests if isinstance(method, method_type)]

    def clear(self) -> None:
        """Forget the recorded requests (the chats stay as they are)."""
        self.calls.clear()

    # Failures and prepared answers

    def fail_next(self, method: MethodSelector, failure: Failure) -> None:
        """Make the next call of ``method`` fail with ``failure``."""
        self._failures_next.append((method, failure))

    def fail_always(self, method: MethodSelector, failure: Failure) -> None:
        """Make every call of ``method`` fail with ``failure`` until ``stop_failing``."""
        self._failures_always.append((method, failure))

    def stop_failing(self, method: MethodSelector | None = None) -> None:
        """Drop the injected failures (of ``method``, or all)."""
        for failures in (self._failures_next, self._failures_always):
            failures[:] = [
                (selector, failure)
                for selector, failure in failures
                if method is not None and selector != method
            ]

    def lose_next_answer(self, method: MethodSelector) -> None:
        """Telegram carries out the next call of ``method``, but its answer never arrives:
        the bot sees the timeout aiogram raises (``TelegramNetworkError``)."""
        self._lost_answers.append(method)

    def respond(self, method: MethodSelector, responder: Responder) -> None:
        """Answer ``method`` with ``responder(method)`` (a TelegramObject or JSON-able value),
        for methods the session does not model, e.g. ``GetChatMember``."""
        self._responders.append((method, responder))

    # Chats and updates

    def screen(self, chat_id: int) -> ChatScreen:
        if chat_id not in self.screens:
            self.screens[chat_id] = ChatScreen(_chat_for(chat_id))
        return self.screens[chat_id]

    def open_chat(self, chat: Chat) -> ChatScreen:
        screen = self.screen(chat.id)
        screen.chat = chat
        return screen

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def issue_callback_query_id(self) -> str:
        query_id = str(next(self._callback_ids))
        self._open_callbacks.add(query_id)
        return query_id

    # Telegram Stars

    def record_star_payment(
        self,
        user: User,
        payload: str,
        stars: int,
        charge_id: str,
        *,
        date: datetime | None = None,
    ) -> StarTransaction:
        """The user paid an invoice of the bot: an incoming star transaction whose id is the
        charge id (once per charge id, however often the payment's update is fed)."""
        for known in self.star_transactions:
            if known.id == charge_id and known.source is not None:
                return known
        transaction = StarTransaction(
            id=charge_id,
            amount=stars,
            date=date or datetime.now(UTC),
            source=TransactionPartnerUser(
                transaction_type="invoice_payment", user=user, invoice_payload=payload
            ),
        )
        self.star_transactions.append(transaction)
        return transaction

    def star_refunds(self) -> list[StarTransaction]:
        """The outgoing refunds made, oldest first."""
        return [t for t in self.star_transactions if t.receiver is not None]

    def _refund_star_payment(self, method: RefundStarPayment) -> bool:
        charge_id = method.telegram_payment_charge_id
        payment = next(
            (
                t
                for t in self.star_transactions
                if t.id == charge_id
                and isinstance(t.source, TransactionPartnerUser)
                and t.source.user.id == method.user_id
            ),
            None,
        )
        if payment is None or not isinstance(payment.source, TransactionPartnerUser):
            raise _Rejected(CHARGE_NOT_FOUND)
        if any(t.id == charge_id for t in self.star_refunds()):
            raise _Rejected(CHARGE_ALREADY_REFUNDED)
        self.star_transactions.append(
            StarTransaction(
                id=charge_id,
                amount=payment.amount,
                date=datetime.now(UTC),
                receiver=TransactionPartnerUser(
                    transaction_type="invoice_payment", user=payment.source.user
                ),
            )
        )
        return True

    def _star_transactions(self, method: GetStarTransactions) -> StarTransactions:
        offset = method.offset or 0
        limit = method.limit or 100
        if not 1 <= limit <= 100:
            raise _Rejected(bad_request("invalid limit"))
        return StarTransactions(transactions=self.star_transactions[offset : offset + limit])

    def bot_user(self, bot: Bot) -> User:
        return User(
            id=bot.id,
            is_bot=True,
            first_name=self.bot_first_name,
            username=self.bot_username,
        )

    # BaseSession

    async def close(self) -> None:
        """Nothing to close."""

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,
    ) -> Any:
        call = RecordedCall(_resolve_defaults(method, bot), self._wire_params(bot, method))
        self.calls.append(call)
        try:
            failure = self._take_failure(call.method)
            if failure is not None:
                raise self._exception(bot, method, failure)
            try:
                result = self._answer(bot, call.method)
            except _Rejected as rejected:
                raise self._exception(bot, method, rejected.failure) from None
            if self._take_lost_answer(call.method):
                raise TelegramNetworkError(method=method, message="Request timeout error")
            try:
                response = self.check_response(
                    bot, method, 200, self.json_dumps({"ok": True, "result": result})
                )
            except ClientDecodeError:
                raise AssertionError(
                    f"RecordingSession does not model {call.api_method}: prepare its answer "
                    f"with session.respond({type(method).__name__}, ...)"
                ) from None
        except BaseException as exc:
            call.error = exc
            raise
        call.result = response.result
        return response.result

    def _wire_params(self, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any]:
        # As AiohttpSession.build_form_data serialises a request, JSON left decoded.
        files: dict[str, Any] = {}
        params = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None and prepared != "":
                params[key] = prepared
        # Through JSON, as the Bot API receives them: enums become their values.
        decoded: dict[str, Any] = self.json_loads(self.json_dumps(params))
        return decoded

    def _take_lost_answer(self, method: TelegramMethod[Any]) -> bool:
        for index, selector in enumerate(self._lost_answers):
            if _selects(selector, method):
                del self._lost_answers[index]
                return True
        return False

    def _take_failure(self, method: TelegramMethod[Any]) -> Failure | None:
        for index, (selector, failure) in enumerate(self._failures_next):
            if _selects(selector, method):
                del self._failures_next[index]
                return failure
        return next(
            (failure for selector, failure in self._failures_always if _selects(selector, method)),
            None,
        )

    def _exception(self, bot: Bot, method: TelegramMethod[Any], failure: Failure) -> BaseException:
        if isinstance(failure, TelegramFailure):
            try:
                self.check_response(
                    bot, method, failure.status, self.json_dumps(failure.response())
                )
            except TelegramAPIError as exc:
                return exc
            raise AssertionError(f"{failure} is not an error answer")
        if isinstance(failure, BaseException):
            if isinstance(failure, TelegramAPIError):
                failure.method = method
            return failure
        return failure(method)

    # Telegram's side

    def _answer(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        for selector, responder in reversed(self._responders):
            if _selects(selector, method):
                answer = responder(method)
                if isinstance(answer, BaseModel):
                    return answer.model_dump(mode="json", exclude_none=True, by_alias=True)
                return answer
        if isinstance(method, GetMe):
            return self._dump(self.bot_user(bot))
        if isinstance(method, GetStarTransactions):
            return self._dump(self._star_transactions(method))
        if isinstance(method, RefundStarPayment):
            return self._refund_star_payment(method)
        if isinstance(method, AnswerCallbackQuery):
            if method.callback_query_id not in self._open_callbacks:
                raise _Rejected(QUERY_TOO_OLD)
            self._open_callbacks.discard(method.callback_query_id)
            return True
        if isinstance(method, EditMessageText | EditMessageCaption | EditMessageReplyMarkup):
            return self._edit(method)
        if isinstance(method, DeleteMessage):
            screen = self._screen_of(method.chat_id)
            message = screen.get(method.message_id) if screen is not None else None
            if screen is None or message is None:
                raise _Rejected(MESSAGE_TO_DELETE_NOT_FOUND)
            screen.messages.remove(message)
            return True
        if isinstance(method, DeleteMessages):
            screen = self._screen_of(method.chat_id)
            if screen is not None:
                screen.messages = [
                    m for m in screen.messages if m.message_id not in method.message_ids
                ]
            return True
        if method.__returning__ is Message and _chat_key(getattr(method, "chat_id", None)):
            return self._send(bot, method)
        return True

    def _screen_of(self, chat_id: object) -> ChatScreen | None:
        key = _chat_key(chat_id)
        return None if key is None else self.screen(key)

    def _dump(self, value: BaseModel) -> dict[str, Any]:
        return value.model_dump(mode="json", exclude_none=True, by_alias=True)

    def _rendered(self, text: str | None, parse_mode: str | None) -> tuple[str, list[Any]]:
        if text is None:
            return "", []
        try:
            rendered, entities = render(text, parse_mode)
        except EntityParseError as exc:
            if self.validate:
                raise _Rejected(bad_request(f"can't parse entities: {exc}")) from None
            return text, []
        if self.validate and len(rendered) > MESSAGE_LIMIT:
            raise _Rejected(bad_request("message is too long"))
        return rendered, entities

    def _check_markup(self, markup: object) -> None:
        if not self.validate or not isinstance(markup, InlineKeyboardMarkup):
            return
        for row in markup.inline_keyboard:
            for button in row:
                data = button.callback_data
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise _Rejected(bad_request("BUTTON_DATA_INVALID"))

    def _send(self, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any]:
        screen = self._screen_of(getattr(method, "chat_id", None))
        assert screen is not None
        kind = method.__api_method__.removeprefix("send").lower() or "text"
        kind = "text" if kind == "message" else kind
        raw = getattr(method, "text", None) if kind == "text" else getattr(method, "caption", None)
        parse_mode = getattr(method, "parse_mode", None)
        parse_mode = parse_mode if isinstance(parse_mode, str) else None
        text, entities = self._rendered(raw, parse_mode)
        if self.validate and kind == "text" and not text.strip():
            raise _Rejected(bad_request("message text is empty"))
        markup = getattr(method, "reply_markup", None)
        self._check_markup(markup)
        invoice = None
        if isinstance(method, SendInvoice):
            invoice = Invoice(
                title=method.title,
                description=method.description,
                start_parameter=method.start_parameter or "",
                currency=method.currency,
                total_amount=sum(price.amount for price in method.prices),
            )
        if isinstance(markup, ReplyKeyboardMarkup):
            screen.reply_keyboard = markup
        elif isinstance(markup, ReplyKeyboardRemove):
            screen.reply_keyboard = None
        message = ScreenMessage(
            chat=screen.chat,
            message_id=screen.next_message_id(),
            sender=self.bot_user(bot),
            from_bot=True,
            date=_now(),
            html=raw,
            parse_mode=parse_mode,
            text=text if raw is not None else None,
            entities=entities,
            reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
            kind=kind,
            invoice=invoice,
        )
        screen.messages.append(message)
        return self._dump(message.to_message())

    def _edit(self, method: EditMessageText | EditMessageCaption | EditMessageReplyMarkup) -> Any:
        if method.inline_message_id is not None:
            return True
        screen = self._screen_of(method.chat_id)
        message = (
            screen.get(method.message_id)
            if screen is not None and method.message_id is not None
            else None
        )
        if message is None:
            raise _Rejected(MESSAGE_TO_EDIT_NOT_FOUND)
        if not message.from_bot:
            raise _Rejected(MESSAGE_CANT_BE_EDITED)
        self._check_markup(method.reply_markup)
        html_text, parse_mode = message.html, message.parse_mode
        text, entities = message.text, message.entities
        if isinstance(method, EditMessageText | EditMessageCaption):
            html_text = method.text if isinstance(method, EditMessageText) else method.caption
            parse_mode = method.parse_mode if isinstance(method.parse_mode, str) else None
            text, entities = self._rendered(html_text, parse_mode)
            if self.validate and isinstance(method, EditMessageText) and not text.strip():
                raise _Rejected(bad_request("message text is empty"))
        # Telegram drops the inline keyboard of an edit that does not repeat it.
        markup = method.reply_markup
        unchanged = (text, entities, markup) == (
            message.text,
            message.entities,
            message.reply_markup,
        )
        if unchanged and self.reject_unmodified_edits:
            raise _Rejected(MESSAGE_NOT_MODIFIED)
        message.html, message.parse_mode = html_text, parse_mode
        message.text, message.entities = text, entities
        message.reply_markup = markup
        message.edit_date = _now()
        message.edits += 1
        return self._dump(message.to_message())


def _selects(selector: MethodSelector, method: TelegramMethod[Any]) -> bool:
    if isinstance(selector, str):
        return selector in {type(method).__name__, method.__api_method__}
    return isinstance(method, selector)


# --- The user -------------------------------------------------------------------------------


class BotClient:
    """One user talking to the bot: sends text, taps buttons, sees their chat.

    Updates go through ``dispatcher.feed_update`` (which adds the dispatcher's workflow data),
    exactly as polling delivers them; a handler's returned method is then called, as polling
    does. Exceptions no error handler takes propagate to the test."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        *,
        user_id: int = 111,
        chat_id: int | None = None,
        first_name: str = "Alice",
        username: str | None = "alice",
        language_code: str | None = "en",
    ) -> None:
        if not isinstance(bot.session, RecordingSession):
            raise TypeError("BotClient needs a bot made with make_bot(RecordingSession())")
        self.dispatcher = dispatcher
        self.bot = bot
        self.session: RecordingSession = bot.session
        self.user = User(
            id=user_id,
            is_bot=False,
            first_name=first_name,
            username=username,
            language_code=language_code,
        )
        chat_id = user_id if chat_id is None else chat_id
        chat = (
            Chat(id=chat_id, type="private", first_name=first_name, username=username)
            if chat_id > 0
            else _chat_for(chat_id)
        )
        self.chat = self.session.open_chat(chat).chat
        self._callback_ids: list[str] = []

    @property
    def screen(self) -> ChatScreen:
        return self.session.screen(self.chat.id)

    async def send(self, text: str) -> RecordedRequests:
        """The user sends ``text``; a leading ``/command`` carries its bot_command entity."""
        entities = None
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities = [MessageEntity(type="bot_command", offset=0, length=_utf16_length(command))]
        message = ScreenMessage(
            chat=self.chat,
            message_id=self.screen.next_message_id(),
            sender=self.user,
            from_bot=False,
            date=_now(),
            html=None,
            parse_mode=None,
            text=text,
            entities=entities or [],
        )
        self.screen.messages.append(message)
        update = Update(update_id=self.session.next_update_id(), message=message.to_message())
        return await self.feed(update)

    async def press(self, label: str) -> RecordedRequests:
        """The user taps ``label`` on the reply keyboard shown under the input field."""
        rows = self.screen.reply_buttons
        labels = [text for row in rows or [] for text in row]
        matches = _match_label(labels, label)
        if len(matches) != 1:
            raise AssertionError(
                f"{'ambiguous' if matches else 'no'} reply button {label!r}; "
                f"reply keyboard: {rows}\n{self.screen.transcript()}"
            )
        return await self.send(matches[0])

    async def click(self, label: str, *, message: ScreenMessage | None = None) -> RecordedRequests:
        """The user taps the inline button ``label`` (see ``ChatScreen.find_button``), on
        ``message`` when given."""
        found = (
            ScreenButton(message, message.button(label))
            if message is not None
            else self.screen.find_button(label)
        )
        if found.callback_data is None:
            raise AssertionError(
                f"button {found.text!r} has no callback data (url: {found.url!r})"
            )
        return await self._callback(found.callback_data, found.message)

    async def click_data(
        self, callback_data: str, message_id: int | None = None
    ) -> RecordedRequests:
        """A callback with any ``callback_data`` (a forged or stale button), from message
        ``message_id`` (default: the bot's latest message)."""
        if message_id is None:
            message = self.screen.bot_messages[-1] if self.screen.bot_messages else None
        else:
            message = self.screen.get(message_id)
            if message is None:
                raise AssertionError(f"no message #{message_id}\n{self.screen.transcript()}")
        return await self._callback(callback_data, message)

    async def _callback(self, data: str, message: ScreenMessage | None) -> RecordedRequests:
        query_id = self.session.issue_callback_query_id()
        self._callback_ids.append(query_id)
        query = CallbackQuery(
            id=query_id,
            from_user=self.user,
            chat_instance=f"instance-{self.chat.id}",
            message=message.to_message() if message is not None else None,
            data=data,
        )
        return await self.feed(
            Update(update_id=self.session.next_update_id(), callback_query=query)
        )

    async def feed(self, update: Update) -> RecordedRequests:
        """Feed any update; the requests made while it was handled."""
        start = len(self.session.calls)
        payment = update.message.successful_payment if update.message else None
        if payment is not None and payment.currency == "XTR" and update.message is not None:
            # Telegram took the stars before it sent the update.
            self.session.record_star_payment(
                update.message.from_user or self.user,
                payment.invoice_payload,
                payment.total_amount,
                payment.telegram_payment_charge_id,
                date=update.message.date,
            )
        response = await self.dispatcher.feed_update(self.bot, update)
        if isinstance(response, TelegramMethod):
            await self.dispatcher.silent_call_request(self.bot, response)
        return RecordedRequests(self.session.calls[start:])

    def requests_of(self, method_type: type[M]) -> list[M]:
        """Requests of ``method_type`` addressed to this user: to their chat or them, or
        answering their callbacks."""
        return [
            call.method
            for call in self.session.calls
            if isinstance(call.method, method_type) and self._concerns(call.method)
        ]

    def _concerns(self, method: TelegramMethod[Any]) -> bool:
        chat_id = _chat_key(getattr(method, "chat_id", None))
        if chat_id is not None:
            return chat_id in {self.chat.id, self.user.id}
        if isinstance(method, AnswerCallbackQuery):
            return method.callback_query_id in self._callback_ids
        return getattr(method, "user_id", None) == self.user.id

    def last_answer_callback(self) -> AnswerCallbackQuery:
        """The answer to this user's latest callback; fails when there was none."""
        if not self._callback_ids:
            raise AssertionError("the user has not clicked anything")
        query_id = self._callback_ids[-1]
        answers = [
            call.method
            for call in self.session.calls
            if call.ok
            and isinstance(call.method, AnswerCallbackQuery)
            and call.method.callback_query_id == query_id
        ]
        if not answers:
            raise AssertionError(f"callback query {query_id} was not answered")
        return answers[-1]

    def fsm_context(self) -> FSMContext:
        return self.dispatcher.fsm.get_context(
            bot=self.bot, chat_id=self.chat.id, user_id=self.user.id
        )

    async def fsm_state(self) -> str | None:
        return await self.fsm_context().get_state()


__all__ = [
    "BOT_BLOCKED",
    "BOT_TOKEN",
    "CHARGE_ALREADY_REFUNDED",
    "CHARGE_NOT_FOUND",
    "MESSAGE_CANT_BE_EDITED",
    "MESSAGE_NOT_MODIFIED",
    "MESSAGE_TO_DELETE_NOT_FOUND",
    "MESSAGE_TO_EDIT_NOT_FOUND",
    "QUERY_TOO_OLD",
    "BotClient",
    "ChatScreen",
    "EntityParseError",
    "RecordedCall",
    "RecordedMessage",
    "RecordedRequests",
    "RecordingSession",
    "ScreenButton",
    "ScreenMessage",
    "TelegramFailure",
    "bad_request",
    "flood_wait",
    "make_bot",
    "parse_html",
    "render",
    "visible_text",
]
