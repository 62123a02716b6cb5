"""Bad input at every step of the order forms is asked again with the reason, and changes
nothing: the form stays on its step, no quote, order or ledger row appears, the panel hears
nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import OrderType, Service
from api.sandbox import SandboxPanel
from bot.app import Runtime

from ..support.telegram import BotClient
from .shopping import (
    add_requests,
    non_text_update,
    row_count,
    service_of_type,
    start_order,
)

TODAY = dt.datetime.now(dt.UTC).date()
NEXT_YEAR = TODAY.year + 1


@dataclass(frozen=True)
class Tap:
    label: str


@dataclass(frozen=True)
class BadInput:
    """At the step reached by ``before``, ``text`` is refused with ``reason``."""

    order_type: OrderType
    before: tuple[str | Tap, ...]
    text: str
    reason: str
    where: Callable[[Service], bool] = lambda service: True


def _drip(service: Service) -> bool:
    return service.dripfeed


LINK = "https://instagram.com/shop.alice"
NOT_A_LINK = (
    "⚠️ That does not look like a link. Send a full address such as https://instagram.com/yourpage."
)
NOT_A_NUMBER = "⚠️ Please send a whole number, like 1000."
D, CC, MWH, MCL, MH, MUF, SUB, CCP, POLL = (
    OrderType.DEFAULT,
    OrderType.CUSTOM_COMMENTS,
    OrderType.MENTIONS_WITH_HASHTAGS,
    OrderType.MENTIONS_CUSTOM_LIST,
    OrderType.MENTIONS_HASHTAG,
    OrderType.MENTIONS_USER_FOLLOWERS,
    OrderType.SUBSCRIPTIONS,
    OrderType.CUSTOM_COMMENTS_PACKAGE,
    OrderType.POLL,
)
SUB_START = ("shop.alice", "100", "200", "5", "2")

BAD_INPUTS = {
    # link
    "garbage link": BadInput(D, (), "just some words", NOT_A_LINK),
    "link without a host": BadInput(D, (), "https://", NOT_A_LINK),
    "link with spaces": BadInput(D, (), "https://insta gram.com/x", NOT_A_LINK),
    "not http": BadInput(D, (), "ftp://instagram.com/x", NOT_A_LINK),
    "script link": BadInput(D, (), "javascript:alert(1)", NOT_A_LINK),
    "too long link": BadInput(
        D,
        (),
        "https://instagram.com/" + "a" * 480,
        "⚠️ That link is too long (at most 500 characters).",
    ),
    "telegram garbage link": BadInput(
        POLL,
        (),
        "no link here",
        "⚠️ That does not look like a link. Send an address such as "
        "https://t.me/yourchannel, or @yourchannel.",
    ),
    # quantity
    "words for a quantity": BadInput(D, (LINK,), "a thousand", NOT_A_NUMBER, _drip),
    "fraction": BadInput(D, (LINK,), "100.5", NOT_A_NUMBER, _drip),
    "negative": BadInput(D, (LINK,), "-100", NOT_A_NUMBER, _drip),
    "badly grouped": BadInput(D, (LINK,), "1,00", NOT_A_NUMBER, _drip),
    "below the minimum": BadInput(D, (LINK,), "49", "⚠️ That is too few: at least 50.", _drip),
    "above the maximum": BadInput(
        D, (LINK,), "10001", "⚠️ That is too many: at most 10,000.", _drip
    ),
    # drip-feed
    "typed instead of yes or no": BadInput(
        D, (LINK, "100"), "maybe", "Please choose one of the buttons.", _drip
    ),
    "one run": BadInput(
        D, (LINK, "100", Tap("Yes")), "1", "⚠️ That is too few: at least 2.", _drip
    ),
    "too many runs": BadInput(
        D, (LINK, "100", Tap("Yes")), "1001", "⚠️ That is too many: at most 1,000.", _drip
    ),
    "no interval": BadInput(
        D, (LINK, "100", Tap("Yes"), "3"), "0", "⚠️ That is too few: at least 1.", _drip
    ),
    "interval in words": BadInput(
        D, (LINK, "100", Tap("Yes"), "3"), "hourly", NOT_A_NUMBER, _drip
    ),
    # lines
    "too few comments": BadInput(
        CC, (LINK,), "Nice\n\nGreat\nWow", "⚠️ 3 lines is too few: at least 10."
    ),
    "too many comments": BadInput(
        CC,
        (LINK,),
        "\n".join("c" for _ in range(1501)),
        "⚠️ 1,501 lines is too many: at most 1,500.",
    ),
    "too much text": BadInput(
        CC,
        (LINK,),
        "\n".join("x" * 300 for _ in range(12)),
        "⚠️ That is too much text (at most 3,500 characters).",
    ),
    "a comment too long": BadInput(
        CC,
        (LINK,),
        "\n".join(["y" * 301, *("ok" for _ in range(10))]),
        "⚠️ A line is too long (at most 300 characters each).",
    ),
    "only blank lines": BadInput(CCP, (LINK,), "\u3000\n\u3000", "⚠️ Send at least one line."),
    "too few usernames": BadInput(
        MCL, (LINK,), "@one\n@two", "⚠️ 2 lines is too few: at least 100."
    ),
    "a username with a space": BadInput(
        MWH,
        (LINK, "100"),
        "@alice\nbob smith",
        "⚠️ Line 2 is not a username. Send one username per line, without spaces.",
    ),
    "a bad hashtag in the list": BadInput(
        MWH,
        (LINK, "100", "@alice"),
        "#travel\nnot a tag!",
        "⚠️ Line 2 is not a hashtag. Send one hashtag per line, like #travel, letters and "
        "digits only.",
    ),
    # single values
    "hashtag of two words": BadInput(
        MH,
        (LINK, "500"),
        "#two words",
        "⚠️ Send one hashtag, like #travel, letters and digits only.",
    ),
    "bare hash sign": BadInput(
        MH, (LINK, "500"), "#", "⚠️ Send one hashtag, like #travel, letters and digits only."
    ),
    "username with spaces": BadInput(
        MUF, (LINK, "500"), "some star", "⚠️ Send a username or a profile link, without spaces."
    ),
    "poll answer zero": BadInput(POLL, (LINK, "100"), "0", "⚠️ That is too few: at least 1."),
    "poll answer too high": BadInput(
        POLL, (LINK, "100"), "101", "⚠️ That is too many: at most 100."
    ),
    # subscriptions
    "subscription username with spaces": BadInput(
        SUB, (), "shop alice", "⚠️ Send a username or a profile link, without spaces."
    ),
    "minimum below the service's": BadInput(
        SUB, ("shop.alice",), "10", "⚠️ That is too few: at least 50."
    ),
    "maximum below the minimum": BadInput(
        SUB, ("shop.alice", "100"), "99", "⚠️ That is too few: at least 100."
    ),
    "no posts": BadInput(SUB, ("shop.alice", "100", "200"), "0", "⚠️ That is too few: at least 1."),
    "old posts in words": BadInput(SUB, ("shop.alice", "100", "200", "5"), "some", NOT_A_NUMBER),
    "a delay not offered": BadInput(SUB, SUB_START, "7", "Please choose one of the buttons."),
    "not a date": BadInput(
        SUB,
        (*SUB_START, Tap("30")),
        "next friday",
        f"⚠️ Send a real date as day/month/year, like {TODAY:%d/%m/%Y}.",
    ),
    "no such day": BadInput(
        SUB,
        (*SUB_START, Tap("30")),
        f"31/02/{NEXT_YEAR}",
        f"⚠️ Send a real date as day/month/year, like {TODAY:%d/%m/%Y}.",
    ),
    "a past date": BadInput(
        SUB, (*SUB_START, Tap("30")), "1/1/2020", "⚠️ That date has passed. Send a later one."
    ),
}


async def _reach(client: BotClient, panel: SandboxPanel, case: BadInput) -> None:
    await start_order(client, panel, service_of_type(panel, case.order_type, case.where))
    for answer in case.before:
        if isinstance(answer, Tap):
            await client.click(answer.label)
        else:
            await client.send(answer)


async def _nothing_changed(
    client: BotClient, services: Runtime, panel: SandboxPanel, state: object, data: object
) -> None:
    assert await client.fsm_state() == state
    assert await client.fsm_context().get_data() == data
    assert row_count(services, "quotes") == 0
    assert row_count(services, "orders") == 0
    assert row_count(services, "ledger") == 0
    assert add_requests(panel) == []


@pytest.mark.parametrize("case", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
async def test_bad_input_is_asked_again_with_the_reason(
    case: BadInput, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await _reach(alice, panel, case)
    question = alice.screen.last
    state, data = await alice.fsm_state(), await alice.fsm_context().get_data()
    assert state is not None

    await alice.send(case.text)

    assert alice.screen.last is not question
    assert alice.screen.last.text == f"{case.reason}\n\n{question.text}"
    assert alice.screen.last.buttons == question.buttons
    await _nothing_changed(alice, services, panel, state, data)


NON_TEXT_STEPS = {
    "link": BadInput(D, (), "", "", _drip),
    "yes or no": BadInput(D, (LINK, "100"), "", "", _drip),
    "delay": BadInput(SUB, SUB_START, "", ""),
    "expiry": BadInput(SUB, (*SUB_START, Tap("30")), "", ""),
}


@pytest.mark.parametrize("kind", ["photo", "sticker"])
@pytest.mark.parametrize("case", NON_TEXT_STEPS.values(), ids=NON_TEXT_STEPS.keys())
async def test_a_photo_or_sticker_is_asked_again_as_text(
    case: BadInput, kind: str, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await _reach(alice, panel, case)
    question = alice.screen.last
    state, data = await alice.fsm_state(), await alice.fsm_context().get_data()

    await alice.feed(non_text_update(alice, kind))

    assert alice.screen.last.text == (
        f"Please answer with text, or tap a button.\n\n{question.text}"
    )
    assert alice.screen.last.buttons == question.buttons
    await _nothing_changed(alice, services, panel, state, data)


async def test_a_button_of_an_earlier_step_is_outdated(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await _reach(alice, panel, BadInput(D, (LINK, "100", Tap("Yes")), "", "", _drip))
    drip_question = alice.screen.bot_messages[-2]
    state, data = await alice.fsm_state(), await alice.fsm_context().get_data()
    messages = len(alice.screen.messages)

    await alice.click("No", message=drip_question)

    assert alice.last_answer_callback().text == (
        "This button is out of date. Open the menu to start again."
    )
    assert len(alice.screen.messages) == messages
    await _nothing_changed(alice, services, panel, state, data)


# --- any text at all ------------------------------------------------------------------------

TYPED = st.one_of(
    st.text(min_size=1, max_size=300),
    st.text(alphabet=st.characters(codec="ascii"), min_size=1, max_size=80),
    st.from_regex(r"(https?://)?[a-z0-9.-]{0,20}(/\S{0,20})?", fullmatch=True),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
).filter(lambda text: text.strip() != "" and not text.startswith("/"))

ANY_TEXT = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


async def _order_form(client: BotClient, panel: SandboxPanel) -> str:
    """/start and the card of a drip-feed service; the data of its Order button."""
    await start_order(client, panel, service_of_type(panel, D, _drip))
    data = client.screen.find_button("Order").callback_data
    assert data is not None
    return data


@ANY_TEXT
@given(text=TYPED)
async def test_any_text_at_the_link_step_is_taken_or_asked_again(
    text: str, make_client: Callable[..., BotClient], panel: SandboxPanel
) -> None:
    client = make_client(user_id=5000)
    order = await _order_form(client, panel)
    question = client.screen.last.text

    await client.send(text)

    state = await client.fsm_state()
    shown = client.screen.last.text or ""
    if state == "DefaultForm:link":
        assert shown.startswith("⚠️") and shown.endswith(f"\n\n{question}")
    else:
        assert state == "DefaultForm:quantity"
        assert shown.startswith("🔢 How many?")
    await client.click_data(order)
    assert await client.fsm_state() == "DefaultForm:link"


@ANY_TEXT
@given(text=TYPED)
async def test_any_text_at_the_quantity_step_is_taken_or_asked_again(
    text: str, make_client: Callable[..., BotClient], panel: SandboxPanel
) -> None:
    client = make_client(user_id=5001)
    await _order_form(client, panel)
    await client.send(LINK)
    question = client.screen.last.text

    await client.send(text)

    state = await client.fsm_state()
    shown = client.screen.last.text or ""
    if state == "DefaultForm:quantity":
        assert shown.startswith("⚠️") and shown.endswith(f"\n\n{question}")
    else:
        assert state == "DefaultForm:drip_feed"
        assert shown == "💧 Deliver gradually, in several runs?"
