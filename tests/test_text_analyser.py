"""The analyser of the texts saves leave (`flask narratives follow`), as a real process on the test's
database, and as gunicorn starts it beside its workers (gunicorn.conf.py)."""

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from answers import store, stored_cell_answers
from served import Served, demo_database

from app import create_app
from commands.narratives import NICENESS, take_new_saves
from consolidation.answer_texts import never_analysed, pending_count, stored_unanalysed
from models import AnswerText, RevisionText, UnlinkedRevision, db
from schema.loader import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def analyser_environment(app):
    """The environment of a process on the app's database: its URL, on PostgreSQL with the test's schema."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}).get("connect_args", {}).get("options")
    if options:
        url = url.update_query_dict({"options": options})
    env = dict(os.environ, DATABASE_URL=url.render_as_string(hide_password=False), SECRET_KEY="test-secret",
               SURVEY_CONFIG=app.config["SURVEY_CONFIG"])
    env.pop("FLASK_RUN_FROM_CLI", None)
    return env


def start_analyser(env, log):
    with open(log, "wb") as output:
        command = [sys.executable, "-m", "flask", "--app", "app", "narratives", "follow", "--every", "0.2"]
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def stop(analyser):
    analyser.send_signal(signal.SIGTERM)
    return analyser.wait(timeout=60)


def wait_until(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within a minute"
        time.sleep(0.2)


def never_analysed_count(app):
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(AnswerText).where(never_analysed()))
        db.session.remove()
        return count


def counts(app, *models):
    with app.app_context():
        found = tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in models)
        db.session.remove()
        return found


def niceness(pid):
    with open(f"/proc/{pid}/stat") as file:
        text = file.read()
    return int(text[text.rindex(")") + 2:].split()[16])


def test_the_analyser_links_and_analyses_what_saves_leave_at_a_lower_priority_and_stops_when_told(app, units,
                                                                                                 tmp_path):
    cells = [code for code, unit in sorted(units.items()) if unit.level == "chi_bo_truc_thuoc"][:3]
    for code in cells:
        store(app, code, stored_cell_answers(uu_diem=f"Chi bộ {code} duy trì sinh hoạt chuyên đề hằng quý."))
    assert counts(app, UnlinkedRevision, RevisionText, AnswerText) == (len(cells), 0, 0), "left to the analyser"
    log = tmp_path / "analyser.log"
    analyser = start_analyser(analyser_environment(app), log)
    try:
        wait_until(lambda: counts(app, UnlinkedRevision) == (0,) and never_analysed_count(app) == 0)
        assert niceness(analyser.pid) == NICENESS
        _waiting, links, texts = counts(app, UnlinkedRevision, RevisionText, AnswerText)
        assert links >= texts > len(cells), "every report's narrative texts, linked and analysed"
        store(app, cells[0], stored_cell_answers(uu_diem="Một văn bản mới, lưu khi bộ phân tích đang chạy."))
        wait_until(lambda: counts(app, UnlinkedRevision, AnswerText) == (0, texts + 1)
                   and never_analysed_count(app) == 0)
    finally:
        returncode = stop(analyser)
    assert returncode == 0 and "Traceback" not in log.read_text()
    with app.app_context():
        assert pending_count() == 0


def file_with_a_text_to_analyse(folder):
    """A SQLite file with the demo's units and one text saved but not analysed; return its URL and an app on
    it, whose connections are closed (a test may then take the whole file)."""
    url, _tokens = demo_database(folder)
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        stored_unanalysed(db.session, ["Chi bộ duy trì sinh hoạt chuyên đề hằng quý."])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return url, app


@pytest.mark.once
@pytest.mark.parametrize("started", [True, False])
def test_gunicorn_starts_the_analyser_beside_its_workers_and_stops_it(tmp_path, started):
    url, app = file_with_a_text_to_analyse(tmp_path)
    server = Served(url, tmp_path, TEXT_ANALYSER="1" if started else "0")
    try:
        if started:
            wait_until(lambda: never_analysed_count(app) == 0)
        else:
            time.sleep(3)
            assert never_analysed_count(app) == 1, "left to a summary, or an analyser run elsewhere"
    finally:
        _access, errors = server.stop()
    started_lines = [line for line in errors.splitlines() if "Text analyser started" in line]
    assert len(started_lines) == (1 if started else 0)
    if started:
        pid = int(started_lines[0].rsplit("pid ", 1)[1].rstrip(")"))
        assert not Path(f"/proc/{pid}").exists(), "stopped with gunicorn"
    assert "Traceback" not in errors


@pytest.mark.once
def test_a_locked_database_costs_the_analyser_a_line_in_its_log_and_no_text(tmp_path):
    url, app = file_with_a_text_to_analyse(tmp_path)
    log = tmp_path / "analyser.log"
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="test-secret", DATABASE_BUSY_TIMEOUT="0.2")
    env.pop("FLASK_RUN_FROM_CLI", None)
    with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)) as holder:
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        analyser = start_analyser(env, log)
        try:
            wait_until(lambda: "could not use the database" in log.read_text())
            assert holder.execute("SELECT count(*) FROM answer_texts WHERE analysed_at IS NULL").fetchone() == (1,)
        except BaseException:
            stop(analyser)
            raise
    try:  # the lock went with the holder's connection
        wait_until(lambda: never_analysed_count(app) == 0)
    finally:
        returncode = stop(analyser)
    text = log.read_text()
    assert returncode == 0 and "Traceback" not in text and "database is locked" in text


@pytest.mark.parametrize("every", ["0", "-1", "abc", "1e999", "inf", "nan", "3601"])
def test_an_odd_interval_is_refused_with_a_message(runner, every):
    result = runner.invoke(args=["narratives", "follow", "--every", every])
    assert result.exit_code == 2 and "--every" in result.output and result.exception.__class__ is SystemExit


def test_with_the_survey_config_broken_the_analyser_warns_and_still_analyses_what_is_stored(app, units, caplog,
                                                                                            monkeypatch):
    # The migrations' logging set-up (alembic's fileConfig) turned the app's logger off in this process.
    monkeypatch.setattr(app.logger, "disabled", False)
    code = next(code for code, unit in sorted(units.items()) if unit.level == "chi_bo_truc_thuoc")
    store(app, code, stored_cell_answers(uu_diem="Chi bộ duy trì sinh hoạt chuyên đề hằng quý."))
    with app.app_context():
        stored_unanalysed(db.session, ["Một văn bản đã lưu, chờ phân tích."])
        db.session.commit()
        survey = app.extensions["survey"]
        app.extensions["survey"] = ConfigError("survey.yaml", ["a broken edit"])
        try:
            assert take_new_saves() == 1, "the stored text analysed, no report linked"
        finally:
            app.extensions["survey"] = survey
        db.session.remove()
    assert "links no saved report while the survey config is invalid" in caplog.text
    assert counts(app, UnlinkedRevision) == (1,), "the save waits for a valid config"
