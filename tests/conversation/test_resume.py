"""A restart in the middle of a conversation resumes it: the form lives in SQLite."""

from __future__ import annotations

from decimal import Decimal

from api import OrderType
from api.sandbox import SandboxPanel
from bot.app import Runtime, create_dispatcher, open_runtime
from handlers.order_states import FORM_STATES, Confirming
from shop.storage import LedgerReason

from ..support.telegram import BotClient, RecordingSession, make_bot
from .conftest import top_up
from .shopping import (
    add_requests,
    ledger,
    order_price,
    reach_summary,
    service_of_type,
    start_order,
    usd,
)


async def _restarted(services: Runtime) -> Runtime:
    """The process stops and a new one opens the shop over the same database."""
    await services.aclose()
    return await open_runtime(services.settings)


async def test_a_form_interrupted_by_a_restart_goes_on_from_the_same_step(
    alice: BotClient, session: RecordingSession, panel: SandboxPanel, services: Runtime
) -> None:
    service = service_of_type(panel, OrderType.DEFAULT, lambda service: service.dripfeed)
    await start_order(alice, panel, service)
    await alice.send("https://instagram.com/before.restart")
    assert (alice.screen.last.text or "").startswith("🔢 How many?")

    reopened = await _restarted(services)
    try:
        # Telegram keeps the chat; the bot is a new process with a new Dispatcher.
        again = BotClient(create_dispatcher(reopened), make_bot(session))
        await top_up(reopened, again.user.id, Decimal(10))

        await again.send("1000")
        assert again.screen.last.text == "💧 Deliver gradually, in several runs?"
        await again.click("No")
        summary = again.screen.last
        assert "Link: https://instagram.com/before.restart" in (summary.text or "")
        await again.click("Confirm")
    finally:
        await reopened.aclose()

    price = order_price(service, 1000)
    assert (summary.text or "").startswith("✅ Order #1 placed")
    assert f"Charged: {usd(price)}" in (summary.text or "")
    assert add_requests(panel) == [
        {
            "service": str(service.id),
            "link": "https://instagram.com/before.restart",
            "quantity": "1000",
        }
    ]


async def test_a_summary_shown_before_a_restart_can_be_confirmed_after_it(
    alice: BotClient, session: RecordingSession, panel: SandboxPanel, services: Runtime
) -> None:
    service = service_of_type(panel, OrderType.DEFAULT)
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(10))
    summary = await reach_summary(alice, panel, service)

    reopened = await _restarted(services)
    try:
        again = BotClient(create_dispatcher(reopened), make_bot(session))
        await again.click("Confirm", message=summary)
        assert (summary.text or "").startswith("✅ Order #1 placed")
        again_ledger = await ledger(reopened, again.user.id)
        assert await again.fsm_state() is None
    finally:
        await reopened.aclose()

    assert len(add_requests(panel)) == 1
    assert again_ledger == [
        (LedgerReason.TOPUP, Decimal(10)),
        (LedgerReason.ORDER_CHARGE, -order_price(service, 1000)),
    ]


#: The states of the order forms, as conversations in progress are stored under them.
STORED_FORM_STATES = {
    "DefaultForm:link",
    "DefaultForm:quantity",
    "DefaultForm:drip_feed",
    "DefaultForm:runs",
    "DefaultForm:interval",
    "PackageForm:link",
    "CustomCommentsForm:link",
    "CustomCommentsForm:comments",
    "MentionsWithHashtagsForm:link",
    "MentionsWithHashtagsForm:quantity",
    "MentionsWithHashtagsForm:usernames",
    "MentionsWithHashtagsForm:hashtags",
    "MentionsCustomListForm:link",
    "MentionsCustomListForm:usernames",
    "MentionsHashtagForm:link",
    "MentionsHashtagForm:quantity",
    "MentionsHashtagForm:hashtag",
    "MentionsUserFollowersForm:link",
    "MentionsUserFollowersForm:quantity",
    "MentionsUserFollowersForm:username",
    "SubscriptionForm:username",
    "SubscriptionForm:min",
    "SubscriptionForm:max",
    "SubscriptionForm:posts",
    "SubscriptionForm:old_posts",
    "SubscriptionForm:delay",
    "SubscriptionForm:expiry",
    "CustomCommentsPackageForm:link",
    "CustomCommentsPackageForm:comments",
    "PollForm:link",
    "PollForm:quantity",
    "PollForm:answer_number",
}


def test_the_form_states_keep_the_names_conversations_in_progress_are_stored_under() -> None:
    assert {state.state for state in FORM_STATES.values()} == STORED_FORM_STATES
    assert Confirming.quote.state == "Confirming:quote"


async def test_a_form_stored_by_an_earlier_version_goes_on_from_its_step(
    alice: BotClient, panel: SandboxPanel
) -> None:
    service = service_of_type(panel, OrderType.SUBSCRIPTIONS)
    await alice.send("/start")
    await alice.fsm_context().set_state("SubscriptionForm:min")
    await alice.fsm_context().set_data(
        {"service_id": service.id, "step": 1, "answers": {"username": "shop.alice"}}
    )

    await alice.send("100")

    assert await alice.fsm_state() == "SubscriptionForm:max"
    answers = (await alice.fsm_context().get_data())["answers"]
    assert answers == {"username": "shop.alice", "min": "100"}
