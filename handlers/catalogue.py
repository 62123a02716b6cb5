"""Browsing the catalogue: categories, a category's services, a service's card, search."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_i18n import I18nContext

from handlers import keyboards
from handlers.callbacks import CategoriesCb, CategoryCb, MenuCb, ServiceCb
from handlers.filters import Has, Slash
from handlers.screens import show
from shop.catalogue import PAGE_SIZE, Catalogue, ServiceOffer
from shop.descriptions import minutes_of
from shop.display import PANEL_WORDS, WHOLE, escaped
from shop.money import Currency
from shop.order_forms import steps_for

#: Longest text taken as a search; longer messages are not searches.
MAX_SEARCH_LENGTH = 64


def router() -> Router:
    """The catalogue's handlers, on a new router."""
    catalogue = Router(name="catalogue")
    catalogue.callback_query.register(new_order, MenuCb.filter(F.screen == "new"))
    catalogue.callback_query.register(categories_page, CategoriesCb.filter())
    catalogue.callback_query.register(category_page, CategoryCb.filter())
    catalogue.callback_query.register(service_card, ServiceCb.filter())
    catalogue.message.register(search, StateFilter(None), Has("text"), ~Slash())
    return catalogue


async def _categories(
    callback: CallbackQuery, page: int, i18n: I18nContext, catalogue: Catalogue
) -> None:
    rows = await catalogue.categories()
    if not rows:
        await show(callback, i18n.get("catalog-empty"), keyboards.back_to_menu(i18n))
        return
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    visible = rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    await show(
        callback,
        i18n.get("catalog-categories"),
        keyboards.categories(i18n, visible, page, pages),
    )


async def new_order(callback: CallbackQuery, i18n: I18nContext, catalogue: Catalogue) -> None:
    await _categories(callback, 0, i18n, catalogue)


async def categories_page(
    callback: CallbackQuery, callback_data: CategoriesCb, i18n: I18nContext, catalogue: Catalogue
) -> None:
    await _categories(callback, callback_data.page, i18n, catalogue)


async def category_page(
    callback: CallbackQuery, callback_data: CategoryCb, i18n: I18nContext, catalogue: Catalogue
) -> None:
    page = await catalogue.page(callback_data.anchor, callback_data.page)
    if not page.offers:
        await _categories(callback, callback_data.back, i18n, catalogue)
        return
    await show(
        callback,
        i18n.get("catalog-services", category=escaped(page.category)),
        keyboards.services(
            i18n, page, callback_data.anchor, catalogue.currency, back_page=callback_data.back
        ),
    )


def _details(i18n: I18nContext, offer: ServiceOffer) -> str:
    """The card's lines about what a service is beyond its terms, each one only when known:
    drip-feed, the average time as the panel gives it, and the description (the shop's own,
    else the panel's, shortened); "" when none is."""
    service = offer.service
    lines = []
    # Only where the form asks for it: a panel's drip-feed flag on a package means nothing.
    if any(step.field == "drip_feed" for step in steps_for(service)):
        lines.append(i18n.get("card-dripfeed"))
    if offer.average_time:
        minutes = minutes_of(offer.average_time)
        time = (
            escaped(offer.average_time, PANEL_WORDS)
            if minutes is None
            else i18n.get("card-average-minutes", minutes=minutes)
        )
        lines.append(i18n.get("card-average-time", time=time))
    description = offer.shown_description.text
    if description:
        lines.extend(("", escaped(description, WHOLE)))
    return "".join(f"\n{line}" for line in lines)


def service_card_text(i18n: I18nContext, offer: ServiceOffer, currency: Currency) -> str:
    """The card of a service: what it is, what it costs, what it is like, what the form
    will ask."""
    service = offer.service
    order_type = service.order_type
    asked = ", ".join(
        i18n.get(f"field-{step.field.replace('_', '-')}") for step in steps_for(service)
    )
    price_key = (
        "card-price-package"
        if order_type and order_type.value.endswith("Package")
        else "card-price"
    )
    return i18n.get(
        "service-card",
        name=escaped(service.name),
        category=escaped(service.category),
        kind=i18n.get(f"type-{service.type.lower().replace(' ', '-')}"),
        price=i18n.get(
            price_key,
            price=currency.format(offer.unit_price),
            min=service.least_quantity,
            max=service.max,
        ),
        refill=i18n.get("yes" if service.refill else "no"),
        cancel=i18n.get("yes" if service.cancel else "no"),
        details=_details(i18n, offer),
        asked=asked,
    )


async def service_card(
    callback: CallbackQuery,
    callback_data: ServiceCb,
    *,
    i18n: I18nContext,
    catalogue: Catalogue,
    callback_answer: CallbackAnswer,
) -> None:
    offer = await catalogue.offer(callback_data.service_id)
    if offer is None:
        callback_answer.text = i18n.get("service-unavailable")
        return
    await show(
        callback,
        service_card_text(i18n, offer, catalogue.currency),
        keyboards.service_card(
            i18n, offer.service.id, offer.service.id, callback_data.page, callback_data.back
        ),
    )


async def search(message: Message, i18n: I18nContext, catalogue: Catalogue) -> None:
    text = message.text or ""
    if len(text) > MAX_SEARCH_LENGTH:
        await message.answer(i18n.get("search-too-long"), reply_markup=keyboards.main_menu(i18n))
        return
    offers = await catalogue.search(text)
    if not offers:
        await message.answer(
            i18n.get("search-nothing", query=escaped(text)),
            reply_markup=keyboards.main_menu(i18n),
        )
        return
    await message.answer(
        i18n.get("search-results", query=escaped(text)),
        reply_markup=keyboards.search_results(
            i18n,
            [
                (o.service.id, o.service.name, catalogue.currency.format(o.unit_price))
                for o in offers
            ],
        ),
    )
