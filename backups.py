"""Backups of a SQLite database while the service runs, and restoring one onto an empty database.

Copying the file is not a backup: in WAL mode the latest saves stay in the -wal file until a checkpoint, so
a `cp` of a live database loses committed reports. SQLite's online backup API copies the database as one read
transaction, WAL included, while the service goes on saving. PostgreSQL has pg_dump and pg_restore.
"""

import os
import sqlite3
import stat
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask_babel import gettext as _

from config import ROOT
from models.narrative import SEARCH_INDEX

#: Seconds to wait for a writer to finish before copying (as long as a save waits).
BUSY_TIMEOUT = 15
MIGRATIONS = ROOT / "migrations"


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message says why, and nothing was changed."""


@dataclass(frozen=True)
class Contents:
    """What a database copy holds, for the operator to check it at a glance."""

    #: The migration the copy's schema is at.
    schema: str
    units: int
    revisions: int
    #: Whether the schema is the one this version of the service expects.
    current: bool


def back_up(database, target):
    """Copy the SQLite database at `database` into `target` while others write to it; return what it holds.

    The copy is written to a temporary name beside the target, checked, then renamed, so `target` is always
    either the previous complete backup or the new one.
    """
    database, target = Path(database), Path(target)
    if not database.is_file():
        raise BackupError(_("There is no database at %(path)s.", path=database))
    refuse_the_live_database(target, database)
    if os.path.lexists(target) and not stat.S_ISREG(os.lstat(target).st_mode):
        # os.replace would put the backup, every unit's link in it, in place of a device or a link.
        raise not_a_regular_file(target)
    if not target.parent.is_dir():
        raise BackupError(_("The folder %(path)s does not exist.", path=target.parent))
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(handle)
    try:
        copy_database(database, temporary)
        contents = read_backup(temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    sync_folder(target.parent)
    return contents


#: The files SQLite keeps beside a database while it is in use: a backup written over one of them, or over the
#: database itself, is undone or undoes the saves at the next checkpoint or restart.
LIVE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def refuse_the_live_database(path, database):
    """Refuse `path` when it is the database or one of its files, by any name: a link, `..`, a hard link."""
    for live in (Path(f"{database}{suffix}") for suffix in LIVE_SUFFIXES):
        same_name = os.path.realpath(path) == os.path.realpath(live)
        if same_name or (path.exists() and live.exists() and os.path.samefile(path, live)):
            raise BackupError(_("%(path)s is the service's own database or one of its files (-wal, -shm): "
                                "choose a backup file elsewhere.", path=path))


def not_a_regular_file(path):
    return BackupError(_("%(path)s is not a regular file but a folder, a device, a link or a pipe: choose the "
                         "path of a backup file.", path=path))


def copy_database(database, copy_path):
    """Copy the database with SQLite's backup API, in one step: one read transaction, so one moment's state."""
    try:
        with (closing(sqlite3.connect(database, timeout=BUSY_TIMEOUT)) as source,
              closing(sqlite3.connect(copy_path)) as copy):
            source.backup(copy)
            # One self-contained file, with no -wal beside it to lose on the way to another machine.
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise BackupError(_("The database at %(path)s cannot be copied: %(reason)s", path=database,
                            reason=error)) from None


def restore(backup, database):
    """Copy a checked backup into the SQLite database at `database`, which must hold no data; return what the
    backup holds."""
    refuse_the_live_database(Path(backup), Path(database))
    contents = read_backup(backup)
    try:
        with (closing(sqlite3.connect(database, timeout=BUSY_TIMEOUT)) as target,
              closing(open_read_only(backup)) as source):
            held = rows_held(target)
            if held:
                raise BackupError(_("The database at %(path)s already holds data (%(tables)s). Restore only onto "
                                    "an empty database: stop the service, move that file aside, then run this "
                                    "command again.", path=database, tables=held))
            source.backup(target)
    except sqlite3.Error as error:
        raise BackupError(_("The database at %(path)s cannot be written: %(reason)s", path=database,
                            reason=error)) from None
    return contents


def read_backup(path):
    """Check that the file at `path` is a sound copy of this service's database and say what it holds."""
    if os.path.exists(path) and not Path(path).is_file():
        raise not_a_regular_file(path)  # a pipe would never end, a folder cannot be read
    if not Path(path).is_file():
        raise BackupError(_("There is no file at %(path)s.", path=path))
    try:
        with closing(open_read_only(path)) as copy:
            check = copy.execute("PRAGMA integrity_check").fetchall()
            if check != [("ok",)]:
                # The first problem, without SQLite's "*** in database main ***" line above it.
                problem = check[0][0].splitlines()[-1]
                raise BackupError(_("%(path)s is damaged: %(problem)s", path=path, problem=problem))
            schema = copy.execute("SELECT version_num FROM alembic_version").fetchone()
            units, revisions = (copy.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                                for table in ("units", "revisions"))
    except sqlite3.Error as error:
        raise BackupError(_("%(path)s is not a backup of this service's database (%(reason)s).", path=path,
                            reason=error)) from None
    if schema is None:
        raise BackupError(_("%(path)s has no schema version, so it is not a backup of this service's database.",
                            path=path))
    return Contents(schema=schema[0], units=units, revisions=revisions, current=check_schema(path, schema[0]))


def check_schema(path, schema):
    """Return whether `schema` is this version's latest migration; refuse one this version does not know."""
    scripts = ScriptDirectory(str(MIGRATIONS))
    try:
        known = scripts.get_revision(schema) is not None
    except CommandError:
        known = False
    if not known:
        raise BackupError(_("%(path)s comes from another version of the service (schema %(schema)s); restore it "
                            "with that version.", path=path, schema=schema))
    return schema in scripts.get_heads()


def rows_held(connection):
    """Return "table: rows" for every table of the database that holds rows, the schema version and the
    full-text index (its tables hold their settings, and copy answer_texts) left aside."""
    tables = [name for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name <> 'alembic_version' AND name NOT LIKE ? ORDER BY name", (f"{SEARCH_INDEX}%",))]
    counts = {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in tables}
    return ", ".join(f"{name}: {count}" for name, count in counts.items() if count)


def open_read_only(path):
    """Open a SQLite file without ever writing to it, nor creating it."""
    return sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True)


def sync_folder(folder):
    """Make a rename in `folder` survive a power cut."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
