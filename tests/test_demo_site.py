"""make run's demo: set up once, in the SQLite file make run creates, with two accounts, printed once, and a
province where every status occurs; any other database is left as it is."""

import re
import socket
import subprocess

import pytest
import sqlalchemy as sa

from config import ROOT
from demo.site import SETTING_UP, mark_database
from models import Response, Revision, Unit, User, db
from reports.status import STATUS_LABELS, report_status
from schema import REPORTING_LEVELS
from units.contacts import CONTACT_FIELDS, contact_problems

#: How the set-up prints an account: its user name, then its generated password.
ACCOUNT_LINE = re.compile(r"^  (\S+)  ([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})  ", re.MULTILINE)
LINK_LINE = re.compile(r"^  (\S+)  .*: (http://127\.0\.0\.1:5000/s/\S+)$", re.MULTILINE)


@pytest.fixture
def make_run_app(make_app, tmp_path):
    """An app on the SQLite file make run would create, in an empty folder."""
    folder = tmp_path / "instance"
    folder.mkdir()
    return make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'tongket.sqlite3'}", SQLALCHEMY_ENGINE_OPTIONS={})


def set_up(app, *options):
    result = app.test_cli_runner().invoke(args=["demo-site", *options])
    assert result.exit_code == 0, result.output
    return result.output


def table_dump(app):
    """Return every row of every table, sorted: what a change of anything would show."""
    with app.app_context():
        tables = sa.MetaData()
        tables.reflect(db.engine)
        with db.engine.connect() as connection:
            return {name: sorted(map(repr, connection.execute(sa.select(table)))) for name, table in
                    tables.tables.items()}


def statuses_by_code(app):
    with app.app_context():
        survey, now = app.extensions["survey"], app.config["CLOCK"]()
        units = db.session.scalars(sa.select(Unit).where(Unit.level.in_(REPORTING_LEVELS)))
        return {unit.code: report_status(unit.response, survey.deadline_for(unit.level, unit.deadline_extended_to),
                                         now) for unit in units}


def test_the_set_up_creates_two_accounts_and_a_province_where_every_status_occurs(make_run_app, auth):
    printed = set_up(make_run_app)

    statuses = statuses_by_code(make_run_app)
    assert set(statuses.values()) == set(STATUS_LABELS)
    with make_run_app.app_context():
        assert db.session.scalar(sa.select(sa.func.max(Response.revision_count))) >= 3, "one report in versions"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision).filter_by(late=True))
    links = dict(LINK_LINE.findall(printed))
    assert len(links) == len(REPORTING_LEVELS)
    assert all(statuses[code] == "not_opened" for code in links), "the printed links are left to fill in"

    accounts = dict(ACCOUNT_LINE.findall(printed))
    assert "http://127.0.0.1:5000/admin/" in printed
    with make_run_app.app_context():
        users = {user.username: (user.role, user.scope.level) for user in db.session.scalars(sa.select(User))}
    assert users == {name: users[name] for name in accounts} and len(users) == 2
    assert sorted(users.values()) == [("manager", "tinh"), ("viewer", "cap_huyen")]
    client = make_run_app.test_client()
    for name, password in accounts.items():
        auth.for_client(client).sign_in(name, password)
        assert client.get("/admin/").status_code == 200
        auth.for_client(client).sign_out()
        assert all(password not in rows for rows in map(str, table_dump(make_run_app).values()))
    for url in links.values():
        assert client.get(url.removeprefix("http://127.0.0.1:5000")).status_code == 200


def test_most_units_have_a_contact_the_service_would_take_and_some_have_none(make_run_app):
    set_up(make_run_app)
    with make_run_app.app_context():
        units = db.session.scalars(sa.select(Unit).where(Unit.level.in_(REPORTING_LEVELS))).all()
        contacts = [{name: getattr(unit, name) for name in CONTACT_FIELDS} for unit in units]
    with_one = [contact for contact in contacts if contact["contact_phone"]]
    assert len(units) / 2 < len(with_one) < len(units), "the call sheet shows both"
    assert all(not list(contact_problems(contact)) for contact in with_one)
    assert any(contact["contact_email"] for contact in with_one) and not all(c["contact_email"] for c in with_one)


def test_a_second_run_changes_nothing(make_run_app):
    first = set_up(make_run_app)
    before = table_dump(make_run_app)

    again = set_up(make_run_app)
    assert table_dump(make_run_app) == before
    assert "Cơ sở dữ liệu mẫu đã có; không thêm gì vào đó." in again, again
    assert not ACCOUNT_LINE.search(again), "passwords are shown once"
    assert LINK_LINE.findall(again) == LINK_LINE.findall(first)


def test_a_database_the_set_up_did_not_create_is_left_as_it_is(app, units):
    before = table_dump(app)
    set_up(app)
    assert table_dump(app) == before


def test_a_set_up_cut_short_is_named_and_not_taken_for_a_demo(make_run_app):
    with make_run_app.app_context():
        mark_database(SETTING_UP)
    result = make_run_app.test_cli_runner().invoke(args=["demo-site"])
    assert result.exit_code == 1 and "make clean" in result.output, result.output
    with make_run_app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []


def addresses_printed(output):
    return re.findall(r"https?://\S+", output)


def test_the_links_printed_carry_the_address_the_demo_is_served_at(make_run_app):
    first = set_up(make_run_app, "--base-url", "http://127.0.0.1:5077", "--check-port")
    again = set_up(make_run_app, "--base-url", "http://127.0.0.1:5077", "--check-port")

    links = [re.findall(r"^  \S+  .*: (http://127\.0\.0\.1:5077/s/\S+)$", printed, re.MULTILINE)
             for printed in (first, again)]
    assert len(links[0]) == len(REPORTING_LEVELS) and links[1] == links[0], (first, again)
    for printed in (first, again):
        assert "http://127.0.0.1:5077/admin/" in printed, "where committees sign in, each time"
        assert all(address.startswith("http://127.0.0.1:5077/") for address in addresses_printed(printed))


@pytest.fixture(params=["127.0.0.1", "0.0.0.0"])
def port_in_use(request):
    """A port another program listens on, on the demo's address or on every address."""
    with socket.create_server((request.param, 0)) as listener:
        yield listener.getsockname()[1]


def test_a_port_in_use_is_named_before_anything_is_made(make_run_app, port_in_use):
    result = make_run_app.test_cli_runner().invoke(
        args=["demo-site", "--base-url", f"http://127.0.0.1:{port_in_use}", "--check-port"])

    assert result.exit_code == 1, result.output
    assert f"make run PORT={port_in_use + 1}" in result.output and "Traceback" not in result.output
    assert not addresses_printed(result.output)
    with make_run_app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []


@pytest.mark.parametrize(("variables", "address"), [([], "127.0.0.1:5000"), (["PORT=5077"], "127.0.0.1:5077"),
                                                    (["HOST=0.0.0.0", "PORT=8080"], "0.0.0.0:8080")])
def test_make_run_serves_and_links_at_its_host_and_port(variables, address):
    planned = subprocess.run(["make", "--dry-run", "--always-make", "run", *variables], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
    host, port = address.split(":")
    assert f"demo-site --base-url http://{address} --check-port" in planned, planned
    assert f"run --host {host} --port {port}" in planned, planned


def test_the_demos_pages_say_its_data_is_made_up_and_no_other_database_does(make_run_app, app):
    note = "Dữ liệu mẫu: tỉnh, các đơn vị, tài khoản và số liệu ở đây đều là giả định"
    set_up(make_run_app)
    for url in ("/guide/", "/admin/sign-in", "/no-such-page"):
        assert note in make_run_app.test_client().get(url).text, url
        assert note not in app.test_client().get(url).text, url
