"""The customer's language: taken from Telegram at first contact, switched on the Language
screen, remembered from then on."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api import OrderType
from api.sandbox import SandboxPanel
from bot.app import Runtime

from ..support.telegram import BotClient
from .shopping import MENU, service_of_type, start_order

RUSSIAN_MENU = [
    ["🛒 Новый заказ"],
    ["📦 Мои заказы", "💰 Баланс"],
    ["💬 Поддержка", "❓ Помощь"],
    ["🌐 Язык"],
]


async def _language_of(services: Runtime, user_id: int) -> str:
    async with services.db.read() as r:
        user = await r.users.get(user_id)
    assert user is not None
    return user.language


async def test_a_russian_telegram_user_is_greeted_in_russian(
    make_client: Callable[..., BotClient], services: Runtime
) -> None:
    ivan = make_client(user_id=222, first_name="Иван", language_code="ru")

    await ivan.send("/start")

    assert (ivan.screen.last.text or "").startswith("👋 Здравствуйте, Иван!\n")
    assert ivan.screen.last.buttons == RUSSIAN_MENU
    assert await _language_of(services, 222) == "ru"


@pytest.mark.parametrize("language_code", ["de", "pt-br", None])
async def test_other_languages_get_the_default_english(
    language_code: str | None, make_client: Callable[..., BotClient], services: Runtime
) -> None:
    hans = make_client(user_id=222, first_name="Hans", language_code=language_code)

    await hans.send("/start")

    assert (hans.screen.last.text or "").startswith("👋 Hello, Hans!\n")
    assert hans.screen.last.buttons == MENU
    assert await _language_of(services, 222) == "en"


async def test_the_language_screen_switches_and_the_choice_is_remembered(
    alice: BotClient, services: Runtime
) -> None:
    await alice.send("/start")
    await alice.click("Language")
    assert alice.screen.last.text == "Choose your language:"
    assert alice.screen.last.buttons == [["English", "Русский"], ["🏠 Menu"]]

    await alice.click("Русский")

    assert (alice.screen.last.text or "").startswith(
        "✅ Язык изменён на русский.\n\n👋 Здравствуйте, Alice!"
    )
    assert alice.screen.last.buttons == RUSSIAN_MENU
    assert alice.last_answer_callback().text is None
    assert await _language_of(services, alice.user.id) == "ru"

    # Telegram still says "en"; the shop keeps the customer's choice.
    await alice.send("/help")
    assert (alice.screen.last.text or "").startswith("Как сделать заказ")
    await alice.send("/start")
    assert alice.screen.last.buttons == RUSSIAN_MENU

    await alice.click("Язык")
    await alice.click("English")
    assert (alice.screen.last.text or "").startswith("✅ Language changed to English.")
    assert alice.screen.last.buttons == MENU


async def test_the_order_form_speaks_the_chosen_language(
    make_client: Callable[..., BotClient], panel: SandboxPanel
) -> None:
    ivan = make_client(user_id=222, first_name="Иван", language_code="ru")
    service = service_of_type(panel, OrderType.DEFAULT, lambda s: s.dripfeed)
    await ivan.send("/start")
    await ivan.click("Новый заказ")
    assert (ivan.screen.last.text or "").startswith("🛒 Выберите категорию")
    await ivan.click(service.category)
    await ivan.click(service.name)
    await ivan.click("Заказать")
    assert ivan.screen.last.text == "🔗 Отправьте ссылку (https://…)."

    await ivan.send("https://instagram.com/ivan")
    question = ivan.screen.last.text
    assert question == "🔢 Сколько? От 50 до 10\u00a0000."
    await ivan.send("много")
    assert ivan.screen.last.text == f"⚠️ Отправьте целое число, например 1000.\n\n{question}"
    assert ivan.screen.last.buttons == [["✖ Отмена"]]

    # The number as the prompt writes it, with a no-break space, is taken.
    await ivan.send("10\u00a0000")
    assert ivan.screen.last.text == "💧 Выполнять постепенно, в несколько запусков?"
    assert ivan.screen.last.buttons == [["Да", "Нет"], ["✖ Отмена"]]


async def test_an_english_customer_may_type_a_number_as_the_prompt_writes_it(
    alice: BotClient, panel: SandboxPanel
) -> None:
    await start_order(
        alice, panel, service_of_type(panel, OrderType.DEFAULT, lambda s: s.dripfeed)
    )
    await alice.send("https://instagram.com/shop.alice")
    assert (alice.screen.last.text or "").endswith("to 10,000.")

    await alice.send("10,000")

    assert alice.screen.last.text == "💧 Deliver gradually, in several runs?"
    assert (await alice.fsm_context().get_data())["answers"]["quantity"] == "10000"
