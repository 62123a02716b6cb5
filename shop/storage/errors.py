"""Errors raised by the storage layer.

Callers above ``shop/storage`` catch these rather than :mod:`sqlite3` errors, so the storage
engine can change without touching the services.
"""

from __future__ import annotations


class DatabaseError(Exception):
    """Base class of every error raised by ``shop.storage``."""


class SchemaTooNew(DatabaseError):
    """The database was written by a newer version of the bot than this one."""


class ConstraintError(DatabaseError):
    """A write broke a rule the schema enforces (a unique key, a check, a foreign key)."""


class NestedTransactionError(DatabaseError):
    """A task inside ``db.transaction()`` opened another database block on the same writer.

    Waiting would deadlock the task on its own lock, so the mistake is reported instead:
    inside a transaction, use the repositories of that transaction.
    """


class ReadOnlyError(DatabaseError):
    """A write was attempted through ``db.read()``, which is for reading only."""


class ClosedError(DatabaseError):
    """The database, or the transaction or read block a repository belonged to, is closed."""
