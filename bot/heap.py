"""The garbage collector, set for a long-running bot.

Python's cycle collector runs after every 700 new container objects, and each of its full
runs walks every object alive. A bot allocates in bursts (each update makes a few dozen
models: the update, its keyboard, the request, the answer) and keeps a large, settled heap
(aiogram, pydantic's schemas, the translations), so by default it walks that heap over and
over for garbage that is almost all freed by reference counting anyway.

:func:`settle` is called once start-up is done: what start-up made is set aside for good
(``gc.freeze``), and young objects are collected after 50,000 new ones instead of 700. In
``bench/conversation.py`` (500 customers) this took the shop from 442 to 562 updates a
second: the collector's time went from 2.2 s of an 11.1 s run to 0.27 s of 8.7 s.
"""

from __future__ import annotations

import gc
from typing import Final

#: New container objects between two collections of the youngest generation.
YOUNG_THRESHOLD: Final = 50_000
#: Collections of one generation between two of the next.
OLDER_THRESHOLD: Final = 20


def settle() -> None:
    """Collect what start-up left, set everything alive aside from later collections, and
    collect young objects less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, OLDER_THRESHOLD, OLDER_THRESHOLD)
