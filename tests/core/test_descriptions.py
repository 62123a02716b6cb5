"""A panel's description becomes plain text at the sync: its HTML tags gone (the ones that
break a line become line breaks), its entities read, its lines tidied; the panel's own
words that only look like tags stay. The owner's description is kept as typed. The card
shows the shop's own description whole, else the panel's shortened."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shop.catalogue import ServiceOffer
from shop.descriptions import (
    MAX_AVERAGE_TIME,
    MAX_OWN,
    MAX_STORED,
    ON_CARD,
    Descriptions,
    DescriptionSource,
    DescriptionTooLong,
    ShownDescription,
    minutes_of,
    own_description,
    plain_average_time,
    plain_description,
    shown_description,
)
from shop.storage import ServiceRow

#: The shop's own description, with what HTML would take for markup: kept as typed.
OWN = 'Our <b>best</b> & "only"\n\nfollowers.'
#: A panel's description, plain text already, longer than a card shows.
PANEL = "Real HQ followers & <3 fans. " * 40


def test_tags_go_and_the_ones_that_break_a_line_become_line_breaks() -> None:
    html = (
        '<p class="lead">Real <b>HQ</b> <i>followers</i></p><p>Start: 0-1 hour<br>'
        'Speed: 5K/day<br />Refill: <a href="https://panel.example/r">30 days</a></p>'
        "<ul><li>No password</li><li>Public profile</li></ul>"
    )

    assert plain_description(html) == (
        "Real HQ followers\n\nStart: 0-1 hour\nSpeed: 5K/day\nRefill: 30 days\n\n"
        "No password\n\nPublic profile"
    )


def test_entities_are_read_and_words_that_only_look_like_tags_stay() -> None:
    text = "Likes &amp; views &lt;fast&gt; &quot;HQ&quot; <HQ> <3 <a lot of likes> R&D"

    assert plain_description(text) == ('Likes & views <fast> "HQ" <HQ> <3 <a lot of likes> R&D')


def test_whitespace_is_tidied_and_blank_lines_come_one_at_a_time() -> None:
    text = "\n\n  First\t\tline  \r\n\n\n\n\nSecond\u00a0line&nbsp;&nbsp;end\u202e \n\n\n"

    assert plain_description(text) == "First line\n\nSecond line end"


@pytest.mark.parametrize("empty", [None, "", "   ", "<br><br>", "<p> </p>\n&nbsp;"])
def test_a_description_without_a_word_is_none(empty: str | None) -> None:
    assert plain_description(empty) is None


def test_a_huge_description_is_kept_to_a_few_kilobytes() -> None:
    kept = plain_description("word " * 10_000)

    assert kept is not None
    assert len(kept) == MAX_STORED
    assert kept.endswith("…")


def test_an_average_time_is_kept_on_one_line_as_the_panel_words_it() -> None:
    assert plain_average_time("1 hour\n20&nbsp;minutes") == "1 hour 20 minutes"
    assert plain_average_time("<b>45</b>") == "45"
    assert plain_average_time(" ") is None
    assert plain_average_time(None) is None
    assert len(plain_average_time("9" * 1000) or "") == MAX_AVERAGE_TIME


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("45", 45), ("0", 0), ("1440", 1440), ("45 min", None), ("1 hour", None), ("4.5", None)],
)
def test_a_bare_number_is_minutes(text: str, minutes: int | None) -> None:
    assert minutes_of(text) == minutes


def test_the_owners_description_is_kept_as_typed() -> None:
    typed = '  Our <b>best</b> & "only"\n\n  followers.  '

    assert own_description(typed) == 'Our <b>best</b> & "only"\n\n  followers.'
    assert own_description("x" * MAX_OWN) == "x" * MAX_OWN


def test_the_owners_description_has_a_limit() -> None:
    with pytest.raises(DescriptionTooLong) as refused:
        own_description(" " + "x" * (MAX_OWN + 1) + " ")
    assert refused.value.length == MAX_OWN + 1
    with pytest.raises(ValueError, match="empty"):
        own_description(" \n ")


def _service(own: str | None) -> ServiceRow:
    return ServiceRow(
        id=7401,
        name="Followers",
        type="Default",
        category="Instagram",
        rate=Decimal("0.0045"),
        min=100,
        max=10_000,
        refill=False,
        cancel=False,
        dripfeed=False,
        on_panel=True,
        enabled=True,
        markup_override=None,
        synced_at=datetime(2025, 1, 15, tzinfo=UTC),
        own_description=own,
    )


@pytest.mark.parametrize(
    ("own", "panel", "shown"),
    [
        (OWN, PANEL, ShownDescription(DescriptionSource.OWN, OWN)),
        (OWN, None, ShownDescription(DescriptionSource.OWN, OWN)),
        (None, "Fast start", ShownDescription(DescriptionSource.PANEL, "Fast start")),
        ("", "Fast start", ShownDescription(DescriptionSource.PANEL, "Fast start")),
        (None, None, ShownDescription(DescriptionSource.NONE, None)),
        ("", "", ShownDescription(DescriptionSource.NONE, None)),
    ],
)
def test_the_shops_own_description_wins_over_the_panels(
    own: str | None, panel: str | None, shown: ShownDescription
) -> None:
    assert shown_description(own, panel) == shown
    # The card of a service and /desc read the same rule.
    offer = ServiceOffer(_service(own), Decimal("0.01"), panel_description=panel)
    assert offer.shown_description == shown
    described = Descriptions(7401, "Followers", "main", panel, own)
    assert described.shown == shown


def test_the_panels_description_is_shortened_for_the_card_and_the_shops_is_not() -> None:
    panel = shown_description(None, PANEL)
    assert panel.text is not None
    assert len(panel.text) == ON_CARD
    assert panel.text == PANEL[: ON_CARD - 1] + "…"

    own = "x" * MAX_OWN
    assert shown_description(own, PANEL) == ShownDescription(DescriptionSource.OWN, own)
