"""Updates built by hand, for what ``BotClient.send`` does not do: the same message
delivered twice, a reply to an earlier message, an update fed to a Bot on real HTTP."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from aiogram.types import Chat, Message, MessageEntity, Update, User

_update_ids = itertools.count(900_000)


def command_message(
    chat: Chat,
    user: User,
    text: str,
    *,
    message_id: int,
    reply_to: Message | None = None,
    entities: list[MessageEntity] | None = None,
) -> Message:
    """A message of ``user`` in ``chat``; a leading ``/command`` carries its entity."""
    if entities is None and text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        entities = [MessageEntity(type="bot_command", offset=0, length=len(command))]
    return Message(
        message_id=message_id,
        date=datetime.now(UTC),
        chat=chat,
        from_user=user,
        text=text,
        entities=entities,
        reply_to_message=reply_to,
    )


def update_of(message: Message) -> Update:
    return Update(update_id=next(_update_ids), message=message)
