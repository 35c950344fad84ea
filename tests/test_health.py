"""`GET /healthz` answers 200 while the database answers and the survey is loaded, 503 otherwise; it tells
nothing more, sets no cookie and costs one `SELECT 1`."""

import pytest
import sqlalchemy as sa

from models import db

#: Databases the service cannot reach: a PostgreSQL server that is not listening (with a password that must
#: not show), and a SQLite file in a folder that does not exist.
UNREACHABLE = {"postgresql": "postgresql+psycopg://tongket:secret-password@127.0.0.1:1/tongket",
               "sqlite": "sqlite:////nonexistent-folder/tongket.sqlite3"}


def statements_of(app, request):
    """Make the request and return (its response, the SQL statements it ran)."""
    statements = []
    with app.app_context():
        engine = db.engine

    def record(_connection, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        return request(), statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_a_healthy_service_says_so_with_its_survey_version_and_nothing_else(app, client, units):
    response, statements = statements_of(app, lambda: client.get("/healthz"))
    assert (response.status_code, response.mimetype) == (200, "application/json")
    assert response.json == {"status": "ok", "database": "ok",
                             "survey": {"version": app.extensions["survey"].version, "file": "valid"}}
    assert statements == ["SELECT 1"]
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", UNREACHABLE.values(), ids=UNREACHABLE.keys())
def test_an_unreachable_database_answers_503(make_app, url):
    app = make_app(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable",
                             "survey": {"version": app.extensions["survey"].version, "file": "valid"}}
    assert "Set-Cookie" not in response.headers


def test_a_survey_config_that_never_loaded_answers_503(make_app, tmp_path, monkeypatch):
    # Only under the `flask` command does the app start with an invalid config (for `flask survey check`).
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    broken = tmp_path / "survey.yaml"
    broken.write_text("title: [not closed\n", encoding="utf-8")
    response = make_app(broken).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "ok", "survey": {"version": None, "file": "invalid"}}
