"""FSM storage: conversations survive a restart; keys keep conversations apart."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

import pytest
from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from bot.fsm_storage import SQLiteStorage, storage_key
from handlers.conversation_state import end, move_to
from shop.storage import Database


class OrderForm(StatesGroup):
    link = State()
    quantity = State()


KEY = StorageKey(bot_id=42, chat_id=1, user_id=1)


async def test_state_and_data_survive_closing_and_reopening(db_path: Path) -> None:
    async with await Database.open(db_path) as database:
        storage = SQLiteStorage(database)
        await storage.set_state(KEY, OrderForm.quantity)
        await storage.set_data(KEY, {"service_id": 101, "link": "https://t.me/shop"})
        await storage.close()

    async with await Database.open(db_path) as reopened:
        storage = SQLiteStorage(reopened)
        assert await storage.get_state(KEY) == "OrderForm:quantity"
        assert await storage.get_data(KEY) == {"service_id": 101, "link": "https://t.me/shop"}
        assert await storage.update_data(KEY, {"quantity": 500}) == {
            "service_id": 101,
            "link": "https://t.me/shop",
            "quantity": 500,
        }


async def test_every_part_of_the_key_separates_conversations(db: Database) -> None:
    storage = SQLiteStorage(db)
    keys = [
        KEY,
        StorageKey(bot_id=42, chat_id=1, user_id=2),
        StorageKey(bot_id=42, chat_id=1, user_id=1, thread_id=7),
        StorageKey(bot_id=42, chat_id=1, user_id=1, business_connection_id="b:1"),
        StorageKey(bot_id=42, chat_id=1, user_id=1, destiny="other"),
        StorageKey(bot_id=43, chat_id=1, user_id=1),
    ]
    for number, key in enumerate(keys):
        await storage.set_state(key, f"state-{number}")
    assert [await storage.get_state(key) for key in keys] == [
        f"state-{number}" for number in range(len(keys))
    ]


async def test_clearing_forgets_the_conversation(db: Database) -> None:
    storage = SQLiteStorage(db)
    await storage.set_state(KEY, "OrderForm:link")
    await storage.set_data(KEY, {"a": 1})
    await storage.set_state(KEY, None)
    await storage.set_data(KEY, {})
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}


async def test_data_must_be_a_dict(db: Database) -> None:
    with pytest.raises(DataNotDictLikeError):
        await SQLiteStorage(db).set_data(KEY, [("a", 1)])  # type: ignore[arg-type]


async def test_closing_the_storage_leaves_the_database_open(db: Database) -> None:
    await SQLiteStorage(db).close()
    async with db.read() as r:
        assert await r.users.count() == 0


def _stored_row(db_path: Path, key: StorageKey) -> tuple[str | None, str] | None:
    """The ``fsm`` row of ``key`` as another process would read it."""
    with contextlib.closing(sqlite3.connect(db_path)) as other:
        row = other.execute(
            "SELECT state, data FROM fsm WHERE key = ?", (storage_key(key),)
        ).fetchone()
    return None if row is None else (row[0], row[1])


async def test_every_write_is_stored_at_once_and_reads_come_from_memory(db_path: Path) -> None:
    async with await Database.open(db_path) as database:
        storage = SQLiteStorage(database)
        await storage.set_state(KEY, OrderForm.link)
        assert await storage.get_state(KEY) == "OrderForm:link"
        await storage.update_data(KEY, {"link": "https://t.me/shop"})
        await storage.set_state(KEY, OrderForm.quantity)

        assert _stored_row(db_path, KEY) == ("OrderForm:quantity", '{"link": "https://t.me/shop"}')
        assert storage.in_memory == 1
        # The table is the storage's alone: what it read once it answers from memory.
        with contextlib.closing(sqlite3.connect(db_path)) as other:
            other.execute("UPDATE fsm SET state = 'changed behind its back'")
            other.commit()
        assert await storage.get_state(KEY) == "OrderForm:quantity"
        # Another storage (the bot after a restart) reads the table.
        assert await SQLiteStorage(database).get_state(KEY) == "changed behind its back"


async def test_the_data_read_from_memory_is_a_fresh_copy(db: Database) -> None:
    storage = SQLiteStorage(db)
    await storage.set_data(KEY, {"fields": {"comments": ["nice"]}})
    await storage.get_data(KEY)

    first = await storage.get_data(KEY)
    first["fields"]["comments"].append("changed by a handler")

    assert await storage.get_data(KEY) == {"fields": {"comments": ["nice"]}}


async def test_only_the_latest_conversations_are_kept_and_the_others_read_again(
    db: Database,
) -> None:
    storage = SQLiteStorage(db, kept=2)
    keys = [StorageKey(bot_id=42, chat_id=user, user_id=user) for user in (1, 2, 3)]
    for number, key in enumerate(keys):
        await storage.set_state(key, f"state-{number}")
        await storage.get_state(key)

    assert storage.in_memory == 2
    assert [await storage.get_state(key) for key in keys] == ["state-0", "state-1", "state-2"]
    assert storage.in_memory == 2


async def test_a_write_during_a_read_of_the_same_conversation_wins(db: Database) -> None:
    storage = SQLiteStorage(db)
    await storage.set_state(KEY, "OrderForm:link")

    # The in-memory database has one connection: the read waits for the write's turn.
    async with db.transaction():
        read = asyncio.create_task(storage.get_state(KEY))
        write = asyncio.create_task(storage.set_state(KEY, "OrderForm:quantity"))
        await asyncio.sleep(0)
    assert await read == "OrderForm:link"
    await write

    assert await storage.get_state(KEY) == "OrderForm:quantity"
    assert await SQLiteStorage(db).get_state(KEY) == "OrderForm:quantity"


async def test_a_read_while_a_write_waits_for_another_process_keeps_nothing_stale(
    db_path: Path,
) -> None:
    async with await Database.open(db_path) as database:
        storage = SQLiteStorage(database)
        await storage.set_state(KEY, "OrderForm:link")
        # Another process holds the write lock: the write waits for it, the loop goes on.
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        write = asyncio.create_task(storage.set_state(KEY, "OrderForm:quantity"))
        await asyncio.sleep(0.01)
        assert await storage.get_state(KEY) == "OrderForm:link"
        other.execute("COMMIT")
        other.close()
        await write

        assert _stored_row(db_path, KEY) == ("OrderForm:quantity", "{}")
        assert await storage.get_state(KEY) == "OrderForm:quantity"


async def test_a_write_of_what_is_stored_already_is_not_made(db_path: Path) -> None:
    async with await Database.open(db_path) as database:
        storage = SQLiteStorage(database)
        await storage.set_state(KEY, OrderForm.link)
        await storage.set_data(KEY, {"link": "https://t.me/shop"})
        await storage.get_state(KEY)
        # Changed behind the storage's back: a write it makes would overwrite it.
        with contextlib.closing(sqlite3.connect(db_path)) as other:
            other.execute("UPDATE fsm SET state = 'marked', data = '{\"marked\": 1}'")
            other.commit()

        await storage.set_state(KEY, OrderForm.link)
        await storage.set_data(KEY, {"link": "https://t.me/shop"})
        assert _stored_row(db_path, KEY) == ("marked", '{"marked": 1}')

        await storage.set_state(KEY, OrderForm.quantity)
        assert _stored_row(db_path, KEY) == ("OrderForm:quantity", '{"marked": 1}')


async def test_clearing_a_known_conversation_leaves_no_row(db_path: Path) -> None:
    async with await Database.open(db_path) as database:
        storage = SQLiteStorage(database)
        await storage.set_state(KEY, OrderForm.link)
        await storage.update_data(KEY, {"link": "https://t.me/shop"})

        await FSMContext(storage, KEY).clear()

        assert _stored_row(db_path, KEY) is None
        assert await storage.get_state(KEY) is None
        assert await storage.get_data(KEY) == {}
        await FSMContext(storage, KEY).clear()
        assert _stored_row(db_path, KEY) is None


def _statements(database: Database) -> list[str]:
    """The statements the storage's writes make from now on."""
    made: list[str] = []
    database._writer._raw.set_trace_callback(made.append)
    return made


@pytest.mark.parametrize("known", [True, False], ids=["known", "after a restart"])
async def test_a_move_to_the_next_step_is_one_write_and_an_end_one_more(
    db_path: Path, known: bool
) -> None:
    async with await Database.open(db_path) as database:
        storage = SQLiteStorage(database)
        await storage.set_state(KEY, OrderForm.link)
        await storage.set_data(KEY, {"service_id": 101})
        if not known:
            storage = SQLiteStorage(database)
        conversation = FSMContext(storage, KEY)
        made = _statements(database)

        await move_to(conversation, OrderForm.quantity, {"service_id": 101, "link": "t.me/x"})
        assert _stored_row(db_path, KEY) == (
            "OrderForm:quantity",
            '{"service_id": 101, "link": "t.me/x"}',
        )
        assert await conversation.get_state() == "OrderForm:quantity"
        assert await conversation.get_data() == {"service_id": 101, "link": "t.me/x"}

        await end(conversation)
        assert _stored_row(db_path, KEY) is None
        assert await conversation.get_state() is None
        assert await conversation.get_data() == {}
        assert [sql.split()[0] for sql in made] == ["INSERT", "DELETE"]

    async with await Database.open(db_path) as reopened:
        assert await SQLiteStorage(reopened).get_state(KEY) is None


async def test_moving_with_another_storage_sets_the_state_then_the_data() -> None:
    conversation = FSMContext(MemoryStorage(), KEY)

    await move_to(conversation, OrderForm.link, {"service_id": 101})
    assert await conversation.get_state() == "OrderForm:link"
    assert await conversation.get_data() == {"service_id": 101}

    await end(conversation)
    assert await conversation.get_state() is None
    assert await conversation.get_data() == {}


async def test_moving_with_data_that_is_not_a_dict_changes_nothing(db: Database) -> None:
    storage = SQLiteStorage(db)
    await storage.set_state(KEY, OrderForm.link)

    with pytest.raises(DataNotDictLikeError):
        await storage.set_state_and_data(KEY, OrderForm.quantity, [("a", 1)])  # type: ignore[arg-type]

    assert await storage.get_state(KEY) == "OrderForm:link"


async def test_ending_a_conversation_read_from_before_a_restart_leaves_no_row(
    db_path: Path,
) -> None:
    async with await Database.open(db_path) as database:
        storage = SQLiteStorage(database)
        await move_to(FSMContext(storage, KEY), OrderForm.link, {"service_id": 101})
    async with await Database.open(db_path) as reopened:
        made = _statements(reopened)
        await end(FSMContext(SQLiteStorage(reopened), KEY))
        assert _stored_row(db_path, KEY) is None
        assert [sql.split()[0] for sql in made] == ["DELETE"]
