"""Inline keyboards of every screen. Labels come from the locales; callback data carries ids."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram_i18n import I18nContext

from api import SUBSCRIPTION_DELAYS
from handlers.callbacks import (
    CancelFormCb,
    CategoriesCb,
    CategoryCb,
    ChannelCb,
    ChoiceCb,
    LanguageCb,
    MenuCb,
    OrderStartCb,
    QuoteCb,
    ServiceCb,
    SupportDoneCb,
)
from shop.catalogue import ServicePage
from shop.display import ON_BUTTON, shortened
from shop.money import Currency
from shop.order_forms import Answer, Step
from shop.storage import CategoryRow

#: Longest button label; Telegram shows long labels cut anyway.
MAX_LABEL = ON_BUTTON


def button(text: str, data: str) -> InlineKeyboardButton:
    """An inline button; a label too long to show is cut."""
    return InlineKeyboardButton(text=shortened(text, MAX_LABEL), callback_data=data)


def _named(i18n: I18nContext, key: str, name: str, **params: object) -> str:
    """A label naming a category or service: a long name is cut, not the price or count
    that follows it."""
    shown = shortened(name, MAX_LABEL)
    label = i18n.get(key, name=shown, **params)
    excess = len(label) - MAX_LABEL
    if excess > 0:
        label = i18n.get(key, name=shortened(name, max(len(shown) - excess, 2)), **params)
    return label


#: Keyboards as built, by catalogues, language, screen and what the screen shows: a keyboard
#: is the same for everyone who sees that screen in that language, so one built is handed
#: out again (keyboards are not changed once built).
_KEPT: dict[tuple[object, ...], InlineKeyboardMarkup] = {}
#: Keyboards kept at most; past that the old ones are dropped.
KEPT_KEYBOARDS = 256


def _kept(
    i18n: I18nContext, key: tuple[object, ...], build: Callable[[], InlineKeyboardMarkup]
) -> InlineKeyboardMarkup:
    """The keyboard ``build`` makes for ``key`` in ``i18n``'s language, built once."""
    full = (i18n.core, i18n.locale, *key)
    if (kept := _KEPT.get(full)) is not None:
        return kept
    if len(_KEPT) >= KEPT_KEYBOARDS:
        _KEPT.clear()
    built = _KEPT[full] = build()
    return built


def main_menu(i18n: I18nContext) -> InlineKeyboardMarkup:
    return _kept(i18n, ("main menu",), lambda: _main_menu(i18n))


def _main_menu(i18n: I18nContext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(i18n.get("menu-new-order"), MenuCb(screen="new").pack())],
            [
                button(i18n.get("menu-my-orders"), MenuCb(screen="orders").pack()),
                button(i18n.get("menu-balance"), MenuCb(screen="balance").pack()),
            ],
            [
                button(i18n.get("menu-support"), MenuCb(screen="support").pack()),
                button(i18n.get("menu-help"), MenuCb(screen="help").pack()),
            ],
            [button(i18n.get("menu-language"), MenuCb(screen="language").pack())],
        ]
    )


def support_done(i18n: I18nContext) -> InlineKeyboardMarkup:
    """The button that ends writing to the staff."""
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(i18n.get("button-support-done"), SupportDoneCb().pack())]]
    )


def back_to_menu(i18n: I18nContext) -> InlineKeyboardMarkup:
    return _kept(
        i18n,
        ("back to menu",),
        lambda: InlineKeyboardMarkup(
            inline_keyboard=[[button(i18n.get("button-menu"), MenuCb(screen="main").pack())]]
        ),
    )


def pager(
    i18n: I18nContext, page: int, pages: int, target: Callable[[int], str]
) -> list[InlineKeyboardButton]:
    """◀ page/pages ▶, the buttons calling ``target(page)``; nothing for one page."""
    if pages <= 1:
        return []
    row = []
    if page > 0:
        row.append(button("◀", target(page - 1)))
    row.append(button(i18n.get("page-of", page=page + 1, pages=pages), target(page)))
    if page < pages - 1:
        row.append(button("▶", target(page + 1)))
    return row


def categories(
    i18n: I18nContext, rows: Sequence[CategoryRow], page: int, pages: int
) -> InlineKeyboardMarkup:
    """A page of the category list: the same until the catalogue changes, and the first
    screen of every order."""
    return _kept(
        i18n,
        ("categories", tuple(rows), page, pages),
        lambda: _categories(i18n, rows, page, pages),
    )


def _categories(
    i18n: I18nContext, rows: Sequence[CategoryRow], page: int, pages: int
) -> InlineKeyboardMarkup:
    keyboard = [
        [
            button(
                _named(i18n, "category-button", row.name, count=row.service_count),
                CategoryCb(anchor=row.first_service_id, page=0, back=page).pack(),
            )
        ]
        for row in rows
    ]
    if pages_row := pager(i18n, page, pages, lambda number: CategoriesCb(page=number).pack()):
        keyboard.append(pages_row)
    keyboard.append([button(i18n.get("button-menu"), MenuCb(screen="main").pack())])
    return InlineKeyboardMarkup(inline_keyboard=keyboard)


def services(
    i18n: I18nContext, page: ServicePage, anchor: int, currency: Currency, back_page: int
) -> InlineKeyboardMarkup:
    """A page of a category's services, with their prices."""
    shown = tuple(
        (offer.service.id, offer.service.name, offer.unit_price) for offer in page.offers
    )
    return _kept(
        i18n,
        ("services", shown, page.page, page.pages, anchor, currency, back_page),
        lambda: _services(i18n, page, anchor, currency, back_page),
    )


def _services(
    i18n: I18nContext, page: ServicePage, anchor: int, currency: Currency, back_page: int
) -> InlineKeyboardMarkup:
    keyboard = [
        [
            button(
                _named(
                    i18n,
                    "service-button",
                    offer.service.name,
                    price=currency.format(offer.unit_price),
                ),
                ServiceCb(service_id=offer.service.id, page=page.page, back=back_page).pack(),
            )
        ]
        for offer in page.offers
    ]
    if pages_row := pager(
        i18n,
        page.page,
        page.pages,
        lambda number: CategoryCb(anchor=anchor, page=number, back=back_page).pack(),
    ):
        keyboard.append(pages_row)
    keyboard.append([button(i18n.get("button-back"), CategoriesCb(page=back_page).pack())])
    return InlineKeyboardMarkup(inline_keyboard=keyboard)


def search_results(i18n: I18nContext, offers: list[tuple[int, str, str]]) -> InlineKeyboardMarkup:
    keyboard: list[list[InlineKeyboardButton]] = []
    for service_id, name, price in offers:
        keyboard.append(
            [
                button(
                    _named(i18n, "service-button", name, price=price),
                    ServiceCb(service_id=service_id, page=0).pack(),
                )
            ]
        )
    keyboard.append([button(i18n.get("button-menu"), MenuCb(screen="main").pack())])
    return InlineKeyboardMarkup(inline_keyboard=keyboard)


def service_card(
    i18n: I18nContext, service_id: int, anchor: int, page: int, back: int
) -> InlineKeyboardMarkup:
    return _kept(
        i18n,
        ("service card", service_id, anchor, page, back),
        lambda: _service_card(i18n, service_id, anchor, page, back),
    )


def _service_card(
    i18n: I18nContext, service_id: int, anchor: int, page: int, back: int
) -> InlineKeyboardMarkup:
    back_to_category = CategoryCb(anchor=anchor, page=page, back=back).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(i18n.get("button-order"), OrderStartCb(service_id=service_id).pack())],
            [button(i18n.get("button-back"), back_to_category)],
        ]
    )


def step(i18n: I18nContext, current: Step) -> InlineKeyboardMarkup:
    """Buttons of a form step: its choices, Skip for optional steps, and Cancel."""
    return _kept(i18n, ("step", current), lambda: _step(i18n, current))


def _step(i18n: I18nContext, current: Step) -> InlineKeyboardMarkup:
    keyboard: list[list[InlineKeyboardButton]] = []
    if current.answer is Answer.YES_NO:
        keyboard.append(
            [
                button(i18n.get("button-yes"), ChoiceCb(field=current.field, value="yes").pack()),
                button(i18n.get("button-no"), ChoiceCb(field=current.field, value="no").pack()),
            ]
        )
    elif current.answer is Answer.DELAY:
        delays = [
            button(
                i18n.get("delay-button", minutes=minutes),
                ChoiceCb(field=current.field, value=str(minutes)).pack(),
            )
            for minutes in SUBSCRIPTION_DELAYS
        ]
        keyboard.extend(delays[start : start + 4] for start in range(0, len(delays), 4))
    if current.optional:
        keyboard.append(
            [button(i18n.get("button-skip"), ChoiceCb(field=current.field, value="").pack())]
        )
    keyboard.append([button(i18n.get("button-cancel"), CancelFormCb().pack())])
    return InlineKeyboardMarkup(inline_keyboard=keyboard)


def quote(i18n: I18nContext, quote_id: str, *, short_of_funds: bool) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                i18n.get("button-confirm"), QuoteCb(action="confirm", quote_id=quote_id).pack()
            ),
            button(i18n.get("button-cancel"), QuoteCb(action="drop", quote_id=quote_id).pack()),
        ]
    ]
    if short_of_funds:
        # A new message: the summary with its Confirm stays for after the payment.
        rows.insert(0, [button(i18n.get("button-top-up"), MenuCb(screen="topup-new").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def languages(i18n: I18nContext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button("English", LanguageCb(code="en").pack()),
                button("Русский", LanguageCb(code="ru").pack()),
            ],
            [button(i18n.get("button-menu"), MenuCb(screen="main").pack())],
        ]
    )


def join_channel(i18n: I18nContext, link: str | None) -> InlineKeyboardMarkup:
    """Join the required channel (when it has a link), and Check again."""
    keyboard = (
        [[InlineKeyboardButton(text=i18n.get("button-join-channel"), url=link)]] if link else []
    )
    keyboard.append([button(i18n.get("button-check-channel"), ChannelCb().pack())])
    return InlineKeyboardMarkup(inline_keyboard=keyboard)
