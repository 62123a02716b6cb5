"""Callback data of every inline button: ids only, always within Telegram's 64 bytes."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class MenuCb(CallbackData, prefix="m"):
    """A main-menu screen: main, new, orders, balance, language, help."""

    screen: str


class CategoriesCb(CallbackData, prefix="cats"):
    """A page of the category list."""

    page: int


class CategoryCb(CallbackData, prefix="cat"):
    """A page of one category, named by one of its services (names may be too long)."""

    anchor: int
    page: int


class ServiceCb(CallbackData, prefix="svc"):
    """A service's card; ``page`` is the category page to go back to."""

    service_id: int
    page: int


class OrderStartCb(CallbackData, prefix="buy"):
    """Start the order form of a service."""

    service_id: int


class ChoiceCb(CallbackData, prefix="ch"):
    """An answer given by a button (yes/no, a delay, skip) to the current form step."""

    field: str
    value: str


class QuoteCb(CallbackData, prefix="q"):
    """Confirm or drop a quoted order."""

    action: str
    quote_id: str


class LanguageCb(CallbackData, prefix="lang"):
    """Switch the customer's language."""

    code: str


class CancelFormCb(CallbackData, prefix="stop"):
    """Leave the order form and go back to the menu."""
