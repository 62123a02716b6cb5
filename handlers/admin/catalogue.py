"""The catalogue from the admin group: /sync, /service on|off, /price and /markup."""

from __future__ import annotations

from decimal import Decimal

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram_i18n import I18nContext

from handlers.admin.arguments import ID, MARKUP, PERCENT_LINE, SWITCH, Arguments
from shop.admin_desk import AdminDesk
from shop.catalogue import CatalogueSyncFailed
from shop.display import PANEL_WORDS, escaped


async def sync_command(message: Message, i18n: I18nContext, admin_desk: AdminDesk) -> None:
    try:
        report = await admin_desk.sync_catalogue()
    except CatalogueSyncFailed as failed:
        await message.reply(i18n.get("admin-sync-failed", error=escaped(str(failed), PANEL_WORDS)))
        return
    await message.reply(
        i18n.get(
            "admin-sync-done",
            inserted=report.inserted,
            updated=report.updated,
            unchanged=report.unchanged,
            removed=report.removed,
        )
    )


async def service_command(
    message: Message, *, service_id: int, enabled: bool, i18n: I18nContext, admin_desk: AdminDesk
) -> None:
    if not await admin_desk.set_service_enabled(service_id, enabled):
        await message.reply(i18n.get("admin-service-not-found", service_id=str(service_id)))
        return
    switch = "on" if enabled else "off"
    await message.reply(i18n.get(f"admin-service-{switch}", service_id=str(service_id)))


async def price_command(
    message: Message,
    *,
    service_id: int,
    percent: Decimal | None,
    i18n: I18nContext,
    admin_desk: AdminDesk,
) -> None:
    if not await admin_desk.set_service_markup(service_id, percent):
        await message.reply(i18n.get("admin-service-not-found", service_id=str(service_id)))
        return
    if percent is None:
        await message.reply(i18n.get("admin-price-reset", service_id=str(service_id)))
    else:
        await message.reply(
            i18n.get("admin-price-set", service_id=str(service_id), percent=format(percent, "f"))
        )


async def markup_command(
    message: Message, *, percent: Decimal, i18n: I18nContext, admin_desk: AdminDesk
) -> None:
    await admin_desk.set_default_markup(percent)
    await message.reply(i18n.get("admin-markup-set", percent=format(percent, "f")))


def router() -> Router:
    """/sync, /service, /price, /markup."""
    catalogue = Router(name=__name__)
    catalogue.message.register(sync_command, Command("sync"))
    catalogue.message.register(
        service_command, Command("service"), Arguments(service_id=ID, enabled=SWITCH)
    )
    catalogue.message.register(
        price_command, Command("price"), Arguments(service_id=ID, percent=MARKUP)
    )
    catalogue.message.register(markup_command, Command("markup"), Arguments(percent=PERCENT_LINE))
    return catalogue
