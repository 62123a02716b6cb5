"""Telegram, played by the tests.

In-process, under the real Dispatcher: :class:`RecordingSession` (``session``) is the Bot
API, :class:`BotClient` (``client``) one person in their chat, :class:`ChatScreen`
(``screen``) the chat as they see it. Over loopback HTTP, for the bot as a process:
``bot_api`` (the Bot API double) and ``chat`` (a person driving it). Both doubles share
Telegram's rules: ``html`` (the HTML parse mode), ``failures`` (error answers), ``stars``
(the Stars account), ``keyboards`` and ``updates`` (what a person's actions deliver).
"""

from .client import BotClient
from .failures import (
    BOT_BLOCKED,
    CHARGE_ALREADY_REFUNDED,
    CHARGE_NOT_FOUND,
    MESSAGE_CANT_BE_EDITED,
    MESSAGE_NOT_MODIFIED,
    MESSAGE_TO_DELETE_NOT_FOUND,
    MESSAGE_TO_EDIT_NOT_FOUND,
    QUERY_TOO_OLD,
    TelegramFailure,
    bad_request,
    flood_wait,
)
from .html import EntityParseError, parse_html, render, visible_text
from .keyboards import inline_rows, reply_keyboard_rows
from .records import RecordedCall, RecordedMessage, RecordedRequests
from .screen import ChatScreen, ScreenButton, ScreenMessage
from .session import BOT_TOKEN, RecordingSession, make_bot

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
    "inline_rows",
    "make_bot",
    "parse_html",
    "render",
    "reply_keyboard_rows",
    "visible_text",
]
