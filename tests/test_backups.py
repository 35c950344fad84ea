"""`flask backup` copies a live SQLite database consistently, `flask restore` puts a checked copy into an empty
one, and on PostgreSQL both point to pg_dump and pg_restore. Backups are SQLite's, so these tests use a SQLite
file whichever database the suite runs on."""

import itertools
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from answers import cell_report, store, stored_cell_answers
from flask_migrate import upgrade
from pages import hidden_state

from models import Response, Revision, Unit, db
from units.changes import import_units

pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parent.parent
#: The cells whose reports the concurrent savers draft.
CELLS = ("BMT.TL.01", "BMT.TL.02", "KP.EK.01", "KP.PA.01")


@pytest.fixture
def sqlite_file(tmp_path):
    """Return a function giving the settings of a SQLite database file of the test's, migrated or not."""

    def settings(name):
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / name}",
                "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 15}}}

    return settings


@pytest.fixture
def sqlite_app(make_app, sqlite_file, demo_units_csv):
    """An app on a migrated SQLite file holding the demo province."""
    app = make_app(**sqlite_file("tongket.sqlite3"))
    with app.app_context():
        upgrade()
        import_units(demo_units_csv.read_bytes())
    return app


def revisions_per_unit(app):
    """Return, per unit code, its revision numbers in order and its response's revision count."""
    with app.app_context():
        numbers = db.session.execute(sa.select(Unit.code, Revision.number).join(Response, Response.unit_id == Unit.id)
                                     .join(Revision, Revision.response_id == Response.id)
                                     .order_by(Unit.code, Revision.number)).all()
        counts = dict(db.session.execute(sa.select(Unit.code, Response.revision_count).join(Response.unit)).all())
    found = {}
    for code, number in numbers:
        found.setdefault(code, []).append(number)
    return found, counts


def keep_saving(app, token, stop, acknowledged, refused):
    """Save drafts of one unit's report through its page until told to stop, each a little different (a draft
    that changes nothing adds no version), counting the saves the service acknowledged (a redirect, as the
    browser sees it) and any other answer."""
    client = app.test_client()
    for attempt in itertools.count(1):
        if stop.is_set():
            break
        page = client.get(f"/s/{token}")
        report = cell_report(uu_diem=f"Lần lưu thứ {attempt}.")
        answer = client.post(f"/s/{token}", data={**report, **hidden_state(page.text), "action": "save"})
        if answer.status_code == 302:
            acknowledged[token] += 1
        else:
            refused.append(answer.status_code)


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the savers made no progress"
        time.sleep(0.01)


def test_a_backup_taken_during_saves_holds_every_save_acknowledged_before_it(sqlite_app, make_app, sqlite_file,
                                                                             tmp_path):
    with sqlite_app.app_context():
        tokens = dict(db.session.execute(sa.select(Unit.code, Unit.token).where(Unit.code.in_(CELLS))).all())
    acknowledged, refused, stop = Counter(), [], threading.Event()
    savers = [threading.Thread(target=keep_saving, args=(sqlite_app, tokens[code], stop, acknowledged, refused))
              for code in CELLS]
    for saver in savers:
        saver.start()
    backups = []
    try:
        for number in range(3):
            wait_for(lambda goal=3 * (number + 1): min(acknowledged[tokens[c]] for c in CELLS) >= goal)
            before = {code: acknowledged[tokens[code]] for code in CELLS}
            path = tmp_path / f"backup-{number}.sqlite3"
            result = sqlite_app.test_cli_runner().invoke(args=["backup", str(path)])
            assert result.exit_code == 0, result.output
            backups.append((path, before))
    finally:
        stop.set()
        for saver in savers:
            saver.join()
    assert refused == []
    final = {code: acknowledged[tokens[code]] for code in CELLS}
    assert revisions_per_unit(sqlite_app)[0] == {code: list(range(1, final[code] + 1)) for code in CELLS}
    for number, (path, before) in enumerate(backups):
        restored = make_app(**sqlite_file(f"restored-{number}.sqlite3"))
        result = restored.test_cli_runner().invoke(args=["restore", str(path)])
        assert result.exit_code == 0, result.output
        numbers, counts = revisions_per_unit(restored)
        for code in CELLS:
            assert before[code] <= len(numbers[code]) <= final[code], (number, code, "every acknowledged save kept")
            assert numbers[code] == list(range(1, counts[code] + 1)), (number, code, "no revision half-copied")
    assert len(list(tmp_path.glob(".*partial"))) == 0, "no temporary file left behind"


def test_restore_refuses_a_database_that_holds_data(sqlite_app, tmp_path):
    runner = sqlite_app.test_cli_runner()
    backup = tmp_path / "backup.sqlite3"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    with sqlite_app.app_context():
        db.session.execute(sa.delete(Unit).where(Unit.parent_id.is_not(None)))
        db.session.commit()
    result = runner.invoke(args=["restore", str(backup)])
    assert result.exit_code == 1
    # The import that filled it is on record too (actions: 1).
    assert "đã có dữ liệu (actions: 1, units: 1)" in result.output and "cơ sở dữ liệu trống" in result.output, \
        result.output
    with sqlite_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 1, "nothing restored over it"


def write_not_a_database(path, good_backup):
    path.write_bytes(b"code,name,level,parent_code\n")


def write_without_schema_version(path, good_backup):
    change_copy(path, good_backup, "DELETE FROM alembic_version")


def write_unknown_schema(path, good_backup):
    change_copy(path, good_backup, "UPDATE alembic_version SET version_num = '9999'")


def change_copy(path, good_backup, statement):
    path.write_bytes(good_backup.read_bytes())
    with sqlite3.connect(path) as connection:
        connection.execute(statement)
    connection.close()


def write_damaged(path, good_backup):
    """Damage the page of a table no count reads, so that only a full check finds it."""
    with sqlite3.connect(good_backup) as connection:
        size = connection.execute("PRAGMA page_size").fetchone()[0]
        page = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sign_in_attempts'").fetchone()[0]
    connection.close()
    data = bytearray(good_backup.read_bytes())
    # The page's first free block, where there is none: the page's free space no longer adds up.
    data[(page - 1) * size + 1:(page - 1) * size + 3] = (0x50).to_bytes(2, "big")
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("write", "message"), [
    (write_not_a_database, "không phải là bản sao lưu cơ sở dữ liệu của hệ thống này"),
    (write_without_schema_version, "không có phiên bản lược đồ"),
    (write_unknown_schema, "được tạo từ một phiên bản khác của hệ thống (lược đồ 9999)"),
    (write_damaged, "bad.sqlite3 bị hỏng"),
], ids=["not-a-database", "no-schema-version", "unknown-schema", "damaged"])
def test_restore_refuses_a_file_that_is_not_a_sound_backup(sqlite_app, make_app, sqlite_file, tmp_path, write,
                                                           message):
    good = tmp_path / "good.sqlite3"
    assert sqlite_app.test_cli_runner().invoke(args=["backup", str(good)]).exit_code == 0
    bad = tmp_path / "bad.sqlite3"
    write(bad, good)
    empty = make_app(**sqlite_file("empty.sqlite3"))
    result = empty.test_cli_runner().invoke(args=["restore", str(bad)])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output, result.output
    assert not (tmp_path / "empty.sqlite3").exists(), "the empty database was left alone"


def test_a_backup_of_an_older_schema_restores_and_asks_for_an_upgrade(make_app, sqlite_file, tmp_path):
    old = make_app(**sqlite_file("old.sqlite3"))
    with old.app_context():
        upgrade(revision="0004")
    backup = tmp_path / "old-backup.sqlite3"
    assert old.test_cli_runner().invoke(args=["backup", str(backup)]).exit_code == 0
    result = make_app(**sqlite_file("new.sqlite3")).test_cli_runner().invoke(args=["restore", str(backup)])
    assert result.exit_code == 0, result.output
    assert "lược đồ 0004" in result.output and "db upgrade" in result.output


def test_a_backup_replaces_the_previous_one_only_once_complete(sqlite_app, make_app, sqlite_file, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    backup = folder / "nightly.sqlite3"
    backup.write_bytes(b"yesterday's backup")
    damaged = tmp_path / "damaged.sqlite3"
    assert sqlite_app.test_cli_runner().invoke(args=["backup", str(damaged)]).exit_code == 0
    write_damaged(damaged, damaged)
    failed = make_app(**sqlite_file("damaged.sqlite3")).test_cli_runner().invoke(args=["backup", str(backup)])
    assert failed.exit_code == 1 and "Traceback" not in failed.output, failed.output
    assert backup.read_bytes() == b"yesterday's backup", "the previous backup is intact"
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Đã ghi bản sao lưu vào {backup}: 27 đơn vị, 0 phiên bản đã lưu, lược đồ ")
    assert [path.name for path in folder.iterdir()] == ["nightly.sqlite3"], "no temporary file left behind"


def test_a_backup_needs_an_existing_folder(sqlite_app, tmp_path):
    missing = sqlite_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "no-such-folder" / "b.sqlite3")])
    assert missing.exit_code == 1 and "no-such-folder" in missing.output, missing.output


@pytest.mark.parametrize(("command", "tool"), [("backup", "pg_dump --format=custom --file=tongket.dump"),
                                               ("restore", "pg_restore --no-owner")])
def test_on_postgresql_the_commands_point_to_its_own_tools(make_app, command, tool):
    url = "postgresql+psycopg://tongket:secret-password@127.0.0.1:1/tongket"
    app = make_app(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={})
    result = app.test_cli_runner().invoke(args=[command, "tongket.dump"])
    assert result.exit_code == 1
    assert tool in result.output and "secret-password" not in result.output, result.output


def flask_command(database, *args):
    """Run `flask --app app ARGS` in a process of its own on the SQLite file `database`, as an operator does."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}", SECRET_KEY="test-secret")
    env.pop("FLASK_RUN_FROM_CLI", None)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def live_database_files(folder):
    """Return the database file and its -wal and -shm, the way a running service leaves them: open."""
    database = folder / "tongket.sqlite3"
    return database, Path(f"{database}-wal"), Path(f"{database}-shm")


#: Names of the live database or one of its files, as an operator might type them.
LIVE_TARGETS = {
    "database": lambda database, folder: database,
    "wal": lambda database, folder: Path(f"{database}-wal"),
    "shm": lambda database, folder: Path(f"{database}-shm"),
    "dotted": lambda database, folder: folder / "sub" / ".." / database.name,
    "symlink": lambda database, folder: link(folder / "latest.sqlite3", database),
    "symlink-to-wal": lambda database, folder: link(folder / "latest.sqlite3", Path(f"{database}-wal")),
    "hard-link": lambda database, folder: hard_link(folder / "copy.sqlite3", database),
}
#: Paths that are not regular files: the backup would take their place.
NOT_REGULAR_TARGETS = {
    "device": lambda database, folder: device(folder / "null"),
    "folder": lambda database, folder: folder / "sub",
    "fifo": lambda database, folder: fifo(folder / "pipe"),
    "symlink-to-file": lambda database, folder: link(folder / "link.sqlite3", folder / "elsewhere.sqlite3"),
    "dangling-symlink": lambda database, folder: link(folder / "dangling.sqlite3", folder / "nothing"),
}


def link(path, target):
    path.symlink_to(target)
    return path


def hard_link(path, target):
    path.hardlink_to(target)
    return path


def device(path):
    """A character device of the test's own (the null device's numbers), never the system's /dev/null."""
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return path


def fifo(path):
    os.mkfifo(path)
    return path


@pytest.fixture
def live_sqlite(sqlite_app, tmp_path):
    """The demo province's SQLite file with a saved report, held open in WAL mode as by a running service."""
    database, wal, shm = live_database_files(tmp_path)
    store(sqlite_app, "KP.EK.01", stored_cell_answers())
    (tmp_path / "sub").mkdir()
    (tmp_path / "elsewhere.sqlite3").write_bytes(b"another file")
    with sqlite_app.app_context():
        connection = db.engine.connect()
        connection.execute(sa.text("SELECT count(*) FROM units"))
        assert wal.exists() and shm.exists()
        yield database
        connection.close()


def snapshot(folder):
    """Return every entry of the folder, with what a backup might have changed: its kind and its bytes."""
    entries = {}
    for path in sorted(folder.rglob("*")):
        kind = stat.S_IFMT(os.lstat(path).st_mode)
        entries[path] = (kind, path.read_bytes() if stat.S_ISREG(kind) else os.readlink(path)
                         if path.is_symlink() else None)
    return entries


#: What each kind of path is refused with.
LIVE_REFUSED = "là chính cơ sở dữ liệu của hệ thống hoặc một tệp của nó"
NOT_REGULAR_REFUSED = "không phải là tệp thông thường"


def assert_refused(result, kind, before, folder):
    message = LIVE_REFUSED if kind in LIVE_TARGETS else NOT_REGULAR_REFUSED
    assert result.returncode == 1, result
    assert message in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == "", "one line"
    assert snapshot(folder) == before, "nothing written, nothing replaced"


@pytest.mark.parametrize("kind", [*LIVE_TARGETS, *NOT_REGULAR_TARGETS])
def test_a_backup_onto_the_database_or_onto_what_is_not_a_file_is_refused(live_sqlite, tmp_path, kind):
    target = {**LIVE_TARGETS, **NOT_REGULAR_TARGETS}[kind](live_sqlite, tmp_path)
    before = snapshot(tmp_path)
    assert_refused(flask_command(live_sqlite, "backup", str(target)), kind, before, tmp_path)


@pytest.mark.parametrize("kind", [*LIVE_TARGETS, "folder", "fifo", "device"])
def test_a_restore_from_the_database_itself_or_from_what_is_not_a_file_is_refused(live_sqlite, tmp_path, kind):
    source = {**LIVE_TARGETS, **NOT_REGULAR_TARGETS}[kind](live_sqlite, tmp_path)
    before = snapshot(tmp_path)
    assert_refused(flask_command(live_sqlite, "restore", str(source)), kind, before, tmp_path)
