"""A database held by another connection, with real locks on SQLite and PostgreSQL: the survey page
answers 503 "busy" after the busy timeout, keeps every character typed, saves nothing, and the next
save works; a page that cannot even be read answers a plain 503, never a bare 500."""

import contextlib
import os
import sqlite3
import time

import pytest
import sqlalchemy as sa
from answers import cell_report
from pages import hidden_state, read_form, text_of

from models import Response, Revision, db

CELL = "BMT.TL.01"
#: Short, so that the tests wait half a second where the service waits 15.
BUSY_TIMEOUT = 0.5
DIALECT = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
#: What another connection holds while a unit saves: each blocks the save's writes, not its reads.
WRITE_LOCKS = {
    "sqlite": {"writer": ["BEGIN IMMEDIATE"]},
    "postgresql": {"response row": ["SELECT id FROM responses WHERE unit_id = :unit FOR UPDATE"],
                   "revisions table": ["LOCK TABLE revisions IN EXCLUSIVE MODE"]},
}[DIALECT]
#: What blocks a unit's first save, which creates the report's row.
FIRST_SAVE_LOCK = {
    "sqlite": ["BEGIN IMMEDIATE"],
    "postgresql": ["LOCK TABLE responses IN EXCLUSIVE MODE"],
}[DIALECT]
#: What blocks reading too: a migration, or a connection that takes the whole file.
EVERYTHING_LOCK = {
    "sqlite": ["PRAGMA locking_mode=EXCLUSIVE", "BEGIN EXCLUSIVE"],
    "postgresql": ["LOCK TABLE units IN ACCESS EXCLUSIVE MODE"],
}[DIALECT]
BUSY_FORM_MESSAGE = "Hệ thống đang bận nên nội dung chưa được lưu"


@contextlib.contextmanager
def held(database, statements, **params):
    """Run the statements on a connection of their own and hold its locks until the block ends, which
    must come within a few busy timeouts (the service's own wait would be 15 s)."""
    started = time.monotonic()
    with holding(database, statements, **params):
        yield
    assert time.monotonic() - started < 10 * BUSY_TIMEOUT, "the page waited longer than its busy timeout"


@contextlib.contextmanager
def holding(database, statements, **params):
    url = database["SQLALCHEMY_DATABASE_URI"]
    if DIALECT == "sqlite":
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        for statement in statements:
            connection.execute(statement, params)
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
    else:
        engine = sa.create_engine(url, **database["SQLALCHEMY_ENGINE_OPTIONS"])
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(sa.text(statement), params)
            try:
                yield
            finally:
                connection.rollback()
        engine.dispose()


@pytest.fixture
def busy_app(make_app):
    return make_app(DATABASE_BUSY_TIMEOUT=BUSY_TIMEOUT)


def post_page(client, token, page_html, action, answers):
    return client.post(f"/s/{token}", data={**answers, **hidden_state(page_html), "action": action})


def saved_revisions(app, unit_id):
    with app.app_context():
        return list(db.session.scalars(sa.select(Revision.answers).join(Response).where(Response.unit_id == unit_id)
                                       .order_by(Revision.number)))


def assert_form_holds(page_html, typed):
    shown = read_form(page_html).values
    for key, value in typed.items():
        assert shown[key] in (value, [value]), key


@pytest.mark.parametrize("lock", WRITE_LOCKS)
def test_a_save_while_another_writer_holds_the_database_keeps_every_answer(busy_app, database, units, lock):
    client, unit = busy_app.test_client(), units[CELL]
    first = post_page(client, unit.token, client.get(f"/s/{unit.token}").text, "save", {"nhan_thuc": "Bản đầu."})
    assert first.status_code == 302, "a first draft, so that the report's row exists to be locked"
    typed = cell_report()
    page_html = client.get(f"/s/{unit.token}").text
    with held(database, WRITE_LOCKS[lock], unit=unit.id):
        busy = post_page(client, unit.token, page_html, "submit", typed)
    assert busy.status_code == 503
    assert BUSY_FORM_MESSAGE in text_of(busy.text)
    assert_form_holds(busy.text, typed)
    assert "data-unsaved" in busy.text, "the browser still warns before leaving the text"
    assert saved_revisions(busy_app, unit.id) == [{"nhan_thuc": "Bản đầu."}], "nothing saved"

    again = post_page(client, unit.token, busy.text, "submit", read_form(busy.text).values)
    assert again.status_code == 302, text_of(again.text)
    revisions = saved_revisions(busy_app, unit.id)
    assert len(revisions) == 2 and revisions[1]["uu_diem"] == typed["uu_diem"]


def test_a_first_save_while_the_database_is_held_keeps_every_answer(busy_app, database, units):
    client, unit = busy_app.test_client(), units[CELL]
    typed = cell_report()
    page_html = client.get(f"/s/{unit.token}").text
    with held(database, FIRST_SAVE_LOCK):
        busy = post_page(client, unit.token, page_html, "save", typed)
    assert busy.status_code == 503
    assert_form_holds(busy.text, typed)
    assert saved_revisions(busy_app, unit.id) == []
    assert post_page(client, unit.token, busy.text, "save", typed).status_code == 302
    assert len(saved_revisions(busy_app, unit.id)) == 1


def test_a_page_that_cannot_be_read_answers_a_plain_503(app, busy_app, database, units):
    client, unit = busy_app.test_client(), units[CELL]
    for each in (app, busy_app):
        with each.app_context():
            # SQLite gives a connection the whole file only while no other has it open.
            db.engine.dispose()
    with held(database, EVERYTHING_LOCK):
        busy = client.get(f"/s/{unit.token}")
    assert busy.status_code == 503
    assert "Hệ thống đang bận" in text_of(busy.text)
    assert unit.token not in busy.text
    assert client.get(f"/s/{unit.token}").status_code == 200
