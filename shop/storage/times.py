"""Moments in the database: TEXT ISO-8601 in UTC with microseconds.

Every stored moment has the same fixed-width shape (``2025-01-31T12:00:00.000000+00:00``), so
comparing the strings in SQL orders them exactly as the moments are ordered.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    return datetime.now(UTC)


def to_db_time(moment: datetime) -> str:
    """The stored form of an aware ``moment``; ValueError for a naive datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a naive datetime cannot be stored: {moment!r}")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db_time(text: str) -> datetime:
    """The aware UTC datetime of a stored moment."""
    return datetime.fromisoformat(text).astimezone(UTC)


def optional_from_db_time(text: str | None) -> datetime | None:
    """Like :func:`from_db_time`, keeping NULL as None."""
    return None if text is None else from_db_time(text)
