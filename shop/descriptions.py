"""A service's description and average time.

Panels write descriptions for their own web pages: HTML tags (``<br>``, ``<b>``, ``<p>``),
entities (``&amp;``, ``&nbsp;``), runs of blank lines, several kilobytes. Telegram refuses a
message with a tag it does not know, so the sync keeps the words only, as plain text
(:func:`plain_description`); the card shortens and escapes them. The shop's own
description, set by the owner with ``/desc``, is kept as typed and wins over the panel's
(:func:`shown_description`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from shop.display import on_one_line, shortened

#: Characters of a panel's description kept at a sync: far more than any card shows, so a
#: text cut here is cut again, shorter, where it is shown.
MAX_STORED: Final = 4000
#: Characters of the panel's description on a service's card.
ON_CARD: Final = 400
#: Characters of the shop's own description: it is shown whole on the card.
MAX_OWN: Final = 1000
#: Characters of a panel's average time kept ("1 hour 20 minutes" needs 17).
MAX_AVERAGE_TIME: Final = 100

# HTML elements panels use in descriptions. Only these are taken for tags: "<HQ>" or
# "<3" in a description are the panel's words, and stay.
_ELEMENTS: Final = (
    "a|abbr|b|big|blockquote|br|center|code|del|div|em|font|h[1-6]|hr|i|img|ins|label|li|"
    "mark|ol|p|pre|s|script|small|span|strike|strong|style|sub|sup|table|tbody|td|th|thead|"
    "tr|u|ul"
)
# A tag ends where its name does, or carries attributes (name=value): "<a lot of likes>" is
# no tag.
_REST_OF_TAG: Final = r"(?:\s*/?|\s+[\w:-]+\s*=[^<>]*)>"
_TAG: Final = re.compile(rf"<\s*/?\s*(?:{_ELEMENTS}){_REST_OF_TAG}", re.IGNORECASE)
# Tags that end a line where a browser would.
_BREAK: Final = re.compile(
    rf"<\s*/?\s*(?:br|hr|p|div|li|ul|ol|h[1-6]|tr|table|blockquote){_REST_OF_TAG}",
    re.IGNORECASE,
)
_MINUTES: Final = re.compile(r"\d{1,6}")


def _kept_lines(text: str) -> list[str]:
    """The lines of ``text``, each tidied, with at most one blank line in a row and none
    at either end."""
    lines: list[str] = []
    for raw in text.splitlines():
        # Most lines are tidy already; isprintable() checks them in C, the rest char by char.
        line = raw.strip(" ") if raw.isprintable() and "  " not in raw else on_one_line(raw)
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def plain_description(text: str | None) -> str | None:
    """A panel's description as plain text: its tags gone (line-breaking ones become line
    breaks), entities read, each line tidied (see :func:`shop.display.on_one_line`), blank
    lines at most one in a row, at most :data:`MAX_STORED` characters; None when no word
    is left."""
    if text is None:
        return None
    words = _TAG.sub("", _BREAK.sub("\n", text))
    plain = "\n".join(_kept_lines(html.unescape(words)))
    return shortened(plain, MAX_STORED) or None


def plain_average_time(text: str | None) -> str | None:
    """A panel's average time on one line, at most :data:`MAX_AVERAGE_TIME` characters;
    None when nothing is left."""
    if text is None:
        return None
    return shortened(on_one_line(html.unescape(_TAG.sub(" ", text))), MAX_AVERAGE_TIME) or None


def minutes_of(average_time: str) -> int | None:
    """The minutes of an average time given as a bare number, as many panels send it;
    None when it is words ("1 hour 20 minutes")."""
    return int(average_time) if _MINUTES.fullmatch(average_time) else None


class DescriptionTooLong(ValueError):
    """An owner's description longer than :data:`MAX_OWN` characters."""

    def __init__(self, length: int) -> None:
        super().__init__(f"a description of {length} characters; at most {MAX_OWN} fit")
        self.length = length


def own_description(text: str) -> str:
    """The owner's description as it is kept: as typed, without the blank space around it.
    Raises :class:`DescriptionTooLong` past :data:`MAX_OWN` characters, and ValueError
    when nothing is left."""
    kept = text.strip()
    if not kept:
        raise ValueError("an empty description")
    if len(kept) > MAX_OWN:
        raise DescriptionTooLong(len(kept))
    return kept


class DescriptionSource(StrEnum):
    """Whose description a service's card shows."""

    OWN = "own"
    PANEL = "panel"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class ShownDescription:
    """The description a service's card shows and whose it is."""

    source: DescriptionSource
    #: As the card shows it, plain text still to be escaped: the shop's own whole (at most
    #: :data:`MAX_OWN` characters), the panel's cut to :data:`ON_CARD`; None when neither
    #: says anything.
    text: str | None


def shown_description(own: str | None, panel: str | None) -> ShownDescription:
    """What a service's card shows of the shop's own description ``own`` and the panel's
    ``panel``: the shop's own, which wins, else the panel's, else nothing."""
    if own:
        return ShownDescription(DescriptionSource.OWN, shortened(own, MAX_OWN))
    if panel:
        return ShownDescription(DescriptionSource.PANEL, shortened(panel, ON_CARD))
    return ShownDescription(DescriptionSource.NONE, None)


@dataclass(frozen=True, slots=True)
class Descriptions:
    """What ``/desc <service>`` shows: the service, the panel its listing comes from, the
    panel's description of it and the shop's own."""

    service_id: int
    name: str
    #: The panel the service is sold from, whose description the card would show.
    panel: str | None
    panel_description: str | None
    own_description: str | None

    @property
    def shown(self) -> ShownDescription:
        """The description the service's card shows."""
        return shown_description(self.own_description, self.panel_description)
