"""What a person does in Telegram, as the updates the Bot API delivers for it (JSON, as
``getUpdates`` and a webhook carry them). The HTTP chat driver queues them at the Bot API
double, the benchmarks feed them to a Dispatcher (``Update.model_validate``), and the
in-process client marks its commands with the same entity."""

from __future__ import annotations

import itertools
import time
from typing import Any

from .html import utf16_length

#: Ids of the messages people send; far from the bot's own, so the two never meet.
_message_ids = itertools.count(100_000)

Json = dict[str, Any]


def user(
    user_id: int,
    first_name: str = "Ann",
    *,
    language_code: str | None = "en",
    username: str | None = None,
) -> Json:
    """A person's Telegram account."""
    account: Json = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username is not None:
        account["username"] = username
    if language_code is not None:
        account["language_code"] = language_code
    return account


def private_chat(user_id: int, first_name: str = "Ann") -> Json:
    return {"id": user_id, "type": "private", "first_name": first_name}


def group_chat(chat_id: int, title: str = "Shop staff") -> Json:
    """A group; ids from -100… are supergroups, as Telegram numbers them."""
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "type": kind, "title": title}


def command_entity(text: str) -> Json | None:
    """The ``bot_command`` entity Telegram marks a leading ``/command`` with, if any."""
    if not text.startswith("/"):
        return None
    command = text.split(maxsplit=1)[0]
    return {"type": "bot_command", "offset": 0, "length": utf16_length(command)}


def text_message(
    chat: Json, sender: Json, text: str, *, message_id: int | None = None, date: int | None = None
) -> Json:
    """The ``message`` of an update in which ``sender`` writes ``text`` in ``chat``."""
    message: Json = {
        "message_id": next(_message_ids) if message_id is None else message_id,
        "date": int(time.time()) if date is None else date,
        "chat": chat,
        "from": sender,
        "text": text,
    }
    if (entity := command_entity(text)) is not None:
        message["entities"] = [entity]
    return message


def bot_message(chat: Json, message_id: int, text: str, markup: Json | None = None) -> Json:
    """A message of the bot as an update quotes it, e.g. the one a tapped button is on."""
    message: Json = {"message_id": message_id, "date": int(time.time()), "chat": chat}
    message["text"] = text
    if markup:
        message["reply_markup"] = markup
    return message


def callback_query(
    query_id: str, sender: Json, data: str, message: Json | None, chat_instance: str
) -> Json:
    """The ``callback_query`` of a tap on a button with ``data`` under ``message``."""
    query: Json = {
        "id": query_id,
        "from": sender,
        "chat_instance": chat_instance,
        "data": data,
    }
    if message is not None:
        query["message"] = message
    return query


def successful_payment(
    chat: Json, sender: Json, payload: str, stars: int, charge_id: str, *, date: int | None = None
) -> Json:
    """The ``message`` Telegram sends once ``sender`` has paid an invoice in Stars."""
    return {
        "message_id": next(_message_ids),
        "date": int(time.time()) if date is None else date,
        "chat": chat,
        "from": sender,
        "successful_payment": {
            "currency": "XTR",
            "total_amount": stars,
            "invoice_payload": payload,
            "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": "",
        },
    }


def pre_checkout_query(query_id: str, sender: Json, payload: str, stars: int) -> Json:
    """The ``pre_checkout_query`` Telegram asks the bot before taking a payment in Stars."""
    return {
        "id": query_id,
        "from": sender,
        "currency": "XTR",
        "total_amount": stars,
        "invoice_payload": payload,
    }
