"""The nastiest input a customer (or a script posing as Telegram) can send, against the bot
as a separate process: bursts of huge, binary, markup and Unicode texts at the menu and at
two steps of an order form, forged buttons, buttons without a message or on one too old to
reach, updates the bot does not handle, messages without text or from a channel. The bot
answers each text with its own message, still serves /start afterwards, logs no traceback
and none of the customer's text, and nothing is ordered or charged."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from ..support.telegram import parse_html
from ..support.telegram.bot_api import BotApiCall
from ..support.telegram.chat import Customer
from .shop import Shop

_ids = itertools.count(500_000)

NOT_A_LINK = (
    "⚠️ That does not look like a link. Send a full address such as https://instagram.com/yourpage."
)
LINK_TOO_LONG = "⚠️ That link is too long (at most 500 characters)."
NOT_A_NUMBER = "⚠️ Please send a whole number, like 1000."
ASK_LINK = "🔗 Send the link (https://…)."
ASK_QUANTITY = "🔢 How many? From 100 to 50,000."
SEND_TEXT = "Please answer with text, or tap a button."
TOO_LONG_TO_SEARCH = "That is too long to search for. Type a few words or a service number."
OUTDATED = "This button is out of date. Open the menu to start again."

#: Each text carries a word that must never reach the log.
HUGE = "HUGECANARY " + "A" * 4085
HUGER = "MARKUPCANARY" + "<b>" * 2000
TEXTS = {
    "huge": HUGE,
    "huger": HUGER,
    "control": "CTRLCANARY\x00\x01\x02\x1b[31m\x7f\x85\r\t",
    "markup": '<b>HTMLCANARY</b><a href="javascript:alert(1)">x</a></code>&amp;<i>',
    "unicode": (
        "\u202eRTLCANARY\u200f\u200d👩\u200d👩\u200d👧\u200d👦 e\u0301\u0301 🇺🇦\ufeff\U0010ffff"
    ),
    "placeables": "{ $name } {0} %s %(x)s {{FMTCANARY}}",
    "query": "'; DROP TABLE orders; -- SQLCANARY",
}
CANARIES = ("HUGECANARY", "MARKUPCANARY", "CTRLCANARY", "HTMLCANARY", "RTLCANARY", "FMTCANARY",
            "SQLCANARY", "CAPTIONCANARY", "EDITCANARY", "A" * 20, "<b><b><b>")  # fmt: skip

#: Forged callback data, each within Telegram's 64 bytes.
FORGED = (
    "x" * 64,
    "☃" * 21,
    "\x00" * 8 + "😀" * 14,
    "o:99999999999999999999:0",
    "oa:refill:-7",
    "buy:18446744073709551616",
    "tu:1e99",
    "lang:../../etc/passwd",
    "m:<b>",
    "ch:quantity:100",
)


def _message(customer: Customer, **content: Any) -> dict[str, Any]:
    return {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": customer.chat,
        "from": customer.user,
        **content,
    }


def _text(customer: Customer, text: str) -> dict[str, Any]:
    return {"message": _message(customer, text=text)}


def _callback(customer: Customer, data: str, message: dict[str, Any] | None) -> dict[str, Any]:
    query: dict[str, Any] = {
        "id": f"hostile-{next(_ids)}",
        "from": customer.user,
        "chat_instance": "e2e",
        "data": data,
    }
    if message is not None:
        query["message"] = message
    return {"callback_query": query}


#: The calls that answer an update: a message, an edit, a callback's answer.
ANSWERS = frozenset({"sendMessage", "editMessageText", "answerCallbackQuery"})


async def _burst(
    shop: Shop, customer: Customer, updates: list[dict[str, Any]], answers: int
) -> list[BotApiCall]:
    """Queue ``updates`` at once, as a flood arrives; wait for ``answers`` answers and for
    the bot to fall quiet. The calls the bot made meanwhile."""
    start = len(shop.telegram.calls)
    for update in updates:
        shop.telegram.queue_update(update)
    deadline = time.monotonic() + 20
    while sum(call.method in ANSWERS for call in shop.telegram.calls[start:]) < answers:
        assert time.monotonic() < deadline, "the bot did not answer"
        await asyncio.sleep(0.05)
    customer.mark()
    await customer.settle()
    return [call for call in shop.telegram.calls[start:] if call.method != "getUpdates"]


def _sent(calls: list[BotApiCall], customer: Customer) -> list[str]:
    texts = [
        str(call.params["text"])
        for call in calls
        if call.method == "sendMessage" and call.params.get("chat_id") == customer.user_id
    ]
    for text in texts:
        parse_html(text)
    return texts


def _toasts(calls: list[BotApiCall]) -> dict[str, str | None]:
    return {
        str(call.params["callback_query_id"]): call.params.get("text")
        for call in calls
        if call.method == "answerCallbackQuery"
    }


def _visible(html: str) -> str:
    return parse_html(html)[0]


async def test_a_flood_of_hostile_input_is_answered_and_changes_nothing(shop: Shop) -> None:
    ann = Customer(shop.telegram, user_id=9301)
    await ann.send("/start")
    assert ann.last.text.startswith("👋 <b>Hello, Ann!</b>")
    menu = {
        "message_id": ann.last.message_id,
        "date": int(time.time()),
        "chat": ann.chat,
        "text": "menu",
    }

    # At the menu every text is a search, shown back as typed.
    calls = await _burst(shop, ann, [_text(ann, text) for text in TEXTS.values()], len(TEXTS))
    expected = sorted(
        TOO_LONG_TO_SEARCH
        if len(text) > 64
        else f"Nothing matches “{text}”. Try another word, or open the catalogue."
        for text in TEXTS.values()
    )
    assert sorted(_visible(text) for text in _sent(calls, ann)) == expected

    # Forged buttons on the menu: each answered, none acted on.
    updates = [_callback(ann, data, menu) for data in FORGED]
    calls = await _burst(shop, ann, updates, len(updates))
    toasts = _toasts(calls)
    assert toasts == {update["callback_query"]["id"]: OUTDATED for update in updates}
    assert _sent(calls, ann) == []
    assert [call for call in calls if call.method == "editMessageText"] == []

    # The link step of an order form.
    await ann.click("New order")
    await ann.click("Instagram Followers (")
    await ann.click("Instagram Followers [HQ]")
    await ann.click("Order")
    assert ann.last.text == ASK_LINK
    calls = await _burst(shop, ann, [_text(ann, text) for text in TEXTS.values()], len(TEXTS))
    expected = sorted(
        f"{LINK_TOO_LONG if len(text) > 500 else NOT_A_LINK}\n\n{ASK_LINK}"
        for text in TEXTS.values()
    )
    assert sorted(_sent(calls, ann)) == expected

    # The quantity step, with a sticker and a captioned photo among the texts.
    await ann.send("https://instagram.com/ann.shop")
    assert ann.last.text == ASK_QUANTITY
    sticker = {
        "file_id": "sticker",
        "file_unique_id": "s1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    photo = [{"file_id": "photo", "file_unique_id": "p1", "width": 90, "height": 90}]
    calls = await _burst(
        shop,
        ann,
        [
            *(_text(ann, text) for text in TEXTS.values()),
            {"message": _message(ann, sticker=sticker)},
            {"message": _message(ann, photo=photo, caption="<b>CAPTIONCANARY</b>")},
        ],
        len(TEXTS) + 2,
    )
    assert sorted(_sent(calls, ann)) == sorted(
        [f"{NOT_A_NUMBER}\n\n{ASK_QUANTITY}"] * len(TEXTS) + [f"{SEND_TEXT}\n\n{ASK_QUANTITY}"] * 2
    )

    # Updates the bot has no business with: it stays silent, and stays up.
    channel = {"id": -1007770001, "type": "channel", "title": "<b>News</b>"}
    group = {"id": -1008880001, "type": "supergroup", "title": "Chat"}
    channel_bot = {"id": 136817688, "is_bot": True, "first_name": "Channel"}
    stamp = {"message_id": next(_ids), "date": int(time.time())}
    inaccessible = {"message_id": 1, "date": 0, "chat": ann.chat}
    silent = [
        {"edited_message": {**_message(ann, text="<b>EDITCANARY</b>"), "edit_date": 1}},
        {"channel_post": {**stamp, "chat": channel, "sender_chat": channel, "text": "<i>"}},
        {
            "message": {
                **stamp,
                "chat": group,
                "from": channel_bot,
                "sender_chat": channel,
                "text": "/start",
            }
        },
        # Only a message sent in inline mode has no message in its callbacks; the shop has
        # none, so such a button can only be forged.
        _callback(ann, "m:help", None),
    ]
    help_on_an_old_message = _callback(ann, "m:help", inaccessible)
    calls = await _burst(shop, ann, [*silent, help_on_an_old_message, _text(ann, "?")], 3)
    sent = _sent(calls, ann)
    assert f"{NOT_A_NUMBER}\n\n{ASK_QUANTITY}" in sent
    assert len(sent) == 2, sent
    assert sum(text.startswith("<b>How ordering works</b>") for text in sent) == 1
    assert _toasts(calls) == {help_on_an_old_message["callback_query"]["id"]: None}
    assert {call.params.get("chat_id") for call in calls} <= {ann.user_id, None}

    # The form goes on as if nothing happened, and /start still works.
    await ann.send("1000")
    assert ann.last.text.startswith("🧾 <b>Your order</b>")
    await ann.send("/cancel")
    await ann.send("/start")
    assert ann.last.text.startswith("👋 <b>Hello, Ann!</b>")

    log = await shop.stop()
    for canary in CANARIES:
        assert canary not in log, canary
    assert shop.query("SELECT COUNT(*) FROM orders") == [(0,)]
    assert shop.query("SELECT COUNT(*) FROM ledger") == [(0,)]
    assert [r.action for r in shop.panel.requests if r.action == "add"] == []
