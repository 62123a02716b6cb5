"""Keyboards as a user sees them, and finding a button by the label a person reads."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup

ButtonRows = list[list[tuple[str, str | None]]]


def inline_rows(markup: object) -> ButtonRows:
    """An inline keyboard as rows of ``(label, callback_data or url)``; ``[]`` for none.
    ``markup`` is aiogram's model, or its JSON as the Bot API receives it."""
    if isinstance(markup, InlineKeyboardMarkup):
        return [
            [(button.text, button.callback_data or button.url) for button in row]
            for row in markup.inline_keyboard
        ]
    if isinstance(markup, dict):
        return [
            [(str(b["text"]), b.get("callback_data") or b.get("url")) for b in row]
            for row in markup.get("inline_keyboard", [])
        ]
    return []


def reply_keyboard_rows(markup: object) -> list[list[str]] | None:
    """A reply keyboard as rows of labels; ``None`` when ``markup`` is not one."""
    if not isinstance(markup, ReplyKeyboardMarkup):
        return None
    return [[button.text for button in row] for row in markup.keyboard]


def normalised(label: str) -> str:
    """A label without the emoji or symbols that decorate its start."""
    index = 0
    while index < len(label) and not label[index].isalnum():
        index += 1
    return label[index:]


def match_label(labels: Sequence[str], wanted: str) -> list[str]:
    """Labels matching ``wanted``: exactly, else by prefix, else ignoring leading decoration."""
    for candidates in (
        [label for label in labels if label == wanted],
        [label for label in labels if label.startswith(wanted)],
        [label for label in labels if normalised(label) == normalised(wanted)],
        [label for label in labels if normalised(label).startswith(normalised(wanted))],
    ):
        if candidates:
            return candidates
    return []
