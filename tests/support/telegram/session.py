"""Telegram's side of the conversation tests, in memory: a ``BaseSession`` under the real
``Bot`` that records every Bot API request, keeps each chat as the user sees it (a
:class:`~.screen.ChatScreen`), answers the way the Bot API does and rejects what the Bot API
rejects (malformed HTML, oversized callback data, edits that change nothing).

It keeps the bot's Telegram Stars account as well (:class:`~.stars.StarAccount`).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any

from aiogram import Bot
from aiogram.client.default import Default, DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.exceptions import ClientDecodeError, TelegramAPIError, TelegramNetworkError
from aiogram.methods import (
    AnswerCallbackQuery,
    CopyMessage,
    CreateForumTopic,
    DeleteMessage,
    DeleteMessages,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    GetChat,
    GetMe,
    GetStarTransactions,
    RefundStarPayment,
    SendInvoice,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    AcceptedGiftTypes,
    Chat,
    ChatFullInfo,
    ForumTopic,
    InlineKeyboardMarkup,
    InputFile,
    Invoice,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    StarTransaction,
    User,
)
from pydantic import BaseModel

from bot.telegram_session import KeepResponseModels

from .failures import (
    MESSAGE_CANT_BE_EDITED,
    MESSAGE_NOT_MODIFIED,
    MESSAGE_TO_DELETE_NOT_FOUND,
    MESSAGE_TO_EDIT_NOT_FOUND,
    QUERY_TOO_OLD,
    Rejected,
    TelegramFailure,
    bad_request,
)
from .html import EntityParseError, render
from .offline import OfflineSession
from .records import M, RecordedCall, Upload
from .screen import ChatScreen, ScreenMessage, chat_for, chat_key, now
from .stars import StarAccount

BOT_TOKEN = "123456:TEST-TOKEN-aaaaaaaaaaaaaaaaaaaaaa"
#: One for every session: the answer models are the same in every test.
_RESPONSE_MODELS = KeepResponseModels()

MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64


def make_bot(session: RecordingSession) -> Bot:
    """A Bot speaking HTML, as ``bot.app.create_bot`` builds it, talking to ``session``."""
    return Bot(
        token=BOT_TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


Failure = TelegramFailure | BaseException | Callable[[TelegramMethod[Any]], BaseException]
"""What a test may inject: a Bot API error answer, an exception, or a factory of one that
receives the method being called."""

MethodSelector = type[TelegramMethod[Any]] | str
"""A method class (``EditMessageText``), its class name, or its API name (``editMessageText``)."""


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


# --- The session ----------------------------------------------------------------------------

Responder = Callable[[TelegramMethod[Any]], Any]


class RecordingSession(OfflineSession):
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
        # As the bot's own session does (bot.app.create_bot): without it, pydantic builds
        # the model of an answer again after each garbage collection.
        self.middleware(_RESPONSE_MODELS)
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
        self.stars = StarAccount()
        #: The topics of each forum (a group with topics): thread id -> name.
        self.topics: dict[int, dict[int, str]] = {}

    @property
    def star_transactions(self) -> list[StarTransaction]:
        """The bot's Telegram Stars transactions, oldest first, as getStarTransactions lists
        them: incoming payments and outgoing refunds (a refund has its payment's id)."""
        return self.stars.transactions

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
            self.screens[chat_id] = ChatScreen(chat_for(chat_id))
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

    # Forums

    def make_forum(self, chat_id: int) -> None:
        """The group ``chat_id`` has topics from now on."""
        self.topics.setdefault(chat_id, {})

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """The staff delete a topic: messages to it are refused from now on."""
        del self.topics[chat_id][thread_id]

    def _check_thread(self, chat_id: int, thread_id: int | None) -> None:
        if thread_id is not None and thread_id not in self.topics.get(chat_id, {}):
            raise Rejected(bad_request("message thread not found"))

    def _create_topic(self, method: CreateForumTopic) -> dict[str, Any]:
        screen = self._screen_of(method.chat_id)
        assert screen is not None
        if screen.chat.id not in self.topics:
            raise Rejected(bad_request("the chat is not a forum"))
        # As in Telegram, the thread's id is that of the service message opening it.
        thread_id = screen.next_message_id()
        self.topics[screen.chat.id][thread_id] = method.name
        return self._dump(ForumTopic(message_thread_id=thread_id, name=method.name, icon_color=0))

    def _chat_info(self, chat_id: object) -> dict[str, Any]:
        screen = self._screen_of(chat_id)
        assert screen is not None
        chat = screen.chat
        return self._dump(
            ChatFullInfo(
                id=chat.id,
                type=chat.type,
                title=chat.title,
                first_name=chat.first_name,
                is_forum=True if chat.id in self.topics else None,
                accent_color_id=0,
                max_reaction_count=0,
                accepted_gift_types=AcceptedGiftTypes(
                    unlimited_gifts=False,
                    limited_gifts=False,
                    unique_gifts=False,
                    premium_subscription=False,
                    gifts_from_channels=False,
                ),
            )
        )

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
        return self.stars.record_payment(user, payload, stars, charge_id, date=date)

    def star_refunds(self) -> list[StarTransaction]:
        """The outgoing refunds made, oldest first."""
        return self.stars.refunds()

    def bot_user(self, bot: Bot) -> User:
        return User(
            id=bot.id,
            is_bot=True,
            first_name=self.bot_first_name,
            username=self.bot_username,
        )

    # BaseSession

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,
    ) -> Any:
        call = RecordedCall(_resolve_defaults(method, bot), self._wire_params(bot, method))
        self.calls.append(call)
        try:
            call.uploads = await _read_uploads(bot, method)
            failure = self._take_failure(call.method)
            if failure is not None:
                raise self._exception(bot, method, failure)
            try:
                result = self._answer(bot, call.method, call.uploads)
            except Rejected as rejected:
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
        if isinstance(failure, TelegramFailure) and failure.disconnect:
            # What AiohttpSession raises when the connection drops.
            return TelegramNetworkError(
                method=method, message="ServerDisconnectedError: Server disconnected"
            )
        if isinstance(failure, TelegramFailure):
            body = failure.html or self.json_dumps(failure.response())
            try:
                self.check_response(bot, method, failure.status, body)
            except (TelegramAPIError, ClientDecodeError) as exc:
                return exc
            raise AssertionError(f"{failure} is not an error answer")
        if isinstance(failure, BaseException):
            if isinstance(failure, TelegramAPIError):
                failure.method = method
            return failure
        return failure(method)

    # Telegram's side

    def _answer(self, bot: Bot, method: TelegramMethod[Any], uploads: dict[str, Upload]) -> Any:
        for selector, responder in reversed(self._responders):
            if _selects(selector, method):
                answer = responder(method)
                if isinstance(answer, BaseModel):
                    return answer.model_dump(mode="json", exclude_none=True, by_alias=True)
                return answer
        if isinstance(method, GetMe):
            return self._dump(self.bot_user(bot))
        if isinstance(method, GetStarTransactions):
            return self._dump(self.stars.page(method.offset, method.limit))
        if isinstance(method, RefundStarPayment):
            self.stars.refund(method.user_id, method.telegram_payment_charge_id)
            return True
        if isinstance(method, AnswerCallbackQuery):
            if method.callback_query_id not in self._open_callbacks:
                raise Rejected(QUERY_TOO_OLD)
            self._open_callbacks.discard(method.callback_query_id)
            return True
        if isinstance(method, EditMessageText | EditMessageCaption | EditMessageReplyMarkup):
            return self._edit(method)
        if isinstance(method, CopyMessage):
            return self._copy(bot, method)
        if isinstance(method, CreateForumTopic):
            return self._create_topic(method)
        if isinstance(method, GetChat):
            return self._chat_info(method.chat_id)
        if isinstance(method, DeleteMessage):
            screen = self._screen_of(method.chat_id)
            message = screen.get(method.message_id) if screen is not None else None
            if screen is None or message is None:
                raise Rejected(MESSAGE_TO_DELETE_NOT_FOUND)
            screen.messages.remove(message)
            return True
        if isinstance(method, DeleteMessages):
            screen = self._screen_of(method.chat_id)
            if screen is not None:
                screen.messages = [
                    m for m in screen.messages if m.message_id not in method.message_ids
                ]
            return True
        # Every sending method, read as aiogram reads it or not (the shop's screens).
        sends = method.__returning__ is Message or isinstance(method, SendMessage)
        if sends and chat_key(getattr(method, "chat_id", None)):
            return self._send(bot, method, uploads)
        return True

    def _screen_of(self, chat_id: object) -> ChatScreen | None:
        key = chat_key(chat_id)
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
                raise Rejected(bad_request(f"can't parse entities: {exc}")) from None
            return text, []
        if self.validate and len(rendered) > MESSAGE_LIMIT:
            raise Rejected(bad_request("message is too long"))
        return rendered, entities

    def _check_markup(self, markup: object) -> None:
        if not self.validate or not isinstance(markup, InlineKeyboardMarkup):
            return
        for row in markup.inline_keyboard:
            for button in row:
                data = button.callback_data
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise Rejected(bad_request("BUTTON_DATA_INVALID"))

    def _send(
        self, bot: Bot, method: TelegramMethod[Any], uploads: dict[str, Upload]
    ) -> dict[str, Any]:
        screen = self._screen_of(getattr(method, "chat_id", None))
        assert screen is not None
        thread_id = getattr(method, "message_thread_id", None)
        self._check_thread(screen.chat.id, thread_id)
        kind = method.__api_method__.removeprefix("send").lower() or "text"
        kind = "text" if kind == "message" else kind
        raw = getattr(method, "text", None) if kind == "text" else getattr(method, "caption", None)
        parse_mode = getattr(method, "parse_mode", None)
        parse_mode = parse_mode if isinstance(parse_mode, str) else None
        text, entities = self._rendered(raw, parse_mode)
        if self.validate and kind == "text" and not text.strip():
            raise Rejected(bad_request("message text is empty"))
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
            date=now(),
            html=raw,
            parse_mode=parse_mode,
            text=text if raw is not None else None,
            entities=entities,
            reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
            kind=kind,
            invoice=invoice,
            thread_id=thread_id,
            reply_to=self._replied(screen, getattr(method, "reply_parameters", None)),
        )
        upload = uploads.get(kind)
        if upload is not None:
            message.file_id = f"{kind}-{screen.chat.id}-{message.message_id}"
            message.file_name, message.content = upload.file_name, upload.content
        screen.messages.append(message)
        return self._dump(message.to_message())

    @staticmethod
    def _replied(screen: ChatScreen, reply: object) -> ScreenMessage | None:
        message_id = getattr(reply, "message_id", None)
        return None if message_id is None else screen.get(message_id)

    def _copy(self, bot: Bot, method: CopyMessage) -> dict[str, Any]:
        """A copy of a message in another chat, sent by the bot, with no link to the original;
        its id, as copyMessage answers."""
        source_screen = self._screen_of(method.from_chat_id)
        source = source_screen.get(method.message_id) if source_screen is not None else None
        if source is None:
            raise Rejected(bad_request("message to copy not found"))
        screen = self._screen_of(method.chat_id)
        assert screen is not None
        self._check_thread(screen.chat.id, method.message_thread_id)
        copy = dataclasses.replace(
            source,
            chat=screen.chat,
            message_id=screen.next_message_id(),
            sender=self.bot_user(bot),
            from_bot=True,
            date=now(),
            reply_markup=None,
            edit_date=None,
            edits=0,
            thread_id=method.message_thread_id,
            reply_to=self._replied(screen, method.reply_parameters),
        )
        screen.messages.append(copy)
        return {"message_id": copy.message_id}

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
            raise Rejected(MESSAGE_TO_EDIT_NOT_FOUND)
        if not message.from_bot:
            raise Rejected(MESSAGE_CANT_BE_EDITED)
        self._check_markup(method.reply_markup)
        html_text, parse_mode = message.html, message.parse_mode
        text, entities = message.text, message.entities
        if isinstance(method, EditMessageText | EditMessageCaption):
            html_text = method.text if isinstance(method, EditMessageText) else method.caption
            parse_mode = method.parse_mode if isinstance(method.parse_mode, str) else None
            text, entities = self._rendered(html_text, parse_mode)
            if self.validate and isinstance(method, EditMessageText) and not text.strip():
                raise Rejected(bad_request("message text is empty"))
        # Telegram drops the inline keyboard of an edit that does not repeat it.
        markup = method.reply_markup
        unchanged = (text, entities, markup) == (
            message.text,
            message.entities,
            message.reply_markup,
        )
        if unchanged and self.reject_unmodified_edits:
            raise Rejected(MESSAGE_NOT_MODIFIED)
        message.html, message.parse_mode = html_text, parse_mode
        message.text, message.entities = text, entities
        message.reply_markup = markup
        message.edit_date = now()
        message.edits += 1
        return self._dump(message.to_message())


async def _read_uploads(bot: Bot, method: TelegramMethod[Any]) -> dict[str, Upload]:
    """The files ``method`` uploads, by field (``document``, ``photo``...), read whole as the
    request is made: as Telegram has them, whatever happens to the local file afterwards."""
    uploads = {}
    for name in type(method).model_fields:
        value = getattr(method, name, None)
        if isinstance(value, InputFile):
            content = b"".join([chunk async for chunk in value.read(bot)])
            uploads[name] = Upload(value.filename, content)
    return uploads


def _selects(selector: MethodSelector, method: TelegramMethod[Any]) -> bool:
    """Whether ``selector`` names ``method``."""
    if isinstance(selector, str):
        return selector in {type(method).__name__, method.__api_method__}
    return isinstance(method, selector)
