"""A support round trip through the bot running as its own process, over HTTP: a customer
writes to support, the message reaches their topic in the admin group (a forum), and the
staff's answer written in that topic reaches the customer."""

from __future__ import annotations

from ..support.telegram import updates
from ..support.telegram.bot_api import BotApiCall
from ..support.telegram.chat import Customer
from .shop import ADMIN_CHAT, OWNER, Shop

ANN = 5151


def _copies(shop: Shop, to_chat: int) -> list[BotApiCall]:
    """The copies of messages delivered to ``to_chat``."""
    return [
        call
        for call in shop.telegram.calls
        if call.method == "copyMessage"
        and call.params.get("chat_id") == to_chat
        and call.result is not None
    ]


async def test_a_customers_message_reaches_their_topic_and_the_answer_reaches_them(
    shop: Shop,
) -> None:
    shop.telegram.topics[ADMIN_CHAT] = set()
    ann = Customer(shop.telegram, ANN, "Ann")
    await ann.send("/support")
    assert "Write to the shop's staff" in ann.last.text

    ann.mark()
    question = updates.text_message(ann.chat, ann.user, "my order has not started")
    ann.post({"message": question})
    await ann.settle()
    assert ann.texts("Your message reached the shop's staff")
    await shop.telegram.until(
        lambda: bool(_copies(shop, ADMIN_CHAT)), what="the copy in the group"
    )

    [topic] = [c for c in shop.telegram.calls if c.method == "createForumTopic"]
    assert topic.params["name"] == f"Ann · {ANN}"
    thread = topic.result["message_thread_id"]
    [copy] = _copies(shop, ADMIN_CHAT)
    assert (copy.params["from_chat_id"], copy.params["message_id"]) == (
        ANN,
        question["message_id"],
    )
    assert copy.params["message_thread_id"] == thread
    [header] = [
        c
        for c in shop.telegram.calls
        if c.method == "sendMessage" and c.params.get("chat_id") == ADMIN_CHAT
    ]
    assert header.params["message_thread_id"] == thread
    assert f"/user {ANN}" in header.params["text"]

    staff = Customer(shop.telegram, OWNER, "Olga", chat_id=ADMIN_CHAT)
    answer = updates.text_message(staff.chat, staff.user, "Started now, sorry for the wait!")
    answer.update(message_thread_id=thread, is_topic_message=True)
    staff.post({"message": answer})
    await shop.telegram.until(lambda: bool(_copies(shop, ANN)), what="the answer to Ann")

    [delivered] = _copies(shop, ANN)
    assert (delivered.params["from_chat_id"], delivered.params["message_id"]) == (
        ADMIN_CHAT,
        answer["message_id"],
    )
    assert "message_thread_id" not in delivered.params
