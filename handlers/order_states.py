"""The states of a conversation about an order: one per step of each order type's form, made
from shop.order_forms.FLOWS, and the quote waiting for its confirmation.

The FSM storage keeps a state by its name, ``<Type>Form:<field>`` (``DefaultForm:link``), so
a form in progress resumes after a restart, and after an upgrade that changes no step.
"""

from __future__ import annotations

from typing import Final

from aiogram.fsm.state import State, StatesGroup

from api import OrderType
from shop.order_forms import FLOWS

#: Forms stored under a name other than their type's: conversations in progress keep it.
_STORED_AS: Final = {OrderType.SUBSCRIPTIONS: "SubscriptionForm"}


def form_name(order_type: OrderType) -> str:
    """The name the states of ``order_type``'s form are stored under: "DefaultForm",
    "MentionsWithHashtagsForm"..."""
    return _STORED_AS.get(order_type) or order_type.name.title().replace("_", "") + "Form"


#: The state of each step of each form, by order type and the field the step fills.
FORM_STATES: Final[dict[tuple[OrderType, str], State]] = {
    (order_type, step.field): State(step.field, form_name(order_type))
    for order_type, steps in FLOWS.items()
    for step in steps
}


def state_for(order_type: OrderType, field: str) -> State:
    """The state of the step that fills ``field`` in ``order_type``'s form."""
    return FORM_STATES[order_type, field]


class Confirming(StatesGroup):
    """The summary and price are shown; waiting for Confirm or Cancel."""

    quote = State()
