"""The handlers' filters, checked in the event loop.

aiogram checks a plain function or a magic filter (``F.text``, ``F.chat.type == "private"``)
on a worker thread: a hand-over and back for every update at every router and handler it
passes, many times what the check itself costs. These filters are coroutines, so they run
in the loop; ``tests/conversation/test_routers.py`` holds the whole tree to that.
"""

from __future__ import annotations

from collections.abc import Collection

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Chat, Message, User


class PrivateChat(Filter):
    """Messages and taps in a private chat with the bot (the chat as aiogram's
    ``event_chat`` names it: none for a button on an inline message)."""

    async def __call__(self, _: Message | CallbackQuery, event_chat: Chat | None = None) -> bool:
        return event_chat is not None and event_chat.type == "private"


class InChat(Filter):
    """Messages and taps in the chat ``chat_id``, by anyone or, with ``users``, by them."""

    def __init__(self, chat_id: int, users: Collection[int] | None = None) -> None:
        self.chat_id = chat_id
        self.users = None if users is None else frozenset(users)

    async def __call__(
        self,
        _: Message | CallbackQuery,
        event_chat: Chat | None = None,
        event_from_user: User | None = None,
    ) -> bool:
        if event_chat is None or event_chat.id != self.chat_id:
            return False
        if self.users is None:
            return True
        return event_from_user is not None and event_from_user.id in self.users


class Has(Filter):
    """Messages carrying any of ``fields`` (``Has("photo", "document")``)."""

    def __init__(self, *fields: str) -> None:
        self.fields = fields

    async def __call__(self, message: Message) -> bool:
        return any(getattr(message, name) is not None for name in self.fields)


class Slash(Filter):
    """Text starting with ``/``: a command, known or not."""

    async def __call__(self, message: Message) -> bool:
        return message.text is not None and message.text.startswith("/")


class ContentIn(Filter):
    """Messages of one of the content types ``kinds`` (``"text"``, ``"photo"``...)."""

    def __init__(self, kinds: Collection[str]) -> None:
        self.kinds = frozenset(kinds)

    async def __call__(self, message: Message) -> bool:
        return message.content_type in self.kinds
