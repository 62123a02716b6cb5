"""Text from a panel or a customer made fit for the place it is shown: shortened for a
button or a message, escaped for Telegram's HTML.

Panels name services in hundreds of characters full of emoji and ``<>&"``. Escaped, one
character may become six (``&quot;``); Fluent refuses a placeable over 2,500 characters and
Telegram a message over 4,096. Every panel text shown goes through :func:`escaped` (in a
message) or :func:`shortened` (on a button) with the limit of its place.
"""

from __future__ import annotations

import html
import unicodedata
from typing import Final

ELLIPSIS: Final = "…"
#: Escaped characters of a name or category in a message: far below Fluent's 2,500, and a
#: message holding two of them stays far below Telegram's 4,096.
IN_MESSAGE: Final = 1000
#: Escaped characters of a name in a line of a list (several lines share one message).
IN_LIST: Final = 150
#: Escaped characters of a panel's own words (an error, a status) in a message.
PANEL_WORDS: Final = 500
#: Escaped characters Fluent takes in one placeable: a customer's own link (typed in at
#: most 500 characters) is shown whole.
WHOLE: Final = 2500
#: Characters of a button's label: Telegram shows longer ones cut anyway.
ON_BUTTON: Final = 60

_ZWJ: Final = "\u200d"
# Invisible format characters kept: they make emoji (joiners, the tags of subdivision flags)
# and right-to-left text (direction marks) come out right. The other ones, such as the
# overrides that turn the rest of a message backwards, go.
_KEPT_FORMAT: Final = frozenset("\u200c\u200d\u200e\u200f\u061c") | frozenset(
    map(chr, range(0xE0020, 0xE0080))
)


def on_one_line(text: str) -> str:
    """``text`` on one line: whitespace of any kind (line breaks too) collapsed into one
    space, control and stray surrogate characters dropped, and format characters but the
    ones emoji and right-to-left text need."""
    kept = "".join(
        " " if char.isspace() else char
        for char in text
        if char.isspace()
        or unicodedata.category(char) not in ("Cc", "Cf", "Cs")
        or char in _KEPT_FORMAT
    )
    return " ".join(kept.split())


def _is_regional_indicator(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def _joins_previous(char: str) -> bool:
    """True for a character drawn as part of the one before it: a combining mark, a
    variation selector, an emoji modifier, a tag of a flag, a joiner."""
    return (
        unicodedata.category(char) in ("Mn", "Me")
        or "\U0001f3fb" <= char <= "\U0001f3ff"
        or "\U000e0020" <= char <= "\U000e007f"
        or char == _ZWJ
    )


def _cut_at(text: str, end: int) -> int:
    """``end``, moved back so the cut splits no emoji, flag or accented letter."""
    while 0 < end < len(text) and (_joins_previous(text[end]) or text[end - 1] == _ZWJ):
        end -= 1
    if 0 < end < len(text) and _is_regional_indicator(text[end]):
        # Flags are pairs of regional indicators: count the ones before the cut.
        start = end
        while start > 0 and _is_regional_indicator(text[start - 1]):
            start -= 1
        if (end - start) % 2:
            end -= 1
    return end


def shortened(text: str, limit: int) -> str:
    """``text`` if it has at most ``limit`` characters, else its start and "…", at most
    ``limit`` characters in all, cut between whole emoji and letters."""
    if len(text) <= limit:
        return text
    end = _cut_at(text, max(limit - len(ELLIPSIS), 0))
    return text[:end] + ELLIPSIS


def escaped(text: str, limit: int = IN_MESSAGE) -> str:
    """``text`` escaped for an HTML message and, where escaped it would be longer than
    ``limit`` characters, cut and ended with "…" so that it is not."""
    whole = html.escape(text)
    if len(whole) <= limit:
        return whole
    size = len(ELLIPSIS)
    end = 0
    for char in text:
        size += len(html.escape(char))
        if size > limit:
            break
        end += 1
    end = _cut_at(text, end)
    return html.escape(text[:end]) + ELLIPSIS
