"""The committee above answers a submitted report: accepted (locked), returned for completion with a reason and
notes the unit reads beside its answers, unlocked; races refused with the fresh state (409); every action on
record ("Nhật ký"), within the account's scope, without a link or a password."""

import io
import re

import docx
import pytest
import sqlalchemy as sa
from answers import cell_report, store, stored_cell_answers
from markupsafe import escape
from pages import read_form, text_of
from test_admin import missing_codes
from test_survey_page import post_from
from workbooks import downloaded_workbook

from models import Action, Response, Review, Unit, db

UNIT = "KP.EK.01"
OTHER = "KP.EK.02"
REASON = "Mục II.3: tỷ lệ tham dự\nchưa nêu căn cứ tính."
NOTE = "Ghi rõ số buổi và số đảng viên dự từng buổi."


@pytest.fixture
def manager(app, auth, accounts):
    """The Organisation Committee's manager, signed in, in a client of its own."""
    signed_in = auth.for_client(app.test_client())
    signed_in.sign_in("btc")
    return signed_in


def state(app, code=UNIT):
    """(review, submitted version, current version) of a unit's report."""
    with app.app_context():
        return db.session.execute(sa.select(Response.review, Response.submitted_number, Response.current_number)
                                  .join(Response.unit).where(Unit.code == code)).one()


def recorded(app, kind=None):
    """Every action on record, oldest first: (kind, unit code, account, reason, details)."""
    with app.app_context():
        query = (sa.select(Action.kind, Unit.code, Action.user_id, Action.reason, Action.details)
                 .join(Unit, Unit.id == Action.unit_id).order_by(Action.id))
        if kind:
            query = query.where(Action.kind == kind)
        return db.session.execute(query).all()


def accept(manager, code=UNIT, version=1):
    return manager.client.post(f"/admin/units/{code}/accept",
                               data={"csrf_token": manager.csrf_token(), "version": version})


def return_report(manager, code=UNIT, version=1, reason=REASON, until=None, **notes):
    page = manager.client.get(f"/admin/units/{code}/return")
    values = read_form(page.text).values
    data = {"csrf_token": values["csrf_token"], "version": version, "reason": reason,
            "correct_until": until or values["correct_until"],
            **{f"note-{question_id}": note for question_id, note in notes.items()}}
    return manager.client.post(f"/admin/units/{code}/return", data=data)


def test_an_accepted_report_is_locked_and_the_unit_reads_that_it_was_accepted(app, manager, accounts):
    store(app, UNIT, stored_cell_answers())
    token = accounts[UNIT].token
    unit_client = app.test_client()
    opened = unit_client.get(f"/s/{token}?edit=1").text  # the unit had the form open before the acceptance
    answer = accept(manager)
    assert (answer.status_code, answer.headers["Location"]) == (302, f"/admin/units/{UNIT}")
    assert state(app).review == "accepted"
    page = unit_client.get(f"/s/{token}?edit=1")
    assert 'name="action"' not in page.text, "no form: the unit cannot reopen it by itself"
    assert "đã được cấp ủy cấp trên tiếp nhận" in text_of(page.text)
    saved = post_from(unit_client, token, opened, "save", **cell_report(uu_diem="Sửa sau khi tiếp nhận."))
    assert saved.status_code == 409 and "Sửa sau khi tiếp nhận." in saved.text, "refused, what was typed shown back"
    assert "tiếp nhận báo cáo trước khi" in text_of(saved.text)
    assert state(app) == ("accepted", 1, 1)
    [(kind, code, _user, reason, details)] = recorded(app, "accept")
    assert (kind, code, reason, details) == ("accept", UNIT, None, {"version": 1})


def test_a_returned_report_opens_on_its_reason_with_each_note_beside_its_question(app, manager, accounts, clock):
    store(app, UNIT, stored_cell_answers())
    clock.after_last_day("chi_bo_truc_thuoc")
    manager.sign_in("btc")  # a session lasts hours, not the days the clock moved
    answer = return_report(manager, ty_le_tham_du=NOTE, uu_diem="<script>alert(1)</script>")
    assert answer.status_code == 302, answer.text
    assert state(app).review == "returned"
    token = accounts[UNIT].token
    page = app.test_client().get(f"/s/{token}")
    assert 'name="action"' in page.text, "open for correction past the level's deadline, until the day given"
    assert "Cấp ủy cấp trên đã trả lại báo cáo để hoàn chỉnh" in text_of(page.text)
    assert "Mục II.3: tỷ lệ tham dự\nchưa nêu căn cứ tính." in page.text, "kept as typed, line break too"
    note = re.search(r'<p class="review-note" id="ty_le_tham_du-review">.*?</p>', page.text, re.S).group()
    assert NOTE in note
    assert re.search(r'<link rel="stylesheet" href="/assets/pages\.[0-9a-f]{10}\.css">', page.text), "notes styled"
    assert 'id="q-ty_le_tham_du"' in page.text and 'href="#q-ty_le_tham_du"' in page.text, "listed, linked"
    field = re.search(r'<input[^>]*id="ty_le_tham_du"[^>]*>', page.text).group()
    assert "ty_le_tham_du-review" in re.search(r'aria-describedby="([^"]+)"', field).group(1).split()
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    english = app.test_client().get(f"/s/{token}?lang=en").text
    assert "Returned for completion by the committee above" in english and NOTE in english
    clock.advance(days=6)  # past the default last day: RETURN_DAYS after today
    assert 'name="action"' not in app.test_client().get(f"/s/{token}?edit=1").text


def test_a_returned_report_is_missing_until_submitted_again_then_waits_for_review(app, manager, accounts):
    store(app, UNIT, stored_cell_answers())
    assert return_report(manager, ty_le_tham_du=NOTE).status_code == 302
    assert UNIT in missing_codes(manager.client.get("/admin/missing").text), "a returned report is not done"
    store(app, UNIT, stored_cell_answers(uu_diem="Bản nháp đang sửa."), action="save")
    store(app, UNIT, stored_cell_answers(uu_diem="Đã bổ sung căn cứ."))
    assert state(app) == ("resubmitted", 3, 3)
    assert UNIT not in missing_codes(manager.client.get("/admin/missing").text)
    assert UNIT in missing_codes(manager.client.get("/admin/units?status=to_review").text)
    unit_page = manager.client.get(f"/admin/units/{UNIT}").text
    assert "Đã gửi lại sau khi bị trả lại" in text_of(unit_page)
    assert NOTE in unit_page and "Mục II.3" in unit_page, "the return stays readable in the history"
    assert "Đã bổ sung căn cứ." in unit_page, "what changed since the return is compared"
    assert re.search(r"từ phiên bản 1 đến phiên bản 3", text_of(unit_page)), "from the version returned, not the draft"
    assert NOTE not in app.test_client().get(f"/s/{accounts[UNIT].token}?edit=1").text, "no banner once resubmitted"
    history = app.test_client().get(f"/s/{accounts[UNIT].token}/revisions").text
    assert NOTE in history and "Mục II.3" in history, "the unit keeps reading the return in its history"


@pytest.mark.parametrize("action", ["accept", "return"])
def test_an_answer_aimed_at_an_older_version_is_refused_with_the_fresh_state(app, manager, accounts, action):
    store(app, UNIT, stored_cell_answers())
    store(app, UNIT, stored_cell_answers(uu_diem="Bản sửa."))  # the unit submitted again meanwhile
    answer = accept(manager, version=1) if action == "accept" else return_report(manager, version=1)
    assert answer.status_code == 409
    assert "Báo cáo đã thay đổi sau khi đồng chí mở trang" in text_of(answer.text)
    if action == "return":
        assert read_form(answer.text).values["reason"] == REASON, "what was typed is kept"
        assert read_form(answer.text).values["version"] == "2", "offered again at the version that now stands"
    assert state(app).review is None
    assert recorded(app, action) == []


def test_two_reviewers_at_once_leave_one_outcome_and_one_record(app, manager, auth, accounts):
    store(app, UNIT, stored_cell_answers())
    other = auth.for_client(app.test_client())
    other.sign_in("btc")
    returned = return_report(other)
    accepted = accept(manager)
    assert (returned.status_code, accepted.status_code) == (302, 409)
    assert state(app).review == "returned"
    assert [row.kind for row in recorded(app) if row.kind in ("accept", "return")] == ["return"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 1


def test_unlocking_needs_a_reason_and_lets_the_unit_correct_again(app, manager, accounts):
    store(app, UNIT, stored_cell_answers())
    accept(manager)
    refused = manager.client.post(f"/admin/units/{UNIT}/unlock",
                                  data={"csrf_token": manager.csrf_token(), "version": 1, "reason": "  "})
    assert refused.status_code == 400 and "Hãy ghi lý do" in refused.text
    assert state(app).review == "accepted"
    unlocked = manager.client.post(f"/admin/units/{UNIT}/unlock",
                                   data={"csrf_token": manager.csrf_token(), "version": 1, "reason": "Sai số liệu"})
    assert unlocked.status_code == 302 and state(app).review is None
    assert 'name="action"' in app.test_client().get(f"/s/{accounts[UNIT].token}?edit=1").text
    assert [(row.kind, row.reason) for row in recorded(app) if row.kind == "unlock"] == [("unlock", "Sai số liệu")]


def test_a_committee_does_not_review_its_own_report_and_a_viewer_reviews_none(app, auth, runner, accounts):
    created = runner.invoke(args=["users", "create", "kp-manager", "--scope", "TU.KP", "--role", "manager"],
                            input=f"{auth.password}\n{auth.password}\n")
    assert created.exit_code == 0
    store(app, "TU.KP", stored_cell_answers())
    store(app, UNIT, stored_cell_answers())
    auth.sign_in("kp-manager")
    assert accept(auth, "TU.KP").status_code == 403
    assert accept(auth, UNIT).status_code == 302
    viewer = auth.for_client(app.test_client())
    viewer.sign_in("krongpac")
    assert accept(viewer, OTHER).status_code == 403


def test_many_reports_are_accepted_at_once_and_one_changed_since_is_named(app, manager, accounts):
    store(app, UNIT, stored_cell_answers())
    store(app, OTHER, stored_cell_answers())
    listed = manager.client.get("/admin/units?status=to_review").text
    ticked = re.findall(r'name="report" value="([^"]+)"', listed)
    assert {f"{UNIT}:1", f"{OTHER}:1"} <= set(ticked)
    store(app, OTHER, stored_cell_answers(uu_diem="Bản sửa."))
    answer = manager.client.post("/admin/units/accept", data={
        "csrf_token": manager.csrf_token(), "report": [f"{UNIT}:1", f"{OTHER}:1"]}, follow_redirects=True)
    assert state(app, UNIT).review == "accepted" and state(app, OTHER).review is None
    assert "Đã tiếp nhận 1 báo cáo" in answer.text and "Chi bộ" in answer.text


def test_states_are_counted_on_progress_lists_workbook_and_draft(app, manager, accounts):
    store(app, UNIT, stored_cell_answers())
    store(app, OTHER, stored_cell_answers())
    store(app, "KP.PA.01", stored_cell_answers())  # submitted, waiting for review
    accept(manager, UNIT)
    return_report(manager, OTHER, ty_le_tham_du=NOTE)
    dashboard = text_of(manager.client.get("/admin/").text)
    assert "Đã tiếp nhận" in dashboard and "Trả lại để hoàn chỉnh" in dashboard
    accepted = missing_codes(manager.client.get("/admin/units?status=accepted").text)
    returned = missing_codes(manager.client.get("/admin/units?status=returned").text)
    assert (accepted, returned) == ([UNIT], [OTHER])
    book = downloaded_workbook(manager.client.get("/admin/export.xlsx"))
    progress = {row[2]: row[6] for row in book["Tiến độ"].iter_rows(min_row=2, values_only=True)}
    assert (progress[UNIT], progress[OTHER]) == ("Đã tiếp nhận", "Trả lại để hoàn chỉnh")
    [returned_row] = list(book["Báo cáo bị trả lại"].iter_rows(min_row=2, values_only=True))
    assert returned_row[0] == OTHER and returned_row[6] == REASON and NOTE in returned_row[7]
    with manager.client.get("/admin/report.docx") as draft:
        assert draft.status_code == 200
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(draft.data)).paragraphs)
    assert "1/2 báo cáo đã được cấp ủy cấp trên xem xét, tiếp nhận" in text


@pytest.mark.parametrize("typed", ["=HYPERLINK(\"http://x\")", "+1+1", "@SUM(A1)", "-2+3", "<b>đậm</b>"])
def test_a_reason_typed_as_a_formula_or_markup_stays_text(app, manager, accounts, typed):
    store(app, UNIT, stored_cell_answers())
    return_report(manager, reason=typed)
    cell = downloaded_workbook(manager.client.get("/admin/export.xlsx"))["Báo cáo bị trả lại"]["G2"]
    assert (cell.value, cell.data_type) == (typed, "s")
    page = app.test_client().get(f"/s/{accounts[UNIT].token}").text
    assert str(escape(typed)) in page and (typed not in page or "<" not in typed)


def test_the_record_lists_actions_within_the_scope_and_never_a_link_or_a_password(app, manager, auth, accounts):
    links_before = {unit.token for unit in accounts.values()}
    store(app, UNIT, stored_cell_answers())
    store(app, "BMT.TL.01", stored_cell_answers())
    accept(manager, UNIT)
    return_report(manager, "BMT.TL.01", ty_le_tham_du=NOTE)
    manager.client.post(f"/admin/units/{OTHER}/rotate-link", data={"csrf_token": manager.csrf_token()})
    manager.client.post(f"/admin/units/{OTHER}/extend", data={"csrf_token": manager.csrf_token(),
                                                              "last_day": "2027-06-30"})
    downloaded_workbook(manager.client.get("/admin/export.xlsx"))
    kinds = [row.kind for row in recorded(app)]
    assert kinds[:3] == ["import_units", "create_account", "create_account"], "the fixtures' commands"
    assert kinds[3:] == ["accept", "return", "new_link", "extend", "download"]
    page = manager.client.get("/admin/actions").text
    assert "Tiếp nhận báo cáo" in page and "Cấp đường dẫn mới" in page and "Tải tệp về" in page
    only_returns = manager.client.get("/admin/actions?kind=return").text
    assert "BMT.TL.01" in only_returns and f">{UNIT}<" not in only_returns
    viewer = auth.for_client(app.test_client())
    viewer.sign_in("krongpac")
    theirs = viewer.client.get("/admin/actions").text
    assert UNIT in theirs and "BMT.TL.01" not in theirs, "a scope reads the actions within it only"
    book = downloaded_workbook(manager.client.get("/admin/actions.xlsx"))
    cells = [str(value) for row in book.active.iter_rows(values_only=True) for value in row if value]
    with app.app_context():
        tokens = links_before | set(db.session.scalars(sa.select(Unit.token)))  # the old link and the new
    everything = "\n".join([page, theirs, *cells, *(repr(row) for row in recorded(app))])
    assert not [token for token in tokens if token in everything]
    assert auth.password not in everything and NOTE not in "\n".join(cells)


def test_a_committee_reviews_nothing_outside_its_scope(app, auth, runner, accounts):
    created = runner.invoke(args=["users", "create", "kp-manager", "--scope", "TU.KP", "--role", "manager"],
                            input=f"{auth.password}\n{auth.password}\n")
    assert created.exit_code == 0
    outside = "BMT.TL.01"
    store(app, outside, stored_cell_answers())
    auth.sign_in("kp-manager")
    token = auth.csrf_token()
    assert auth.client.get(f"/admin/units/{outside}/return").status_code == 404
    for action, data in (("accept", {"version": 1}), ("unlock", {"version": 1, "reason": "x"}),
                         ("return", {"version": 1, "reason": "x", "correct_until": "2027-04-30"})):
        assert auth.client.post(f"/admin/units/{outside}/{action}", data={"csrf_token": token, **data}).status_code \
            == 404, action
    assert auth.client.post("/admin/units/accept", data={"csrf_token": token, "report": f"{outside}:1"}).status_code \
        == 404
    assert state(app, outside).review is None
    assert "Chưa có thao tác nào được ghi." in auth.client.get(f"/admin/actions?unit={outside}").text


@pytest.mark.parametrize("version", ["99999999999999999999", "2147483648", "0", "-1", "1e3", "", "abc", "²"])
def test_a_version_no_report_can_have_is_refused_and_changes_nothing(app, manager, accounts, version):
    store(app, UNIT, stored_cell_answers())
    token = manager.csrf_token()
    posts = (("/admin/units/KP.EK.01/accept", {"version": version}),
             ("/admin/units/KP.EK.01/unlock", {"version": version, "reason": "x"}),
             ("/admin/units/KP.EK.01/return", {"version": version, "reason": "x", "correct_until": "2027-04-09"}),
             ("/admin/units/accept", {"report": f"{UNIT}:{version}"}))
    for path, data in posts:
        answer = manager.client.post(path, data={"csrf_token": token, **data})
        assert 400 <= answer.status_code < 500, (path, answer.status_code)
    assert state(app).review is None
    assert recorded(app, "accept") == recorded(app, "return") == []
