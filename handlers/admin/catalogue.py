"""The catalogue from the admin group: /sync, /service on|off, /price, /markup, /desc, and
the alternatives of a service at other panels: /link, /unlink and /prefer."""

from __future__ import annotations

from decimal import Decimal

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram_i18n import I18nContext

from handlers.admin.arguments import (
    ID,
    ID_LINE,
    LISTING,
    MARKUP,
    NOTE,
    PANEL_CHOICE,
    PERCENT_LINE,
    SWITCH,
    Arguments,
)
from shop.admin_desk import AdminDesk
from shop.catalogue import CatalogueSyncFailed
from shop.descriptions import MAX_OWN, DescriptionTooLong, shown_description
from shop.display import IN_LIST, PANEL_WORDS, WHOLE, escaped, shortened
from shop.linking import LinkRefused


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


async def service_info_command(
    message: Message, *, service_id: int, i18n: I18nContext, admin_desk: AdminDesk
) -> None:
    """``/service <id>``: which panel sells it now, and its alternatives."""
    found = await admin_desk.service_listings(service_id)
    if found is None:
        await message.reply(i18n.get("admin-service-not-found", service_id=str(service_id)))
        return
    service, shown, listings = found
    described = shown_description(service.own_description, shown.description if shown else None)
    lines = [
        i18n.get(
            "admin-service-info",
            service_id=str(service.id),
            name=escaped(service.name, IN_LIST),
            prefer=escaped(service.prefer, PANEL_WORDS),
            sold_from=escaped(shown.panel, PANEL_WORDS) if shown else "—",
            description=i18n.get(f"admin-desc-source-{described.source.value}"),
        )
    ]
    lines.extend(
        i18n.get(
            "admin-service-listing",
            panel=escaped(listing.panel, PANEL_WORDS),
            panel_service_id=str(listing.panel_service_id),
            rate=f"{listing.rate:f}",
            min=listing.min,
            max=listing.max,
            state=i18n.get("admin-listing-listed" if listing.on_panel else "admin-listing-gone"),
        )
        for listing in listings
    )
    await message.reply("\n".join(lines))


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


async def link_command(
    message: Message,
    *,
    service_id: int,
    listing: tuple[str, int],
    i18n: I18nContext,
    admin_desk: AdminDesk,
) -> None:
    panel, panel_service_id = listing
    where = {"panel": escaped(panel), "panel_service_id": str(panel_service_id)}
    try:
        service = await admin_desk.link_listing(service_id, listing)
    except LinkRefused as refused:
        await message.reply(
            i18n.get(f"admin-link-{refused.problem}", service_id=str(service_id), **where)
        )
        return
    await message.reply(
        i18n.get(
            "admin-link-done",
            service_id=str(service.id),
            shown=escaped(service.prefer),
            **where,
        )
    )


async def unlink_command(
    message: Message, *, listing: tuple[str, int], i18n: I18nContext, admin_desk: AdminDesk
) -> None:
    panel, panel_service_id = listing
    where = {"panel": escaped(panel), "panel_service_id": str(panel_service_id)}
    try:
        new_id = await admin_desk.unlink_listing(listing)
    except LinkRefused as refused:
        await message.reply(i18n.get(f"admin-link-{refused.problem}", service_id="", **where))
        return
    await message.reply(i18n.get("admin-unlink-done", service_id=str(new_id), **where))


async def prefer_command(
    message: Message, *, service_id: int, choice: str, i18n: I18nContext, admin_desk: AdminDesk
) -> None:
    try:
        shown = await admin_desk.prefer_panel(service_id, choice)
    except LinkRefused as refused:
        await message.reply(
            i18n.get(
                f"admin-link-{refused.problem}",
                service_id=str(service_id),
                panel=escaped(choice),
                panel_service_id="",
            )
        )
        return
    await message.reply(
        i18n.get(
            "admin-prefer-done",
            service_id=str(service_id),
            choice=escaped(choice),
            panel=escaped(shown.panel),
            panel_service_id=str(shown.panel_service_id),
            rate=format(shown.rate, "f"),
        )
    )


#: Characters of the panel's description /desc shows: more than the card, not all of it.
PANEL_DESCRIPTION_SHOWN = 1500


async def desc_command(
    message: Message,
    command: CommandObject,
    *,
    service_id: int,
    i18n: I18nContext,
    admin_desk: AdminDesk,
) -> None:
    """``/desc <service> [text|reset]``: the shop's own description of a service, or back
    to the panel's; alone, both descriptions."""
    # The text as typed, line breaks kept: the filter has read the id before it.
    words = (command.args or "").split(maxsplit=1)
    text = words[1].strip() if len(words) > 1 else ""
    if not text:
        await _show_descriptions(message, service_id, i18n, admin_desk)
        return
    reset = text.casefold() == "reset"
    try:
        found = await admin_desk.describe_service(service_id, None if reset else text)
    except DescriptionTooLong as too_long:
        await message.reply(i18n.get("admin-desc-too-long", length=too_long.length, limit=MAX_OWN))
        return
    if not found:
        await message.reply(i18n.get("admin-service-not-found", service_id=str(service_id)))
        return
    key = "admin-desc-reset" if reset else "admin-desc-set"
    await message.reply(i18n.get(key, service_id=str(service_id)))


async def _show_descriptions(
    message: Message, service_id: int, i18n: I18nContext, admin_desk: AdminDesk
) -> None:
    found = await admin_desk.descriptions(service_id)
    if found is None:
        await message.reply(i18n.get("admin-service-not-found", service_id=str(service_id)))
        return
    none = i18n.get("admin-desc-none")
    panel_text, own_text = found.panel_description, found.own_description
    await message.reply(
        i18n.get(
            "admin-desc-info",
            service_id=str(found.service_id),
            name=escaped(found.name, IN_LIST),
            panel=escaped(found.panel or "—", PANEL_WORDS),
            panel_description=(
                escaped(shortened(panel_text, PANEL_DESCRIPTION_SHOWN), WHOLE)
                if panel_text
                else none
            ),
            own_description=escaped(own_text, WHOLE) if own_text else none,
            shown=i18n.get(f"admin-desc-source-{found.shown.source.value}"),
        )
    )


def router() -> Router:
    """/sync, /service, /price, /markup, /desc, /link, /unlink, /prefer."""
    catalogue = Router(name=__name__)
    catalogue.message.register(sync_command, Command("sync"))
    catalogue.message.register(
        service_command, Command("service"), Arguments(service_id=ID, enabled=SWITCH)
    )
    catalogue.message.register(
        service_info_command, Command("service"), Arguments(service_id=ID_LINE)
    )
    catalogue.message.register(
        price_command, Command("price"), Arguments(service_id=ID, percent=MARKUP)
    )
    catalogue.message.register(markup_command, Command("markup"), Arguments(percent=PERCENT_LINE))
    catalogue.message.register(desc_command, Command("desc"), Arguments(service_id=ID, text=NOTE))
    catalogue.message.register(
        link_command, Command("link"), Arguments(service_id=ID, listing=LISTING)
    )
    catalogue.message.register(unlink_command, Command("unlink"), Arguments(listing=LISTING))
    catalogue.message.register(
        prefer_command, Command("prefer"), Arguments(service_id=ID, choice=PANEL_CHOICE)
    )
    return catalogue
