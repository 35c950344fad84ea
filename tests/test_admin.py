"""The committees' side: accounts, sign-in, scope, progress, missing units, downloads, security."""

import datetime as dt
import html
import os
import re
import time

import pytest
import sqlalchemy as sa
from answers import store, stored_cell_answers
from pages import act_on_page, call_sheet_rows, read_form, table_rows, text_of
from workbooks import column_values, downloaded_workbook

from config import default_settings
from downloads.jobs import requested_job
from models import ExportJob, SignInAttempt, Unit, User, db
from reports.status import STATUS_LABELS, report_status

#: A password the `accounts` fixture does not use, to see that no command ever prints one.
OTHER_PASSWORD = "mật-khẩu-khác-cũng-đủ-dài"
#: Admin routes anyone may reach: the sign-in page, and the forms that start and end a session.
PUBLIC_ENDPOINTS = {"admin.home", "admin.sign_in", "admin.sign_out"}
#: POST routes under /admin/ that a viewer may use. Every other one changes something: managers only.
VIEWER_POSTS = {"admin.export_again"}
#: GET routes under /admin/ that only a manager may open (a viewer gets 403): the unit list's upload.
MANAGER_PAGES = {"admin.unit_list_upload", "admin.unit_list_template", "admin.current_unit_list_csv",
                 "admin.current_unit_list_xlsx", "admin.return_for_completion"}
#: POST routes whose form has fields to fill: posted empty by a manager, they answer 400 with what needs filling.
FORM_POSTS = {"admin.accept", "admin.unlock", "admin.return_for_completion"}
#: A value for each URL parameter of the admin routes: a unit in both test accounts' scopes, that reports,
#: the finished export job of a scope in both (see `finished_export`), a narrative item and an excerpt id.
URL_VALUES = {"code": "KP.EK.01", "job_id": 1, "kind": "xlsx", "question_id": "uu_diem", "excerpt_id": 1}
#: Routes the walk must find, so that a broken walk cannot pass by walking nothing.
KNOWN_ROUTES = {("admin.missing", "GET"), ("admin.unit_list", "GET"), ("admin.unit_list_workbook", "GET"),
                ("admin.unit", "GET"), ("admin.export_workbook", "GET"), ("admin.reopen", "POST"),
                ("admin.extend", "POST"), ("admin.confirm_rotate", "GET"), ("admin.rotate", "POST"),
                ("admin.unit_list_upload", "GET"), ("admin.upload_unit_list", "POST"),
                ("admin.confirm_unit_list", "POST"), ("admin.export_job_state", "GET"), ("admin.reading_index", "GET"),
                ("admin.reading_item", "GET"), ("admin.pick_excerpt", "POST"), ("admin.move_excerpt", "POST"),
                ("admin.excerpt_note", "POST"), ("admin.remove_excerpt", "POST"), ("admin.accept", "POST"),
                ("admin.unlock", "POST"), ("admin.return_for_completion", "GET"),
                ("admin.return_for_completion", "POST"), ("admin.accept_many", "POST"), ("admin.actions", "GET"),
                ("admin.actions_workbook", "GET"), ("admin.contact", "POST"), ("admin.send_reminders_now", "POST")}


def missing_codes(page_html):
    """Return the codes of the units a unit list shows, in page order: rows of its table, or blocks of its call
    sheet."""
    return re.findall(r'(?:<tr class="status-\w+"><td>|<li class="call call-\w+">\s*<h2 class="call-unit">)'
                      r'<a href="/admin/units/([^"]+)">', page_html)


def listed_users(runner):
    return runner.invoke(args=["users", "list"]).output.splitlines()


def test_the_service_hashes_passwords_with_scrypt(make_app, units):
    app = make_app(PASSWORD_HASH_METHOD=default_settings(".")["PASSWORD_HASH_METHOD"])
    result = app.test_cli_runner().invoke(args=["users", "create", "chief", "--scope", "TU", "--role", "viewer"],
                                          input="a-long-password\na-long-password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = db.session.scalar(sa.select(User.password_hash).filter_by(username="chief"))
    assert stored.startswith("scrypt:") and "a-long-password" not in stored


def test_users_command_creates_lists_and_disables(app, client, auth, accounts, runner):
    assert listed_users(runner) == ["btc\tmanager\tTU\tđang hoạt động", "krongpac\tviewer\tTU.KP\tđang hoạt động"]
    with app.app_context():
        stored = db.session.scalar(sa.select(User.password_hash).filter_by(username="btc"))
    assert auth.password not in stored and stored.startswith("pbkdf2:sha256:1$"), "the tests' cheap method"
    auth.sign_in("krongpac")
    assert client.get("/admin/missing").status_code == 200
    disabled = runner.invoke(args=["users", "disable", "krongpac"])
    assert (disabled.exit_code, disabled.output) == (0, "Đã khóa tài khoản krongpac.\n")
    ended = client.get("/admin/missing")
    assert (ended.status_code, ended.headers["Location"]) == (302, "/admin/"), "the open session ends"
    refused = auth.attempt_sign_in("krongpac")
    assert refused.status_code == 401, "the right password no longer signs in"
    assert "Huyện ủy Krông Pắc" not in client.get("/admin/").text
    assert listed_users(runner) == ["btc\tmanager\tTU\tđang hoạt động", "krongpac\tviewer\tTU.KP\tđã khóa"]
    auth.for_client(app.test_client()).sign_in("btc")  # the other accounts still sign in


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["users", "create", "x", "--scope", "NOPE"], f"{OTHER_PASSWORD}\n{OTHER_PASSWORD}\n",
     "Không có đơn vị nào mang mã NOPE."),
    (["users", "create", "x", "--scope", "TU"], "short\nshort\n", "Mật khẩu phải có ít nhất 10 ký tự."),
    (["users", "create", "btc", "--scope", "TU"], f"{OTHER_PASSWORD}\n{OTHER_PASSWORD}\n",
     "Tài khoản btc đã có."),
    (["users", "passwd", "nobody"], f"{OTHER_PASSWORD}\n{OTHER_PASSWORD}\n", "Không có tài khoản nào tên nobody."),
], ids=["unknown-scope", "short-password", "existing-user", "unknown-user"])
def test_users_command_refuses_bad_requests(app, auth, accounts, runner, args, stdin, message):
    result = runner.invoke(args=args, input=stdin)
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.exception
    assert result.output.splitlines()[-1] == f"Error: {message}"
    assert OTHER_PASSWORD not in result.output
    assert [line.split("\t")[0] for line in listed_users(runner)] == ["btc", "krongpac"]
    auth.sign_in("btc")


def test_sign_in_shows_the_progress_of_the_scope(client, auth, accounts):
    assert client.get("/admin/").status_code == 200
    auth.sign_in("btc")
    page = client.get("/admin/")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "btc · Tỉnh ủy Đắk Lắk" in text and "Huyện ủy Krông Pắc" in text and "<progress" in page.text


def test_a_wrong_password_is_refused_counted_and_never_shown(app, client, auth, accounts):
    refused = auth.attempt_sign_in("btc", "sai-mat-khau-roi")
    assert refused.status_code == 401
    assert "sai-mat-khau-roi" not in refused.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInAttempt)) == 1
    assert "Huyện ủy Krông Pắc" not in client.get("/admin/").text
    assert client.get("/admin/missing").status_code == 302


def test_failed_sign_ins_are_limited_across_workers(app, make_app, auth, accounts):
    for _ in range(5):
        assert auth.for_client(app.test_client()).attempt_sign_in("btc", "doan-sai-nua-roi").status_code == 401
    other_worker = make_app().test_client()
    assert auth.for_client(other_worker).attempt_sign_in("btc").status_code == 429


def test_sessions_expire_and_end_when_the_account_is_disabled(client, auth, accounts, runner, clock):
    auth.sign_in("krongpac")
    clock.advance(hours=7, minutes=59)
    assert "Huyện ủy Krông Pắc" in client.get("/admin/").text
    clock.advance(minutes=2)
    assert "Huyện ủy Krông Pắc" not in client.get("/admin/").text
    auth.sign_in("krongpac")
    assert client.get("/admin/missing").status_code == 200
    runner.invoke(args=["users", "disable", "krongpac"])
    ended = client.get("/admin/missing")
    assert (ended.status_code, ended.headers["Location"]) == (302, "/admin/")


def test_sign_out(client, auth, accounts):
    auth.sign_in("btc")
    assert client.get("/admin/missing").status_code == 200
    signed_out = auth.sign_out()
    assert (signed_out.status_code, signed_out.headers["Location"]) == (302, "/admin/")
    assert client.get("/admin/missing").status_code == 302


def admin_routes(app):
    """Return (endpoint, method, url) for every guarded route under /admin of the app, its URL parameters
    filled in from URL_VALUES: a route added later is walked without changing the tests."""
    adapter = app.url_map.bind("localhost")
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        unknown = rule.arguments - URL_VALUES.keys()
        assert not unknown, f"{rule.rule}: give the walk a value for {sorted(unknown)} in URL_VALUES"
        values = {name: URL_VALUES[name] for name in rule.arguments}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, adapter.build(rule.endpoint, values, method=method)))
    assert {(endpoint, method) for endpoint, method, _url in routes} >= KNOWN_ROUTES
    return routes


def walk(client, routes, token):
    """Request every route, posting a valid CSRF token so that the guards answer, not the CSRF check."""
    for endpoint, method, url in routes:
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        response.get_data()  # read a download whole, so that closing its file loses nothing
        response.close()
        yield endpoint, method, url, response


def test_every_admin_route_sends_a_signed_out_visitor_to_sign_in(app, client, auth, accounts):
    token = auth.csrf_token()
    for _endpoint, method, url, response in walk(client, admin_routes(app), token):
        assert (response.status_code, response.headers.get("Location")) == (302, "/admin/"), (method, url)
        assert "Krông Pắc" not in response.text and "/s/" not in response.text


@pytest.fixture
def finished_export(app, accounts, wait_for_export_jobs):
    """Write the workbook of Krông Pắc as a job, the first of the test, and wait until it is done."""
    with app.app_context():
        scope = db.session.scalar(sa.select(Unit).filter_by(code="TU.KP"))
        job = requested_job(scope, "vi", app.extensions["survey"], None)
        assert job.id == URL_VALUES["job_id"]
    wait_for_export_jobs()
    with app.app_context():
        assert db.session.get(ExportJob, job.id).state == "done"


@pytest.mark.parametrize(("username", "manager"), [("krongpac", False), ("btc", True)])
def test_every_admin_route_lets_an_account_read_and_only_a_manager_change(app, client, auth, accounts,
                                                                         finished_export, username, manager):
    store(app, "KP.EK.01", stored_cell_answers())
    auth.sign_in(username)
    token = auth.csrf_token()
    for endpoint, method, url, response in walk(client, admin_routes(app), token):
        if method == "GET":
            expected = 403 if endpoint in MANAGER_PAGES and not manager else 200
            assert response.status_code == expected, (method, url, response.status_code)
        elif manager and endpoint in FORM_POSTS:
            assert response.status_code == 400, (method, url, response.status_code)
        elif manager or endpoint in VIEWER_POSTS:
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"] != "/admin/", (method, url, "sent to sign in")
        else:
            assert response.status_code == 403, (method, url, response.status_code)
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).filter_by(code="KP.EK.01"))
        unchanged = unit.token == accounts["KP.EK.01"].token and unit.response.is_submitted
    assert unchanged != manager, "a viewer's posts change nothing; a manager's reopen and rotate"


def test_an_account_never_sees_outside_its_scope(client, auth, accounts):
    auth.sign_in("krongpac")
    assert client.get("/admin/units/KP.EK.01").status_code == 200
    outside = client.get("/admin/units/BMT.TL.01")
    assert outside.status_code == 404 and "Tân Lợi" not in outside.text
    assert client.get("/admin/units/NO-SUCH-UNIT").status_code == 404
    assert missing_codes(client.get("/admin/missing").text) == [
        "TU.KP", "KP.BV", "KP.EK", "KP.EK.01", "KP.EK.02", "KP.PA", "KP.PA.01", "KP.PA.02"]
    assert missing_codes(client.get("/admin/missing?child=TU.BMT").text) == []


@pytest.mark.parametrize(("search", "found"), [
    ("TAN loi", ["BMT.TL", "BMT.TL.03"]),
    ("tanloi", ["BMT.TL", "BMT.TL.03"]),
    ("Tân  Lợi", ["BMT.TL", "BMT.TL.03"]),
    ("  phường   tân lợi ", ["BMT.TL", "BMT.TL.03"]),
    ("buon ea", ["BMT.HT.02"]),
    ("BuônEa", ["BMT.HT.02"]),
    ("BMT.TL", ["BMT.TL", "BMT.TL.01", "BMT.TL.02", "BMT.TL.03"]),
    ("kp.ek", ["KP.EK", "KP.EK.01", "KP.EK.02"]),
    ("kp.ek.0", ["KP.EK.01", "KP.EK.02"]),
    ("ek.01", []),
    ("%", []),
    ("_", []),
    ("TL.0_", []),
    ("tân lợi" * 1000, []),
], ids=["no-diacritics", "no-spaces", "double-spaces", "spaces-around", "two-words", "joined-with-diacritics",
        "code-prefix", "code-prefix-lower-case", "code-prefix-part", "code-middle", "percent", "underscore",
        "underscore-in-code", "over-long"])
def test_the_unit_list_search_finds_names_however_typed_and_code_prefixes(client, auth, accounts, search, found):
    auth.sign_in("btc")
    assert missing_codes(client.get("/admin/units", query_string={"search": search}).text) == found


def test_progress_counts_agree_with_each_units_status(app, client, auth, accounts, clock):
    store(app, "BMT.TL.01", stored_cell_answers())
    store(app, "BMT.TL.02", stored_cell_answers(), action="save")
    auth.sign_in("btc")
    act_on_page(client, accounts["KP.EK.01"].token)
    missing = missing_codes(client.get("/admin/missing").text)
    assert "BMT.TL.01" not in missing, "submitted units are not missing"
    assert "BMT.TL.02" in missing and len(missing) == 25
    with app.app_context():
        survey, now = app.extensions["survey"], clock()
        units = db.session.scalars(sa.select(Unit).where(Unit.level != "tinh")).all()
        expected = {}
        for unit in units:
            status = report_status(unit.response, survey.deadline_for(unit.level), now)
            expected[status] = expected.get(status, 0) + 1
    assert expected == {"submitted": 1, "draft": 1, "opened": 1, "not_opened": 23}
    for status, count in expected.items():
        if status not in ("submitted", "submitted_late"):
            page = client.get(f"/admin/missing?status={status}").text
            assert re.search(rf"\b{count} đơn vị\b", text_of(page)), (status, count)
            assert len(missing_codes(page)) == count, status
    assert missing_codes(client.get("/admin/missing?status=draft").text) == ["BMT.TL.02"]
    assert missing_codes(client.get("/admin/missing?status=opened").text) == ["KP.EK.01"]


def test_the_workbook_downloads_for_the_accounts_scope(client, auth, accounts):
    auth.sign_in("krongpac")
    response = client.get("/admin/export.xlsx")
    assert "Huy%E1%BB%87n-%E1%BB%A7y-Kr%C3%B4ng-P%E1%BA%AFc" in response.headers["Content-Disposition"]
    book = downloaded_workbook(response)
    codes = column_values(book.worksheets[0], 4, min_row=4)[:-1]
    assert sorted(codes) == ["KP.BV", "KP.EK", "KP.EK.01", "KP.EK.02", "KP.PA", "KP.PA.01", "KP.PA.02", "TU.KP"]


# --- Both shapes of province: the seed's (districts) and today's (communes directly under the province). ---

LEVEL_NAMES = {"cap_huyen": "Cấp trên cơ sở (huyện ủy, thành ủy, đảng ủy trực thuộc Tỉnh ủy)",
               "dang_bo_co_so": "Đảng bộ cơ sở", "chi_bo_co_so": "Chi bộ cơ sở",
               "chi_bo_truc_thuoc": "Chi bộ trực thuộc đảng bộ cơ sở"}
CELL_LEVELS = ("chi_bo_truc_thuoc", "chi_bo_co_so")


def submit_a_cell_under_each(app, hierarchy, units, scope="TU"):
    """Submit the report of the first cell under each unit directly under `scope`; return their codes."""
    submitted = []
    for child in hierarchy.children(scope):
        cells = [code for code in hierarchy.in_order(child) if units[code].level in CELL_LEVELS]
        if cells:
            store(app, cells[0], stored_cell_answers())
            submitted.append(cells[0])
    return submitted


def count_in(cell):
    """The count of a progress cell, "3 (25%)"."""
    return int(cell.split(" ")[0])


@pytest.mark.parametrize(("shape", "username", "scope"), [
    ("seed", "btc", "TU"), ("seed", "krongpac", "TU.KP"), ("2025", "btc", "TU"), ("2025", "coquandang", "TU.CQD")])
def test_progress_counts_by_the_units_directly_under_the_scope(app, client, auth, accounts, hierarchy, username,
                                                              scope):
    submitted = submit_a_cell_under_each(app, hierarchy, accounts)
    auth.sign_in(username)
    page = client.get("/admin/").text
    assert f"Theo đơn vị trực thuộc {accounts[scope].name}" in text_of(page)
    rows = table_rows(page, 1)
    # Never the scope among the units under it: a committee's own report is shown apart.
    expected = hierarchy.children(scope)
    assert [row.links[:2] for row in rows] == [[f"/admin/units/{code}", f"/admin/units?child={code}"]
                                               for code in expected]
    for row, code in zip(rows, expected, strict=True):
        subtree = hierarchy.in_order(code)
        name, level, total, not_opened, _opened, _draft, done, *_rest = row.cells
        assert (name, level, int(total)) == (accounts[code].name, LEVEL_NAMES[accounts[code].level], len(subtree))
        assert count_in(done) == len(set(subtree) & set(submitted)), code
        assert count_in(not_opened) == len(subtree) - count_in(done), code
        share = round(100 * count_in(done) / len(subtree))
        assert row.cells[-1] == f"{count_in(done)}/{len(subtree)} {share}%", "the bar says the share submitted"
    own = f"Báo cáo của chính {accounts[scope].name}: Chưa mở"
    assert (own in text_of(page)) is (accounts[scope].level != "tinh")
    assert (f'href="/admin/units/{scope}"' in page) is (accounts[scope].level != "tinh")


def listed_total(page_html):
    """The number of units a unit list says it holds, on all its pages."""
    return int(re.search(r"(\d+) đơn vị", text_of(page_html)).group(1))


@pytest.mark.parametrize(("shape", "username", "scope"), [
    ("seed", "btc", "TU"), ("seed", "krongpac", "TU.KP"), ("2025", "btc", "TU"), ("2025", "coquandang", "TU.CQD")])
def test_every_count_on_the_progress_page_links_to_the_list_of_those_units(app, client, auth, accounts, hierarchy,
                                                                          clock, username, scope):
    submit_a_cell_under_each(app, hierarchy, accounts)
    for code in hierarchy.in_order()[1::4]:
        store(app, code, {}, action="save")
    clock.after_last_day("chi_bo_truc_thuoc")
    auth.sign_in(username)
    page = client.get("/admin/").text
    for table, first in ((0, 3), (1, 2)):  # by level after the level, deadline and days left; by unit after two
        for row in table_rows(page, table):
            counts = row.cells[first:first + 1 + len(STATUS_LABELS)]  # the units, then each status
            assert all(re.fullmatch(r"\d+( \(\d+%\))?", cell) for cell in counts), row.cells
            listed = [link for link in row.links if link.startswith("/admin/units?")]
            assert len(listed) == len(counts), (row.cells, "every count is a link")
    links = re.findall(r'<a href="(/admin/units(?:\?[^"]*)?)">(\d+)</a>', page)
    assert ("/admin/units", str(len(hierarchy.in_order(scope)))) in links
    assert len(links) > 16
    seen = set()
    for link, count in links:
        listed = client.get(html.unescape(link)).text
        assert listed_total(listed) == int(count), link
        assert len(missing_codes(listed)) == int(count), link
        seen.update(missing_codes(listed))
    assert seen == set(hierarchy.in_order(scope))


def next_page(page_html):
    found = re.search(r'<a href="([^"]+)" rel="next">', page_html)
    return html.unescape(found.group(1)) if found else None


@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_a_long_unit_list_comes_a_page_at_a_time_with_its_filters(app, client, auth, runner, shape):
    assert runner.invoke(args=["demo", "--units", "260", "--shape", shape]).exit_code == 0
    created = runner.invoke(args=["users", "create", "btc", "--scope", "TINH"],
                            input=f"{auth.password}\n{auth.password}\n")
    assert created.exit_code == 0, created.output
    auth.sign_in("btc")
    address, pages, codes = "/admin/units", [], []
    while address:
        page = client.get(address).text
        assert listed_total(page) == 259, address
        pages.append(page)
        codes += missing_codes(page)
        address = next_page(page)
    assert len(pages) == 3 and "đang xem 201–259" in text_of(pages[-1])
    assert 'name="page" min="1" max="3" value="3"' in pages[-1] and "Trang sau" not in pages[-1]
    assert len(codes) == len(set(codes)) == 259
    book = downloaded_workbook(client.get("/admin/units.xlsx"))
    assert column_values(book.worksheets[0], 0) == codes, "the download is every page, in the same order"
    assert missing_codes(client.get("/admin/units?page=99").text) == codes[200:], "past the end: the last page"
    for wrong in ("0", "-2", "abc"):
        assert missing_codes(client.get(f"/admin/units?page={wrong}").text) == codes[:100], wrong
    missing = client.get("/admin/missing").text
    total = listed_total(missing)
    assert 100 < total < 259 and next_page(missing) == "/admin/units?page=2&status=missing"
    second = client.get(next_page(missing)).text
    assert listed_total(second) == total and 'value="missing" selected' in second
    assert 'type="hidden" name="status" value="missing"' in second, "the page form keeps the filters"


#: The statements each page of the progress and the unit list sends, whatever the number of units (the admin
#: bench counts them at 5,000 and 50,000): no page sends one per unit, per row or per unit directly under the scope.
PAGE_STATEMENTS = {"/admin/": 3, "/admin/units": 5, "/admin/units?status=submitted&page=2": 5,
                   "/admin/units?child=U000&level=chi_bo_truc_thuoc&search=chi": 5, "/admin/missing": 6,
                   "/admin/missing?status=not_opened&search=tan": 6}


def test_progress_and_unit_list_pages_send_a_few_statements_however_many_units(app, client, auth, runner):
    assert runner.invoke(args=["demo", "--units", "260"]).exit_code == 0
    created = runner.invoke(args=["users", "create", "btc", "--scope", "TINH"],
                            input=f"{auth.password}\n{auth.password}\n")
    assert created.exit_code == 0, created.output
    auth.sign_in("btc")
    sent = []

    def note(*_args):
        sent.append(1)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        counted = {}
        for address in PAGE_STATEMENTS:
            client.get(address)  # the sign-in session is read and refreshed once, as on any first page
            sent.clear()
            assert client.get(address).status_code == 200, address
            counted[address] = len(sent)
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    assert counted == PAGE_STATEMENTS


def expected_under(hierarchy, scope, code):
    """What the list's "Under" column says of a unit: the unit directly under the scope that it falls under, the
    scope for a unit directly under it, nothing for the scope itself; never the unit itself."""
    if code == scope:
        return ""
    child = hierarchy.directly_under(scope, code)
    return hierarchy.name(scope if child == code else child)


@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_the_unit_list_filters_by_status_by_the_unit_directly_under_the_scope_and_by_level(app, client, auth,
                                                                                           accounts, hierarchy):
    submitted = set(submit_a_cell_under_each(app, hierarchy, accounts))
    everything = hierarchy.in_order()
    auth.sign_in("btc")
    rows = table_rows(client.get("/admin/units").text)
    assert [row.cells[0] for row in rows] == everything
    assert [row.links for row in rows] == [[f"/admin/units/{code}"] for code in everything]
    assert [row.cells[3] for row in rows] == [expected_under(hierarchy, "TU", code) for code in everything]
    for address, expected in (("/admin/missing", [c for c in everything if c not in submitted]),
                              ("/admin/units?status=missing", [c for c in everything if c not in submitted]),
                              ("/admin/units?status=all_submitted", [c for c in everything if c in submitted]),
                              ("/admin/units?status=submitted", [c for c in everything if c in submitted]),
                              ("/admin/units?status=submitted_late", []),
                              ("/admin/units?status=no-such-status", everything)):
        assert missing_codes(client.get(address).text) == expected, address
    page = client.get("/admin/missing").text
    under = re.search(r'<select name="child">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="([^"]+)"', under) == hierarchy.children("TU")
    assert '<option value="missing" selected>' in page, "the missing list is the unit list filtered"
    for child in hierarchy.children("TU"):
        rows = call_sheet_rows(client.get(f"/admin/missing?child={child}").text)
        expected = [c for c in hierarchy.in_order(child) if c not in submitted]
        assert [row[0] for row in rows] == expected
        assert [row[3] for row in rows] == [expected_under(hierarchy, "TU", c) for c in expected], child
    for level, label in LEVEL_NAMES.items():
        rows = call_sheet_rows(client.get(f"/admin/missing?level={level}").text)
        expected = [c for c in everything if accounts[c].level == level and c not in submitted]
        assert [row[0] for row in rows] == expected, level
        assert [row[2:4] for row in rows] == [[label, expected_under(hierarchy, "TU", c)] for c in expected], level
    last = hierarchy.children("TU")[-1]
    page = client.get(f"/admin/missing?child={last}&level=chi_bo_truc_thuoc").text
    download = f"/admin/units.xlsx?level=chi_bo_truc_thuoc&amp;status=missing&amp;child={last}"
    assert download in page
    book = downloaded_workbook(client.get(html.unescape(download)))
    expected = [c for c in hierarchy.in_order(last) if accounts[c].level == "chi_bo_truc_thuoc" and c not in submitted]
    assert expected and column_values(book.worksheets[0], 0) == expected
    assert set(column_values(book.worksheets[0], 3)) == {accounts[last].name}


@pytest.mark.parametrize(("shape", "scope"), [
    ("seed", "TU.KP"), ("seed", "KP.EK"), ("2025", "TU.CQD"), ("2025", "BMT"), ("2025", "IARVE")])
def test_an_account_below_the_province_sees_its_subtree_and_nothing_else(app, client, auth, units, hierarchy, runner,
                                                                         scope):
    created = runner.invoke(args=["users", "create", "scoped", "--scope", scope],
                            input=f"{auth.password}\n{auth.password}\n")
    assert created.exit_code == 0, created.output
    auth.sign_in("scoped")
    subtree = hierarchy.in_order(scope)
    rows = table_rows(client.get("/admin/units").text)
    assert [row.cells[0] for row in rows] == subtree
    assert [row.cells[3] for row in rows] == [expected_under(hierarchy, scope, code) for code in subtree]
    assert [row[0] for row in call_sheet_rows(client.get("/admin/missing").text)] == subtree
    codes = column_values(downloaded_workbook(client.get("/admin/export.xlsx")).worksheets[0], 4, min_row=4)
    assert codes[:-1] == subtree, "the figures sheet, its total row last"
    assert column_values(downloaded_workbook(client.get("/admin/links.xlsx")).worksheets[0], 2) == subtree
    outside = [code for code in units if code not in subtree]
    assert outside and all(client.get(f"/admin/units/{code}").status_code == 404 for code in outside)


def test_admin_pages_send_security_headers(client, auth, accounts):
    auth.sign_in("btc")
    for url in ("/admin/", "/admin/missing", "/admin/units/TU.KP"):
        response = client.get(url)
        assert response.status_code == 200, url
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def changes_of(page_html):
    """Return the rows of a unit page's table of what changed: (question, pieces), each piece ("del", text) for
    words removed, ("ins", text) for words added, ("", text) for the rest, unescaped."""
    table = page_html.split('class="changes"')[1].split("</table>")[0]
    rows = re.findall(r'<tr><td>(.*?)</td><td class="answer-text">(.*?)</td></tr>', table, re.S)
    return [(html.unescape(question), [(kind or "", html.unescape(marked or plain)) for kind, marked, plain
                                       in re.findall(r"<(del|ins)>(.*?)</\1>|([^<]+)", cell, re.S)])
            for question, cell in rows]


def test_unit_page_shows_the_report_history_and_what_changed_word_by_word(app, client, auth, accounts):
    store(app, "KP.EK.01", stored_cell_answers(uu_diem="Chi bộ họp đủ 12 kỳ, nền nếp tốt."), action="save")
    store(app, "KP.EK.01", stored_cell_answers(so_dang_vien=30, uu_diem="Chi bộ họp 11 kỳ, nền nếp <b>khá</b> tốt.\n"
                                                                      "<script>alert(1)</script>"))
    auth.sign_in("krongpac")
    page = client.get("/admin/units/KP.EK.01")
    text = text_of(page.text)
    assert "Chi bộ thôn 3" in text and "Đảng bộ xã Ea Kly" in text
    assert "&lt;b&gt;khá&lt;/b&gt;" in page.text and "<b>khá" not in page.text and "<script>alert" not in page.text
    assert changes_of(page.text) == [
        ("Tổng số đảng viên", [("del", "25"), ("ins", "30")]),
        ("Ưu điểm và nguyên nhân", [("", "Chi bộ họp "), ("del", "đủ 12"), ("ins", "11"), ("", " kỳ, nền nếp "),
                                    ("ins", "<b>khá</b> "), ("", "tốt."), ("ins", "\n<script>alert(1)</script>")]),
    ]
    assert "Trước" not in table_headers(page.text, "changes"), "not two whole texts side by side"
    reopen_form = 'action="/admin/units/KP.EK.01/reopen"'
    assert reopen_form not in page.text, "a viewer sees no manager action"
    manager = app.test_client()
    auth.for_client(manager).sign_in("btc")
    assert reopen_form in manager.get("/admin/units/KP.EK.01").text


def table_headers(page_html, table_class):
    table = page_html.split(f'class="{table_class}"')[1].split("</thead>")[0]
    return [html.unescape(header) for header in re.findall(r"<th>(.*?)</th>", table)]


def test_admin_tables_never_head_two_columns_the_same(app, client, auth, accounts):
    store(app, "KP.EK.01", stored_cell_answers(), action="save")
    store(app, "KP.EK.01", stored_cell_answers(so_dang_vien=30))
    auth.sign_in("krongpac")
    for address in ("/admin/", "/admin/units", "/admin/units/KP.EK.01"):
        page = client.get(address).text
        for table_class in re.findall(r'<table class="(\w+)">', page):
            for part in page.split(f'<table class="{table_class}">')[1:]:
                headers = re.findall(r"<th>(.*?)</th>", part.split("</thead>")[0])
                assert len(headers) == len(set(headers)) > 1, (address, headers)


def test_version_numbers_link_to_that_version_and_what_it_changed(app, client, auth, accounts):
    for number in (25, 26, 27, 28):
        store(app, "KP.EK.01", stored_cell_answers(so_dang_vien=number), action="save")
    auth.sign_in("krongpac")
    page = client.get("/admin/units/KP.EK.01").text
    versions = [row.links for row in table_rows(page, 0) if row.cells]
    assert versions == [[f"/admin/units/KP.EK.01?version={number}#changes"] for number in (4, 3, 2)] + [
        ["/admin/units/KP.EK.01?version=1#shown"]]
    third = client.get("/admin/units/KP.EK.01?version=3").text
    assert "Những thay đổi từ phiên bản 2 đến phiên bản 3" in text_of(third)
    assert changes_of(third) == [("Tổng số đảng viên", [("del", "26"), ("ins", "27")])]
    assert re.search(r'<h2 id="shown">Phiên bản 3, lưu lúc \d\d/\d\d/\d{4} \d\d:\d\d</h2>', third)
    assert 'Tổng số đảng viên</h3><div class="answer-text">27<' in third, "the answers of version 3"
    first = client.get("/admin/units/KP.EK.01?version=1").text
    assert 'class="changes"' not in first and "Phiên bản 1, lưu lúc" in first
    assert changes_of(client.get("/admin/units/KP.EK.01").text) == [
        ("Tổng số đảng viên", [("del", "27"), ("ins", "28")])], "without a version: the two latest"


def test_a_number_a_date_or_a_choice_changes_whole(app, client, auth, accounts):
    store(app, "KP.EK.01", stored_cell_answers(so_chuyen_de=4.3, ngay_thao_luan="2027-04-02"), action="save")
    store(app, "KP.EK.01", stored_cell_answers(so_chuyen_de=1.4, ngay_thao_luan="2027-04-12",
                                               noi_dung_tap_trung="thoi_su"), action="save")
    auth.sign_in("krongpac")
    changes = dict(changes_of(client.get("/admin/units/KP.EK.01").text))
    assert changes["Số chuyên đề sinh hoạt bình quân mỗi năm"] == [("del", "4,3"), ("ins", "1,4")]
    assert changes["Ngày thảo luận, góp ý"] == [("del", "02/04/2027"), ("ins", "12/04/2027")]
    assert changes["Nội dung được tập trung nhiều nhất"] == [
        ("del", "Quán triệt nghị quyết, chỉ thị, văn bản của cấp trên"),
        ("ins", "Thông tin thời sự, tình hình trong nước, địa phương")]
    assert client.get("/admin/units/KP.EK.01?version=9").status_code == 200


def test_a_manager_reopens_a_submitted_report(app, auth, accounts, clock):
    store(app, "KP.EK.01", stored_cell_answers())
    clock.after_last_day("chi_bo_truc_thuoc")
    unit_client = app.test_client()
    token = accounts["KP.EK.01"].token
    assert 'name="action"' not in unit_client.get(f"/s/{token}?edit=1").text, "locked after the deadline"
    manager = auth.for_client(app.test_client())
    manager.sign_in("btc")
    reopened = manager.client.post("/admin/units/KP.EK.01/reopen", data={"csrf_token": manager.csrf_token()})
    assert (reopened.status_code, reopened.headers["Location"]) == (302, "/admin/units/KP.EK.01")
    assert 'name="action"' in unit_client.get(f"/s/{token}").text, "the unit can correct it again"


def test_a_new_link_is_asked_for_then_confirmed_then_shown_ready_to_print(app, client, auth, accounts):
    old = accounts["KP.EK.01"].token
    auth.sign_in("btc")
    unit_page = client.get("/admin/units/KP.EK.01").text
    assert 'href="/admin/units/KP.EK.01/rotate-link"' in unit_page
    assert 'action="/admin/units/KP.EK.01/rotate-link"' not in unit_page, "no new link in one click"
    asked = client.get("/admin/units/KP.EK.01/rotate-link")
    text = text_of(asked.text)
    assert asked.status_code == 200 and "Cấp đường liên kết mới cho Chi bộ thôn 3?" in text
    assert "hết hiệu lực ngay" in text and "giấy báo đã in" in text
    assert read_form(asked.text).values.keys() == {"csrf_token"}
    assert 'action="/admin/units/KP.EK.01/rotate-link"' in asked.text
    assert 'href="/admin/units/KP.EK.01">Không, giữ đường liên kết hiện tại' in asked.text
    assert current_tokens(app, "KP.EK.01") == [old], "asking changes nothing"
    assert client.get(f"/s/{old}").status_code == 200
    rotated = client.post("/admin/units/KP.EK.01/rotate-link", data={"csrf_token": auth.csrf_token()})
    assert (rotated.status_code, rotated.headers["Location"]) == (302, "/admin/units/KP.EK.01/invitation")
    new, = current_tokens(app, "KP.EK.01")
    assert new != old
    shown = client.get(rotated.headers["Location"])
    assert "Đơn vị đã được cấp đường liên kết mới" in text_of(shown.text)
    assert f'<p class="invitation-link">http://localhost/s/{new}</p>' in shown.text
    assert old not in shown.text and shown.headers["Cache-Control"] == "private, no-store"
    assert client.get(f"/s/{old}").status_code == 404
    assert client.get(f"/s/{new}").status_code == 200


def test_a_viewer_is_told_that_only_a_manager_gives_a_new_link(app, client, auth, accounts):
    auth.sign_in("krongpac")
    assert "/rotate-link" not in client.get("/admin/units/KP.EK.01").text
    asked = client.get("/admin/units/KP.EK.01/rotate-link")
    assert asked.status_code == 200 and "Chỉ tài khoản quản lý" in text_of(asked.text)
    assert "<form method=\"post\" action=\"/admin/units/KP.EK.01/rotate-link\"" not in asked.text
    assert current_tokens(app, "KP.EK.01") == [accounts["KP.EK.01"].token]


def test_the_province_which_does_not_report_has_no_unit_page_and_no_new_link(app, client, auth, accounts):
    auth.sign_in("btc")
    assert client.get("/admin/units/TU").status_code == 404
    assert client.get("/admin/units/TU/rotate-link").status_code == 404
    assert client.post("/admin/units/TU/rotate-link", data={"csrf_token": auth.csrf_token()}).status_code == 404
    assert current_tokens(app, "TU") == [accounts["TU"].token]


def current_tokens(app, *codes):
    with app.app_context():
        return [db.session.scalar(sa.select(Unit.token).filter_by(code=code)) for code in codes]


def test_manager_actions_need_a_csrf_token_and_the_scope(app, client, auth, accounts, runner):
    created = runner.invoke(args=["users", "create", "kp-manager", "--scope", "TU.KP", "--role", "manager"],
                            input=f"{auth.password}\n{auth.password}\n")
    assert created.exit_code == 0, created.output
    auth.sign_in("kp-manager")
    assert client.post("/admin/units/KP.EK.01/rotate-link").status_code == 400
    token = auth.csrf_token()
    assert client.post("/admin/units/BMT.TL.01/rotate-link", data={"csrf_token": token}).status_code == 404
    assert current_tokens(app, "KP.EK.01", "BMT.TL.01") == [accounts["KP.EK.01"].token, accounts["BMT.TL.01"].token]


def test_preview_shows_the_survey_as_each_level_sees_it(client, auth, accounts):
    auth.sign_in("krongpac")
    cell = client.get("/admin/preview?level=chi_bo_truc_thuoc")
    committee = client.get("/admin/preview?level=dang_bo_co_so")
    assert cell.status_code == committee.status_code == 200
    assert 'name="so_chi_bo_truc_thuoc"' not in cell.text and 'name="so_chi_bo_truc_thuoc"' in committee.text
    assert 'name="so_dang_vien"' in cell.text and 'name="action"' not in cell.text
    assert 'data-text-limit="20000"' in cell.text, "its texts' counters have the usual limit to count to"


def test_a_config_edit_goes_live_without_a_restart_and_a_bad_one_is_refused(make_app, config_with, auth, accounts):
    path = config_with()
    app = make_app(path)
    client = app.test_client()
    auth.for_client(client).sign_in("btc")
    unit_page = f"/s/{accounts['BMT.TL.01'].token}"
    first = app.extensions["survey"].version
    edited = path.read_text(encoding="utf-8").replace("Bài học kinh nghiệm, en:", "Bài học kinh nghiệm rút ra, en:")
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert "Bài học kinh nghiệm rút ra" in client.get(unit_page).text
    second = app.extensions["survey"].version
    assert second != first
    path.write_text(edited.replace("type: percentage", "type: percnt"), encoding="utf-8")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 2 * 10**9))
    assert "Bài học kinh nghiệm rút ra" in client.get(unit_page).text, "the last good version stays live"
    dashboard = client.get("/admin/").text
    assert "percnt" in dashboard and second in dashboard


def test_a_manager_extends_one_units_deadline(app, auth, accounts, clock):
    clock.after_last_day("cap_huyen")
    manager = auth.for_client(app.test_client())
    client = manager.client
    manager.sign_in("btc")
    assert "KP.EK.01" in missing_codes(client.get("/admin/missing?status=overdue").text)
    today = clock.survey.today(clock())
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    past = client.post("/admin/units/KP.EK.01/extend", data={"csrf_token": manager.csrf_token(),
                                                             "last_day": yesterday})
    assert past.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Unit.deadline_extended_to).filter_by(code="KP.EK.01")) is None
    later = (today + dt.timedelta(days=10)).isoformat()
    extended = client.post("/admin/units/KP.EK.01/extend", data={"csrf_token": manager.csrf_token(),
                                                                 "last_day": later})
    assert extended.status_code == 302
    assert "KP.EK.01" not in missing_codes(client.get("/admin/missing?status=overdue").text)
    assert "KP.EK.01" in missing_codes(client.get("/admin/missing?status=not_opened").text)
    store(app, "KP.EK.01", stored_cell_answers())
    unit_page = app.test_client().get(f"/s/{accounts['KP.EK.01'].token}").text
    assert 'status-submitted"' in unit_page, "submitted on time thanks to the extension"
    book = downloaded_workbook(client.get("/admin/export.xlsx"))
    progress = {row[2].value: row for row in book["Tiến độ"].iter_rows(min_row=2)}
    assert progress["KP.EK.01"][5].value.date().isoformat() == later
    assert progress["KP.EK.01"][6].value == "Đã gửi" and progress["KP.EK.02"][6].value == "Quá hạn"


def test_the_unit_list_downloads_with_its_filters(client, auth, accounts):
    auth.sign_in("krongpac")
    page = client.get("/admin/missing?level=chi_bo_truc_thuoc").text
    assert "units.xlsx?level=chi_bo_truc_thuoc&amp;status=missing" in page
    response = client.get("/admin/units.xlsx?level=chi_bo_truc_thuoc&status=missing")
    assert "filename*=UTF-8''danh-s%C3%A1ch-%C4%91%C6%A1n-v%E1%BB%8B" in response.headers["Content-Disposition"]
    book = downloaded_workbook(response)
    assert book.worksheets[0].title == "Danh sách đơn vị"
    assert column_values(book.worksheets[0], 0) == ["KP.EK.01", "KP.EK.02", "KP.PA.01", "KP.PA.02"]


def test_session_cookie_is_secure_over_https_only(app, auth, accounts):
    plain = auth.sign_in("btc")
    assert "Secure" not in plain.headers["Set-Cookie"] and "HttpOnly" in plain.headers["Set-Cookie"]
    secure = auth.for_client(app.test_client()).sign_in("btc", base_url="https://localhost",
                                                        headers={"Referer": "https://localhost/admin/"})
    assert "Secure" in secure.headers["Set-Cookie"]


def test_a_control_character_in_a_user_name_is_a_form_error(app, auth, accounts):
    for control in ("\x00", "\x1b", "\x7f", "\n", "\t"):
        page = auth.attempt_sign_in(f"btc{control}")
        assert page.status_code == 400
        assert f"Tên đăng nhập có ký tự điều khiển U+{ord(control):04X}" in text_of(page.text)
        assert read_form(page.text).values["username"] == f"btc{control}", "what was typed stays in the form"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInAttempt)) == 0, "nothing stored"
    auth.sign_in("btc")
