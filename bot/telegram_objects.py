"""Telegram objects bound to the bot at a fraction of aiogram's cost.

Every aiogram object (an update, a message, each button of a keyboard, a request, an
answer) remembers the bot that made it in a private attribute, ``_bot``, set in
``model_post_init``. Pydantic runs private attributes through a wrapper of its own around
that method, one per class of the hierarchy, each setting up the private attributes again
before the next, and then sets ``_bot`` through ``BaseModel.__setattr__``: about 2.7 µs of
the 4.8 µs it takes to make a button. An update handled by the shop makes about eight such
objects, its answers from Telegram included.

:func:`bind_quickly` gives each class a ``model_post_init`` that stores the same private
state in one step, where it is safe: a class whose private attributes are ``_bot`` alone and
whose ``model_post_init`` is pydantic's wrapping of aiogram's own. Any other class is left
as it is. The bot calls it once started, as it settles the heap (``bot.app.run``);
:func:`unbind` undoes it (a benchmark's bare aiogram reference runs without it).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from aiogram.client.context_controller import BotContextController

_PRIVATE = frozenset({"_bot"})
_set = object.__setattr__


def _bind(self: BotContextController, context: Any, /) -> None:
    """What aiogram's ``model_post_init`` and pydantic's wrappers of it leave, at once.
    Private attributes a subclass set up before (its own, pydantic's wrapper of this) are
    kept."""
    bot = context.get("bot") if context else None
    private = self.__pydantic_private__
    if private is None:
        _set(self, "__pydantic_private__", {"_bot": bot})
    else:
        private["_bot"] = bot


def _classes(root: type) -> Iterator[type]:
    yield root
    sub: type
    for sub in root.__subclasses__():
        yield from _classes(sub)


def _aiogram_binding(cls: type) -> bool:
    """Whether ``cls``'s own ``model_post_init`` is aiogram's as pydantic wraps it (or, for
    a class defined once bound, the quick one as pydantic wraps it), not bound the quick way
    yet, and ``_bot`` its only private attribute."""
    own = cls.__dict__.get("model_post_init")
    return (
        own is not None
        and own is not _bind
        and inspect.unwrap(own) in (_AIOGRAM_POST_INIT, _bind)
        and set(getattr(cls, "__private_attributes__", ())) == _PRIVATE
    )


_AIOGRAM_POST_INIT: Callable[..., Any] = inspect.unwrap(
    BotContextController.__dict__["model_post_init"]
)


#: The classes bound the quick way, with the ``model_post_init`` each had.
_REPLACED: dict[type, Callable[..., Any]] = {}


def bind_quickly() -> None:
    """Bind every aiogram object class defined so far the quick way (see the module).
    Calling it again binds only classes defined since."""
    for cls in _classes(BotContextController):
        if _aiogram_binding(cls):
            _REPLACED[cls] = cls.__dict__["model_post_init"]
            cls.model_post_init = _bind  # type: ignore[attr-defined]


def unbind() -> None:
    """Put every class :func:`bind_quickly` bound back as it was. (A class defined while
    they were bound keeps pydantic's wrapper of the quick binding: it binds the same way.)"""
    while _REPLACED:
        cls, own = _REPLACED.popitem()
        cls.model_post_init = own  # type: ignore[attr-defined]
