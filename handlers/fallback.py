"""Buttons no other handler takes: from an old message, or forged. Telegram shows a spinner
until a callback query is answered, so each one gets a polite answer."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from aiogram_i18n import I18nContext

from handlers.screens import answer_quietly

router = Router(name="fallback")


@router.callback_query()
async def outdated_button(callback: CallbackQuery, i18n: I18nContext) -> None:
    await answer_quietly(callback, i18n.get("button-outdated"))
