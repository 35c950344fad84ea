"""What a real gunicorn, started with the project's gunicorn.conf.py, writes to its logs: one access line
per request and every error, with each unit link (a secret) replaced by its fingerprint."""

import contextlib
import hashlib
import http.client
import secrets
import sqlite3

import pytest
from served import Served, demo_database

from logs import hide_links
from models import new_link_token

pytestmark = pytest.mark.once

CELL = "BMT.TL.01"


def fingerprint(token):
    """The name a link goes by in the logs: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


@pytest.fixture
def served(tmp_path):
    url, tokens = demo_database(tmp_path)
    server = Served(url, tmp_path)
    yield server, url.removeprefix("sqlite:///"), tokens
    server.stop()


def test_logs_name_links_by_fingerprint_never_by_token(served):
    server, path, tokens = served
    token, unknown = tokens[CELL], new_link_token()
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as holder:
        # Before the worker opens the file: a connection that takes all of it keeps every reader out.
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        assert server.get(f"/s/{token}")[0] == 503
    assert server.get(f"/s/{token}")[0] == 200
    assert server.get(f"/s/{token}/revisions")[0] == 200
    assert server.get("/static/survey.js", Referer=f"http://127.0.0.1:{server.port}/s/{token}?edit=1")[0] == 200
    assert server.get(f"/s/{unknown}")[0] == 404
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE revisions")  # a fault: every page of the unit now fails
    assert server.get(f"/s/{token}")[0] == 500

    access, errors = server.stop()
    for secret in (token, unknown):
        assert secret not in access and secret not in errors
    mine = f"/s/[link:{fingerprint(token)}]"
    lines = access.splitlines()
    assert len(lines) == 7, "one line per request: the start-up check and the six above"
    assert [line.count(mine) for line in lines[1:]] == [1, 1, 1, 1, 0, 1]
    assert f"/s/[link:{fingerprint(unknown)}]" in lines[5] and '" 404 ' in lines[5]
    assert f"Database busy, answered 503 to GET {mine}: database is locked" in errors
    assert f"Exception on {mine} [GET]" in errors
    assert "no such table: revisions" in errors, "the error itself is still logged, with its traceback"


@pytest.mark.parametrize(("text", "shown"), [
    ("/s/{token}/revisions/2", "/s/[link:{fp}]/revisions/2"),
    ("https://tongket.example/s/{token}?edit=1", "https://tongket.example/s/[link:{fp}]?edit=1"),
    ("GET /s%2F{token} HTTP/1.1", "GET /s%2F[link:{fp}] HTTP/1.1"),
    ("busy on POST /s/{token}: locked", "busy on POST /s/[link:{fp}]: locked"),
    ("/s/[link:{fp}]", "/s/[link:{fp}]"),
    ("GET /%73/{token} HTTP/1.1", "GET /s/[link:{fp}] HTTP/1.1"),
    ("GET /%73/{old} HTTP/1.1", "GET /s/[link:{old_fp}] HTTP/1.1"),
    ("GET /s//{token}", "GET /s//[link:{fp}]"),
    ("GET /s//{old}", "GET /s//[link:{old_fp}]"),
    ("//s/{token}/", "//s/[link:{fp}]/"),
    ("/S/{token}", "/S/[link:{fp}]"),
    ("/s/{escaped}", "/s/[link:{fp}]"),
    ("/s%2f%2F{old}", "/s%2f%2F[link:{old_fp}]"),
    ("/%2573/{token}", "/%2573/[link:{fp}]"),
    ("/s/./{token}/print", "/s/./[link:{fp}]/print"),
    ("/admin/units?q={token}&page=2", "/admin/units?q=[link:{fp}]&page=2"),
    ("/x/../s/{token}", "/x/../s/[link:{fp}]"),
    ("GET /%0A%20/s/%2e HTTP/1.1", "GET /%0A%20/s/. HTTP/1.1"),
], ids=str)
def test_a_link_is_named_by_its_fingerprint_wherever_it_appears(text, shown):
    token, old = new_link_token(), secrets.token_urlsafe(32)
    escaped = "".join(f"%{ord(character):02x}" for character in token)
    prints = {"fp": fingerprint(token), "old_fp": fingerprint(old)}
    assert hide_links(text.format(token=token, old=old, escaped=escaped, **prints)) == shown.format(**prints)


#: Addresses that spell a unit's link another way: some open its page (the router decodes `%73` and
#: `%2F`, and sends `/s//` on to `/s/`), the others are 404s whose request line still holds the secret.
ODD_PATHS = ["/%73/{token}", "/s//{token}", "/s/{token}/", "//s/{token}", "/S/{token}", "/s/{escaped}",
             "/%2573/{token}", "/s%2F{token}", "/%73%2f{token}/print", "/s/./{token}", "/s/{token}%20",
             "/%73/{token}/revisions", "/s/{lower}"]


def test_odd_spellings_of_a_link_leave_only_its_fingerprint_in_the_logs(served):
    server, _path, tokens = served
    token = tokens[CELL]
    escaped = "".join(f"%{ord(character):02X}" for character in token)
    answers = [raw_get(server.port, path.format(token=token, escaped=escaped, lower=token.lower()))
               for path in ODD_PATHS]
    assert answers.count(200) >= 4 and 404 in answers, answers  # both kinds are tried
    access, errors = server.stop()
    for secret in (token, token.lower(), escaped, escaped[3:]):
        assert secret.lower() not in access.lower() and secret.lower() not in errors.lower()
    lines = access.splitlines()[1:]
    assert len(lines) == len(ODD_PATHS)
    assert all(f"[link:{fingerprint(token)}]" in line for line in lines if '" 404 ' not in line), lines


def raw_get(port, path):
    """GET a path as it is written, which urllib would tidy, and return the status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()
