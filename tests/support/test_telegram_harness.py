"""The conversation harness, checked against a small bot built here."""

from __future__ import annotations

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.filters import Command, CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    GetChatMember,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    CallbackQuery,
    ChatMemberMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    User,
)

from tests.support.telegram import (
    BOT_BLOCKED,
    MESSAGE_NOT_MODIFIED,
    BotClient,
    RecordingSession,
    flood_wait,
    parse_html,
)


class Fruit(CallbackData, prefix="fruit"):
    name: str


class Counting(StatesGroup):
    number = State()


def fruit_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="Apples", callback_data=Fruit(name="apples").pack()),
                InlineKeyboardButton(
                    text="Pears (3 left)", callback_data=Fruit(name="pears").pack()
                ),
            ],
            [InlineKeyboardButton(text="🛒 Basket", callback_data="basket")],
            [InlineKeyboardButton(text="Website", url="https://example.com")],
        ]
    )


def fruit_router() -> Router:
    router = Router(name="fruit")

    @router.message(CommandStart())
    async def welcome(message: Message, greeting: str) -> None:
        await message.answer(f"<b>{greeting}</b>, pick a fruit:", reply_markup=fruit_keyboard())

    @router.callback_query(Fruit.filter())
    async def pick_fruit(callback: CallbackQuery, callback_data: Fruit) -> None:
        assert isinstance(callback.message, Message)
        try:
            await callback.message.edit_text(f"You picked <i>{callback_data.name}</i>.")
        except TelegramBadRequest as exc:
            if "message is not modified" not in exc.message:
                raise
            await callback.answer("Already picked")
            return
        await callback.answer("Noted")

    @router.callback_query(F.data == "basket")
    async def show_basket(callback: CallbackQuery) -> None:
        await callback.answer("The basket is empty", show_alert=True)

    @router.message(Command("count"))
    async def ask_number(message: Message, state: FSMContext) -> None:
        await state.set_state(Counting.number)
        await message.answer(
            "How many?",
            reply_markup=ReplyKeyboardMarkup(
                keyboard=[[KeyboardButton(text="1"), KeyboardButton(text="2")]]
            ),
        )

    @router.message(Counting.number, F.text.isdigit())
    async def take_number(message: Message, state: FSMContext) -> None:
        await state.clear()
        await message.answer(f"Counted {message.text}", reply_markup=ReplyKeyboardRemove())

    @router.message(Counting.number)
    async def reject_number(message: Message) -> None:
        await message.answer("Please send a number")

    @router.message(Command("ping"))
    async def ping(message: Message) -> TelegramMethod[Message]:
        return message.answer("pong")

    @router.message(Command("member"))
    async def member(message: Message, bot: Bot) -> None:
        assert message.from_user is not None
        status = await bot.get_chat_member(message.chat.id, message.from_user.id)
        await message.answer(f"You are a {status.status}")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        # Deliberately unescaped: Telegram refuses text that is not valid HTML.
        await message.answer(f"You said {message.text}")

    return router


@pytest.fixture
def dispatcher() -> Dispatcher:
    dispatcher = Dispatcher(greeting="Hello")
    dispatcher.include_router(fruit_router())
    return dispatcher


@pytest.fixture
def alice(dispatcher: Dispatcher, bot: Bot) -> BotClient:
    return BotClient(dispatcher, bot)


async def test_start_shows_the_greeting_from_workflow_data_with_its_buttons(
    alice: BotClient,
) -> None:
    requests = await alice.send("/start")

    assert [type(request) for request in requests] == [SendMessage]
    assert alice.screen.last.text == "Hello, pick a fruit:"
    assert alice.screen.last.html == "<b>Hello</b>, pick a fruit:"
    assert alice.screen.last.buttons == [["Apples", "Pears (3 left)"], ["🛒 Basket"], ["Website"]]
    [sent] = requests.messages
    assert sent.inline_keyboard[0] == [
        ("Apples", "fruit:apples"),
        ("Pears (3 left)", "fruit:pears"),
    ]
    assert sent.inline_keyboard[2] == [("Website", "https://example.com")]
    assert sent.message_id == alice.screen.last.message_id


async def test_recorded_requests_carry_the_bots_default_parse_mode(
    alice: BotClient, session: RecordingSession
) -> None:
    await alice.send("/start")

    [sent] = alice.requests_of(SendMessage)
    assert sent.parse_mode == "HTML"
    assert session.calls[-1].params["parse_mode"] == "HTML"
    assert "link_preview_options" not in session.calls[-1].params


async def test_a_command_carries_its_bot_command_entity(alice: BotClient) -> None:
    await alice.send("/start now")

    [command] = alice.screen.messages[0].entities
    assert (command.type, command.offset, command.length) == ("bot_command", 0, 6)


async def test_click_edits_the_message_in_place_and_answers_the_callback(
    alice: BotClient,
) -> None:
    await alice.send("/start")
    menu = alice.screen.last

    requests = await alice.click("Apples")

    assert [type(request) for request in requests] == [EditMessageText, AnswerCallbackQuery]
    assert alice.screen.last is menu
    assert len(alice.screen.messages) == 2
    assert menu.text == "You picked apples."
    # An edit that does not repeat the keyboard removes it, as in Telegram.
    assert menu.buttons == []
    assert alice.last_answer_callback().text == "Noted"


async def test_click_finds_a_label_by_its_unique_prefix_or_without_its_emoji(
    alice: BotClient,
) -> None:
    await alice.send("/start")
    await alice.click("Basket")

    assert alice.last_answer_callback().text == "The basket is empty"
    assert alice.last_answer_callback().show_alert is True

    await alice.click("Pears")

    assert alice.screen.last.text == "You picked pears."


async def test_click_on_a_missing_label_lists_the_visible_buttons(alice: BotClient) -> None:
    await alice.send("/start")

    with pytest.raises(AssertionError, match=r"no button 'Bananas'[\s\S]*Pears \(3 left\)"):
        await alice.click("Bananas")


async def test_a_url_button_cannot_be_clicked(alice: BotClient) -> None:
    await alice.send("/start")

    with pytest.raises(AssertionError, match="has no callback data"):
        await alice.click("Website")


async def test_an_injected_not_modified_error_reaches_the_handler(
    alice: BotClient, session: RecordingSession
) -> None:
    await alice.send("/start")
    session.fail_next(EditMessageText, MESSAGE_NOT_MODIFIED)

    await alice.click("Apples")

    assert alice.last_answer_callback().text == "Already picked"
    assert alice.screen.last.text == "Hello, pick a fruit:"
    assert not session.calls[-2].ok


async def test_an_edit_that_changes_nothing_is_refused_as_telegram_does(
    alice: BotClient,
) -> None:
    await alice.send("/start")
    await alice.click("Apples")

    await alice.click_data(Fruit(name="apples").pack(), message_id=alice.screen.last.message_id)

    assert alice.last_answer_callback().text == "Already picked"
    assert alice.screen.last.edits == 1


async def test_a_stale_callback_reaches_the_handler_with_the_current_message(
    alice: BotClient,
) -> None:
    await alice.send("/start")
    await alice.click("Apples")

    await alice.click_data(Fruit(name="pears").pack())

    assert alice.screen.last.text == "You picked pears."


async def test_the_fsm_step_asks_again_until_it_gets_a_number(alice: BotClient) -> None:
    await alice.send("/count")
    assert await alice.fsm_state() == Counting.number.state
    assert alice.screen.reply_buttons == [["1", "2"]]

    await alice.send("many")
    assert alice.screen.last.text == "Please send a number"
    assert await alice.fsm_state() == Counting.number.state

    await alice.press("2")
    assert alice.screen.last.text == "Counted 2"
    assert await alice.fsm_state() is None
    assert alice.screen.reply_keyboard is None


async def test_two_users_do_not_see_each_others_chats(
    dispatcher: Dispatcher, bot: Bot, alice: BotClient
) -> None:
    bob = BotClient(dispatcher, bot, user_id=222, first_name="Bob", username="bob")
    await alice.send("/start")
    await bob.send("/count")

    await alice.click("Apples")

    assert [m.text for m in alice.screen.messages] == ["/start", "You picked apples."]
    assert [m.text for m in bob.screen.messages] == ["/count", "How many?"]
    assert [r.chat_id for r in bob.requests_of(SendMessage)] == [222]
    assert await bob.fsm_state() == Counting.number.state
    assert await alice.fsm_state() is None


async def test_a_group_member_addresses_the_bot_by_its_username(
    dispatcher: Dispatcher, bot: Bot, session: RecordingSession
) -> None:
    member = BotClient(dispatcher, bot, user_id=333, chat_id=-100777)

    await member.send("/start@shop_bot")

    assert member.chat.type == "supergroup"
    assert member.screen.last.text == "Hello, pick a fruit:"
    assert session.requests_of(SendMessage)[0].chat_id == -100777


async def test_a_method_returned_by_a_handler_is_called_as_polling_does(
    alice: BotClient,
) -> None:
    await alice.send("/ping")

    assert alice.screen.last.text == "pong"


async def test_a_blocked_user_raises_the_forbidden_error_aiogram_raises(
    alice: BotClient, session: RecordingSession
) -> None:
    session.fail_always(SendMessage, BOT_BLOCKED)

    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await alice.send("/start")
    with pytest.raises(TelegramForbiddenError):
        await alice.send("/count")

    session.stop_failing()
    await alice.send("/start")
    assert alice.screen.last.text == "Hello, pick a fruit:"


async def test_flood_control_raises_retry_after(
    alice: BotClient, session: RecordingSession
) -> None:
    session.fail_next("sendMessage", flood_wait(7))

    with pytest.raises(TelegramRetryAfter) as raised:
        await alice.send("/start")

    assert raised.value.retry_after == 7
    assert isinstance(raised.value.method, SendMessage)


async def test_text_that_is_not_valid_html_is_refused(alice: BotClient) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await alice.send("I <3 pears")

    assert alice.screen.bot_messages == []


async def test_a_prepared_answer_serves_a_method_the_session_does_not_model(
    alice: BotClient, session: RecordingSession
) -> None:
    session.respond(
        GetChatMember,
        lambda method: ChatMemberMember(user=User(id=111, is_bot=False, first_name="Alice")),
    )

    await alice.send("/member")

    assert alice.screen.last.text == "You are a member"


async def test_an_unanswered_callback_is_reported(alice: BotClient) -> None:
    await alice.send("/start")

    await alice.click_data("nobody-handles-this")

    with pytest.raises(AssertionError, match="was not answered"):
        alice.last_answer_callback()


def test_html_is_rendered_as_the_user_sees_it() -> None:
    text, entities = parse_html('<b>Total:</b> 5 &lt; 6 &amp; <a href="https://x.y">link</a>')

    assert text == "Total: 5 < 6 & link"
    assert [(e.type, e.offset, e.length) for e in entities] == [
        ("bold", 0, 6),
        ("text_link", 15, 4),
    ]
