"""The customer's side of support: the Support button, ``/support`` and "Ask about this
order" open a conversation; what the customer then writes (text, photos, files, voice,
albums item by item) goes to the staff in the admin group; so does a reply to a staff answer
at any time. The staff's side is in :mod:`handlers.support_staff`.
"""

from __future__ import annotations

import logging

import aiohttp
from aiogram import Bot, F, Router
from aiogram.enums import ContentType
from aiogram.exceptions import ClientDecodeError, TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_i18n import I18nContext

from handlers import keyboards
from handlers.callbacks import MenuCb, SupportAskCb, SupportDoneCb
from handlers.conversation_state import end, move_to
from handlers.filters import ContentIn, Has, Slash
from handlers.screens import show
from shop.display import escaped
from shop.storage import UserRow
from shop.support import Relay, SupportDesk

logger = logging.getLogger(__name__)

#: What a customer may send the staff: a copy of each reaches the group.
RELAYED: frozenset[str] = frozenset(
    {
        ContentType.TEXT,
        ContentType.PHOTO,
        ContentType.DOCUMENT,
        ContentType.VOICE,
        ContentType.VIDEO,
        ContentType.VIDEO_NOTE,
        ContentType.AUDIO,
        ContentType.ANIMATION,
        ContentType.STICKER,
    }
)


class SupportForm(StatesGroup):
    """Writing to the staff; the state's data holds the order asked about, if any."""

    writing = State()


class TelegramForums:
    """Whether a group has topics, asked of Telegram with getChat."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def is_forum(self, chat_id: int) -> bool | None:
        """True when the group has topics; None when Telegram did not say."""
        try:
            chat = await self._bot.get_chat(chat_id)
        except (TelegramAPIError, ClientDecodeError, aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("whether chat %d has topics is not known: %s", chat_id, exc)
            return None
        return bool(chat.is_forum)


def router() -> Router:
    """The customer's support handlers, on a new router."""
    support = Router(name=__name__)
    support.message.register(open_by_command, Command("support"))
    support.callback_query.register(open_by_button, MenuCb.filter(F.screen == "support"))
    support.callback_query.register(ask_about_order, SupportAskCb.filter())
    support.callback_query.register(done, SupportDoneCb.filter())
    support.message.register(write, StateFilter(SupportForm.writing), ContentIn(RELAYED), ~Slash())
    # A reply first: the router's gate then lets in only replies, besides its state and
    # command, and a customer's link or quantity goes straight to the order form.
    support.message.register(
        reply_to_answer, Has("reply_to_message"), ContentIn(RELAYED), ~Slash(), replies_to_answer
    )
    return support


async def _open(
    state: FSMContext, i18n: I18nContext, support_desk: SupportDesk, order_id: int | None
) -> str:
    """Start writing to the staff; the prompt to show."""
    if support_desk.group is None:
        await end(state)
        return i18n.get("support-unavailable")
    await move_to(state, SupportForm.writing, {"order_id": order_id})
    if order_id is None:
        return i18n.get("support-prompt")
    return i18n.get("support-prompt-order", order_id=str(order_id))


async def open_by_command(
    message: Message, state: FSMContext, i18n: I18nContext, support_desk: SupportDesk
) -> None:
    """``/support``."""
    text = await _open(state, i18n, support_desk, None)
    await message.answer(text, reply_markup=keyboards.support_done(i18n))


async def open_by_button(
    callback: CallbackQuery, state: FSMContext, i18n: I18nContext, support_desk: SupportDesk
) -> None:
    """The menu's Support button."""
    text = await _open(state, i18n, support_desk, None)
    await show(callback, text, keyboards.support_done(i18n))


async def ask_about_order(
    callback: CallbackQuery,
    callback_data: SupportAskCb,
    *,
    state: FSMContext,
    i18n: I18nContext,
    support_desk: SupportDesk,
    callback_answer: CallbackAnswer,
) -> None:
    """The order card's "Ask about this order": a message about that order (the card
    stays as it is; the prompt comes below it)."""
    if not await support_desk.is_their_order(callback.from_user.id, callback_data.order_id):
        callback_answer.text = i18n.get("order-not-found")
        return
    text = await _open(state, i18n, support_desk, callback_data.order_id)
    await _reply(callback, text, keyboards.support_done(i18n))


async def _reply(callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup) -> None:
    if isinstance(callback.message, Message):
        await callback.message.answer(text, reply_markup=markup)


async def done(
    callback: CallbackQuery, state: FSMContext, i18n: I18nContext, customer: UserRow
) -> None:
    """Stop writing to the staff: the menu again."""
    await end(state)
    menu = i18n.get("menu-title", name=escaped(customer.first_name or ""))
    await show(callback, f"{i18n.get('support-done')}\n\n{menu}", keyboards.main_menu(i18n))


async def write(
    message: Message,
    *,
    state: FSMContext,
    bot: Bot,
    i18n: I18nContext,
    support_desk: SupportDesk,
    customer: UserRow,
) -> None:
    """What the customer writes while writing to the staff goes to them."""
    order_id = (await state.get_data()).get("order_id")
    relayed = await support_desk.relay(
        customer,
        message.message_id,
        TelegramForums(bot),
        order_id if isinstance(order_id, int) else None,
    )
    await _acknowledge(message, i18n, relayed)


async def replies_to_answer(
    message: Message, support_desk: SupportDesk, customer: UserRow | None = None
) -> bool:
    """The message replies to an answer of the staff."""
    replied = message.reply_to_message
    if replied is None or customer is None:
        return False
    return await support_desk.is_answer(customer.id, replied.message_id)


async def reply_to_answer(
    message: Message,
    *,
    bot: Bot,
    i18n: I18nContext,
    support_desk: SupportDesk,
    customer: UserRow,
) -> None:
    """A reply to a staff answer goes to the staff, whatever the customer was doing."""
    relayed = await support_desk.relay(customer, message.message_id, TelegramForums(bot))
    await _acknowledge(message, i18n, relayed)


async def _acknowledge(message: Message, i18n: I18nContext, relayed: Relay) -> None:
    """Tell the customer what became of their message, where there is something to say."""
    key = {
        Relay.OPENED: "support-received",
        Relay.WAIT: "support-wait",
        Relay.NO_GROUP: "support-unavailable",
    }.get(relayed)
    if key is not None:
        await message.answer(i18n.get(key))
