"""Panel text made fit for a message or a button: shortened for the place, escaped, cut
between whole emoji, flags and letters."""

from __future__ import annotations

import html

from hypothesis import given
from hypothesis import strategies as st

from shop.display import ON_BUTTON, escaped, shortened

FAMILY = "👨\u200d👩\u200d👧\u200d👦"


def test_short_text_is_kept_whole() -> None:
    assert shortened("Instagram Likes 🇺🇸", ON_BUTTON) == "Instagram Likes 🇺🇸"
    assert escaped('<b>"Fast"</b> & cheap') == "&lt;b&gt;&quot;Fast&quot;&lt;/b&gt; &amp; cheap"


def test_a_cut_splits_no_flag_no_family_and_no_accent() -> None:
    assert shortened("ab🇺🇸🇬🇧cd", 4) == "ab…"
    assert shortened("ab🇺🇸🇬🇧cd", 5) == "ab🇺🇸…"
    assert shortened(f"ab{FAMILY}cd", 6) == "ab…"
    assert shortened("cafe\u0301 noir", 5) == "caf…"
    assert shortened("Likes ❤\ufe0f now", 8) == "Likes …"


def test_escaped_text_is_cut_to_its_escaped_length() -> None:
    assert escaped('"' * 455) == "&quot;" * 166 + "…"
    assert escaped("a & b & c", 10) == "a &amp; b…"
    assert escaped("a & b & c", 9) == "a &amp; …"


@given(text=st.text(max_size=400), limit=st.integers(2, 300))
def test_escaped_text_fits_and_starts_the_text(text: str, limit: int) -> None:
    shown = escaped(text, limit)
    assert len(shown) <= limit
    visible = html.unescape(shown)
    assert visible == text or (visible.endswith("…") and text.startswith(visible[:-1]))


@given(text=st.text(max_size=200), limit=st.integers(1, 80))
def test_shortened_text_fits_and_starts_the_text(text: str, limit: int) -> None:
    shown = shortened(text, limit)
    assert len(shown) <= limit
    assert shown == text or (shown.endswith("…") and text.startswith(shown[:-1]))
