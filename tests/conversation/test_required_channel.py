"""REQUIRED_CHANNEL: only the channel's members may order. Telegram's getChatMember answers
are played by the recording session; what the customer sees, what the panel receives and
what the admins are told are asserted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import GetChat, GetChatMember
from aiogram.types import (
    AcceptedGiftTypes,
    ChatFullInfo,
    ChatMember,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberRestricted,
    User,
)

from api import OrderType, Service
from api.sandbox import SandboxPanel
from bot.app import Runtime
from handlers.channel import TelegramMembers
from shop import membership

from ..admin.shop import group_alerts
from ..support.telegram import BotClient, RecordingSession, bad_request
from .conftest import top_up
from .shopping import add_requests, ledger, open_service, reach_summary, service_of_type

CHANNEL = "@smm_news"
REQUIRED = "📢 To order, please join SMM News & Deals first.\nThen tap “Check again”."
JOIN_BUTTONS = [["📢 Join the channel"], ["🔄 Check again"]]
FORM_STARTED = "📝 Ordering"
NOT_ADMIN = "Bad Request: member list is inaccessible"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"required_channel": "https://t.me/smm_news"}


class ChannelMembers:
    """Who is in the channel, as getChatMember tells; a status per user id."""

    def __init__(self, session: RecordingSession) -> None:
        self.status: dict[int, str] = {}
        session.respond(GetChatMember, self._member)
        session.respond(
            GetChat,
            lambda method: ChatFullInfo(
                id=-1001234,
                type="channel",
                title="SMM News & Deals",
                username="smm_news",
                accent_color_id=0,
                max_reaction_count=11,
                # Every kind off, whichever kinds this Bot API version knows.
                accepted_gift_types=dict.fromkeys(AcceptedGiftTypes.model_fields, False),
            ),
        )

    def _member(self, method: GetChatMember) -> Any:
        assert method.chat_id == CHANNEL
        user = User(id=method.user_id, is_bot=False, first_name="x")
        status = self.status.get(method.user_id, "left")
        if status == "member":
            return ChatMemberMember(user=user)
        if status == "administrator":
            return _rights_off(ChatMemberAdministrator, user=user, can_be_edited=False)
        if status == "restricted":
            return _rights_off(ChatMemberRestricted, user=user, is_member=True, until_date=0)
        return ChatMemberLeft(user=user)


def _rights_off(model: type[ChatMember], **given: Any) -> ChatMember:
    """A ``model`` with every right this Bot API version knows switched off."""
    rights = {
        name: False
        for name, field in model.model_fields.items()
        if field.is_required() and field.annotation is bool
    }
    return model.model_validate({**rights, **given})


@pytest.fixture
def members(session: RecordingSession) -> ChannelMembers:
    return ChannelMembers(session)


@pytest.fixture
def no_memory() -> Iterator[None]:
    """Members are asked about on every step."""
    remembered = membership.MEMBER_FOR
    membership.MEMBER_FOR = 0.0
    yield
    membership.MEMBER_FOR = remembered


def followers(panel: SandboxPanel) -> Service:
    return service_of_type(panel, OrderType.DEFAULT)


def asked(session: RecordingSession) -> list[int]:
    """The users getChatMember was asked about, in order."""
    return [call.user_id for call in session.requests_of(GetChatMember)]


async def test_a_customer_outside_the_channel_is_shown_how_to_join_and_gets_no_form(
    alice: BotClient, panel: SandboxPanel, members: ChannelMembers, session: RecordingSession
) -> None:
    await alice.send("/start")
    await open_service(alice, panel, followers(panel))

    await alice.click("Order")

    assert alice.screen.last.text == REQUIRED
    assert alice.screen.last.buttons == JOIN_BUTTONS
    assert alice.screen.find_button("📢 Join the channel").url == "https://t.me/smm_news"
    assert await alice.fsm_state() is None
    assert asked(session) == [alice.user.id]

    await alice.click("🔄 Check again")
    answer = alice.last_answer_callback()
    assert (answer.text, answer.show_alert) == (
        "You are not in the channel yet. Join it, then tap “Check again”.",
        True,
    )
    assert alice.screen.last.text == REQUIRED

    members.status[alice.user.id] = "member"
    await alice.click("🔄 Check again")
    assert alice.screen.last.text == (
        "✅ Thank you for joining! Tap the button again to go on with your order."
    )
    card = next(m for m in reversed(alice.screen.messages) if "Order" in " ".join(m.labels))
    await alice.click("Order", message=card)
    assert (alice.screen.messages[-2].text or "").startswith(FORM_STARTED)


async def test_a_member_orders_and_is_not_asked_about_again_for_a_while(
    alice: BotClient, panel: SandboxPanel, members: ChannelMembers, session: RecordingSession
) -> None:
    members.status[alice.user.id] = "member"
    await alice.send("/start")
    service = followers(panel)
    card = await open_service(alice, panel, service)

    await alice.click("Order")
    assert (alice.screen.messages[-2].text or "").startswith(FORM_STARTED)
    await alice.send("/cancel")
    await alice.click("Order", message=card)

    assert (alice.screen.messages[-2].text or "").startswith(FORM_STARTED)
    assert asked(session) == [alice.user.id]


@pytest.mark.parametrize("status", ["administrator", "restricted"])
async def test_the_channels_admins_and_restricted_members_count_as_members(
    alice: BotClient,
    panel: SandboxPanel,
    members: ChannelMembers,
    status: str,
) -> None:
    members.status[alice.user.id] = status
    await alice.send("/start")
    await open_service(alice, panel, followers(panel))
    await alice.click("Order")
    assert (alice.screen.messages[-2].text or "").startswith(FORM_STARTED)


async def test_leaving_the_channel_before_confirming_places_nothing_and_charges_nothing(
    alice: BotClient,
    panel: SandboxPanel,
    members: ChannelMembers,
    services: Runtime,
    no_memory: None,
) -> None:
    members.status[alice.user.id] = "member"
    await alice.send("/start")
    await top_up(services, alice.user.id, Decimal(10))
    await reach_summary(alice, panel, followers(panel))

    members.status[alice.user.id] = "left"
    await alice.click("Confirm")

    assert alice.screen.last.text == REQUIRED
    assert add_requests(panel) == []
    assert [amount for _, amount in await ledger(services, alice.user.id)] == [Decimal(10)]


async def test_a_bot_not_admin_there_lets_everyone_order_and_tells_the_admins_once(
    alice: BotClient,
    make_client: Callable[..., BotClient],
    panel: SandboxPanel,
    session: RecordingSession,
    services: Runtime,
) -> None:
    session.fail_always(GetChatMember, bad_request("member list is inaccessible"))
    bob = make_client(user_id=4242, first_name="Bob")
    for customer in (alice, bob):
        await customer.send("/start")
        await open_service(customer, panel, followers(panel))
        await customer.click("Order")
        assert (customer.screen.messages[-2].text or "").startswith(FORM_STARTED)

    [alert] = await group_alerts(services)
    assert alert.text == (
        "⚠️ <b>The bot cannot check who is in @smm_news</b>: " + NOT_ADMIN + ". Until it"
        " can, everyone may order, members or not. Make the bot an admin of the channel (no"
        " rights are needed), or fix REQUIRED_CHANNEL."
    )


async def test_telegram_out_of_reach_lets_the_customer_through_and_alerts_nobody(
    alice: BotClient, panel: SandboxPanel, session: RecordingSession, services: Runtime
) -> None:
    session.fail_next(
        GetChatMember,
        lambda method: TelegramNetworkError(method=method, message="Request timeout error"),
    )
    await alice.send("/start")
    await open_service(alice, panel, followers(panel))
    await alice.click("Order")

    assert (alice.screen.messages[-2].text or "").startswith(FORM_STARTED)
    assert await group_alerts(services) == []


async def test_at_start_a_bot_that_is_no_admin_of_the_channel_is_reported(
    bot: Any, members: ChannelMembers, services: Runtime
) -> None:
    me = await bot.me()
    members.status[me.id] = "member"
    await services.membership.check_setup(TelegramMembers(bot))
    [alert] = await group_alerts(services)
    assert "the bot is not an admin of the channel" in alert.text

    members.status[me.id] = "administrator"
    await services.membership.check_setup(TelegramMembers(bot))
    assert len(await group_alerts(services)) == 1


async def test_in_russian(
    alice: BotClient,
    make_client: Callable[..., BotClient],
    panel: SandboxPanel,
    members: ChannelMembers,
) -> None:
    await alice.send("/start")
    card = await open_service(alice, panel, followers(panel))
    order = card.button("Order").callback_data
    assert order is not None
    ivan = make_client(user_id=5151, first_name="Иван", language_code="ru")
    await ivan.send("/start")

    await ivan.click_data(order)

    assert ivan.screen.last.text == (
        "📢 Чтобы заказывать, сначала подпишитесь на SMM News & Deals.\n"
        "Затем нажмите «Проверить ещё раз»."
    )
    assert ivan.screen.last.buttons == [
        ["📢 Подписаться на канал"],
        ["🔄 Проверить ещё раз"],
    ]
    await ivan.click("🔄 Проверить ещё раз")
    assert ivan.last_answer_callback().text == (
        "Вы ещё не подписаны на канал. Подпишитесь и нажмите «Проверить ещё раз»."
    )


async def test_without_a_channel_nobody_is_asked() -> None:
    rule = membership.Membership(None, db=None, alerts=None)  # type: ignore[arg-type]

    class Nobody:
        async def standing(self, channel: str | int, user_id: int) -> membership.Answer:
            raise AssertionError("Telegram asked")

    assert await rule.may_order(1, Nobody())  # type: ignore[arg-type]
