"""Requests an attacker or a broken client sends: ids out of range, malformed Origin and Referer headers,
and what keeps a leaked page out of search engines."""

from urllib import robotparser

import pytest
import sqlalchemy as sa
from answers import store, stored_cell_answers

from downloads.jobs import requested_job
from models import Unit, db

#: The unit whose link and admin page the walk visits (in both test accounts' scopes, as in test_admin.py).
UNIT = "KP.EK.01"
#: Ids no row can have: past PostgreSQL's integer, past 64 bits, far past both, and negative.
OUT_OF_RANGE = [2**31, 2**63, 2**64, 10**30, -1]
#: Query parameters that name a revision or a page by number.
NUMBERED_QUERY = ("version", "from", "to", "page")


def filled_routes(app, token, number):
    """Return (method, url) for every route of the app that takes an int, that int set to `number` and the
    other parameters to a real unit, link and job kind; and every GET route with `number` in each query
    parameter that names a version or a page."""
    values = {"code": UNIT, "token": token, "kind": "xlsx", "question_id": "uu_diem"}
    adapter = app.url_map.bind("localhost")
    routes = []
    for rule in app.url_map.iter_rules():
        numbered = {name for name, converter in rule._converters.items() if converter.regex.startswith(r"\d")}
        given = {name: number if name in numbered else values.get(name) for name in rule.arguments}
        if None in given.values():
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            url = adapter.build(rule.endpoint, given, method=method)
            if numbered:
                routes.append((method, url))
            elif method == "GET":
                routes.append((method, f"{url}?" + "&".join(f"{name}={number}" for name in NUMBERED_QUERY)))
    return routes


@pytest.fixture
def finished_export(app, accounts, wait_for_export_jobs):
    """The workbook of Krông Pắc written as the test's first job (id 1), finished."""
    with app.app_context():
        scope = db.session.scalar(sa.select(Unit).filter_by(code="TU.KP"))
        assert requested_job(scope, "vi", app.extensions["survey"], None).id == 1
    wait_for_export_jobs()


@pytest.fixture
def signed_in_manager(app, client, auth, accounts):
    """A manager's session, the unit's report submitted, so that its revisions are looked up."""
    store(app, UNIT, stored_cell_answers())
    auth.sign_in("btc")
    return auth.csrf_token()


@pytest.mark.parametrize("number", OUT_OF_RANGE, ids=str)
def test_an_id_out_of_range_is_not_found_never_a_fault(app, client, accounts, signed_in_manager, number):
    routes = filled_routes(app, accounts[UNIT].token, number)
    numbered = [url for _method, url in routes if "?" not in url]
    assert len(numbered) >= 4, numbered  # the job's page, file and retry, a unit's revision
    for method, url in routes:
        response = client.open(url, method=method, data={"csrf_token": signed_in_manager})
        response.close()  # a download's file
        expected = {404} if url in numbered else {200, 302, 303, 400, 404, 405}
        assert response.status_code in expected, (method, url, response.status_code)


#: Origin and Referer values no URL parser reads as a site: a port out of range, an unclosed IPv6
#: bracket, a user and password but no host, non-ASCII, a scheme alone, a bare word.
MALFORMED_ORIGINS = ["http://localhost:99999", "http://[::1", "http://a:b@", "http://[::1]:99999/x",
                     "http://lôcalhost", "http://localhost:１２３", "http://", "://", "nonsense", "http://lo calhost",
                     "http://localhost:-1", "http://\u202elocalhost"]
#: Admin forms that check where they were posted from, sign-in included, as a manager posts them.
ADMIN_FORMS = ["/admin/sign-in", "/admin/sign-out", f"/admin/units/{UNIT}/reopen", f"/admin/units/{UNIT}/extend",
               f"/admin/units/{UNIT}/rotate-link", "/admin/exports/1/again"]


@pytest.mark.parametrize("header", ["Origin", "Referer"])
@pytest.mark.parametrize("sent", MALFORMED_ORIGINS)
def test_a_malformed_origin_is_a_foreign_one(app, client, accounts, signed_in_manager, header, sent):
    for form in ADMIN_FORMS:
        response = client.post(form, data={"csrf_token": signed_in_manager}, headers={header: sent})
        assert response.status_code == 400, (form, response.status_code)
        assert "biểu mẫu được gửi từ trang khác" in response.text, form
    assert client.get(f"/admin/units/{UNIT}").status_code == 200, "still signed in: nothing was done"


def test_an_empty_or_null_origin_says_nothing_either_way(client, accounts, signed_in_manager):
    for header in ("Origin", "Referer"):
        for sent in ("", "null"):
            response = client.post(f"/admin/units/{UNIT}/reopen", data={"csrf_token": signed_in_manager},
                                   headers={header: sent})
            assert response.status_code == 302, (header, sent)


def private_pages(app, token):
    """Return the address of every GET route under /s/ and /admin, filled in for a real unit, link and job."""
    values = {"code": UNIT, "token": token, "kind": "xlsx", "job_id": 1, "number": 1,
              "question_id": "uu_diem"}
    adapter = app.url_map.bind("localhost")
    return [adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments})
            for rule in app.url_map.iter_rules()
            if rule.rule.startswith(("/s/", "/admin")) and "GET" in rule.methods]


def test_every_unit_and_admin_page_asks_not_to_be_indexed(app, client, accounts, signed_in_manager,
                                                           finished_export):
    token = accounts[UNIT].token
    pages = [*private_pages(app, token), f"/%73/{token}", f"/s/{token}?lang=en", "/s/NO-SUCH-LINK"]
    assert {f"/s/{token}", f"/s/{token}/revisions/1", f"/s/{token}/report.docx", "/admin/exports/1.xlsx",
            "/admin/"} <= set(pages)
    for url in pages:
        response = client.get(url)
        response.close()
        assert response.status_code in (200, 404), (url, response.status_code)
        assert response.headers.get("X-Robots-Tag") == "noindex, nofollow", url
        if response.mimetype == "text/html":
            assert '<meta name="robots" content="noindex, nofollow">' in response.text, url


@pytest.mark.parametrize("url", ["/", "/guide/", "/healthz", "/robots.txt"])
def test_public_pages_may_be_indexed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "X-Robots-Tag" not in response.headers and 'name="robots"' not in response.text


def test_robots_txt_keeps_crawlers_off_the_links_and_the_committees_side(client):
    response = client.get("/robots.txt")
    assert (response.status_code, response.mimetype) == (200, "text/plain")
    rules = robotparser.RobotFileParser()
    rules.parse(response.text.splitlines())
    for path in ("/s/ABCD", "/s/ABCD/print", "/admin/", "/admin/units/KP.EK.01"):
        assert not rules.can_fetch("Googlebot", f"http://tongket.example{path}"), path
    assert rules.can_fetch("Googlebot", "http://tongket.example/") and rules.can_fetch("*", "/guide/")
