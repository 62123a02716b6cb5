"""/start, the main menu, /cancel, the language and help screens."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import ClientDecodeError, TelegramAPIError
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import BotCommand, CallbackQuery, Message
from aiogram_i18n import I18nContext

from handlers import keyboards
from handlers.callbacks import CancelFormCb, LanguageCb, MenuCb
from handlers.conversation_state import end
from handlers.screens import send, show
from shop.customers import Customers
from shop.display import escaped
from shop.order_desk import OrderDesk
from shop.storage import UserRow
from shop.texts import SUPPORTED_LOCALES, Texts

logger = logging.getLogger(__name__)


def router() -> Router:
    """The menu's handlers, on a new router."""
    menu = Router(name="menu")
    menu.message.register(start_by_link, CommandStart(deep_link=True), first_contact)
    menu.message.register(start, CommandStart())
    menu.message.register(cancel, Command("cancel"))
    menu.callback_query.register(cancel_by_button, CancelFormCb.filter())
    menu.message.register(help_command, Command("help"))
    menu.callback_query.register(main_menu, MenuCb.filter(F.screen == "main"))
    menu.callback_query.register(help_screen, MenuCb.filter(F.screen == "help"))
    menu.callback_query.register(language_screen, MenuCb.filter(F.screen == "language"))
    menu.callback_query.register(choose_language, LanguageCb.filter(F.code.in_(SUPPORTED_LOCALES)))
    return menu


async def first_contact(_: Message, new_customer: bool = False) -> bool:
    """The update is the customer's first contact with the shop."""
    return new_customer


def _menu_text(i18n: I18nContext, customer: UserRow) -> str:
    return i18n.get("menu-title", name=escaped(customer.first_name or ""))


async def start(message: Message, state: FSMContext, i18n: I18nContext, customer: UserRow) -> None:
    await end(state)
    await send(message, _menu_text(i18n, customer), keyboards.main_menu(i18n))


async def start_by_link(
    message: Message,
    command: CommandObject,
    *,
    state: FSMContext,
    i18n: I18nContext,
    customers: Customers,
    customer: UserRow,
) -> None:
    """A newcomer who came by a link: a referral link names who brought them."""
    await customers.accept_referral(customer.id, command.args)
    await start(message, state, i18n, customer)


async def _leave_form(state: FSMContext, order_desk: OrderDesk, customer: UserRow) -> None:
    """End the form; a price already quoted in it can no longer be confirmed."""
    quote_id = (await state.get_data()).get("quote_id")
    await end(state)
    if isinstance(quote_id, str):
        await order_desk.drop(customer.id, quote_id)


async def cancel(
    message: Message,
    state: FSMContext,
    i18n: I18nContext,
    order_desk: OrderDesk,
    customer: UserRow,
) -> None:
    await _leave_form(state, order_desk, customer)
    await message.answer(i18n.get("form-cancelled"))
    await message.answer(_menu_text(i18n, customer), reply_markup=keyboards.main_menu(i18n))


async def cancel_by_button(
    callback: CallbackQuery,
    state: FSMContext,
    i18n: I18nContext,
    order_desk: OrderDesk,
    customer: UserRow,
) -> None:
    await _leave_form(state, order_desk, customer)
    await show(
        callback,
        f"{i18n.get('form-cancelled')}\n\n{_menu_text(i18n, customer)}",
        keyboards.main_menu(i18n),
    )


def help_text(i18n: I18nContext, support_contact: str) -> str:
    """How ordering works, how to get one's history, and how to reach the shop when it has
    said how."""
    text = i18n.get("help-text") + "\n" + i18n.get("help-export")
    if support_contact:
        text += "\n\n" + i18n.get("help-contact", contact=escaped(support_contact))
    return text


async def help_command(message: Message, i18n: I18nContext, support_contact: str) -> None:
    await message.answer(
        help_text(i18n, support_contact), reply_markup=keyboards.back_to_menu(i18n)
    )


async def main_menu(
    callback: CallbackQuery, state: FSMContext, i18n: I18nContext, customer: UserRow
) -> None:
    await end(state)
    await show(callback, _menu_text(i18n, customer), keyboards.main_menu(i18n))


async def help_screen(callback: CallbackQuery, i18n: I18nContext, support_contact: str) -> None:
    await show(callback, help_text(i18n, support_contact), keyboards.back_to_menu(i18n))


async def language_screen(callback: CallbackQuery, i18n: I18nContext) -> None:
    await show(callback, i18n.get("language-choose"), keyboards.languages(i18n))


async def choose_language(
    callback: CallbackQuery, callback_data: LanguageCb, i18n: I18nContext, customer: UserRow
) -> None:
    await i18n.set_locale(callback_data.code)
    await show(
        callback,
        f"{i18n.get('language-changed')}\n\n{_menu_text(i18n, customer)}",
        keyboards.main_menu(i18n),
    )


async def register_commands(bot: Bot, texts: Texts) -> None:
    """The command list in each language; a refusal is logged, never fatal."""
    for locale in SUPPORTED_LOCALES:
        commands = [
            BotCommand(command=name, description=texts.get(locale, f"command-{name}"))
            for name in ("start", "support", "cancel", "export", "help")
        ]
        language = None if locale == texts.default_locale else locale
        try:
            await bot.set_my_commands(commands, language_code=language)
        except (TelegramAPIError, ClientDecodeError) as exc:
            # ClientDecodeError: an HTML page from Telegram's front instead of an answer.
            logger.warning("the bot's commands (%s) were not set: %s", locale, exc)
