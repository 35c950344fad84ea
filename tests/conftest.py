"""Fixtures: a real database (a SQLite file, or PostgreSQL when DATABASE_URL is set), migrated once
per session and emptied before every test, an app built on it, and the app's clock."""

import datetime as dt
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from pages import read_form

from app import create_app
from config import database_url
from consolidation.summaries import THREAD_PREFIX as SUMMARY_THREAD_PREFIX
from downloads.jobs import THREAD_PREFIX
from models import Unit, db
from schema import REPORTING_LEVELS, load_survey
from units.changes import import_units

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CONFIG = ROOT / "surveys" / "chi-thi-10.yaml"
#: The demo provinces, by shape (see schema.levels): the seed's, every grassroots unit under a district
#: committee, and today's, communes, wards and grassroots cells directly under the province as well.
DEMO_LISTS = {"seed": ROOT / "demo" / "units.csv", "2025": ROOT / "demo" / "units-2025.csv"}
SHIPPED_SURVEY = load_survey(SHIPPED_CONFIG)


class Clock:
    """The tests' "now", given to every app as its CLOCK setting: it stands still until a test moves it,
    and it starts ten days before the shipped survey's first deadline, whatever the machine's date."""

    def __init__(self, survey=SHIPPED_SURVEY):
        self.survey = survey
        self.at(min(survey.deadlines.values()) - dt.timedelta(days=10))

    def __call__(self):
        return self.moment

    def at(self, day, hour=9, minute=0):
        """Move to a wall-clock time of `day` where the survey runs."""
        self.moment = dt.datetime.combine(day, dt.time(hour, minute), self.survey.zone)
        return self

    def on_last_day(self, level, hour=23, minute=59):
        """Move to the last minutes of a level's last day: still on time."""
        return self.at(self.survey.last_day(level), hour, minute)

    def after_last_day(self, level, days=1, hour=0, minute=0):
        """Move past a level's deadline: `days` after its last day."""
        return self.at(self.survey.last_day(level) + dt.timedelta(days=days), hour, minute)

    def advance(self, **delta):
        self.moment += dt.timedelta(**delta)
        return self


@pytest.fixture
def clock():
    return Clock()


def base_config(database, survey_config=SHIPPED_CONFIG, clock=None):
    return {
        "TESTING": True,
        "CLOCK": clock or Clock(),
        "SECRET_KEY": "test-secret",
        # A cheap hash: accounts are created by the hundred (test_admin checks that the service's is scrypt).
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        "SURVEY_CONFIG": str(survey_config),
        **database,
    }


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, leave out the tests marked `once`: their subject (rendering, files, the browser, the
    config, the analysis of texts) does not depend on the database, and the SQLite pass runs them."""
    if not os.environ.get("DATABASE_URL"):
        return
    once = [item for item in items if item.get_closest_marker("once")]
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = [item for item in items if not item.get_closest_marker("once")]


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """Run the real migrations once: into a template SQLite file, or into a PostgreSQL schema of
    this session's own, so that test runs sharing the server never see each other's tables."""
    postgres = os.environ.get("DATABASE_URL")
    if postgres:
        url = database_url(postgres, "")
        schema = f"tongket_test_{os.getpid()}"
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
        database = {"SQLALCHEMY_DATABASE_URI": url,
                    "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}}}
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        database = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
    app = create_app(base_config(database))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield database
    if postgres:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture
def database(migrated_database, tmp_path):
    """Return the settings of an empty, migrated database for one test."""
    url = migrated_database["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        path = tmp_path / "tongket.sqlite3"
        shutil.copy(url.removeprefix("sqlite:///"), path)
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
    engine = sa.create_engine(url, **migrated_database["SQLALCHEMY_ENGINE_OPTIONS"])
    with engine.begin() as connection:
        connection.execute(sa.text("TRUNCATE reminders, actions, reviews, export_jobs, sign_in_attempts, "
                                   "sign_in_sessions, excerpts, users, item_summaries, revision_texts, answer_texts, "
                                   "revisions, responses, units "
                                   "RESTART IDENTITY CASCADE"))
    engine.dispose()
    return migrated_database


@pytest.fixture
def make_app(database, clock, tmp_path):
    """Build apps on the test's database, with the shipped survey or another config file, sharing the
    test's clock, exports folder and folder for uploaded unit lists."""
    built = []

    def make(survey_config=SHIPPED_CONFIG, **settings):
        folders = {"EXPORTS_FOLDER": str(tmp_path / "exports"), "UNIT_LIST_UPLOADS": str(tmp_path / "unit-lists")}
        app = create_app({**base_config(database, survey_config, clock), **folders, **settings})
        built.append(app)
        return app

    yield make
    # A test may end while a download's job is still being written: let it finish before the database goes.
    finish_export_jobs()
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def finish_export_jobs():
    """Wait until the threads writing export jobs, or making item summaries, in this process have ended."""
    for thread in threading.enumerate():
        if thread.name.startswith((THREAD_PREFIX, SUMMARY_THREAD_PREFIX)):
            thread.join()


@pytest.fixture
def wait_for_export_jobs():
    """Return finish_export_jobs, for a test that needs its jobs ended before it goes on."""
    return finish_export_jobs


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def shape():
    """The shape of the demo province `units` imports: "seed" (demo/units.csv). A test about the
    hierarchy runs on both by parametrizing it: @pytest.mark.parametrize("shape", ["seed", "2025"])."""
    return "seed"


@pytest.fixture
def units(app, shape):
    """Import the demo province of the test's shape and return its units by code."""
    with app.app_context():
        import_units(DEMO_LISTS[shape].read_bytes())
        found = {unit.code: unit for unit in db.session.scalars(sa.select(Unit))}
        db.session.expunge_all()
        return found


class Hierarchy:
    """The imported units' tree walked in Python: an oracle independent of the SQL under test."""

    def __init__(self, units):
        by_id = {unit.id: unit for unit in units.values()}
        self.units = units
        self.parent = {code: by_id[unit.parent_id].code if unit.parent_id else None for code, unit in units.items()}
        self._children = {}
        for code in sorted(units):
            self._children.setdefault(self.parent[code], []).append(code)

    def children(self, code):
        """The codes of the units directly under `code`, by code."""
        return list(self._children.get(code, []))

    def in_order(self, scope=None):
        """The codes of the reporting units of `scope`'s subtree (the whole province if None), each unit
        followed by the units under it, siblings by code."""
        ordered, stack = [], [scope] if scope else list(reversed(self.children(None)))
        while stack:
            code = stack.pop()
            ordered.append(code)
            stack.extend(reversed(self.children(code)))
        return [code for code in ordered if self.units[code].level in REPORTING_LEVELS]

    def ancestor_at(self, code, levels):
        """The code of the unit itself or its nearest ancestor whose level is in `levels`, or None."""
        while code is not None and self.units[code].level not in levels:
            code = self.parent[code]
        return code

    def directly_under(self, scope, code):
        """The code of the unit directly under `scope` that `code` falls under or is; `scope` for itself."""
        while code != scope and self.parent[code] != scope:
            code = self.parent[code]
        return code

    def name(self, code):
        return None if code is None else self.units[code].name


@pytest.fixture
def hierarchy(units):
    """The demo province's tree, walked in Python, to check the hierarchy the service computes."""
    return Hierarchy(units)


@pytest.fixture
def config_with(tmp_path):
    """Write a variant of the shipped config, replacing text by regular expression."""

    def write(*replacements, name="survey.yaml"):
        text = SHIPPED_CONFIG.read_text(encoding="utf-8")
        for pattern, replacement in replacements:
            text, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
            assert count, f"{pattern!r} not found in the shipped config"
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


# --- Shared test actions: committee accounts, signing in, CSRF tokens, the shipped files. ---

#: The password of every test account.
PASSWORD = "mật-khẩu-đủ-dài"
#: The committees' test accounts for each demo province: "btc" manages the province; "krongpac" views
#: a district (the seed's shape), "coquandang" a committee directly under the province (today's).
ACCOUNTS = {"seed": (("btc", "TU", "manager"), ("krongpac", "TU.KP", "viewer")),
            "2025": (("btc", "TU", "manager"), ("coquandang", "TU.CQD", "viewer"))}


@pytest.fixture
def shipped_config():
    """Return the path of the survey config the service ships with."""
    return SHIPPED_CONFIG


@pytest.fixture
def demo_units_csv(shape):
    """Return the path of the unit list of the demo province of the test's shape."""
    return DEMO_LISTS[shape]


@pytest.fixture
def accounts(units, runner, shape):
    """Create the committees' test accounts with the real command; return the units by code."""
    for name, scope, role in ACCOUNTS[shape]:
        result = runner.invoke(args=["users", "create", name, "--scope", scope, "--role", role],
                               input=f"{PASSWORD}\n{PASSWORD}\n")
        assert result.exit_code == 0, result.output
    return units


class AuthActions:
    """Sign a test client in and out of the committees' side through the real forms, as a person does."""

    #: The password of every account the `accounts` fixture creates.
    password = PASSWORD

    def __init__(self, client):
        self.client = client

    def for_client(self, client):
        """Return the same actions for another client (another app, another browser)."""
        return AuthActions(client)

    def csrf_token(self, **request):
        """Return a CSRF token valid in this client's session, read from the committees' home page (the
        sign-in page when signed out). Signing in starts a new session: read a new token after it."""
        return read_form(self.client.get("/admin/", **request).text).values["csrf_token"]

    def attempt_sign_in(self, username, password=PASSWORD, **request):
        """Post the sign-in form and return the answer, whatever it is."""
        data = {"username": username, "password": password, "csrf_token": self.csrf_token(**request)}
        return self.client.post("/admin/sign-in", data=data, **request)

    def sign_in(self, username, password=PASSWORD, **request):
        """Sign in and check that it worked: the form sends the account on to its progress page."""
        response = self.attempt_sign_in(username, password, **request)
        assert (response.status_code, response.headers.get("Location")) == (302, "/admin/"), response.text
        return response

    def sign_out(self):
        return self.client.post("/admin/sign-out", data={"csrf_token": self.csrf_token()})


@pytest.fixture
def auth(client):
    return AuthActions(client)
