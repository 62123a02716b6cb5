"""One person talking to the bot in-process: sends text, taps buttons, sees their chat.

Every update goes through ``Dispatcher.feed_update`` with the bot's own routers,
middlewares and FSM storage; Telegram's side is a :class:`~.session.RecordingSession`::

    session = RecordingSession()
    bot = make_bot(session)
    client = BotClient(dispatcher, bot)
    await client.send("/start")
    await client.click("New order")
    assert client.screen.last.text.startswith("Pick a category")
    assert client.last_answer_callback().text is None
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.fsm.context import FSMContext
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.types import CallbackQuery, Chat, MessageEntity, Update, User

from .keyboards import match_label
from .records import M, RecordedRequests
from .screen import ChatScreen, ScreenButton, ScreenMessage, chat_for, chat_key, now
from .session import RecordingSession
from .updates import command_entity


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
        is_bot: bool = False,
    ) -> None:
        if not isinstance(bot.session, RecordingSession):
            raise TypeError("BotClient needs a bot made with make_bot(RecordingSession())")
        self.dispatcher = dispatcher
        self.bot = bot
        self.session: RecordingSession = bot.session
        self.user = User(
            id=user_id,
            is_bot=is_bot,
            first_name=first_name,
            username=username,
            language_code=language_code,
        )
        chat_id = user_id if chat_id is None else chat_id
        chat = (
            Chat(id=chat_id, type="private", first_name=first_name, username=username)
            if chat_id > 0
            else chat_for(chat_id)
        )
        self.chat = self.session.open_chat(chat).chat
        self._callback_ids: list[str] = []

    @property
    def screen(self) -> ChatScreen:
        return self.session.screen(self.chat.id)

    async def send(
        self,
        text: str,
        *,
        thread_id: int | None = None,
        reply_to: ScreenMessage | None = None,
        sender_chat: Chat | None = None,
    ) -> RecordedRequests:
        """The user sends ``text`` (in the forum topic ``thread_id``, as a reply to
        ``reply_to``, posted as the chat ``sender_chat``, when given); a leading
        ``/command`` carries its bot_command entity."""
        entity = command_entity(text)
        message = ScreenMessage(
            chat=self.chat,
            message_id=self.screen.next_message_id(),
            sender=self.user,
            from_bot=False,
            date=now(),
            html=None,
            parse_mode=None,
            text=text,
            entities=[MessageEntity(**entity)] if entity else [],
            thread_id=thread_id,
            reply_to=reply_to,
            sender_chat=sender_chat,
        )
        self.screen.messages.append(message)
        update = Update(update_id=self.session.next_update_id(), message=message.to_message())
        return await self.feed(update)

    async def send_photo(self, caption: str | None = None) -> RecordedRequests:
        """The user sends a photo, with ``caption`` under it if given."""
        return await self._send_file("photo", caption)

    async def send_document(
        self, file_name: str = "receipt.pdf", caption: str | None = None
    ) -> RecordedRequests:
        """The user sends a file, with ``caption`` under it if given."""
        return await self._send_file("document", caption, file_name)

    async def _send_file(
        self, kind: str, caption: str | None, file_name: str | None = None
    ) -> RecordedRequests:
        message_id = self.screen.next_message_id()
        message = ScreenMessage(
            chat=self.chat,
            message_id=message_id,
            sender=self.user,
            from_bot=False,
            date=now(),
            html=None,
            parse_mode=None,
            text=caption,
            kind=kind,
            file_id=f"{kind}-{self.chat.id}-{message_id}",
            file_name=file_name,
        )
        self.screen.messages.append(message)
        update = Update(update_id=self.session.next_update_id(), message=message.to_message())
        return await self.feed(update)

    async def press(self, label: str) -> RecordedRequests:
        """The user taps ``label`` on the reply keyboard shown under the input field."""
        rows = self.screen.reply_buttons
        labels = [text for row in rows or [] for text in row]
        matches = match_label(labels, label)
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
        chat_id = chat_key(getattr(method, "chat_id", None))
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
