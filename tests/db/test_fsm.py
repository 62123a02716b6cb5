"""FSM storage: conversations survive a restart; keys keep conversations apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey

from bot.fsm_storage import SQLiteStorage
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
