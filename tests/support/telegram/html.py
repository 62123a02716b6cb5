"""Telegram's HTML parse mode: the plain text and entities the Bot API makes of a message
sent with ``parse_mode=HTML``, and the refusal of anything it does not accept."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiogram.enums import ParseMode
from aiogram.types import MessageEntity


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


def utf16_length(text: str) -> int:
    """The length Telegram counts in: UTF-16 code units."""
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
        offset += utf16_length(piece)

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
