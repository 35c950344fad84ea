"""Tell a database that is busy or out of reach for a moment from a fault in the code."""

import sqlite3

import sqlalchemy as sa

#: SQLite's result codes for "another connection holds the lock" (after the busy timeout).
SQLITE_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


def database_busy(error):
    """Return whether a database error means "try again in a moment": on SQLite a lock held past the busy
    timeout; on PostgreSQL any operational error (lock or statement timeout, serialisation failure,
    deadlock, a lost or refused connection). A missing table or a broken statement is a fault, not busy."""
    if not isinstance(error, sa.exc.OperationalError):
        return False
    code = getattr(error.orig, "sqlite_errorcode", None)
    if code is not None:
        # Extended codes (SQLITE_BUSY_SNAPSHOT...) carry the primary code in their low byte.
        return code & 0xFF in SQLITE_BUSY_CODES
    return True


def busy_reason(error):
    """Return the first line of the database's own message, for the log."""
    lines = str(error.orig).strip().splitlines()
    return lines[0] if lines else type(error.orig).__name__
