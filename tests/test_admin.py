"""The committees' side: accounts, sign-in, scope, progress, missing units, downloads, security."""

import datetime as dt
import html
import os
import re
import time

import pytest
import sqlalchemy as sa
from answers import store, stored_cell_answers
from pages import act_on_page, read_form, table_rows, text_of
from workbooks import column_values, downloaded_workbook

from exports.jobs import requested_job
from models import ExportJob, SignInAttempt, Unit, User, db
from reporting.status import report_status

#: A password the `accounts` fixture does not use, to see that no command ever prints one.
OTHER_PASSWORD = "mật-khẩu-khác-cũng-đủ-dài"
#: Admin routes anyone may reach: the sign-in page, and the forms that start and end a session.
PUBLIC_ENDPOINTS = {"admin.home", "admin.sign_in", "admin.sign_out"}
#: POST routes under /admin/ that a viewer may use. Every other one changes something: managers only.
VIEWER_POSTS = {"admin.export_again"}
#: A value for each URL parameter of the admin routes: a unit in both test accounts' scopes, that reports,
#: and the finished export job of a scope in both (see `finished_export`).
URL_VALUES = {"code": "KP.EK.01", "job_id": 1, "kind": "xlsx"}
#: Routes the walk must find, so that a broken walk cannot pass by walking nothing.
KNOWN_ROUTES = {("admin.missing", "GET"), ("admin.unit", "GET"), ("admin.export_workbook", "GET"),
                ("admin.reopen", "POST"), ("admin.extend", "POST"), ("admin.rotate", "POST")}


def missing_codes(page_html):
    """Return the codes of the units the missing list shows, in page order."""
    return re.findall(r'<tr class="status-\w+"><td><a href="/admin/units/([^"]+)">', page_html)


def listed_users(runner):
    return runner.invoke(args=["users", "list"]).output.splitlines()


def test_users_command_creates_lists_and_disables(app, client, auth, accounts, runner):
    assert listed_users(runner) == ["btc\tmanager\tTU\tđang hoạt động", "krongpac\tviewer\tTU.KP\tđang hoạt động"]
    with app.app_context():
        stored = db.session.scalar(sa.select(User.password_hash).filter_by(username="btc"))
    assert auth.password not in stored and stored.startswith("scrypt:")
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
            assert response.status_code == 200, (method, url, response.status_code)
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


def test_missing_units_search_ignores_diacritics_and_case(client, auth, accounts):
    auth.sign_in("btc")
    assert missing_codes(client.get("/admin/missing?search=TAN loi").text) == ["BMT.TL", "BMT.TL.03"]
    assert missing_codes(client.get("/admin/missing?search=buon ea").text) == ["BMT.HT.02"]
    assert missing_codes(client.get("/admin/missing?search=kp.ek").text) == ["KP.EK"], "a code matches whole"


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
    # A committee that reports counts as a unit directly under itself: its own report is one of the scope's.
    expected = sorted(hierarchy.children(scope) + ([scope] if accounts[scope].level != "tinh" else []))
    assert [row.links[0] for row in rows] == [f"/admin/missing?child={code}" for code in expected]
    for row, code in zip(rows, expected, strict=True):
        subtree = [code] if code == scope else hierarchy.in_order(code)
        name, level, total, not_opened, _opened, _draft, done, *_rest = row.cells
        assert (name, level, int(total)) == (accounts[code].name, LEVEL_NAMES[accounts[code].level], len(subtree))
        assert count_in(done) == len(set(subtree) & set(submitted)), code
        assert count_in(not_opened) == len(subtree) - count_in(done), code


@pytest.mark.parametrize("shape", ["seed", "2025"])
def test_the_missing_list_filters_by_the_unit_directly_under_the_scope_and_by_level(app, client, auth, accounts,
                                                                                   hierarchy):
    submitted = set(submit_a_cell_under_each(app, hierarchy, accounts))
    auth.sign_in("btc")
    page = client.get("/admin/missing").text
    under = re.search(r'<select name="child">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="([^"]+)"', under) == hierarchy.children("TU")
    for child in hierarchy.children("TU"):
        rows = table_rows(client.get(f"/admin/missing?child={child}").text)
        assert [row.cells[0] for row in rows] == [c for c in hierarchy.in_order(child) if c not in submitted]
        assert all(row.cells[3] == accounts[child].name for row in rows), child
    for level, label in LEVEL_NAMES.items():
        rows = table_rows(client.get(f"/admin/missing?level={level}").text)
        expected = [c for c in hierarchy.in_order() if accounts[c].level == level and c not in submitted]
        assert [row.cells[0] for row in rows] == expected, level
        assert [row.cells[2:4] for row in rows] == [[label, accounts[hierarchy.directly_under("TU", c)].name]
                                                    for c in expected], level
    last = hierarchy.children("TU")[-1]
    book = downloaded_workbook(client.get(f"/admin/missing.xlsx?child={last}&level=chi_bo_truc_thuoc"))
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
    assert [row.cells[0] for row in table_rows(client.get("/admin/missing").text)] == subtree
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
    """Return the rows of a unit page's table of what changed: (question, before, after) as shown."""
    table = page_html.split('class="changes"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>", table)
    return [tuple(html.unescape(cell) for cell in row) for row in rows]


def test_unit_page_shows_the_report_history_and_what_changed(app, client, auth, accounts):
    store(app, "KP.EK.01", stored_cell_answers(), action="save")
    store(app, "KP.EK.01", stored_cell_answers(so_dang_vien=30, uu_diem="<b>Đã sửa</b> phần ưu điểm"))
    auth.sign_in("krongpac")
    page = client.get("/admin/units/KP.EK.01")
    text = text_of(page.text)
    assert "Chi bộ thôn 3" in text and "Đảng bộ xã Ea Kly" in text
    assert "&lt;b&gt;Đã sửa&lt;/b&gt;" in page.text and "<b>Đã sửa" not in page.text
    assert changes_of(page.text) == [("Tổng số đảng viên", "25", "30"),
                                     ("Ưu điểm và nguyên nhân", "Ý kiến về “uu_diem”.", "<b>Đã sửa</b> phần ưu điểm")]
    reopen_form = 'action="/admin/units/KP.EK.01/reopen"'
    assert reopen_form not in page.text, "a viewer sees no manager action"
    manager = app.test_client()
    auth.for_client(manager).sign_in("btc")
    assert reopen_form in manager.get("/admin/units/KP.EK.01").text


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


def test_rotating_a_link_stops_the_old_one_at_once(app, client, auth, accounts):
    old = accounts["KP.EK.01"].token
    auth.sign_in("btc")
    rotated = client.post("/admin/units/KP.EK.01/rotate-link", data={"csrf_token": auth.csrf_token()})
    assert rotated.status_code == 302
    assert client.get(f"/s/{old}").status_code == 404
    with app.app_context():
        new = db.session.scalar(sa.select(Unit.token).filter_by(code="KP.EK.01"))
    assert new != old and client.get(f"/s/{new}").status_code == 200


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


def test_the_missing_list_downloads_with_its_filters(client, auth, accounts):
    auth.sign_in("krongpac")
    assert "missing.xlsx?level=chi_bo_truc_thuoc" in client.get("/admin/missing?level=chi_bo_truc_thuoc").text
    response = client.get("/admin/missing.xlsx?level=chi_bo_truc_thuoc")
    assert "filename*=UTF-8''%C4%91%C6%A1n-v%E1%BB%8B" in response.headers["Content-Disposition"]
    book = downloaded_workbook(response)
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
