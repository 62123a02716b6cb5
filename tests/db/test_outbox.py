"""The outbox: deduplicated, delayed, retried, dropped for chats that blocked the bot."""

from __future__ import annotations

from datetime import timedelta

from shop.storage import Database, OutboxRow, OutboxState, Repositories, utc_now


async def test_a_dedupe_key_queues_a_message_once(db: Database) -> None:
    async with db.transaction() as tx:
        first = await tx.outbox.enqueue(1, "Order #1 completed", "order_status", dedupe_key="o:1")
        again = await tx.outbox.enqueue(1, "Order #1 completed", "order_status", dedupe_key="o:1")
        free = await tx.outbox.enqueue(1, "hello", "broadcast")
        free_again = await tx.outbox.enqueue(1, "hello", "broadcast")
    assert first is not None
    assert again is None
    assert free is not None
    assert free_again is not None


async def test_due_messages_come_in_time_order_with_their_markup(db: Database) -> None:
    now = utc_now()
    markup = {"inline_keyboard": [[{"text": "Open", "callback_data": "o:1"}]]}
    async with db.transaction() as tx:
        later = await tx.outbox.enqueue(1, "later", "k", not_before=now + timedelta(minutes=5))
        first = await tx.outbox.enqueue(2, "first", "k", reply_markup=markup, user_id=2)
    async with db.read() as r:
        due_now = await r.outbox.due(now + timedelta(seconds=1))
        due_later = await r.outbox.due(now + timedelta(minutes=10))
    assert [m.id for m in due_now] == [first]
    assert due_now[0].reply_markup == markup
    assert due_now[0].user_id == 2
    assert [m.id for m in due_later] == [first, later]


async def test_sent_retried_and_failed_messages(db: Database) -> None:
    now = utc_now()
    async with db.transaction() as tx:
        sent = await tx.outbox.enqueue(1, "a", "k")
        retried = await tx.outbox.enqueue(1, "b", "k")
        failed = await tx.outbox.enqueue(1, "c", "k")
        assert sent is not None
        assert retried is not None
        assert failed is not None
        assert await tx.outbox.mark_sent(sent, now) is True
        assert await tx.outbox.mark_sent(sent, now) is False
        assert await tx.outbox.mark_retry(retried, now + timedelta(seconds=30), "429") is True
        assert await tx.outbox.mark_failed(failed, "400 Bad Request") is True
        due = await tx.outbox.due(now + timedelta(seconds=1))
        retry_row = await tx.outbox.get(retried)
        counts = await tx.outbox.counts_by_state()
    assert due == []
    assert retry_row is not None
    assert (retry_row.attempts, retry_row.last_error) == (1, "429")
    assert counts == {OutboxState.SENT: 1, OutboxState.PENDING: 1, OutboxState.FAILED: 1}


async def test_pending_messages_to_a_chat_that_blocked_the_bot_are_dropped(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.outbox.enqueue(1, "a", "order_status")
        await tx.outbox.enqueue(1, "b", "broadcast")
        await tx.outbox.enqueue(2, "c", "broadcast")
        dropped = await tx.outbox.drop_pending_for_chat(1)
        broadcast = await tx.outbox.counts_by_state(kind="broadcast")
    assert dropped == 2
    assert broadcast == {OutboxState.DROPPED: 1, OutboxState.PENDING: 1}


async def test_purge_keeps_pending_messages(db: Database) -> None:
    async with db.transaction() as tx:
        sent = await tx.outbox.enqueue(1, "a", "k")
        pending = await tx.outbox.enqueue(1, "b", "k")
        assert sent is not None
        await tx.outbox.mark_sent(sent)
        purged = await tx.outbox.purge_finished(utc_now() + timedelta(days=1))
        assert pending is not None
        assert await tx.outbox.get(pending) is not None
    assert purged == 1


async def test_purge_keeps_failed_messages_and_recent_ones(db: Database) -> None:
    """Sent and dropped messages go once old enough; failed ones stay for the admins to see,
    and pending ones until they are delivered."""
    now = utc_now()
    month_ago = now - timedelta(days=31)
    async with db.transaction() as tx:
        old_sent = await tx.outbox.enqueue(1, "old", "k", not_before=month_ago)
        new_sent = await tx.outbox.enqueue(2, "new", "k")
        failed = await tx.outbox.enqueue(3, "failed", "k", not_before=month_ago)
        await tx.outbox.enqueue(4, "pending", "k", not_before=month_ago)
        dropped = await tx.outbox.enqueue(5, "dropped", "k")
        assert old_sent is not None
        assert new_sent is not None
        assert failed is not None
        await tx.outbox.mark_sent(old_sent, month_ago)
        await tx.outbox.mark_sent(new_sent, now)
        await tx.outbox.mark_failed(failed, "400 Bad Request")
        await tx.outbox.drop_pending_for_chat(5)
        purged_month = await tx.outbox.purge_finished(now - timedelta(days=30))
        left_month = {row.text for row in await _all(tx)}
        purged_later = await tx.outbox.purge_finished(now + timedelta(days=1))
        left_later = {row.text for row in await _all(tx)}
    assert (purged_month, left_month) == (1, {"new", "failed", "pending", "dropped"})
    assert (purged_later, left_later) == (2, {"failed", "pending"})
    assert dropped is not None


async def test_purge_takes_at_most_its_limit_of_messages(db: Database) -> None:
    async with db.transaction() as tx:
        for chat in range(5):
            message = await tx.outbox.enqueue(chat, "a", "k")
            assert message is not None
            await tx.outbox.mark_sent(message)
        later = utc_now() + timedelta(days=1)
        counts = [await tx.outbox.purge_finished(later, limit=2) for _ in range(4)]
    assert counts == [2, 2, 1, 0]


async def _all(tx: Repositories) -> list[OutboxRow]:
    rows = [await tx.outbox.get(message_id) for message_id in range(1, 100)]
    return [row for row in rows if row is not None]
