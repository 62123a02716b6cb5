"""A conversation's next state and its data, stored together.

aiogram's ``FSMContext`` sets a state and then the data, and ``clear()`` is both again: a
write each. The bot's storage (``bot.fsm_storage.SQLiteStorage``) takes both in one write,
``set_state_and_data``; any other storage gets aiogram's two.
"""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State


async def move_to(state: FSMContext, to: State | None, data: dict[str, Any]) -> None:
    """The conversation stands at ``to`` (None: at no step) with ``data``."""
    set_both = getattr(state.storage, "set_state_and_data", None)
    if set_both is None:
        await state.set_state(to)
        await state.set_data(data)
    else:
        await set_both(state.key, to, data)


async def end(state: FSMContext) -> None:
    """The conversation is over: no state, no data (``FSMContext.clear()``)."""
    await move_to(state, None, {})
