"""Support conversations: customers write to the shop inside the bot, the staff answer in the
admin group.

When the group is a forum, each customer has one topic of their own, created (by the
notifier, see :mod:`bot.notifier`) when their first message is delivered there and reused
afterwards; otherwise (also when the group has topics the bot may not create) each message
is posted under a header naming the customer, and the staff answer by replying to it. Every
message goes through the outbox, so it is sent within Telegram's limits and survives a
restart; the mapping between the group's messages (chat and id) and the customer's chat is
stored, so an answer finds its customer after a restart too.
"""

from __future__ import annotations

import enum
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol

from shop.alerts import Alerts
from shop.display import IN_LIST, IN_MESSAGE, WHOLE, escaped, shortened
from shop.storage import (
    Database,
    Direction,
    OpenTicket,
    OutboxRow,
    Repositories,
    TicketRow,
    UserRow,
    utc_now,
)
from shop.terms import Terms
from shop.texts import Texts

logger = logging.getLogger(__name__)

#: Outbox kinds: what a customer wrote (and its header), the staff's answers, and the rest
#: (notes in the group, the customer told their ticket is closed).
SUPPORT_IN_KIND: Final = "support_in"
SUPPORT_ANSWER_KIND: Final = "support_answer"
SUPPORT_NOTE_KIND: Final = "support_note"
SUPPORT_KINDS: Final = frozenset({SUPPORT_IN_KIND, SUPPORT_ANSWER_KIND, SUPPORT_NOTE_KIND})
#: Telegram's longest forum topic name.
TOPIC_NAME_LIMIT: Final = 128
#: The window the flood limit counts in.
FLOOD_WINDOW: Final = timedelta(minutes=1)
#: How long what the shop learnt of the group's topics (it has them; it has none, or none
#: the bot may create) holds before Telegram is asked again: the staff may change either.
TOPICS_RECHECK: Final = timedelta(hours=1)


class Forums(Protocol):
    """Whether a group is a forum (has topics), as Telegram says."""

    async def is_forum(self, chat_id: int) -> bool | None:
        """True when the group ``chat_id`` has topics enabled; None when Telegram could
        not be asked."""
        ...


class Relay(enum.Enum):
    """What became of a customer's message."""

    #: Relayed, and it opened a new ticket: the customer is told it reached the staff.
    OPENED = "opened"
    RELAYED = "relayed"
    #: Over the flood limit: not relayed, and the customer is asked to wait (once a burst).
    WAIT = "wait"
    #: Over the flood limit, and already asked to wait: not relayed, nothing said.
    HELD = "held"
    #: The same message again (Telegram delivered its update twice): nothing more done.
    DUPLICATE = "duplicate"
    #: The shop has no admin group: there is nobody to relay to.
    NO_GROUP = "no_group"


@dataclass(frozen=True, slots=True)
class Closed:
    """A ticket the staff closed, with its customer."""

    ticket: TicketRow
    customer: UserRow


def topic_title(customer: UserRow) -> str:
    """The name of the customer's topic: their name and shop id, within Telegram's 128
    characters (a long name is cut, never the id)."""
    suffix = f" · {customer.id}"
    name = customer.first_name or (f"@{customer.username}" if customer.username else "")
    name = " ".join(name.split()) or "Customer"
    return shortened(name, TOPIC_NAME_LIMIT - len(suffix)) + suffix


def ticket_age(texts: Texts, locale: str, age: timedelta) -> str:
    """How long a ticket has been open, in the largest two units that say it."""
    minutes = max(0, int(age.total_seconds() // 60))
    hours, days = minutes // 60, minutes // (60 * 24)
    if days:
        return texts.get(locale, "support-age-days", days=days, hours=hours % 24)
    if hours:
        return texts.get(locale, "support-age-hours", hours=hours, minutes=minutes % 60)
    return texts.get(locale, "support-age-minutes", minutes=minutes)


class SupportDesk:
    """The rules of support conversations; handlers and the notifier call it."""

    def __init__(
        self, db: Database, terms: Terms, texts: Texts, per_minute: int, alerts: Alerts
    ) -> None:
        """``per_minute``: the most messages of one customer relayed in a minute."""
        self._db = db
        self._terms = terms
        self._texts = texts
        self._per_minute = per_minute
        self._alerts = alerts
        #: Whether each group has topics the bot may use, as last learnt, and until when
        #: (``time.monotonic()``) that holds.
        self._forums: dict[int, tuple[bool, float]] = {}

    @property
    def texts(self) -> Texts:
        """The shop's translations."""
        return self._texts

    @property
    def group(self) -> int | None:
        """The admin group, where the staff answer; None: support is off."""
        return self._terms.admin_chat_id

    def _admin_text(self, key: str, **params: object) -> str:
        return self._texts.get(self._terms.admin_locale, key, **params)

    # --- whether the group has topics --------------------------------------------------------

    def _known(self, chat_id: int) -> bool | None:
        """Whether the group has topics the bot may use, while what was learnt holds."""
        known = self._forums.get(chat_id)
        if known is None or known[1] <= time.monotonic():
            return None
        return known[0]

    def _learn(self, chat_id: int, usable: bool) -> None:
        until = time.monotonic() + TOPICS_RECHECK.total_seconds()
        self._forums[chat_id] = (usable, until)

    async def _is_forum(self, chat_id: int, forums: Forums) -> bool:
        known = self._known(chat_id)
        if known is None:
            known = await forums.is_forum(chat_id)
            if known is None:
                # Posted as for a plain group this once; asked again next time.
                return False
            self._learn(chat_id, known)
        return known

    def topics_usable(self, chat_id: int) -> bool:
        """False while the shop knows the group has no topics the bot may create: no topic
        is asked for, and its messages go to the group as to a plain one."""
        return self._known(chat_id) is not False

    def forget_forum(self, chat_id: int) -> None:
        """A topic in the group is gone: ask again whether it has topics before the next
        message (the staff may have switched them on or off)."""
        self._forums.pop(chat_id, None)

    async def topics_refused(self, chat_id: int, detail: str, *, lacks_rights: bool) -> None:
        """Telegram refused to create a topic in the group (``detail``: its words): for
        :data:`TOPICS_RECHECK` its messages are posted as for a plain group (a header, and
        the copy replying to it), and none is asked for. When the bot ``lacks_rights``,
        the admins are told, once a day, that it needs the "Manage topics" right."""
        self._learn(chat_id, False)
        if lacks_rights:
            async with self._db.transaction() as tx:
                await self._alerts.topics_refused(tx, detail, utc_now().date().isoformat())

    # --- the customer's side ----------------------------------------------------------------

    async def relay(
        self,
        customer: UserRow,
        message_id: int,
        forums: Forums,
        order_id: int | None = None,
    ) -> Relay:
        """Queue the customer's message ``message_id`` (in their chat) for the group, under
        their open ticket (opened now if none; about ``order_id`` if given and theirs)."""
        group = self.group
        if group is None:
            return Relay.NO_GROUP
        forum = await self._is_forum(group, forums)
        now = utc_now()
        async with self._db.transaction() as tx:
            support = tx.support
            if await support.has_message(customer.id, message_id, Direction.IN):
                return Relay.DUPLICATE
            ticket = await support.open_ticket(customer.id)
            if ticket is not None and (held := await self._over_limit(tx, ticket, now)):
                return held
            if (
                order_id is not None
                and await tx.orders.get_for_user(order_id, customer.id) is None
            ):
                order_id = None
            opened = ticket is None
            if ticket is None:
                ticket = await support.create_ticket(customer.id, order_id)
            new_order = order_id is not None and (opened or ticket.order_id != order_id)
            if new_order and not opened and order_id is not None:
                await support.set_ticket_order(ticket.id, order_id)
            # Every message has its header. In a topic only a new ticket's or order's is
            # sent (and that of a new topic); the rest are there for a group that turns
            # out to have no topics the bot may use, where each message needs one.
            header = await self._header(tx, customer, ticket.id, order_id if new_order else None)
            header_id = await tx.outbox.enqueue(
                group,
                header,
                SUPPORT_IN_KIND,
                topic_user_id=customer.id if forum else None,
                outside_topic_only=forum and not (opened or new_order),
                dedupe_key=f"support:header:{customer.id}:{message_id}",
            )
            if header_id is not None:
                await support.add_message(
                    ticket.id, Direction.IN, outbox_id=header_id, is_header=True
                )
            copy_id = await tx.outbox.enqueue(
                group,
                "",
                SUPPORT_IN_KIND,
                copy_of=(customer.id, message_id),
                topic_user_id=customer.id if forum else None,
                reply_to_outbox_id=header_id,
                dedupe_key=f"support:in:{customer.id}:{message_id}",
            )
            if copy_id is None:
                return Relay.DUPLICATE
            await support.add_message(
                ticket.id,
                Direction.IN,
                outbox_id=copy_id,
                customer_message_id=message_id,
            )
        return Relay.OPENED if opened else Relay.RELAYED

    async def _over_limit(
        self, tx: Repositories, ticket: TicketRow, now: datetime
    ) -> Relay | None:
        """None while the customer is within the flood limit; else whether to ask them to
        wait (the first time in this burst) or to say nothing more."""
        count, first = await tx.support.count_in_since(ticket.user_id, now - FLOOD_WINDOW)
        if count < self._per_minute:
            return None
        if ticket.warned_at is not None and first is not None and ticket.warned_at >= first:
            return Relay.HELD
        await tx.support.set_warned(ticket.id, now)
        return Relay.WAIT

    async def _header(
        self, tx: Repositories, customer: UserRow, ticket_id: int, order_id: int | None
    ) -> str:
        """Who wrote, with the command that shows their orders; the order they ask about."""
        text = self._admin_text(
            "support-header",
            name=escaped(customer.first_name or "—", IN_LIST),
            username=f" @{escaped(customer.username, IN_LIST)}" if customer.username else "",
            user_id=str(customer.id),
            ticket_id=str(ticket_id),
        )
        if order_id is None:
            return text
        order = await tx.orders.get(order_id)
        if order is None:
            return text
        service = await tx.services.get(order.service_id)
        summary = self._admin_text(
            "support-header-order",
            order_id=str(order.id),
            service=escaped(service.name if service else str(order.service_id), IN_MESSAGE),
            link=escaped(order.link or "—", WHOLE // 2),
            quantity=order.quantity,
            status=self._admin_text(f"state-{order.state.value.replace('_', '-')}"),
            charge=self._terms.currency.format(order.price),
        )
        return f"{text}\n\n{summary}"

    async def is_their_order(self, customer_id: int, order_id: int) -> bool:
        """Whether order ``order_id`` is the customer's."""
        async with self._db.read() as r:
            return await r.orders.get_for_user(order_id, customer_id) is not None

    async def is_answer(self, customer_id: int, message_id: int) -> bool:
        """Whether the customer's message ``message_id`` is an answer of the staff (so a
        reply to it goes to the staff)."""
        async with self._db.read() as r:
            return await r.support.has_message(customer_id, message_id, Direction.OUT)

    # --- the staff's side -------------------------------------------------------------------

    async def _customer_of(
        self, tx: Repositories, chat_id: int, thread_id: int | None, reply_to: int | None
    ) -> int | None:
        """The customer a message in the group is about: the owner of its topic, else the
        customer of the message it replies to."""
        if thread_id is not None:
            owner = await tx.support.topic_owner(chat_id, thread_id)
            if owner is not None:
                return owner
        if reply_to is not None:
            found = await tx.support.by_group_message(chat_id, reply_to)
            if found is not None:
                return found[0]
        return None

    async def answer(
        self, chat_id: int, message_id: int, *, thread_id: int | None, reply_to: int | None
    ) -> bool:
        """Queue a copy of the staff's message for the customer whose topic it is in (or
        whose message it replies to); False when it is about no customer."""
        if chat_id != self.group:
            return False
        async with self._db.transaction() as tx:
            customer_id = await self._customer_of(tx, chat_id, thread_id, reply_to)
            if customer_id is None:
                return False
            ticket = await tx.support.open_ticket(customer_id) or await tx.support.latest_ticket(
                customer_id
            )
            if ticket is None:
                return False
            outbox_id = await tx.outbox.enqueue(
                customer_id,
                "",
                SUPPORT_ANSWER_KIND,
                copy_of=(chat_id, message_id),
                user_id=customer_id,
                dedupe_key=f"support:out:{chat_id}:{message_id}",
            )
            if outbox_id is not None:
                await tx.support.add_message(
                    ticket.id,
                    Direction.OUT,
                    outbox_id=outbox_id,
                    group_message=(chat_id, message_id),
                )
        return True

    async def undelivered(self, tx: Repositories, row: OutboxRow) -> None:
        """The customer blocked the bot, so the staff's answer ``row`` did not reach them:
        a note under that answer says so."""
        if row.kind != SUPPORT_ANSWER_KIND or row.user_id is None or self.group is None:
            return
        customer = await tx.users.get(row.user_id)
        topic = await tx.support.topic(row.user_id, self.group)
        await tx.outbox.enqueue(
            self.group,
            self._admin_text(
                "support-undelivered",
                name=escaped((customer.first_name if customer else None) or "—", IN_LIST),
                user_id=str(row.user_id),
            ),
            SUPPORT_NOTE_KIND,
            topic_user_id=row.user_id if topic is not None else None,
            # Under the answer, when it was written in this group (not in one the shop left).
            reply_to_message_id=row.copy_message_id
            if row.copy_from_chat_id == self.group
            else None,
            dedupe_key=f"support:undelivered:{row.id}",
        )

    async def close(
        self, chat_id: int, closed_by: int, *, thread_id: int | None, reply_to: int | None
    ) -> Closed | None:
        """Close the open ticket of the customer the staff's message is about, and tell the
        customer; None when there is no open ticket there."""
        if chat_id != self.group:
            return None
        async with self._db.transaction() as tx:
            customer_id = await self._customer_of(tx, chat_id, thread_id, reply_to)
            if customer_id is None:
                return None
            ticket = await tx.support.open_ticket(customer_id)
            customer = await tx.users.get(customer_id)
            if ticket is None or customer is None:
                return None
            await tx.support.close_ticket(ticket.id, closed_by, utc_now())
            if not customer.blocked:
                await tx.outbox.enqueue(
                    customer.id,
                    self._texts.get(customer.language, "support-closed"),
                    SUPPORT_NOTE_KIND,
                    user_id=customer.id,
                    dedupe_key=f"support:closed:{ticket.id}",
                )
            return Closed(ticket, customer)

    async def open_tickets(self, limit: int) -> tuple[list[OpenTicket], int]:
        """Up to ``limit`` open tickets, oldest first, and how many are open in all."""
        async with self._db.read() as r:
            return await r.support.open_tickets(limit)
