"""Hostile input, through the real Dispatcher: fuzzed text at every step of every order
form, at the menu, the summary, the top-up amount and in the admin commands; forged and
replayed buttons; names full of markup. Whatever comes in, no exception escapes, every
message the bot sends is valid Telegram HTML showing the customer's text as typed, the
answer is one of the bot's own texts, and nothing changes that should not: no order, no
ledger row, no request to the panel, the form still on its step.

Handler errors reach the test: the dispatcher has no error handler, so ``feed_update``
raises whatever a handler raised. The session refuses what Telegram refuses (malformed HTML,
empty or oversized text, oversized callback data) with the Bot API's own error, which then
escapes the same way.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendInvoice, SendMessage
from aiogram.types import ErrorEvent
from fluent.syntax import FluentParser
from fluent.syntax import ast as fluent
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from api import OrderType, Service
from api.sandbox import SandboxPanel
from bot.app import Runtime, create_dispatcher
from handlers.order_states import FORM_STATES, state_for
from shop.catalogue import sync_catalogue
from shop.customers import set_language
from shop.order_forms import FLOWS
from shop.storage import LedgerReason
from shop.texts import LOCALES_DIR

from ..admin.shop import add_customer, place
from ..support.telegram import BotClient, RecordingSession, bad_request, inline_rows, parse_html
from .conftest import top_up
from .shopping import (
    add_requests,
    ledger,
    order_price,
    reach_summary,
    row_count,
    service_of_type,
    start_order,
    unanswered_callbacks,
)

OWNER = 7001
ADMIN_CHAT = -100500
FUNDS = Decimal(50)
NEXT_YEAR = dt.datetime.now(dt.UTC).year + 1
LINK = "https://instagram.com/shop.alice"

OUTDATED = "This button is out of date. Open the menu to start again."
UNAVAILABLE = "This service is not available any more."
NOT_FOUND = "This order was not found."
ALREADY_PLACED = "ℹ️ This order was placed already: order #1. Nothing more was charged."
USE_BUTTONS = "Please tap ✅ Confirm or ✖ Cancel under your order above. /cancel drops it."


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """The owner is an admin, so the admin commands are reachable in the group."""
    return {"admin_ids": (OWNER,)}


@pytest.fixture
def handler_errors() -> list[BaseException]:
    """Every exception a handler raised, whether or not an error handler of the bot took
    it (a refused reply is logged and dropped by the bot's own error handler)."""
    return []


@pytest.fixture
def dispatcher(services: Runtime, handler_errors: list[BaseException]) -> Dispatcher:
    built = create_dispatcher(services)

    async def record(event: ErrorEvent) -> None:
        handler_errors.append(event.exception)
        raise SkipHandler

    # The dispatcher's own error observer runs before those of the bot's routers.
    built.errors.register(record)
    return built


@pytest.fixture(autouse=True)
def _no_handler_error(handler_errors: list[BaseException]) -> Iterator[None]:
    yield
    assert handler_errors == []


# --- what the bot may say: its English catalogue, as patterns ---------------------------------


@cache
def catalogue(module: str) -> dict[str, list[fluent.PatternElement]]:
    """The messages of ``locales/en/<module>.ftl``, as Fluent parses them."""
    resource = FluentParser().parse((LOCALES_DIR / "en" / f"{module}.ftl").read_text())
    return {
        entry.id.name: entry.value.elements
        for entry in resource.body
        if isinstance(entry, fluent.Message) and entry.value is not None
    }


@cache
def texts(module: str) -> dict[str, re.Pattern[str]]:
    """Each message of ``module`` as a pattern of the text as sent (markup included):
    every placeable matches any text."""
    return {
        key: re.compile(
            "".join(
                re.escape(element.value) if isinstance(element, fluent.TextElement) else ".*?"
                for element in elements
            ),
            re.DOTALL,
        )
        for key, elements in catalogue(module).items()
    }


def written(module: str, key: str) -> str:
    """A message without placeables, as sent."""
    elements = catalogue(module)[key]
    assert all(isinstance(element, fluent.TextElement) for element in elements)
    return "".join(
        element.value for element in elements if isinstance(element, fluent.TextElement)
    )


def keys_matching(module: str, text: str, prefix: str = "") -> list[str]:
    """The keys of ``module`` starting with ``prefix`` whose message ``text`` is."""
    return [
        key
        for key, pattern in texts(module).items()
        if key.startswith(prefix) and pattern.fullmatch(text)
    ]


def entity_kinds(html: str) -> list[str]:
    """The entities Telegram makes of ``html`` (raises when Telegram would refuse it)."""
    return [entity.type for entity in parse_html(html)[1]]


# --- hostile text ---------------------------------------------------------------------------

#: Any code point Telegram's JSON can carry (lone surrogates cannot be encoded).
ANY_CHAR = st.characters(exclude_categories=("Cs",))

FRAGMENTS = (
    # markup
    "<b>", "</b>", "</code>", "<i>unclosed", "<pre><code class=\"language-py\">",
    '<a href="https://evil.example/?a=1&b=2">x</a>', "<script>alert(1)</script>",
    "<tg-spoiler>", "<span>", "&amp;", "&lt;", "&gt;", "&", "<", ">", '"', "'",
    "&#0;", "&#x110000;", "&nbsp;",
    # control characters and invisible ones
    "\x00", "\x01", "\x1b[31m", "\x7f", "\x85", "\r", "\r\n", "\n", "\t", "\x0b",
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069",
    "\ufeff", "\u2028", "\u2029", "\u3000", "\u00a0", "\u202f",
    # combining marks, emoji sequences, the ends of Unicode
    "e\u0301", "\u0301" * 40, "👩\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "🇺🇦", "👍🏽", "1️⃣",
    "\U0010ffff", "\ufffd", "\uffff", "\U0001f600" * 3,
    # digits that are not ASCII
    "²", "٣", "١٠٠٠", "１０００", "Ⅻ", "𝟗",
    # queries, formats, Fluent
    "'; DROP TABLE orders; --", '" OR 1=1 --', "%", "_", "\\", "%00",
    "{0}", "{}", "%s", "%(name)s", "{ $name }", "{ -brand }", "{$x}", "{{", "}}",
    # numbers that are almost numbers
    "1e99", "-1e99", "NaN", "Infinity", "-0", "0x10", "1_000", "9" * 30, "-1", "+5", "0",
    "1,00", "10.", ".5",
    # link and name pieces
    "https://", "https://instagram.com/", "http://", "t.me/", "@", "#", "javascript:",
    "//", "?", "=",
)  # fmt: skip

#: Texts of Telegram's longest message and longer, made of characters that escaping
#: lengthens, that take two UTF-16 units, or that combine.
LONG_TEXTS = tuple(
    (unit * length)[:length]
    for unit in ("x", '"', "<b>", "&", "😀", "👩\u200d👩\u200d👧\u200d👦", "e\u0301", "9", "\n")
    for length in (4096, 5000)
)

#: What a number may be made of besides ASCII digits: "²" and "٣" are digits to
#: ``str.isdigit``, "Ⅻ" and "½" numerals, the rest separators and signs.
NOT_QUITE_DIGITS = (
    "²", "٣", "١", "１", "𝟗", "Ⅻ", "½", " ", ",", ".", "_", "-", "+", "e", "\u00a0", "\u202f",
)  # fmt: skip

#: Examples per property: each is one update or two through the whole bot.
ROUND_TRIP = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_COMMANDS_HANDLED_FIRST = frozenset({"/start", "/cancel", "/help"})


def _not_a_command(text: str) -> bool:
    """True unless the text is a command the menu answers before any form or search."""
    words = text.split(maxsplit=1)
    return not words or words[0].split("@")[0] not in _COMMANDS_HANDLED_FIRST


def hostile_text(valid: str = "") -> st.SearchStrategy[str]:
    """Text a customer (or a script) may send: pieces of markup, control characters,
    Unicode edge cases, long texts, and ``valid`` with such pieces around it."""
    piece = st.one_of(st.sampled_from(FRAGMENTS), st.text(ANY_CHAR, max_size=6))
    mixed = st.lists(piece, min_size=1, max_size=8).map("".join)
    around = st.tuples(mixed, mixed).map(lambda ends: ends[0] + valid + ends[1])
    after = mixed.map(lambda end: valid + end)
    numberish = st.lists(
        st.sampled_from((*"0123456789", *NOT_QUITE_DIGITS)), min_size=1, max_size=14
    ).map("".join)
    lookalike = st.tuples(st.integers(0, len(valid)), st.sampled_from(NOT_QUITE_DIGITS)).map(
        lambda insert: valid[: insert[0]] + insert[1] + valid[insert[0] :]
    )
    return st.one_of(
        lookalike,
        numberish,
        mixed,
        around,
        after,
        st.text(ANY_CHAR, min_size=1, max_size=200),
        st.sampled_from(LONG_TEXTS),
    ).filter(lambda text: text != "" and _not_a_command(text))


# --- the shop's books -----------------------------------------------------------------------


async def assert_money_untouched(
    services: Runtime, panel: SandboxPanel, user_id: int, funds: Decimal = FUNDS
) -> None:
    """No order, no ledger row but the customer's top-up, no ``add`` at the panel."""
    assert await ledger(services, user_id) == [(LedgerReason.TOPUP, funds)]
    assert row_count(services, "orders") == 0
    assert add_requests(panel) == []


def shop_rows(services: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the shop's tables but the FSM's, read as another process would."""
    skipped = {"fsm", "schema_migrations"}
    with closing(sqlite3.connect(services.settings.database_path)) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            if name not in skipped
        ]
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()  # noqa: S608
            for table in tables
        }


# --- every step of every order form ---------------------------------------------------------


@dataclass(frozen=True)
class Tap:
    """An answer given with a button; typed, its label is the nearest valid text."""

    label: str


@dataclass(frozen=True)
class Form:
    """An order type's form with a valid answer to each of its steps, in order."""

    order_type: OrderType
    answers: tuple[str | Tap, ...]
    where: Callable[[Service], bool] = field(default=lambda service: True)


FORM_ANSWERS = (
    Form(
        OrderType.DEFAULT,
        (LINK, "1000", Tap("Yes"), "3", "60"),
        where=lambda service: service.dripfeed,
    ),
    Form(OrderType.PACKAGE, (LINK,)),
    Form(OrderType.CUSTOM_COMMENTS, (LINK, "\n".join(f"Comment {n}" for n in range(10)))),
    Form(OrderType.MENTIONS_WITH_HASHTAGS, (LINK, "300", "@alice\nbob.b", "#travel\nfood")),
    Form(OrderType.MENTIONS_CUSTOM_LIST, (LINK, "\n".join(f"@fan_{n:03}" for n in range(100)))),
    Form(OrderType.MENTIONS_HASHTAG, (LINK, "750", "travel")),
    Form(OrderType.MENTIONS_USER_FOLLOWERS, (LINK, "500", "some.star")),
    Form(
        OrderType.SUBSCRIPTIONS,
        ("shop.alice", "100", "200", "5", "2", Tap("30"), f"1/6/{NEXT_YEAR}"),
    ),
    Form(OrderType.CUSTOM_COMMENTS_PACKAGE, (LINK, "First!\nSecond")),
    Form(OrderType.POLL, ("t.me/shop_news/42", "1000", "2")),
)


@dataclass(frozen=True)
class FormStep:
    form: Form
    index: int

    @property
    def fields(self) -> list[str]:
        return [step.field for step in FLOWS[self.form.order_type]]

    @property
    def field(self) -> str:
        return self.fields[self.index]

    @property
    def state(self) -> str:
        return str(state_for(self.form.order_type, self.field).state)

    @property
    def later_states(self) -> set[str]:
        return {
            str(state_for(self.form.order_type, name).state)
            for name in self.fields[self.index + 1 :]
        }

    @property
    def typed_valid(self) -> str:
        answer = self.form.answers[self.index]
        return answer.label if isinstance(answer, Tap) else answer

    def __str__(self) -> str:
        return f"{self.form.order_type.value}:{self.field}"


STEPS = [FormStep(form, index) for form in FORM_ANSWERS for index in range(len(form.answers))]


def test_every_step_of_every_order_form_is_fuzzed() -> None:
    fuzzed = {(step.form.order_type, step.field) for step in STEPS}
    assert fuzzed == {
        (order_type, step.field) for order_type, flow in FLOWS.items() for step in flow
    }
    assert {step.state for step in STEPS} == {str(state.state) for state in FORM_STATES.values()}


async def _give(client: BotClient, answer: str | Tap) -> None:
    if isinstance(answer, Tap):
        await client.click(answer.label)
    else:
        await client.send(answer)


@dataclass
class Scene:
    """Where a test's customer stands, kept across Hypothesis's examples: the FSM's state
    and data there and the question on screen, as sent."""

    client: BotClient | None = None
    state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    question: str = ""
    buttons: list[list[str]] = field(default_factory=list)
    summaries: int = 0

    async def remember(self, client: BotClient) -> None:
        self.client = client
        self.state = await client.fsm_state()
        self.data = await client.fsm_context().get_data()
        self.question = client.screen.last.html or ""
        self.buttons = client.screen.last.buttons

    async def restore(self, services: Runtime) -> BotClient:
        """Back to the remembered step, in English, whatever the last example did."""
        assert self.client is not None
        context = self.client.fsm_context()
        if await context.get_state() != self.state:
            await context.set_state(self.state)
        if await context.get_data() != self.data:
            await context.set_data(self.data)
        async with services.db.read() as r:
            customer = await r.users.get(self.client.user.id)
        if customer is not None and customer.language != "en":
            await set_language(services.db, customer.id, "en")
        return self.client


@pytest.fixture
def scene() -> Scene:
    return Scene()


async def _at_step(
    scene: Scene,
    step: FormStep,
    make_client: Callable[..., BotClient],
    panel: SandboxPanel,
    services: Runtime,
) -> BotClient:
    if scene.client is not None:
        return await scene.restore(services)
    client = make_client(user_id=5100)
    await client.send("/start")
    await top_up(services, client.user.id, FUNDS)
    await start_order(client, panel, service_of_type(panel, step.form.order_type, step.form.where))
    for answer in step.form.answers[: step.index]:
        await _give(client, answer)
    assert await client.fsm_state() == step.state
    await scene.remember(client)
    return client


@pytest.mark.parametrize("step", STEPS, ids=str)
@settings(ROUND_TRIP, max_examples=25)
@given(data=st.data())
async def test_hostile_text_at_a_form_step_is_asked_again_or_taken(
    step: FormStep,
    data: st.DataObject,
    scene: Scene,
    handler_errors: list[BaseException],
    make_client: Callable[..., BotClient],
    panel: SandboxPanel,
    services: Runtime,
) -> None:
    client = await _at_step(scene, step, make_client, panel, services)
    text = data.draw(hostile_text(step.typed_valid), label="text")

    requests = await client.send(text)

    assert handler_errors == []

    [reply] = requests.of(SendMessage)
    assert requests.of(EditMessageText) == []
    html = reply.text
    state = await client.fsm_state()
    if state == step.state:
        reason, _, question = html.partition("\n\n")
        assert question == scene.question
        assert set(keys_matching("order", reason, "input-")) - {"input-send-text"}, reason
        assert entity_kinds(html) == []
        assert client.screen.last.buttons == scene.buttons
        assert await client.fsm_context().get_data() == scene.data
    elif state == "Confirming:quote":
        scene.summaries += 1
        assert texts("order")["quote-summary"].fullmatch(html), html
        assert entity_kinds(html) == ["bold", "bold"]
    else:
        assert state in step.later_states, state
        assert keys_matching("order", html, "ask-"), html
        assert entity_kinds(html) == []
        answers = (await client.fsm_context().get_data())["answers"]
        assert step.field in answers
    assert row_count(services, "quotes") == scene.summaries
    await assert_money_untouched(services, panel, client.user.id)


# --- the longest answers, full of markup, in the summary, the card and /order ----------------

#: The longest answers each step takes, made of the characters escaping lengthens most
#: ('"' becomes six).
QUOTES = '"' * 478
WORST_LINK = f"https://instagram.com/{QUOTES}"
WORST_LINE = "<" * 150 + '"' * 150
WORST_USERNAME = "&" * 250 + '"' * 250

WORST_FORMS = (
    Form(OrderType.DEFAULT, (WORST_LINK, "1000", Tap("No")), where=lambda s: s.dripfeed),
    Form(OrderType.PACKAGE, (WORST_LINK,)),
    Form(OrderType.CUSTOM_COMMENTS, (WORST_LINK, "\n".join([WORST_LINE[:299]] * 11))),
    Form(
        OrderType.MENTIONS_WITH_HASHTAGS,
        (WORST_LINK, "300", "\n".join([WORST_LINE] * 11), "\n".join(["#" + "ж" * 100] * 30)),
    ),
    Form(OrderType.MENTIONS_CUSTOM_LIST, (WORST_LINK, "\n".join(['<"&' * 11] * 100))),
    Form(OrderType.MENTIONS_HASHTAG, (WORST_LINK, "750", "ж" * 100)),
    Form(OrderType.MENTIONS_USER_FOLLOWERS, (WORST_LINK, "500", WORST_USERNAME)),
    Form(
        OrderType.SUBSCRIPTIONS,
        (WORST_USERNAME, "100", "200", "5", "2", Tap("30"), f"1/6/{NEXT_YEAR}"),
    ),
    Form(OrderType.CUSTOM_COMMENTS_PACKAGE, (WORST_LINK, WORST_LINE)),
    Form(OrderType.POLL, (f"https://t.me/{QUOTES}{'&' * 9}", "1000", "2")),
)


def _shown(value: str, limit: int) -> str:
    """How a long answer is shown: its start and "…"."""
    return value if len(value) <= limit else f"{value[: limit - 1]}…"


@pytest.mark.parametrize("form", WORST_FORMS, ids=lambda form: form.order_type.value)
async def test_the_longest_answers_full_of_markup_are_summarised_as_typed(
    form: Form, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(500))
    await start_order(alice, panel, service_of_type(panel, form.order_type, form.where))
    for answer in form.answers:
        await _give(alice, answer)

    assert await alice.fsm_state() == "Confirming:quote"
    summary = alice.screen.last
    assert entity_kinds(summary.html or "") == ["bold", "bold"]
    shown = summary.text or ""
    # A list shows its first lines, each cut at 60 characters; one answer its first 150.
    hostile = [answer for answer in form.answers if isinstance(answer, str) and len(answer) > 99]
    assert hostile
    for value in hostile:
        first = value.split("\n")[0].strip()
        assert _shown(first, 60 if "\n" in value else 150) in shown, (first, shown)


async def test_a_link_full_of_markup_is_shown_escaped_on_the_card_and_to_the_admins(
    alice: BotClient,
    make_client: Callable[..., BotClient],
    panel: SandboxPanel,
    services: Runtime,
) -> None:
    service = service_of_type(panel, OrderType.DEFAULT, lambda s: not s.dripfeed)
    await alice.send("/start")
    await top_up(services, alice.user.id, FUNDS)
    await reach_summary(alice, panel, service, link=WORST_LINK, quantity=1000)
    await alice.click("Confirm")
    assert (alice.screen.last.text or "").startswith("✅ Order #1 placed")
    assert [request["link"] for request in add_requests(panel)] == [WORST_LINK]

    # Fluent takes 2,500 characters in a placeable: escaped, the link's start fills them
    # (22 characters, then 412 quotes of six), then "…".
    shown = f"\n🔗 {WORST_LINK[: 22 + 412]}…\n"
    await alice.click("My orders")
    await alice.click("#1")
    assert shown in (alice.screen.last.text or "")
    owner = make_client(user_id=OWNER, chat_id=ADMIN_CHAT, first_name="Olga", username="olga")
    await owner.send("/order 1")
    assert shown in (owner.screen.last.text or "")


# --- the menu, the summary, the top-up amount ------------------------------------------------


@ROUND_TRIP
# A text starting with "/" is a command, never a search.
@given(text=hostile_text("Instagram").filter(lambda text: not text.startswith("/")))
async def test_hostile_text_at_the_menu_is_searched_for_as_typed(
    text: str,
    scene: Scene,
    handler_errors: list[BaseException],
    make_client: Callable[..., BotClient],
    panel: SandboxPanel,
    services: Runtime,
) -> None:
    if scene.client is None:
        client = make_client(user_id=5200)
        await client.send("/start")
        await top_up(services, client.user.id, FUNDS)
        await scene.remember(client)
    client = await scene.restore(services)

    requests = await client.send(text)

    assert handler_errors == []

    [reply] = requests.of(SendMessage)
    shown, entities = parse_html(reply.text)
    assert entities == []
    if len(text) > 64:
        assert shown == "That is too long to search for. Type a few words or a service number."
    elif client.screen.last.buttons[-1] == ["🏠 Menu"]:
        assert shown == f"🔎 Services matching “{text}”:"
    else:
        assert shown == f"Nothing matches “{text}”. Try another word, or open the catalogue."
    assert await client.fsm_state() is None
    await assert_money_untouched(services, panel, client.user.id)


@ROUND_TRIP
@given(text=hostile_text("Confirm"))
async def test_hostile_text_at_the_summary_points_to_its_buttons(
    text: str,
    scene: Scene,
    handler_errors: list[BaseException],
    make_client: Callable[..., BotClient],
    panel: SandboxPanel,
    services: Runtime,
) -> None:
    if scene.client is None:
        client = make_client(user_id=5300)
        await client.send("/start")
        await top_up(services, client.user.id, FUNDS)
        await reach_summary(client, panel, service_of_type(panel, OrderType.DEFAULT))
        await scene.remember(client)
    client = await scene.restore(services)

    requests = await client.send(text)

    assert handler_errors == []

    [reply] = requests.of(SendMessage)
    assert reply.text == USE_BUTTONS
    assert await client.fsm_state() == "Confirming:quote"
    assert await client.fsm_context().get_data() == scene.data
    assert row_count(services, "quotes") == 1
    await assert_money_untouched(services, panel, client.user.id)


@ROUND_TRIP
@given(text=hostile_text("12.50"))
@example(text="1e99")
@example(text="-1e99")
@example(text="1e-99")
async def test_hostile_text_for_a_top_up_amount_is_asked_again_or_invoiced(
    text: str,
    scene: Scene,
    handler_errors: list[BaseException],
    make_client: Callable[..., BotClient],
    panel: SandboxPanel,
    services: Runtime,
) -> None:
    if scene.client is None:
        client = make_client(user_id=5400)
        await client.send("/start")
        await top_up(services, client.user.id, FUNDS)
        await client.click("Balance")
        await client.click("Top up")
        await client.click("Another amount")
        await scene.remember(client)
    client = await scene.restore(services)
    invoices = row_count(services, "star_invoices")

    requests = await client.send(text)

    assert handler_errors == []

    if requests.of(SendInvoice):
        [invoice] = requests.of(SendInvoice)
        assert invoice.currency == "XTR"
        assert await client.fsm_state() is None
        assert row_count(services, "star_invoices") == invoices + 1
    else:
        [reply] = requests.of(SendMessage)
        assert keys_matching("payments", reply.text, "topup-amount-"), reply.text
        assert entity_kinds(reply.text) == []
        assert await client.fsm_state() == "TopUpForm:amount"
        assert row_count(services, "star_invoices") == invoices
    await assert_money_untouched(services, panel, client.user.id)


# --- the admin commands' arguments -----------------------------------------------------------

#: The replies each command may give; the second set are those that change the shop.
ADMIN_REPLIES: dict[str, tuple[set[str], set[str]]] = {
    "order": ({"admin-order-not-found", "admin-order"}, set()),
    "attach": ({"admin-refused"}, {"admin-attached"}),
    "refund": ({"admin-refused"}, {"admin-refunded"}),
    "user": ({"admin-user-not-found", "admin-user"}, set()),
    "credit": ({"admin-user-not-found"}, {"admin-credit-done"}),
    "debit": ({"admin-user-not-found", "admin-debit-short"}, {"admin-debit-done"}),
    "service": ({"admin-service-not-found"}, {"admin-service-on", "admin-service-off"}),
    "price": ({"admin-service-not-found"}, {"admin-price-set", "admin-price-reset"}),
    "markup": (set(), {"admin-markup-set"}),
    "stats": ({"admin-stats"}, set()),
    "refundstars": (
        {
            "admin-user-not-found",
            "admin-refundstars-unknown-payment",
            "admin-refundstars-already-refunded",
            "admin-refundstars-balance-too-low",
            "admin-refundstars-telegram-refused",
        },
        {"admin-refundstars-done"},
    ),
}
#: Beginnings that make the rest of the arguments count: a known customer, order, service.
ADMIN_PREFIXES = ("", "1 ", "111 ", "@alice ", "101 ", "111 5 ", "1 23501 ", "101 on ")


@ROUND_TRIP
@given(
    command=st.sampled_from(sorted(ADMIN_REPLIES)),
    prefix=st.sampled_from(ADMIN_PREFIXES),
    args=hostile_text("5"),
)
async def test_hostile_admin_arguments_get_usage_or_a_refusal_and_change_nothing(
    command: str,
    prefix: str,
    args: str,
    scene: Scene,
    handler_errors: list[BaseException],
    make_client: Callable[..., BotClient],
    services: Runtime,
) -> None:
    if scene.client is None:
        await add_customer(services, 111, username="alice", first_name="Alice", funds=FUNDS)
        await place(services, 111)
        scene.client = make_client(user_id=OWNER, chat_id=ADMIN_CHAT, first_name="Olga")
    owner = scene.client
    before = shop_rows(services)

    requests = await owner.send(f"/{command} {prefix}{args}")

    assert handler_errors == []
    [reply] = requests.of(SendMessage)
    assert reply.reply_parameters is not None
    parse_html(reply.text)  # raises where Telegram would refuse the reply
    quiet, changing = ADMIN_REPLIES[command]
    usage = texts("admin")["admin-usage"].fullmatch(reply.text)
    said = set(keys_matching("admin", reply.text, "admin-")) - {"admin-usage"}
    if usage:
        assert reply.text == "Usage: " + written("admin", f"admin-usage-{command}")
    else:
        assert said & (quiet | changing), reply.text
    if usage or not said & changing:
        assert shop_rows(services) == before


# --- forged buttons --------------------------------------------------------------------------

PREFIXES = ("m", "cats", "cat", "svc", "buy", "ch", "q", "lang", "stop", "os", "o", "oa", "tu")
WORDS = (
    "confirm", "drop", "refresh", "refill", "cancel", "main", "new", "orders", "balance",
    "topup", "topup-new", "referral", "help", "language", "link", "quantity", "drip_feed",
    "delay", "yes", "no", "30", "en", "ru", "",
)  # fmt: skip
NUMBERS = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(("-0", "1e99", "NaN", "0x1f", "²", "1_0", "9" * 40, "-1")),
)
FORGED_DATA = st.one_of(
    st.builds(
        lambda prefix, parts: ":".join([prefix, *parts]),
        st.sampled_from(PREFIXES),
        st.lists(
            st.one_of(NUMBERS, st.sampled_from(WORDS), st.text(ANY_CHAR, max_size=8)), max_size=4
        ),
    ),
    st.text(ANY_CHAR, min_size=1, max_size=64),
    st.sampled_from(FRAGMENTS),
)

#: Toasts that say a button did nothing.
REFUSALS = {OUTDATED, UNAVAILABLE, NOT_FOUND}

SCREENS = {
    "menu": (),
    "form": (LINK,),
    "summary": (LINK, "1000"),
}


@pytest.mark.parametrize("screen", SCREENS, ids=str)
@ROUND_TRIP
@given(data=FORGED_DATA)
async def test_a_forged_button_is_answered_and_moves_no_money(
    screen: str,
    data: str,
    scene: Scene,
    handler_errors: list[BaseException],
    make_client: Callable[..., BotClient],
    panel: SandboxPanel,
    services: Runtime,
) -> None:
    if scene.client is None:
        client = make_client(user_id=5500)
        await client.send("/start")
        await top_up(services, client.user.id, FUNDS)
        if SCREENS[screen]:
            service = service_of_type(panel, OrderType.DEFAULT, lambda s: not s.dripfeed)
            await start_order(client, panel, service)
            for answer in SCREENS[screen]:
                await client.send(answer)
        await scene.remember(client)
    client = await scene.restore(services)
    messages = [(m.message_id, m.html, m.buttons) for m in client.screen.messages]

    requests = await client.click_data(data)

    assert handler_errors == []

    assert unanswered_callbacks(client) == set()
    [answer] = requests.of(AnswerCallbackQuery)
    if answer.text in REFUSALS:
        assert [(m.message_id, m.html, m.buttons) for m in client.screen.messages] == messages
        assert await client.fsm_state() == scene.state
        assert await client.fsm_context().get_data() == scene.data
    for message in requests.messages:
        entity_kinds(message.text or "")
    await assert_money_untouched(services, panel, client.user.id)


FORGED = {
    "order id too large for the database": ("o:99999999999999999999:0", OUTDATED),
    "negative order id": ("o:-1:0", OUTDATED),
    "refresh of an id too large": ("oa:refresh:99999999999999999999", OUTDATED),
    "cancel of a negative id": ("oa:cancel:-1", OUTDATED),
    "refill of nobody's order": ("oa:refill:424242", NOT_FOUND),
    "nobody's order": ("o:424242:0", NOT_FOUND),
    "a top-up of 1e99": ("tu:1e99", OUTDATED),
    "a negative top-up": ("tu:-5", OUTDATED),
    "a top-up below the minimum": ("tu:0.001", OUTDATED),
    "a top-up of NaN": ("tu:NaN", OUTDATED),
    "a top-up of Infinity": ("tu:Infinity", OUTDATED),
    "a service that does not exist": ("buy:424242", UNAVAILABLE),
    "a negative service": ("buy:-1", OUTDATED),
    "a service id of 2**64": ("buy:18446744073709551616", OUTDATED),
    "too many parts": ("svc:101:0:0:0", OUTDATED),
    "a form answer with no form": ("ch:delay:30", OUTDATED),
    "a quote action alone": ("q", OUTDATED),
    "an unknown language": ("lang:../../etc/passwd", OUTDATED),
    "markup as a screen": ("m:<b>", OUTDATED),
    "64 bytes of garbage": ("\x00" * 8 + "☃" * 18 + "ab", OUTDATED),
    "sixteen emoji": ("😀" * 16, OUTDATED),
}


@pytest.mark.parametrize(("data", "toast"), FORGED.values(), ids=FORGED.keys())
async def test_a_forged_button_gets_a_polite_toast_and_changes_nothing(
    data: str, toast: str, alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await alice.send("/start")
    await top_up(services, alice.user.id, FUNDS)
    menu = alice.screen.last
    shown = (menu.html, menu.buttons)

    requests = await alice.click_data(data)

    assert alice.last_answer_callback().text == toast
    assert requests.of(SendMessage) == []
    assert requests.of(EditMessageText) == []
    assert (menu.html, menu.buttons) == shown
    assert await alice.fsm_state() is None
    assert panel.requests == [] or all(r.action != "add" for r in panel.requests)
    await assert_money_untouched(services, panel, alice.user.id)


async def test_an_admins_forged_button_in_the_group_is_answered(
    make_client: Callable[..., BotClient], services: Runtime
) -> None:
    owner = make_client(user_id=OWNER, chat_id=ADMIN_CHAT, first_name="Olga")
    await owner.send("/stats")
    before = shop_rows(services)

    for data, toast in (
        ("ao:refresh:99999999999999999999", OUTDATED),
        ("ao:cancel:-1", OUTDATED),
        ("ao:explode:1", "No order 1."),
        ("☃", OUTDATED),
        ("m:main", OUTDATED),
    ):
        requests = await owner.click_data(data)
        assert owner.last_answer_callback().text == toast, data
        assert requests.of(EditMessageText) == [], data

    assert shop_rows(services) == before


FORGED_ANSWERS = {
    "a delay in another script": (
        OrderType.SUBSCRIPTIONS,
        ("shop.alice", "100", "200", "5", "2"),
        "ch:delay:²",
        "Please choose one of the buttons.",
    ),
    "a delay not offered": (
        OrderType.SUBSCRIPTIONS,
        ("shop.alice", "100", "200", "5", "2"),
        "ch:delay:7",
        "Please choose one of the buttons.",
    ),
    "a quantity of 40 digits": (
        OrderType.DEFAULT,
        (LINK,),
        "ch:quantity:" + "9" * 40,
        "⚠️ Please send a whole number, like 1000.",
    ),
    "a link by button": (
        OrderType.DEFAULT,
        (),
        "ch:link:javascript",
        "⚠️ That does not look like a link. Send a full address such as "
        "https://instagram.com/yourpage.",
    ),
}


@pytest.mark.parametrize(
    ("order_type", "before", "data", "reason"), FORGED_ANSWERS.values(), ids=FORGED_ANSWERS.keys()
)
async def test_a_forged_answer_button_is_checked_like_typed_text(
    order_type: OrderType,
    before: tuple[str, ...],
    data: str,
    reason: str,
    alice: BotClient,
    panel: SandboxPanel,
    services: Runtime,
) -> None:
    await alice.send("/start")
    await top_up(services, alice.user.id, FUNDS)
    service = service_of_type(panel, order_type, lambda s: not s.dripfeed)
    await start_order(alice, panel, service)
    for answer in before:
        await alice.send(answer)
    question = alice.screen.last
    state, form = await alice.fsm_state(), await alice.fsm_context().get_data()

    await alice.click_data(data)

    assert alice.screen.last.text == f"{reason}\n\n{question.text}"
    assert alice.screen.last.buttons == question.buttons
    assert await alice.fsm_state() == state
    assert await alice.fsm_context().get_data() == form
    await assert_money_untouched(services, panel, alice.user.id)


# --- another customer's quote; replayed buttons ----------------------------------------------


def _confirm_data(client: BotClient) -> str:
    data = client.screen.find_button("Confirm").callback_data
    assert data is not None
    return data


async def test_another_customers_quote_can_be_neither_confirmed_nor_dropped(
    alice: BotClient,
    make_client: Callable[..., BotClient],
    panel: SandboxPanel,
    services: Runtime,
) -> None:
    service = service_of_type(panel, OrderType.DEFAULT, lambda s: not s.dripfeed)
    bob = make_client(user_id=222, first_name="Bob", username="bob")
    await bob.send("/start")
    await top_up(services, bob.user.id, FUNDS)
    await reach_summary(bob, panel, service)
    bobs_quote = _confirm_data(bob).removeprefix("q:confirm:")
    await alice.send("/start")
    await top_up(services, alice.user.id, FUNDS)

    await alice.click_data(f"q:confirm:{bobs_quote}")
    assert alice.screen.last.text == OUTDATED
    await alice.click_data(f"q:drop:{bobs_quote}")
    assert alice.screen.last.text == "Order dropped. Nothing was charged."
    await assert_money_untouched(services, panel, alice.user.id)

    # Bob's price still stands, and is his to confirm.
    await bob.click("Confirm")
    assert (bob.screen.last.text or "").startswith("✅ Order #1 placed")
    assert await ledger(services, bob.user.id) == [
        (LedgerReason.TOPUP, FUNDS),
        (LedgerReason.ORDER_CHARGE, -order_price(service, 1000)),
    ]
    assert await ledger(services, alice.user.id) == [(LedgerReason.TOPUP, FUNDS)]


def _buttons_ever_sent(client: BotClient) -> list[str]:
    """The callback data of every button the bot ever showed the customer, oldest first."""
    seen: list[str] = []
    for call in client.session.calls:
        method = call.method
        if (
            call.ok
            and isinstance(method, SendMessage | EditMessageText)
            and method.chat_id == client.chat.id
        ):
            for label, data in [b for row in inline_rows(method.reply_markup) for b in row]:
                if data and data not in seen and not label.startswith("http"):
                    seen.append(data)
    return seen


async def test_every_old_button_replayed_after_the_order_and_a_catalogue_sync_moves_no_money(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    service = service_of_type(panel, OrderType.DEFAULT, lambda s: s.dripfeed)
    price = order_price(service, 1000)
    await alice.send("/start")
    await top_up(services, alice.user.id, FUNDS)
    await alice.click("Balance")
    await alice.click("Top up")
    await alice.click("Back")
    await alice.click("Menu")
    await reach_summary(alice, panel, service)
    confirm = _confirm_data(alice)
    await alice.click("Confirm")
    assert (alice.screen.last.text or "").startswith("✅ Order #1 placed")
    panel.disable_service(service.id)
    await sync_catalogue(services.db, services.panel)
    await alice.send("/cancel")
    seen = _buttons_ever_sent(alice)
    assert {confirm, f"buy:{service.id}", "ch:drip_feed:no"} <= set(seen)

    for _ in range(3):
        await alice.click_data(confirm)
        assert alice.screen.last.text == ALREADY_PLACED
    for data in seen:
        await alice.click_data(data)
        if data.startswith((f"svc:{service.id}:", f"buy:{service.id}")):
            assert alice.last_answer_callback().text == UNAVAILABLE, data
        if data.startswith("ch:"):
            assert alice.last_answer_callback().text == OUTDATED, data

    assert unanswered_callbacks(alice) == set()
    assert row_count(services, "orders") == 1
    assert len(add_requests(panel)) == 1
    assert await ledger(services, alice.user.id) == [
        (LedgerReason.TOPUP, FUNDS),
        (LedgerReason.ORDER_CHARGE, -price),
    ]


async def test_a_confirm_replayed_after_cancel_finds_the_price_gone(
    alice: BotClient, panel: SandboxPanel, services: Runtime
) -> None:
    await alice.send("/start")
    await top_up(services, alice.user.id, FUNDS)
    summary = await reach_summary(alice, panel, service_of_type(panel, OrderType.DEFAULT))
    confirm = _confirm_data(alice)
    await alice.send("/cancel")

    for _ in range(2):
        await alice.click_data(confirm, message_id=summary.message_id)
        assert summary.text == (
            "⌛ This price has expired. Please order again to get a fresh price."
        )

    assert unanswered_callbacks(alice) == set()
    await assert_money_untouched(services, panel, alice.user.id)


# --- names ----------------------------------------------------------------------------------

NAMES = {
    "markup": '<b>Bob</b> & <a href="tg://user?id=1">Eve</a> </code>',
    "sixty-four emoji": "😀" * 64,
    "right to left": "\u202eeciffO\u200f \u0645\u0631\u062d\u0628\u0627\u200d",
    "placeables": "{ $name } {0} %s &amp; {{",
    "combining marks": "Zalgo" + "\u0301\u0302\u0303" * 20,
}


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
async def test_every_screen_greets_a_hostile_name_as_it_is_written(
    name: str, make_client: Callable[..., BotClient], panel: SandboxPanel
) -> None:
    client = make_client(user_id=5600, first_name=name, username=None)
    hello = f"Hello, {name}!"
    greeting = f"👋 {hello}\nOrder followers, likes, views and more"

    def greets(html: str | None, after: str = "") -> None:
        shown, entities = parse_html(html or "")
        assert shown.startswith(after + greeting), shown
        [bold] = entities
        assert bold.type == "bold"
        assert (bold.offset, bold.length) == (_utf16(after + "👋 "), _utf16(hello))

    await client.send("/start")
    greets(client.screen.last.html)
    await client.click("Help")
    await client.click("Menu")
    greets(client.screen.last.html)
    await start_order(client, panel, service_of_type(panel, OrderType.DEFAULT))
    greets(client.screen.bot_messages[-4].html)
    await client.click("Cancel")
    greets(client.screen.last.html, "Cancelled. Nothing was ordered.\n\n")
    await client.send("/cancel")
    greets(client.screen.last.html)
    await client.click("Language")
    await client.click("English")
    greets(client.screen.last.html, "✅ Language changed to English.\n\n")

    owner = make_client(user_id=OWNER, chat_id=ADMIN_CHAT, first_name="Olga")
    await owner.send(f"/user {client.user.id}")
    shown, _ = parse_html(owner.screen.last.html or "")
    assert shown.startswith(f"Customer {client.user.id} {name} —\n"), shown


async def test_a_reply_telegram_refuses_reaches_the_test(
    alice: BotClient, session: RecordingSession, handler_errors: list[BaseException]
) -> None:
    session.fail_next(SendMessage, bad_request("can't parse entities: Unsupported start tag"))

    await alice.send("/start")

    [error] = handler_errors
    assert isinstance(error, TelegramBadRequest)
    handler_errors.clear()
