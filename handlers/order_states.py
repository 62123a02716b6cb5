"""One StatesGroup per order form; each state is one step of shop.order_forms.FLOWS."""

from __future__ import annotations

from typing import Final

from aiogram.fsm.state import State, StatesGroup

from api import OrderType


class DefaultForm(StatesGroup):
    link = State()
    quantity = State()
    drip_feed = State()
    runs = State()
    interval = State()


class PackageForm(StatesGroup):
    link = State()


class CustomCommentsForm(StatesGroup):
    link = State()
    comments = State()


class MentionsWithHashtagsForm(StatesGroup):
    link = State()
    quantity = State()
    usernames = State()
    hashtags = State()


class MentionsCustomListForm(StatesGroup):
    link = State()
    usernames = State()


class MentionsHashtagForm(StatesGroup):
    link = State()
    quantity = State()
    hashtag = State()


class MentionsUserFollowersForm(StatesGroup):
    link = State()
    quantity = State()
    username = State()


class SubscriptionForm(StatesGroup):
    username = State()
    min = State()
    max = State()
    posts = State()
    old_posts = State()
    delay = State()
    expiry = State()


class CustomCommentsPackageForm(StatesGroup):
    link = State()
    comments = State()


class PollForm(StatesGroup):
    link = State()
    quantity = State()
    answer_number = State()


class Confirming(StatesGroup):
    """The summary and price are shown; waiting for Confirm or Cancel."""

    quote = State()


FORMS: Final[dict[OrderType, type[StatesGroup]]] = {
    OrderType.DEFAULT: DefaultForm,
    OrderType.PACKAGE: PackageForm,
    OrderType.CUSTOM_COMMENTS: CustomCommentsForm,
    OrderType.MENTIONS_WITH_HASHTAGS: MentionsWithHashtagsForm,
    OrderType.MENTIONS_CUSTOM_LIST: MentionsCustomListForm,
    OrderType.MENTIONS_HASHTAG: MentionsHashtagForm,
    OrderType.MENTIONS_USER_FOLLOWERS: MentionsUserFollowersForm,
    OrderType.SUBSCRIPTIONS: SubscriptionForm,
    OrderType.CUSTOM_COMMENTS_PACKAGE: CustomCommentsPackageForm,
    OrderType.POLL: PollForm,
}

#: Every state in which the customer is filling in an order form.
FORM_STATES: Final[tuple[State, ...]] = tuple(
    state for group in FORMS.values() for state in group.__all_states__
)


def state_for(order_type: OrderType, field: str) -> State:
    """The state of the step that fills ``field`` in ``order_type``'s form."""
    state = getattr(FORMS[order_type], field)
    assert isinstance(state, State)
    return state
