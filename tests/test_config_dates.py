"""A survey config with a bad date, or any value YAML or the reader cannot use: one located problem, never a
traceback; a running service keeps its last good config and says that the file on disk is invalid."""

import contextlib
import copy
import datetime as dt
import os
import subprocess
import sys
import time

import pytest
import yaml
from conftest import SHIPPED_CONFIG
from pages import text_of

from schema import ConfigError, load_survey
from schema.loader import read_survey

pytestmark = pytest.mark.once

#: The shipped config's deadline of the committees above grassroots level, and what an editor may put instead.
DEADLINE = (r"^  cap_huyen: 2027-04-20$", "  cap_huyen: {}")
BAD_DEADLINES = {
    "31 April": ("2027-04-31", "2027-04-31"),
    "29 February of a common year": ("2027-02-29", "2027-02-29"),
    "month 13": ("2027-13-01", "2027-13-01"),
    "day 0": ("2027-04-00", "2027-04-00"),
    "a text": ("ngày 20 tháng 4", "YYYY-MM-DD"),
    "day first": ("20/04/2027", "YYYY-MM-DD"),
    "a YAML int": ("20270420", "YYYY-MM-DD"),
    "a time too": ("2027-04-20 17:00:00", "YYYY-MM-DD"),
    "a time zone": ("2027-04-20T00:00:00+07:00", "YYYY-MM-DD"),
    "an impossible day tagged as a timestamp": ("!!timestamp 2027-04-31", "2027-04-31"),
    "a list": ("[2027, 4, 20]", "YYYY-MM-DD"),
    "nothing": ("", "YYYY-MM-DD"),
    "year 9999": ("9999-12-31", "9999-12-31"),
    "a three-digit year": ("0207-04-20", "0207-04-20"),
    "a five-digit year": ("20270-04-20", "YYYY-MM-DD"),
}


def problems_of(app, path):
    with app.app_context(), pytest.raises(ConfigError) as refused:
        load_survey(path)
    return refused.value.problems


@pytest.mark.parametrize("bad", BAD_DEADLINES)
def test_a_bad_deadline_is_one_problem_named_where_it_is(app, config_with, bad):
    written, fragment = BAD_DEADLINES[bad]
    problems = problems_of(app, config_with((DEADLINE[0], DEADLINE[1].format(written))))
    assert len(problems) == 1 and problems[0].startswith("deadlines.cap_huyen: ") and fragment in problems[0], problems


#: Values YAML builds by an explicit tag and cannot: each is one problem naming its line, not a ValueError.
UNBUILDABLE = {"an int": "!!int abc", "a float": "!!float x", "a big exponent": "!!float 1e99999999999x",
               "a yes or no": "!!bool maybe", "an empty hexadecimal": "!!int 0x"}


@pytest.mark.parametrize("value", UNBUILDABLE)
def test_a_value_yaml_cannot_build_names_its_line(app, config_with, value):
    path = config_with((r"^timezone: .*$", f"timezone: {UNBUILDABLE[value]}"))
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("timezone:"))
    problems = problems_of(app, path)
    assert len(problems) == 1 and f" {line}," in problems[0], problems


def test_a_file_nested_too_deeply_is_named_as_such(app, tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("title: " + "[" * 20000, encoding="utf-8")
    assert len(problems_of(app, path)) == 1


def run_check(path):
    """Run `flask survey check PATH` as an administrator does, in a process of its own."""
    environment = {**os.environ, "SURVEY_CONFIG": str(path), "DATABASE_URL": "sqlite:///:memory:",
                   "SECRET_KEY": "check", "FLASK_APP": "app"}
    return subprocess.run([sys.executable, "-m", "flask", "survey", "check", str(path)], capture_output=True,
                          text=True, env=environment, cwd=os.path.dirname(os.path.dirname(__file__)), timeout=120)


@pytest.mark.parametrize("bad", ["31 April", "a YAML int", "a time zone", "year 9999"])
def test_survey_check_names_the_bad_date_without_a_traceback(config_with, bad):
    written, fragment = BAD_DEADLINES[bad]
    path = config_with((DEADLINE[0], DEADLINE[1].format(written)))
    result = run_check(path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    located = [line for line in output.splitlines() if "deadlines.cap_huyen:" in line]
    assert len(located) == 1 and fragment in located[0], output
    assert str(path) in output


def edit(path, text, seconds):
    """Write the config file anew, its modification time `seconds` later, as an editor saving it would."""
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + seconds * 10**9))


@pytest.mark.parametrize("bad", ["31 April", "a YAML int", "an impossible day tagged as a timestamp"])
def test_a_running_service_keeps_its_last_good_config_and_says_the_file_is_invalid(make_app, config_with, auth,
                                                                                    accounts, bad):
    path = config_with()
    app = make_app(path)
    client = app.test_client()
    auth.for_client(client).sign_in("btc")
    live = app.extensions["survey"].version
    edit(path, path.read_text(encoding="utf-8").replace("cap_huyen: 2027-04-20",
                                                        f"cap_huyen: {BAD_DEADLINES[bad][0]}"), 1)
    page = client.get(f"/s/{accounts['TU.BMT'].token}")
    assert page.status_code == 200 and "20/04/2027" in text_of(page.text), "the last good deadline stays"
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json["survey"] == {"version": live, "file": "invalid"}
    dashboard = text_of(client.get("/admin/").text)
    assert "deadlines.cap_huyen:" in dashboard and live in dashboard
    edit(path, path.read_text(encoding="utf-8").replace(f"cap_huyen: {BAD_DEADLINES[bad][0]}",
                                                        "cap_huyen: 2027-04-21"), 2)
    assert client.get("/healthz").json["survey"]["file"] == "valid"
    assert "21/04/2027" in text_of(client.get(f"/s/{accounts['TU.BMT'].token}").text)


def value_paths(node, path=()):
    """Yield the path of every value in parsed YAML."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield (*path, key)
        yield from value_paths(value, (*path, key))


def one_path_per_shape(data):
    """Return a path of each shape of value: list positions aside, every question's `min` is read alike."""
    shapes = {}
    for path in value_paths(data):
        shapes.setdefault(tuple("*" if isinstance(key, int) else key for key in path), path)
    return list(shapes.values())


def replaced(data, path, value):
    """Return a deep copy of `data` with the value at `path` replaced."""
    changed = copy.deepcopy(data)
    node = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return changed


SHIPPED = yaml.safe_load(SHIPPED_CONFIG.read_text(encoding="utf-8"))
#: What YAML may give where the reader expects something else: a list and a mapping (neither hashable), a
#: number of any size, a missing value, a date as PyYAML builds it, a text, a boolean.
HOSTILE = {"a list": [["x"]], "a mapping": {"x": {1: 2}}, "a number": 7, "nothing": None,
           "a date": dt.date(2027, 4, 20), "a text": "x", "a huge number": 10**400, "infinity": float("inf"),
           "a yes": True}


@pytest.mark.parametrize("hostile", HOSTILE)
def test_any_value_anywhere_is_a_config_problem_never_an_exception(app, hostile):
    paths = one_path_per_shape(SHIPPED)
    assert len(paths) > 100
    with app.app_context():
        for path in paths:
            with contextlib.suppress(ConfigError):
                read_survey(replaced(SHIPPED, path, HOSTILE[hostile]), "test")
