"""The committees' side: accounts, sign-in, scope, progress, missing units, downloads, security."""

import datetime as dt
import io
import os
import re
import time

import openpyxl
import pytest
import sqlalchemy as sa
from answers import store, stored_cell_answers
from pages import text_of

from models import SignInAttempt, Unit, User, db
from reporting.status import report_status

PASSWORD = "mật-khẩu-đủ-dài"


@pytest.fixture
def accounts(app, units, runner):
    for name, scope, role in (("btc", "TU", "manager"), ("krongpac", "TU.KP", "viewer")):
        result = runner.invoke(args=["users", "create", name, "--scope", scope, "--role", role],
                               input=f"{PASSWORD}\n{PASSWORD}\n")
        assert result.exit_code == 0, result.output
    return units


def sign_in(client, username, password=PASSWORD):
    page = client.get("/admin/")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) or re.search(
        r'name="csrf_token" value="([^"]+)"', page.text)
    return client.post("/admin/sign-in", data={"username": username, "password": password,
                                               "csrf_token": token.group(1)})


def test_users_command_creates_lists_and_disables(app, accounts, runner):
    listing = runner.invoke(args=["users", "list"])
    assert "btc\tmanager\tTU\t" in listing.output and "krongpac\tviewer\tTU.KP\t" in listing.output
    with app.app_context():
        stored = db.session.scalar(sa.select(User.password_hash).filter_by(username="btc"))
    assert PASSWORD not in stored and stored.startswith("scrypt:")
    assert runner.invoke(args=["users", "disable", "krongpac"]).exit_code == 0
    assert "krongpac\tviewer\tTU.KP\t" in runner.invoke(args=["users", "list"]).output


@pytest.mark.parametrize(("args", "stdin"), [
    (["users", "create", "x", "--scope", "NOPE"], f"{PASSWORD}\n{PASSWORD}\n"),
    (["users", "create", "x", "--scope", "TU"], "short\nshort\n"),
    (["users", "create", "btc", "--scope", "TU"], f"{PASSWORD}\n{PASSWORD}\n"),
    (["users", "passwd", "nobody"], f"{PASSWORD}\n{PASSWORD}\n"),
])
def test_users_command_refuses_bad_requests(accounts, runner, args, stdin):
    result = runner.invoke(args=args, input=stdin)
    assert result.exit_code != 0
    assert PASSWORD not in result.output


def test_sign_in_shows_the_progress_of_the_scope(client, accounts):
    assert client.get("/admin/").status_code == 200
    assert sign_in(client, "btc").status_code == 302
    page = client.get("/admin/")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Tỉnh ủy Đắk Lắk" in text and "Huyện ủy Krông Pắc" in text and "<progress" in page.text


def test_a_wrong_password_is_refused_counted_and_never_shown(app, client, accounts):
    refused = sign_in(client, "btc", "sai-mat-khau-roi")
    assert refused.status_code == 401
    assert "sai-mat-khau-roi" not in refused.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInAttempt)) == 1
    assert "Huyện ủy Krông Pắc" not in client.get("/admin/").text


def test_failed_sign_ins_are_limited_across_workers(app, make_app, accounts):
    for _ in range(5):
        assert sign_in(app.test_client(), "btc", "doan-sai-nua-roi").status_code == 401
    other_worker = make_app().test_client()
    assert sign_in(other_worker, "btc").status_code == 429


def test_sessions_expire_and_end_when_the_account_is_disabled(client, accounts, runner, clock):
    sign_in(client, "krongpac")
    clock.advance(hours=7, minutes=59)
    assert "Huyện ủy Krông Pắc" in client.get("/admin/").text
    clock.advance(minutes=2)
    assert "Huyện ủy Krông Pắc" not in client.get("/admin/").text
    sign_in(client, "krongpac")
    runner.invoke(args=["users", "disable", "krongpac"])
    assert client.get("/admin/missing").status_code == 302


def test_sign_out(client, accounts):
    sign_in(client, "btc")
    page = client.get("/admin/").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/admin/sign-out", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/missing").status_code == 302


def test_every_admin_route_needs_signing_in(app, client, accounts):
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or rule.endpoint in ("admin.home", "admin.sign_in"):
            continue
        url = rule.rule.replace("<code>", "TU.KP")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method)
            assert response.status_code in (302, 400), (method, url, response.status_code)
            assert "Krông Pắc" not in response.text
            checked += 1
    assert checked >= 4


def test_an_account_never_sees_outside_its_scope(client, accounts):
    sign_in(client, "krongpac")
    assert client.get("/admin/units/KP.EK.01").status_code == 200
    outside = client.get("/admin/units/BMT.TL.01")
    assert outside.status_code == 404 and "Tân Lợi" not in outside.text
    assert client.get("/admin/units/NO-SUCH-UNIT").status_code == 404
    missing = text_of(client.get("/admin/missing").text)
    assert "Chi bộ thôn 3" in missing and "Tân Lợi" not in missing
    assert "Tân Lợi" not in text_of(client.get("/admin/missing?child=TU.BMT").text)


def test_missing_units_search_ignores_diacritics_and_case(client, accounts):
    sign_in(client, "btc")
    found = text_of(client.get("/admin/missing?search=TAN loi").text)
    assert "Đảng bộ phường Tân Lợi" in found and "Hòa Thắng" not in found
    assert "Chi bộ buôn Ea Tu" in text_of(client.get("/admin/missing?search=buon ea").text)
    assert "Đảng bộ xã Ea Kly" in text_of(client.get("/admin/missing?search=kp.ek").text)


def test_progress_counts_agree_with_each_units_status(app, client, accounts, clock):
    store(app, "BMT.TL.01", stored_cell_answers())
    store(app, "BMT.TL.02", stored_cell_answers(), action="save")
    sign_in(client, "btc")
    client.get(f"/s/{accounts['KP.EK.01'].token}")
    missing = text_of(client.get("/admin/missing").text)
    assert "Chi bộ tổ dân phố 1" not in missing, "submitted units are not missing"
    assert "Chi bộ tổ dân phố 2" in missing
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
            page = text_of(client.get(f"/admin/missing?status={status}").text)
            assert re.search(rf"\b{count} đơn vị\b", page), (status, count)


def test_the_workbook_downloads_for_the_accounts_scope(client, accounts):
    sign_in(client, "krongpac")
    response = client.get("/admin/export.xlsx")
    assert response.status_code == 200
    assert "Huy%E1%BB%87n-%E1%BB%A7y-Kr%C3%B4ng-P%E1%BA%AFc" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    response.close()
    codes = [row[4].value for row in book.worksheets[0].iter_rows(min_row=4)][:-1]
    assert set(codes) == {"TU.KP", "KP.PA", "KP.PA.01", "KP.PA.02", "KP.EK", "KP.EK.01", "KP.EK.02", "KP.BV"}


def test_admin_pages_send_security_headers(client, accounts):
    sign_in(client, "btc")
    for url in ("/admin/", "/admin/missing", "/admin/units/TU.KP"):
        headers = client.get(url).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def csrf_of(page_html):
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)


def test_unit_page_shows_the_report_history_and_what_changed(app, client, accounts):
    store(app, "KP.EK.01", stored_cell_answers(), action="save")
    store(app, "KP.EK.01", stored_cell_answers(so_dang_vien=30, uu_diem="<b>Đã sửa</b> phần ưu điểm"))
    sign_in(client, "krongpac")
    page = client.get("/admin/units/KP.EK.01")
    text = text_of(page.text)
    assert "Chi bộ thôn 3" in text and "Đảng bộ xã Ea Kly" in text
    assert "&lt;b&gt;Đã sửa&lt;/b&gt;" in page.text and "<b>Đã sửa" not in page.text
    changes = page.text.split('class="changes"')[1].split("</table>")[0]
    assert "Tổng số đảng viên" in changes and "30" in changes and "25" in changes
    assert "Tỷ lệ trung bình" not in changes, "only what changed is listed"
    assert 'action="/admin/units/KP.EK.01/reopen"' not in page.text, "a viewer sees no manager action"


def test_a_viewer_cannot_reopen_or_rotate(app, client, accounts):
    store(app, "KP.EK.01", stored_cell_answers())
    sign_in(client, "krongpac")
    token = csrf_of(client.get("/admin/units/KP.EK.01").text)
    assert client.post("/admin/units/KP.EK.01/reopen", data={"csrf_token": token}).status_code == 403
    assert client.post("/admin/units/KP.EK.01/rotate-link", data={"csrf_token": token}).status_code == 403


def test_a_manager_reopens_a_submitted_report(app, accounts, clock):
    store(app, "KP.EK.01", stored_cell_answers())
    clock.after_last_day("chi_bo_truc_thuoc")
    unit_client = app.test_client()
    token = accounts["KP.EK.01"].token
    assert 'name="action"' not in unit_client.get(f"/s/{token}?edit=1").text, "locked after the deadline"
    client = app.test_client()
    sign_in(client, "btc")
    page = client.get("/admin/units/KP.EK.01").text
    assert client.post("/admin/units/KP.EK.01/reopen", data={"csrf_token": csrf_of(page)}).status_code == 302
    assert 'name="action"' in unit_client.get(f"/s/{token}").text, "the unit can correct it again"


def test_rotating_a_link_stops_the_old_one_at_once(app, client, accounts):
    old = accounts["KP.EK.01"].token
    sign_in(client, "btc")
    page = client.get("/admin/units/KP.EK.01").text
    assert client.post("/admin/units/KP.EK.01/rotate-link", data={"csrf_token": csrf_of(page)}).status_code == 302
    assert client.get(f"/s/{old}").status_code == 404
    with app.app_context():
        new = db.session.scalar(sa.select(Unit.token).filter_by(code="KP.EK.01"))
    assert new != old and client.get(f"/s/{new}").status_code == 200


def test_manager_actions_need_a_csrf_token_and_the_scope(app, client, accounts, runner):
    runner.invoke(args=["users", "create", "kp-manager", "--scope", "TU.KP", "--role", "manager"],
                  input=f"{PASSWORD}\n{PASSWORD}\n")
    sign_in(client, "kp-manager")
    assert client.post("/admin/units/KP.EK.01/rotate-link").status_code == 400
    token = csrf_of(client.get("/admin/units/KP.EK.01").text)
    assert client.post("/admin/units/BMT.TL.01/rotate-link", data={"csrf_token": token}).status_code == 404


def test_preview_shows_the_survey_as_each_level_sees_it(client, accounts):
    sign_in(client, "krongpac")
    cell = client.get("/admin/preview?level=chi_bo_truc_thuoc")
    committee = client.get("/admin/preview?level=dang_bo_co_so")
    assert cell.status_code == committee.status_code == 200
    assert 'name="so_chi_bo_truc_thuoc"' not in cell.text and 'name="so_chi_bo_truc_thuoc"' in committee.text
    assert 'name="action"' not in cell.text


def test_a_config_edit_goes_live_without_a_restart_and_a_bad_one_is_refused(make_app, config_with, accounts):
    path = config_with()
    app = make_app(path)
    client = app.test_client()
    sign_in(client, "btc")
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


def test_a_manager_extends_one_units_deadline(app, accounts, clock):
    clock.after_last_day("cap_huyen")
    client = app.test_client()
    sign_in(client, "btc")
    assert "Chi bộ thôn 3" in text_of(client.get("/admin/missing?status=overdue").text)
    page = client.get("/admin/units/KP.EK.01").text
    today = clock.survey.today(clock())
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    past = client.post("/admin/units/KP.EK.01/extend", data={"csrf_token": csrf_of(page), "last_day": yesterday})
    assert past.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Unit.deadline_extended_to).filter_by(code="KP.EK.01")) is None
    later = (today + dt.timedelta(days=10)).isoformat()
    client.post("/admin/units/KP.EK.01/extend", data={"csrf_token": csrf_of(page), "last_day": later})
    assert "Chi bộ thôn 3" not in text_of(client.get("/admin/missing?status=overdue").text)
    assert "Chi bộ thôn 3" in text_of(client.get("/admin/missing?status=not_opened").text)
    store(app, "KP.EK.01", stored_cell_answers())
    unit_page = app.test_client().get(f"/s/{accounts['KP.EK.01'].token}").text
    assert 'status-submitted"' in unit_page, "submitted on time thanks to the extension"
    book, _ = export_of(client)
    progress = {row[2].value: row for row in book.worksheets[3].iter_rows(min_row=2)}
    assert progress["KP.EK.01"][5].value.date().isoformat() == later
    assert progress["KP.EK.01"][6].value == "Đã gửi" and progress["KP.EK.02"][6].value == "Quá hạn"


def export_of(client):
    response = client.get("/admin/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    response.close()
    return book, response


def test_the_missing_list_downloads_with_its_filters(client, accounts):
    sign_in(client, "krongpac")
    assert "missing.xlsx?level=chi_bo_truc_thuoc" in client.get("/admin/missing?level=chi_bo_truc_thuoc").text
    response = client.get("/admin/missing.xlsx?level=chi_bo_truc_thuoc")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    response.close()
    codes = [row[0].value for row in book.worksheets[0].iter_rows(min_row=2)]
    assert codes == ["KP.EK.01", "KP.EK.02", "KP.PA.01", "KP.PA.02"]
    assert "filename*=UTF-8''%C4%91%C6%A1n-v%E1%BB%8B" in response.headers["Content-Disposition"]


def test_session_cookie_is_secure_over_https_only(app, client, accounts):
    plain = sign_in(client, "btc")
    assert "Secure" not in plain.headers["Set-Cookie"] and "HttpOnly" in plain.headers["Set-Cookie"]
    client = app.test_client()
    page = client.get("/admin/", base_url="https://localhost")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    secure = client.post("/admin/sign-in", base_url="https://localhost",
                         headers={"Referer": "https://localhost/admin/"},
                         data={"username": "btc", "password": PASSWORD, "csrf_token": token})
    assert secure.status_code == 302
    assert "Secure" in secure.headers["Set-Cookie"]
