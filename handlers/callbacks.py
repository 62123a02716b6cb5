"""Callback data of every inline button: ids only, always within Telegram's 64 bytes."""

from __future__ import annotations

from typing import Annotated, Final

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

#: Largest id SQLite stores. A forged button with a larger one fails to unpack (and is
#: answered as outdated) instead of failing in a query.
MAX_ID: Final = 2**63 - 1
RowId = Annotated[int, Field(ge=0, le=MAX_ID)]


class MenuCb(CallbackData, prefix="m"):
    """A main-menu screen: main, new, orders, balance, language, help."""

    screen: str


class HistoryCb(CallbackData, prefix="hist"):
    """A page of the balance screen's history, from 0."""

    page: int


class ExportCb(CallbackData, prefix="exp"):
    """The customer's orders and balance movements as a CSV document."""


class CategoriesCb(CallbackData, prefix="cats"):
    """A page of the category list."""

    page: int


class CategoryCb(CallbackData, prefix="cat"):
    """A page of one category, named by one of its services (names may be too long);
    ``back`` is the page of the category list to go back to."""

    anchor: RowId
    page: int
    back: int = 0


class ServiceCb(CallbackData, prefix="svc"):
    """A service's card; ``page`` is the category page to go back to, ``back`` the page of
    the category list that one goes back to."""

    service_id: RowId
    page: int
    back: int = 0


class OrderStartCb(CallbackData, prefix="buy"):
    """Start the order form of a service."""

    service_id: RowId


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


class OrdersCb(CallbackData, prefix="os"):
    """A page of the customer's orders."""

    page: int


class OrderCb(CallbackData, prefix="o"):
    """An order's card; ``page`` is the list page to go back to."""

    order_id: RowId
    page: int


class OrderActionCb(CallbackData, prefix="oa"):
    """Refresh, refill or cancel an order."""

    action: str
    order_id: RowId


class TopUpCb(CallbackData, prefix="tu"):
    """Top up by an amount in the shop's currency; ``amount`` empty: type another."""

    amount: str


class TopUpMethodCb(CallbackData, prefix="tm"):
    """A way to top up, from the chooser: a :class:`shop.topups.TopUpMethod` value."""

    method: str


class CryptoAmountCb(CallbackData, prefix="ca"):
    """Top up through Crypto Pay by an amount in the shop's currency; ``amount`` empty:
    type another."""

    amount: str


class CryptoCheckCb(CallbackData, prefix="cc"):
    """Check whether a Crypto Pay invoice (the shop's number of it) is paid."""

    invoice: RowId


class AdminOrderCb(CallbackData, prefix="ao"):
    """An admin's action on any order from /order: refresh, refill, cancel."""

    action: str
    order_id: RowId


class ManualAmountCb(CallbackData, prefix="ma"):
    """Top up by transfer for an amount in the shop's currency; ``amount`` empty: type
    another."""

    amount: str


class ManualDecisionCb(CallbackData, prefix="md"):
    """An admin's decision on a transfer request: ``approve`` or ``reject``."""

    action: str
    request_id: RowId


class ChannelCb(CallbackData, prefix="chan"):
    """Ask again whether the customer is in the required channel."""


class SupportAskCb(CallbackData, prefix="ask"):
    """Write to the shop's staff about one of the customer's orders."""

    order_id: RowId


class SupportDoneCb(CallbackData, prefix="sdone"):
    """Stop writing to the shop's staff and go back to the menu."""
