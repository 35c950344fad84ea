"""A unit's one-page survey over HTTP: drafting, submitting, correcting, and every kind of bad input."""

import time

import pytest
import sqlalchemy as sa
from answers import LONG_TEXT_IDS, cell_report, committee_report, district_report
from markupsafe import escape
from pages import controls_named, hidden_state, posted_as_by_a_browser, read_descriptions, read_form, text_of

from models import Response, Revision, db

CELL = "BMT.TL.01"
COMMITTEE = "BMT.TL"
DISTRICT = "TU.BMT"


@pytest.fixture
def token(units):
    return units[CELL].token


def post_from(client, token, page_html, action="save", urlencoded=False, **data):
    """Post the form of an already opened page, as a browser does; or `urlencoded`, as a page cached before the
    form was sent as multipart, or a script, does."""
    data = {**data, **hidden_state(page_html), "action": action}
    return client.post(f"/s/{token}", **({"data": data} if urlencoded else posted_as_by_a_browser(page_html, data)))


def post(client, token, action="save", urlencoded=False, **data):
    """Open the unit's page and post its form."""
    return post_from(client, token, client.get(f"/s/{token}").text, action, urlencoded, **data)


def stored(app, code=CELL):
    """Return (response, revisions) of a unit as the database holds them."""
    with app.app_context():
        response = db.session.scalar(sa.select(Response).join(Response.unit).where(sa.text("units.code = :c"))
                                     .params(c=code))
        revisions = [] if response is None else list(db.session.scalars(
            sa.select(Revision).filter_by(response_id=response.id).order_by(Revision.number)))
        db.session.expunge_all()
        return response, revisions


def test_page_shows_the_unit_its_level_and_deadline(client, units, token):
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert units[CELL].name in text
    assert "10/04/2027" in text
    assert 'name="action" value="save"' in page.text and 'name="action" value="submit"' in page.text
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_only_the_questions_of_the_units_level_appear(client, units, token):
    cell_page = client.get(f"/s/{token}").text
    committee_page = client.get(f"/s/{units[COMMITTEE].token}").text
    assert 'name="so_chi_bo_truc_thuoc"' not in cell_page
    assert 'name="so_chi_bo_truc_thuoc"' in committee_page
    assert 'name="da_to_chuc_hoi_nghi"' in committee_page
    assert "15/04/2027" in committee_page


@pytest.mark.parametrize("path", [
    "/s/" + "A" * 43, "/s/short", "/s/<script>", "/s/" + "x" * 300, "/s/../../etc/passwd", "/s/",
])
def test_unknown_or_malformed_links_get_a_plain_404(client, units, path):
    page = client.get(path)
    assert page.status_code == 404
    assert units[CELL].name not in page.text


def test_the_province_has_no_survey_page(client, units):
    assert client.get(f"/s/{units['TU'].token}").status_code == 404


def test_a_draft_keeps_whatever_is_filled_and_comes_back(app, client, token):
    answer = "Chi bộ duy trì sinh hoạt đều đặn.\nĐảng viên tham gia đầy đủ."
    saved = post(client, token, nhan_thuc=answer, so_dang_vien="25", ty_le_tham_du="92,5")
    assert saved.status_code == 302
    response, revisions = stored(app)
    assert [r.action for r in revisions] == ["save"]
    assert revisions[0].answers == {"nhan_thuc": answer, "so_dang_vien": 25, "ty_le_tham_du": 92.5}
    assert response.current_number == 1 and response.submitted_number is None
    values = read_form(client.get(f"/s/{token}").text).values
    assert values["nhan_thuc"] == answer
    assert values["ty_le_tham_du"] == "92,5"


def test_submitting_an_incomplete_report_lists_what_is_missing_and_keeps_everything(app, client, token):
    page = post(client, token, action="submit", nhan_thuc="Đã có nội dung", so_dang_vien="25")
    assert page.status_code == 422
    assert 'id="error-summary"' in page.text
    assert 'href="#q-uu_diem"' in page.text and 'href="#q-linh_vuc"' in page.text
    assert 'href="#q-nhan_thuc"' not in page.text
    values = read_form(page.text).values
    assert values["nhan_thuc"] == "Đã có nội dung" and values["so_dang_vien"] == "25"
    response, revisions = stored(app)
    assert [(r.action, r.answers) for r in revisions] == [("save", {"nhan_thuc": "Đã có nội dung", "so_dang_vien": 25})]
    assert response.submitted_number is None, "the unit has still not submitted"
    summary = text_of(page.text.split('id="error-summary"')[1].split("</div>")[0])
    assert "đã được lưu thành bản nháp (phiên bản 1); bản nháp này chưa được gửi" in summary
    assert "bấm “Gửi báo cáo” lần nữa" in summary


#: (question, what was typed) of a submit refused for one answer: the rest is kept as a draft.
ONE_BAD_ANSWER = [
    ("so_dang_vien", "1.25"), ("ty_le_tham_du", "150"), ("so_chuyen_de", "1.250"), ("ngay_thao_luan", "hôm qua"),
    ("so_dang_vien_mien_sinh_hoat", "26"), ("linh_vuc", "hacker"), ("uu_diem", ""),
]


@pytest.mark.parametrize(("field", "typed"), ONE_BAD_ANSWER)
def test_a_refused_submit_keeps_the_other_answers_as_a_draft_and_the_next_submit_builds_on_it(
        app, client, token, field, typed):
    refused = post(client, token, action="submit", **cell_report(**{field: typed}))
    assert refused.status_code == 422
    response, revisions = stored(app)
    assert [r.action for r in revisions] == ["save"] and response.submitted_number is None
    if field not in CHOICES:
        assert read_form(refused.text).values[field] == typed, "the marked answer is still in its box"

    corrected = post_from(client, token, refused.text, action="submit",
                          **{**read_form(refused.text).values, field: cell_report()[field]})
    assert corrected.status_code == 302, "not a conflict with the draft it kept"
    response, (draft, submitted) = stored(app)
    assert not submitted.conflict and response.submitted_number == response.current_number == 2
    assert draft.answers == {key: value for key, value in submitted.answers.items() if key != field}


def test_a_resent_refused_submit_keeps_one_draft(app, client, token):
    opened = client.get(f"/s/{token}").text
    first = post_from(client, token, opened, action="submit", **cell_report(so_dang_vien="abc"))
    again = post_from(client, token, opened, action="submit", **cell_report(so_dang_vien="abc"))
    assert first.status_code == again.status_code == 422
    assert len(stored(app)[1]) == 1
    assert "(phiên bản 1)" in text_of(again.text)


def test_a_refused_submit_that_adds_nothing_adds_no_version(app, client, token):
    page = post(client, token, action="submit", **cell_report(so_dang_vien="abc"))
    again = post_from(client, token, page.text, action="submit", **read_form(page.text).values)
    assert again.status_code == 422
    assert len(stored(app)[1]) == 1
    assert "Các câu trả lời còn lại đã được lưu (phiên bản 1)" in text_of(again.text)


def test_a_refused_submit_with_nothing_valid_saves_nothing(app, client, token):
    page = post(client, token, action="submit", so_dang_vien="abc")
    assert page.status_code == 422
    assert stored(app) == (None, [])
    assert "Chưa có nội dung nào được lưu" in text_of(page.text)


def test_a_refused_submit_from_an_out_of_date_page_keeps_its_draft_aside(app, client, token):
    mine = client.get(f"/s/{token}").text
    post(app.test_client(), token, **cell_report(uu_diem="Ý kiến của đồng chí Bí thư"))
    refused = post_from(client, token, mine, action="submit", **cell_report(so_dang_vien="abc"))
    assert refused.status_code == 422
    response, revisions = stored(app)
    assert response.current_number == 1 and [r.conflict for r in revisions] == [False, True]
    assert f"/s/{token}/revisions/2" in refused.text, "the conflict is explained"
    done = post_from(client, token, refused.text, action="submit", **cell_report())
    assert done.status_code == 302
    response, revisions = stored(app)
    assert response.submitted_number == 3 and not revisions[2].conflict


def test_a_complete_report_is_submitted_and_shown_read_only(app, client, token):
    done = post(client, token, action="submit", **cell_report())
    assert done.status_code == 302, text_of(done.text)
    response, revisions = stored(app)
    assert response.submitted_number == 1 and not response.submitted_late
    answers = revisions[0].answers
    assert answers["noi_dung_sinh_hoat"] == ["thoi_su", "quan_triet", "phe_binh"]
    assert answers["so_chuyen_de"] == 2.5 and answers["da_lay_y_kien"] is True
    assert answers["ngay_thao_luan"] == "2027-04-02"
    confirmation = client.get(f"/s/{token}")
    assert "<form" not in confirmation.text.split("</header>")[1]
    text = text_of(confirmation.text)
    assert "92,5%" in text and "02/04/2027" in text and "Học tập và làm theo Bác" in text


def test_a_submitted_report_can_be_corrected_and_resubmitted_before_the_deadline(app, client, token):
    post(client, token, action="submit", **cell_report())
    editing = client.get(f"/s/{token}?edit=1")
    assert read_form(editing.text).values["so_dang_vien"] == "25"
    draft = post_from(client, token, editing.text, action="save", **cell_report(so_dang_vien="26"))
    assert draft.status_code == 302
    response, _ = stored(app)
    assert (response.current_number, response.submitted_number) == (2, 1), "a draft does not unsubmit"
    post(client, token, action="submit", **cell_report(so_dang_vien="27"))
    response, revisions = stored(app)
    assert [r.action for r in revisions] == ["submit", "save", "submit"]
    assert response.submitted_number == 3 and revisions[2].answers["so_dang_vien"] == 27


#: Choice questions: a refused option is not shown ticked again (there is no box that holds it).
CHOICES = ("linh_vuc", "noi_dung_tap_trung", "da_lay_y_kien", "chu_de_hieu_qua")


@pytest.mark.parametrize(("field", "value"), [
    ("so_dang_vien", "abc"), ("so_dang_vien", "-5"), ("so_dang_vien", "1e309"), ("so_dang_vien", "NaN"),
    ("so_dang_vien", "1,5"), ("so_dang_vien", "Infinity"), ("so_dang_vien", "2"), ("so_dang_vien", "9" * 40),
    ("ty_le_tham_du", "150"), ("ty_le_tham_du", "-1"), ("ty_le_tham_du", "1e309"), ("ty_le_tham_du", "NaN"),
    ("ty_le_tham_du", "100,01"), ("so_chuyen_de", "1,2,3"), ("so_chuyen_de", "0x10"), ("so_chuyen_de", "25"),
    ("ngay_thao_luan", "31/02/2027"), ("ngay_thao_luan", "hôm qua"),
    ("linh_vuc", "hacker"), ("noi_dung_tap_trung", "khong_co"), ("da_lay_y_kien", "maybe"),
    ("so_buoi_sinh_hoat", "11,5"), ("so_buoi_sinh_hoat", "13"), ("chu_de_hieu_qua", "khong_co"),
    ("so_dang_vien", "٢٥"), ("so_dang_vien", "२५"), ("so_dang_vien", "1.25"), ("so_chuyen_de", "1.250"),
    ("ty_le_tham_du", "٩٢,٥"), ("ty_le_tham_du", "92,5%%"),
])
@pytest.mark.parametrize("action", ["save", "submit"])
def test_malformed_or_out_of_range_values_are_refused_and_kept(app, client, token, field, value, action):
    page = post(client, token, action=action, **cell_report(**{field: value}))
    assert page.status_code == 422
    form = read_form(page.text)
    assert form.errors, "an error message is shown"
    assert f'href="#q-{field}"' in page.text
    if field not in CHOICES:
        assert form.values[field] == value, "what was typed is still in the box"
    assert form.values["nhan_thuc"] == cell_report()["nhan_thuc"]
    response, revisions = stored(app)
    assert [r.action for r in revisions] == ["save"] and response.submitted_number is None
    assert field not in revisions[0].answers and "nhan_thuc" in revisions[0].answers


def test_errors_and_hints_are_tied_to_their_fields_for_screen_readers(app, client, token):
    refused = post(client, token, action="submit",
                   **cell_report(so_dang_vien="abc", uu_diem="", noi_dung_tap_trung=None, linh_vuc="khac"))
    page = read_descriptions(refused.text)
    with app.test_request_context():
        hint = str(app.extensions["survey"].questions["so_dang_vien"].hint)
    [number] = controls_named(page, "so_dang_vien")
    assert number.attrs["aria-invalid"] == "true"
    described = number.described_by(page)
    assert described[0] == hint and "0–9" in described[1], "the hint, then the error message"
    for name, message in (("uu_diem", "bắt buộc phải trả lời"), ("linh_vuc__other", "ghi rõ")):
        [control] = controls_named(page, name)
        assert control.attrs["aria-invalid"] == "true"
        assert any(message in text for text in control.described_by(page)), name
    options = controls_named(page, "noi_dung_tap_trung")
    assert len(options) > 2 and all(option.attrs.get("aria-invalid") == "true" for option in options)
    assert any("bắt buộc" in text for text in options[0].described_by(page)), "the group is described"
    for name in ("nhan_thuc", "ty_le_tham_du", "linh_vuc"):
        assert all("aria-invalid" not in control.attrs for control in controls_named(page, name)), name
    [rate] = controls_named(page, "ty_le_tham_du")
    assert len(rate.described_by(page)) == 1, "a field without an error is described by its hint only"
    assert all("aria-describedby" not in control.attrs for control in controls_named(page, "nhan_thuc"))


def test_an_unknown_option_in_a_multiple_choice_is_refused(app, client, token):
    page = post(client, token, **cell_report(noi_dung_sinh_hoat=["thoi_su", "khong_ton_tai"]))
    assert page.status_code == 422
    assert 'href="#q-noi_dung_sinh_hoat"' in page.text


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("so_chuyen_de", "1,5", 1.5), ("so_chuyen_de", "1.5", 1.5), ("ty_le_tham_du", " 87,25 ", 87.25),
    ("so_dang_vien", " 1 200 ", 1200), ("ty_le_tham_du", "0", 0), ("so_dang_vien_mien_sinh_hoat", "0", 0),
    ("ngay_thao_luan", "05/04/2027", "2027-04-05"), ("ty_le_tham_du", "92,5%", 92.5),
    ("ty_le_tham_du", "92,5 %", 92.5), ("so_dang_vien", "1.250", 1250), ("so_dang_vien", "２５", 25),
    ("so_chuyen_de", "１，５", 1.5),
])
def test_numbers_and_dates_are_read_the_vietnamese_way(app, client, token, field, value, expected):
    assert post(client, token, action="submit", **cell_report(**{field: value})).status_code == 302
    assert stored(app)[1][0].answers[field] == expected


def test_several_values_for_one_question_are_refused(app, client, token):
    page = post(client, token, **cell_report(so_dang_vien=["5", "7"]))
    assert page.status_code == 422
    assert 'href="#q-so_dang_vien"' in page.text


def test_unknown_fields_are_ignored_and_never_stored(app, client, token):
    assert post(client, token, **cell_report(), is_admin="1", ghi_chu="x").status_code == 302
    assert {"is_admin", "ghi_chu"}.isdisjoint(stored(app)[1][0].answers)


def test_a_long_answer_over_its_limit_is_refused_and_kept_whole(app, client, token):
    too_long = "Đảng viên góp ý thẳng thắn. " * 800
    page = post(client, token, **cell_report(thuc_trang=too_long))
    assert page.status_code == 422
    form = read_form(page.text)
    assert form.values["thuc_trang"] == too_long
    assert form.errors == ["Tối đa 20000 ký tự (hiện có 22399 ký tự)."]


@pytest.mark.parametrize("urlencoded", [False, True], ids=["multipart", "urlencoded"])
def test_a_realistic_60000_character_report_saves(app, client, token, urlencoded):
    paragraph = ("Chi bộ đã tổ chức quán triệt, triển khai thực hiện nghiêm túc Chỉ thị số 10-CT/TW; nội dung "
                 "sinh hoạt được chuẩn bị chu đáo, đảng viên phát huy tinh thần tự phê bình và phê bình. ")
    texts = dict.fromkeys(LONG_TEXT_IDS, (paragraph * 25)[:4300])
    assert sum(map(len, texts.values())) >= 60000
    done = post(client, token, action="submit", urlencoded=urlencoded, **cell_report(**texts))
    assert done.status_code == 302
    answers = stored(app)[1][0].answers
    assert all(answers[k] == v.strip() for k, v in texts.items())


@pytest.mark.parametrize("urlencoded", [False, True], ids=["multipart", "urlencoded"])
def test_an_oversized_body_gets_a_clear_413_page(app, client, token, urlencoded):
    page = post(client, token, urlencoded=urlencoded, **cell_report(thuc_trang="x" * (3 * 1024 * 1024)))
    assert page.status_code == 413
    assert "2 MB" in page.text
    assert stored(app)[1] == []


HOSTILE = ['<script>alert("xss")</script>', '"><img src=x onerror=alert(1)>']


@pytest.mark.parametrize("hostile", HOSTILE)
def test_scripts_typed_into_text_are_stored_as_typed_and_shown_escaped(app, client, token, hostile):
    texts = {question_id: f"{hostile} {question_id}" for question_id in (*LONG_TEXT_IDS, "chuyen_de_hieu_qua")}
    page = post(client, token, action="submit", **cell_report(**texts, linh_vuc="khac", linh_vuc__other=hostile))
    assert page.status_code == 302
    answers = stored(app)[1][0].answers
    assert answers["uu_diem"] == f"{hostile} uu_diem" and answers["linh_vuc__other"] == hostile
    for url in (f"/s/{token}", f"/s/{token}?edit=1", f"/s/{token}/revisions/1"):
        html = client.get(url).text
        assert str(escape(f"{hostile} uu_diem")) in html, f"{url} shows the answer, escaped"
        assert hostile not in html
        assert "<img src=x" not in html and "<script>alert" not in html
    editing = client.get(f"/s/{token}?edit=1").text
    error_page = post_from(client, token, editing, action="submit", **cell_report(**texts, so_dang_vien="abc"))
    assert error_page.status_code == 422
    assert hostile not in error_page.text


def test_a_missing_csrf_token_asks_to_press_again_and_keeps_the_text(app, client, token):
    page_html = client.get(f"/s/{token}").text
    state = hidden_state(page_html)
    refused = client.post(f"/s/{token}", data={**cell_report(), "form_state": state["form_state"], "action": "save"})
    assert refused.status_code == 400
    assert 'role="alert"' in refused.text
    assert read_form(refused.text).values["uu_diem"] == cell_report()["uu_diem"]
    assert stored(app)[1] == []
    again = post_from(client, token, refused.text, action="save", **read_form(refused.text).values)
    assert again.status_code == 302
    assert stored(app)[1][0].answers["uu_diem"] == cell_report()["uu_diem"]


def test_an_expired_csrf_token_asks_to_press_again_and_keeps_the_text(app, make_app, units):
    app = make_app(WTF_CSRF_TIME_LIMIT=1)
    client = app.test_client()
    token = units[CELL].token
    page_html = client.get(f"/s/{token}").text
    time.sleep(2)
    refused = post_from(client, token, page_html, action="submit", **cell_report())
    assert refused.status_code == 400
    assert read_form(refused.text).values["de_xuat_cap_tren"] == cell_report()["de_xuat_cap_tren"]
    assert post_from(client, token, refused.text, action="submit", **cell_report()).status_code == 302


def test_a_csrf_token_from_another_session_is_refused(app, client, token):
    foreign = app.test_client().get(f"/s/{token}").text
    refused = post_from(client, token, foreign, **cell_report())
    assert refused.status_code == 400
    assert stored(app)[1] == []


def test_a_form_of_unit_a_posted_to_unit_b_saves_nothing(app, client, units, token):
    other = units["BMT.TL.02"].token
    page_of_a = client.get(f"/s/{token}").text
    refused = post_from(client, other, page_of_a, **cell_report())
    assert refused.status_code == 400
    assert read_form(refused.text).values["uu_diem"] == cell_report()["uu_diem"]
    assert stored(app, "BMT.TL.02")[1] == [] and stored(app)[1] == []


@pytest.mark.parametrize("state", ["", "garbage", "eyJ1bml0IjoxfQ.forged"])
def test_an_altered_page_state_saves_nothing(app, client, token, state):
    html = client.get(f"/s/{token}").text
    data = {**cell_report(), "csrf_token": hidden_state(html)["csrf_token"], "form_state": state, "action": "save"}
    assert client.post(f"/s/{token}", data=data).status_code == 400
    assert stored(app)[1] == []


@pytest.mark.parametrize("action", ["", "delete", "submit!"])
def test_an_unknown_action_saves_nothing(app, client, token, action):
    assert post(client, token, action=action, **cell_report()).status_code == 400
    assert stored(app)[1] == []


def test_a_resent_post_does_not_create_a_second_revision(app, client, token):
    html = client.get(f"/s/{token}").text
    first = post_from(client, token, html, action="submit", **cell_report())
    second = post_from(client, token, html, action="submit", **cell_report())
    assert first.status_code == second.status_code == 302
    assert len(stored(app)[1]) == 1


def test_a_draft_that_changes_nothing_adds_no_version_and_says_so(app, client, token):
    assert post(client, token, **cell_report()).status_code == 302
    again = post(client, token, **cell_report())
    assert again.status_code == 302
    said = text_of(client.get(again.headers["Location"]).text)
    assert "Không có gì thay đổi so với phiên bản 1 nên không lưu thêm phiên bản mới." in said
    response, revisions = stored(app)
    assert (response.revision_count, response.current_number, len(revisions)) == (1, 1, 1)
    changed = post(client, token, **cell_report(uu_diem="Thêm một ý."))
    assert "Đã lưu nháp (phiên bản 2)." in text_of(client.get(changed.headers["Location"]).text)
    assert post(client, token, action="submit", **cell_report(uu_diem="Thêm một ý.")).status_code == 302
    response, revisions = stored(app)
    assert [r.action for r in revisions] == ["save", "save", "submit"], "a submission is a version, changed or not"
    assert response.submitted_number == 3


def test_two_people_saving_at_once_lose_nothing(app, client, token):
    other_person = app.test_client()
    mine = client.get(f"/s/{token}").text
    theirs = other_person.get(f"/s/{token}").text
    saved = post_from(other_person, token, theirs, **cell_report(uu_diem="Ý kiến của đồng chí Bí thư"))
    assert saved.status_code == 302
    conflict = post_from(client, token, mine, **cell_report(uu_diem="Ý kiến của đồng chí Phó Bí thư"))
    assert conflict.status_code == 409
    response, revisions = stored(app)
    assert response.current_number == 1
    assert [r.conflict for r in revisions] == [False, True]
    assert revisions[1].answers["uu_diem"] == "Ý kiến của đồng chí Phó Bí thư"
    assert read_form(conflict.text).values["uu_diem"] == "Ý kiến của đồng chí Phó Bí thư"
    assert f"/s/{token}/revisions/1" in conflict.text and f"/s/{token}/revisions/2" in conflict.text
    assert "Ý kiến của đồng chí Bí thư" in client.get(f"/s/{token}/revisions/1").text
    resolved = post_from(client, token, conflict.text, **read_form(conflict.text).values)
    assert resolved.status_code == 302
    response, revisions = stored(app)
    assert response.current_number == 3 and revisions[2].answers["uu_diem"] == "Ý kiến của đồng chí Phó Bí thư"


def test_revisions_are_listed(client, token):
    post(client, token, nhan_thuc="Bản nháp 1")
    post(client, token, action="submit", **cell_report())
    listing = client.get(f"/s/{token}/revisions")
    assert listing.status_code == 200
    assert f"/s/{token}/revisions/1" in listing.text and f"/s/{token}/revisions/2" in listing.text
    assert client.get(f"/s/{token}/revisions/3").status_code == 404


def test_a_hidden_question_is_neither_required_nor_stored(app, client, token):
    answered_no = cell_report(da_lay_y_kien="khong", ngay_thao_luan="không rõ")
    assert post(client, token, action="submit", **answered_no).status_code == 302
    assert "ngay_thao_luan" not in stored(app)[1][0].answers


def test_a_shown_conditional_question_is_required(client, token):
    page = post(client, token, action="submit", **cell_report(ngay_thao_luan=""))
    assert page.status_code == 422
    assert 'href="#q-ngay_thao_luan"' in page.text


@pytest.mark.parametrize(("changes", "field"), [
    ({"so_dang_vien": "20", "so_dang_vien_mien_sinh_hoat": "21"}, "so_dang_vien_mien_sinh_hoat"),
    ({"noi_dung_tap_trung": "dan_van"}, "noi_dung_tap_trung"),
])
def test_cross_question_checks(client, token, changes, field):
    page = post(client, token, action="submit", **cell_report(**changes))
    assert page.status_code == 422
    assert f'href="#q-{field}"' in page.text


def test_other_please_specify(app, client, token):
    page = post(client, token, action="submit", **cell_report(linh_vuc="khac"))
    assert page.status_code == 422
    assert 'href="#q-linh_vuc__other"' in page.text
    done = post(client, token, action="submit", **cell_report(linh_vuc="khac", linh_vuc__other="Hợp tác xã"))
    assert done.status_code == 302
    answers = stored(app)[1][-1].answers
    assert (answers["linh_vuc"], answers["linh_vuc__other"]) == ("khac", "Hợp tác xã")
    assert "Hợp tác xã" in text_of(client.get(f"/s/{token}").text)


def test_a_committee_answers_its_own_questions(app, client, units):
    code = units[COMMITTEE].token
    assert post(client, code, action="submit", **committee_report()).status_code == 302
    answers = stored(app, COMMITTEE)[1][0].answers
    assert answers["so_chi_bo_truc_thuoc"] == 8 and answers["ngay_hoi_nghi"] == "2027-04-12"
    assert (answers["so_ky_sinh_hoat_binh_quan"], answers["so_chi_bo_du_12_ky"]) == (11.5, 6)
    assert answers["so_chi_bo_chuyen_de_hang_quy"] == 5


#: Counts of cells only a committee gives, and what only a district-level committee gives.
COMMITTEE_COUNTS = ("so_chi_bo_truc_thuoc", "so_ky_sinh_hoat_binh_quan", "so_chi_bo_du_12_ky",
                    "so_chi_bo_chuyen_de_hang_quy")
STANDING_COMMITTEE = ("btv_da_thao_luan", "ngay_btv_thao_luan", "so_hoi_nghi_uv_btv_du")


def asks(page_html, question_id):
    return f'name="{question_id}"' in page_html


def test_a_cell_gives_its_own_figures_and_a_committee_counts_its_cells(client, units, token):
    cell = client.get(f"/s/{token}").text
    committee = client.get(f"/s/{units[COMMITTEE].token}").text
    district = client.get(f"/s/{units[DISTRICT].token}").text
    for question_id in COMMITTEE_COUNTS:
        assert not asks(cell, question_id) and asks(committee, question_id) and asks(district, question_id)
    for question_id in ("so_buoi_sinh_hoat", "noi_dung_tap_trung"):
        assert asks(cell, question_id) and not asks(committee, question_id) and not asks(district, question_id)
    for page in (cell, committee, district):
        assert asks(page, "ty_le_tham_du") and asks(page, "chu_de_hieu_qua") and asks(page, "chu_de_hieu_qua__other")


def test_a_district_level_committee_reports_its_standing_committees_work(app, client, units, token):
    district = client.get(f"/s/{units[DISTRICT].token}").text
    others = [client.get(f"/s/{units[code].token}").text for code in (CELL, COMMITTEE)]
    assert all(asks(district, question_id) for question_id in STANDING_COMMITTEE)
    assert not asks(district, "da_lay_y_kien") and not asks(district, "ngay_thao_luan")
    assert not asks(district, "de_xuat_cap_tren")
    for page in others:
        assert asks(page, "da_lay_y_kien") and asks(page, "de_xuat_cap_tren")
        assert not any(asks(page, question_id) for question_id in STANDING_COMMITTEE)
    # What a cell would answer is not taken from a district-level committee's post.
    report = district_report(da_lay_y_kien="co", ngay_thao_luan="2027-04-02", noi_dung_tap_trung="thoi_su")
    assert post(client, units[DISTRICT].token, action="submit", **report).status_code == 302
    answers = stored(app, DISTRICT)[1][0].answers
    assert (answers["btv_da_thao_luan"], answers["ngay_btv_thao_luan"]) == (True, "2027-04-17")
    assert answers["so_hoi_nghi_uv_btv_du"] == 20 and answers["so_ky_sinh_hoat_binh_quan"] == 11.2
    assert {"da_lay_y_kien", "ngay_thao_luan", "noi_dung_tap_trung", "de_xuat_cap_tren"}.isdisjoint(answers)


def test_a_district_level_committee_must_say_whether_its_standing_committee_discussed(app, client, units):
    token = units[DISTRICT].token
    page = post(client, token, action="submit", **district_report(btv_da_thao_luan=None))
    assert page.status_code == 422 and 'href="#q-btv_da_thao_luan"' in page.text
    page = post(client, token, action="submit", **district_report(ngay_btv_thao_luan=""))
    assert page.status_code == 422 and 'href="#q-ngay_btv_thao_luan"' in page.text
    not_yet = district_report(btv_da_thao_luan="khong", ngay_btv_thao_luan="17/04/2027")
    assert post(client, token, action="submit", **not_yet).status_code == 302
    answers = stored(app, DISTRICT)[1][-1].answers
    assert answers["btv_da_thao_luan"] is False and "ngay_btv_thao_luan" not in answers


@pytest.mark.parametrize(("code", "report", "changes", "field"), [
    (COMMITTEE, committee_report, {"so_chi_bo_truc_thuoc": "8", "so_chi_bo_du_12_ky": "9"}, "so_chi_bo_du_12_ky"),
    (COMMITTEE, committee_report, {"so_chi_bo_truc_thuoc": "8", "so_chi_bo_chuyen_de_hang_quy": "9"},
     "so_chi_bo_chuyen_de_hang_quy"),
    (DISTRICT, district_report, {"so_to_chuc_co_so_dang": "42", "so_hoi_nghi_uv_btv_du": "43"},
     "so_hoi_nghi_uv_btv_du"),
    (COMMITTEE, committee_report, {"so_ky_sinh_hoat_binh_quan": "12,5"}, "so_ky_sinh_hoat_binh_quan"),
])
def test_a_committees_counts_are_checked(app, client, units, code, report, changes, field):
    page = post(client, units[code].token, action="submit", **report(**changes))
    assert page.status_code == 422
    assert f'href="#q-{field}"' in page.text
    assert len(read_form(page.text).errors) == 1
    assert [field in r.answers for r in stored(app, code)[1]] == [False]


def test_a_count_equal_to_the_cells_is_accepted(app, client, units):
    every_cell = committee_report(so_chi_bo_truc_thuoc="8", so_chi_bo_du_12_ky="8", so_chi_bo_chuyen_de_hang_quy="8")
    assert post(client, units[COMMITTEE].token, action="submit", **every_cell).status_code == 302


def test_the_most_effective_topic_can_be_another_subject(app, client, token):
    page = post(client, token, action="submit", **cell_report(chu_de_hieu_qua="khac"))
    assert page.status_code == 422
    assert 'href="#q-chu_de_hieu_qua__other"' in page.text
    subject = "Chuyển đổi số trong sinh hoạt chi bộ"
    done = post(client, token, action="submit", **cell_report(chu_de_hieu_qua="khac", chu_de_hieu_qua__other=subject))
    assert done.status_code == 302
    answers = stored(app)[1][-1].answers
    assert (answers["chu_de_hieu_qua"], answers["chu_de_hieu_qua__other"]) == ("khac", subject)
    assert answers["chuyen_de_hieu_qua"] == "Học tập và làm theo Bác"
    assert f"Khác: {subject}" in text_of(client.get(f"/s/{token}").text)


def test_answers_keep_the_config_version_and_survive_a_config_edit(app, make_app, client, token, config_with):
    post(client, token, action="save", nhan_thuc="Giữ nguyên qua mọi phiên bản")
    version = stored(app)[1][0].config_version
    edited = make_app(config_with((r"label: \{vi: Ưu điểm và nguyên nhân,", "label: {vi: Ưu điểm,")))
    assert edited.extensions["survey"].version != version
    values = read_form(edited.test_client().get(f"/s/{token}").text).values
    assert values["nhan_thuc"] == "Giữ nguyên qua mọi phiên bản"


def test_after_the_deadline_an_unsubmitted_report_can_still_be_submitted_late(app, client, units, clock):
    clock.after_last_day("chi_bo_truc_thuoc")
    token = units[CELL].token
    assert 'class="status status-overdue"' in client.get(f"/s/{token}").text
    assert post(client, token, action="submit", **cell_report()).status_code == 302
    response, revisions = stored(app)
    assert response.submitted_late and revisions[0].late


def test_after_the_deadline_a_submitted_report_is_read_only(app, client, units, clock):
    clock.after_last_day("chi_bo_truc_thuoc")
    token = units[CELL].token
    stale_page = client.get(f"/s/{token}").text
    post(client, token, action="submit", **cell_report())
    page = client.get(f"/s/{token}?edit=1")
    assert 'name="action"' not in page.text
    refused = post_from(client, token, stale_page, action="submit", **cell_report(so_dang_vien="99"))
    assert refused.status_code == 409
    assert len(stored(app)[1]) == 1


def test_the_interface_speaks_english_on_request(client, token):
    english = client.get(f"/s/{token}?lang=en")
    assert "Save draft" in english.text
    assert "lang=en" in english.headers.get("Set-Cookie", "")
    assert client.get(f"/s/{token}").text.count("Save draft") == 1, "the choice is remembered"


def test_the_interface_is_vietnamese_by_default(app, token):
    page = app.test_client().get(f"/s/{token}").text
    assert '<html lang="vi">' in page
    assert "Lưu nháp" in page and "Gửi báo cáo" in page


@pytest.mark.parametrize("field", ["uu_diem", "chuyen_de_hieu_qua", "linh_vuc__other"])
@pytest.mark.parametrize("control", ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x7f"],
                         ids=["nul", "soh", "vt", "ff", "esc", "del"])
def test_control_characters_in_an_answer_are_removed_and_the_rest_saved(app, client, token, field, control):
    """Removed rather than refused: pasted from a word processor, they are invisible in the box, so a person
    told to delete one could not find it; PostgreSQL cannot store a NUL, and a workbook none of them."""
    typed = f"Dòng đầu{control}\r\nDòng\tsau{control}"
    answers = {"linh_vuc": "khac", "linh_vuc__other": "Trường học", field: typed}
    page = post(client, token, action="submit", **cell_report(**answers))
    assert page.status_code == 302, text_of(page.text)
    assert stored(app)[1][-1].answers[field] == "Dòng đầu\nDòng\tsau"


def local(app, moment):
    return app.extensions["survey"].local(moment).strftime("%d/%m/%Y %H:%M")


def test_the_printable_copy_is_a_plain_page_with_its_version_and_print_date(app, client, token, clock):
    submitted_at = clock()
    post(client, token, action="submit", **cell_report())
    report = client.get(f"/s/{token}").text
    assert f'<a class="button" href="/s/{token}/print">' in report, "a plain link: printing needs no script"
    clock.advance(hours=30)
    printed = client.get(f"/s/{token}/print")
    assert printed.status_code == 200
    body = printed.text.split("</header>")[1]
    assert "<form" not in body and "<input" not in body
    text = text_of(body)
    assert f"Phiên bản 1, gửi lúc {local(app, submitted_at)}" in text
    assert f"In lúc {local(app, clock())}" in text
    assert "92,5%" in text and cell_report()["uu_diem"] in text and "BMT.TL.01" in text
    web_only = body.split('<div class="no-print print-help">')[1].split("</div>")[0]
    assert "Ctrl+P" in web_only and "data-print hidden" in web_only, "the script's button shows only with it"
    assert "Ctrl+P" not in body.split('<article class="party-document')[1], "on paper, the party document"


def test_the_printable_copy_of_a_correction_says_it_is_a_draft(app, client, token):
    post(client, token, action="submit", **cell_report())
    editing = client.get(f"/s/{token}?edit=1").text
    post_from(client, token, editing, action="save", **cell_report(so_dang_vien="26"))
    text = text_of(client.get(f"/s/{token}/print").text)
    assert "Phiên bản 2, bản nháp lưu lúc" in text and "(chưa gửi)" in text
    assert "Bản để in" in text_of(client.get(f"/s/{token}").text), "the form links to it too"


def test_the_printable_copy_of_a_report_never_saved_opens_nothing(app, client, token):
    printed = client.get(f"/s/{token}/print")
    assert printed.status_code == 200
    assert "Chưa lưu nội dung nào" in text_of(printed.text)
    assert stored(app) == (None, [])


def multipart_with(fields, boundary="b0undary"):
    """A multipart body of (name, value) fields, as a browser or a broken client sends it."""
    parts = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                    for name, value in fields)
    return f"{parts}--{boundary}--\r\n".encode()


BROKEN_MULTIPART = {
    "no end": (lambda state: multipart_with(state)[:-12], "multipart/form-data; boundary=b0undary"),
    "no boundary given": (multipart_with, "multipart/form-data"),
    "another boundary": (multipart_with, "multipart/form-data; boundary=other"),
    "not utf-8": (lambda state: multipart_with(state).replace(b"action", b"act\xff\xfeion"),
                  "multipart/form-data; boundary=b0undary"),
    "too many parts": (lambda state: multipart_with([*state, *((f"x{i}", "1") for i in range(5000))]),
                       "multipart/form-data; boundary=b0undary"),
}


@pytest.mark.parametrize("broken", BROKEN_MULTIPART)
def test_a_broken_multipart_body_saves_nothing_and_gets_a_page_not_a_fault(app, client, token, broken):
    make_body, content_type = BROKEN_MULTIPART[broken]
    page = client.get(f"/s/{token}").text
    state = [*hidden_state(page).items(), ("action", "save"), ("nhan_thuc", "Đã lưu?")]
    answer = client.post(f"/s/{token}", data=make_body(state), content_type=content_type)
    assert answer.status_code in (400, 413), answer.status_code
    assert "<html" in answer.text
    assert stored(app)[1] == []
