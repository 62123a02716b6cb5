"""Callback data of every inline button: ids only, always within Telegram's 64 bytes."""

from __future__ import annotations

from typing import Annotated, Any, Final, Self

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

#: Largest id SQLite stores. A forged button with a larger one fails to unpack (and is
#: answered as outdated) instead of failing in a query.
MAX_ID: Final = 2**63 - 1
RowId = Annotated[int, Field(ge=0, le=MAX_ID)]
#: Button texts whose unpacked data is kept, the latest (each a few hundred bytes): enough
#: for the taps being handled at once, which is what it is for.
UNPACKED_KEPT: Final = 512

_unpacked: dict[tuple[type[Any], str], CallbackData] = {}


class ButtonData(CallbackData, prefix="_", frozen=True):
    """Callback data unpacked once per text. A tap is checked by every handler whose filter
    names its kind on the routers its gate lets it into, and each check unpacked it again,
    a validated pydantic model each time: a main-menu tap 12 times, by handlers on 7
    routers. Unpacked data is frozen, so one instance may go to any number of checks."""

    @classmethod
    def unpack(cls, value: str) -> Self:
        key = (cls, value)
        found = _unpacked.get(key)
        if found is None:
            found = super().unpack(value)
            if len(_unpacked) >= UNPACKED_KEPT:
                del _unpacked[next(iter(_unpacked))]
            _unpacked[key] = found
        return found  # type: ignore[return-value]


class MenuCb(ButtonData, prefix="m"):
    """A main-menu screen: main, new, orders, balance, language, help."""

    screen: str


class HistoryCb(ButtonData, prefix="hist"):
    """A page of the balance screen's history, from 0."""

    page: int


class ExportCb(ButtonData, prefix="exp"):
    """The customer's orders and balance movements as a CSV document."""


class CategoriesCb(ButtonData, prefix="cats"):
    """A page of the category list."""

    page: int


class CategoryCb(ButtonData, prefix="cat"):
    """A page of one category, named by one of its services (names may be too long);
    ``back`` is the page of the category list to go back to."""

    anchor: RowId
    page: int
    back: int = 0


class ServiceCb(ButtonData, prefix="svc"):
    """A service's card; ``page`` is the category page to go back to, ``back`` the page of
    the category list that one goes back to."""

    service_id: RowId
    page: int
    back: int = 0


class OrderStartCb(ButtonData, prefix="buy"):
    """Start the order form of a service."""

    service_id: RowId


class ChoiceCb(ButtonData, prefix="ch"):
    """An answer given by a button (yes/no, a delay, skip) to the current form step."""

    field: str
    value: str


class QuoteCb(ButtonData, prefix="q"):
    """Confirm or drop a quoted order."""

    action: str
    quote_id: str


class LanguageCb(ButtonData, prefix="lang"):
    """Switch the customer's language."""

    code: str


class CancelFormCb(ButtonData, prefix="stop"):
    """Leave the order form and go back to the menu."""


class OrdersCb(ButtonData, prefix="os"):
    """A page of the customer's orders."""

    page: int


class OrderCb(ButtonData, prefix="o"):
    """An order's card; ``page`` is the list page to go back to."""

    order_id: RowId
    page: int


class OrderActionCb(ButtonData, prefix="oa"):
    """Refresh, refill or cancel an order."""

    action: str
    order_id: RowId


class TopUpCb(ButtonData, prefix="tu"):
    """Top up by an amount in the shop's currency; ``amount`` empty: type another."""

    amount: str


class TopUpMethodCb(ButtonData, prefix="tm"):
    """A way to top up, from the chooser: a :class:`shop.topups.TopUpMethod` value."""

    method: str


class CryptoAmountCb(ButtonData, prefix="ca"):
    """Top up through Crypto Pay by an amount in the shop's currency; ``amount`` empty:
    type another."""

    amount: str


class CryptoCheckCb(ButtonData, prefix="cc"):
    """Check whether a Crypto Pay invoice (the shop's number of it) is paid."""

    invoice: RowId


class AdminOrderCb(ButtonData, prefix="ao"):
    """An admin's action on any order from /order: refresh, refill, cancel."""

    action: str
    order_id: RowId


class ManualAmountCb(ButtonData, prefix="ma"):
    """Top up by transfer for an amount in the shop's currency; ``amount`` empty: type
    another."""

    amount: str


class ManualDecisionCb(ButtonData, prefix="md"):
    """An admin's decision on a transfer request: ``approve`` or ``reject``."""

    action: str
    request_id: RowId


class ChannelCb(ButtonData, prefix="chan"):
    """Ask again whether the customer is in the required channel."""


class SupportAskCb(ButtonData, prefix="ask"):
    """Write to the shop's staff about one of the customer's orders."""

    order_id: RowId


class SupportDoneCb(ButtonData, prefix="sdone"):
    """Stop writing to the shop's staff and go back to the menu."""
