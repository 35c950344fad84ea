"""Nothing a unit typed or saved disappears: text sent after the deadline is shown back, and answers to a
question since removed from the config stay visible and stored."""

import html
import os
import time

import pytest
import sqlalchemy as sa
from answers import cell_report, committee_report, district_report
from pages import hidden_state, read_form, text_of

from models import Response, Revision, Unit, db

#: A unit of each level whose deadline differs, and the report it posts.
UNITS = {"BMT.TL.01": ("chi_bo_truc_thuoc", cell_report), "BMT.TL": ("dang_bo_co_so", committee_report),
         "TU.BMT": ("cap_huyen", district_report)}
TYPED = "Đoạn bổ sung gõ trước hạn, gửi sau hạn: <không được mất> & giữ nguyên."


def post_page(client, token, page_html, action, **changes):
    """Post the form of a page as a browser does, with `changes` typed in it."""
    values = {**read_form(page_html).values, **hidden_state(page_html), **changes, "action": action}
    return client.post(f"/s/{token}", data=values)


def current_answers(app, code):
    with app.app_context():
        return db.session.execute(
            sa.select(Revision.answers).join(Response, Revision.response_id == Response.id)
            .join(Unit, Response.unit_id == Unit.id)
            .where(Unit.code == code, Revision.number == Response.current_number)).scalar_one()


def revision_count(app, code):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Revision.id)).join(Response).join(Unit)
                                 .where(Unit.code == code))


@pytest.mark.parametrize("action", ["save", "submit"])
@pytest.mark.parametrize("code", UNITS)
def test_text_typed_before_the_deadline_and_sent_after_it_is_shown_back(app, client, units, clock, code, action):
    level, report = UNITS[code]
    token = units[code].token
    submitted = client.post(f"/s/{token}", data={**report(), **hidden_state(client.get(f"/s/{token}").text),
                                                 "action": "submit"})
    assert submitted.status_code == 302
    correcting = client.get(f"/s/{token}?edit=1").text
    saved = revision_count(app, code)
    clock.after_last_day(level)
    refused = post_page(client, token, correcting, action, bai_hoc=TYPED)
    assert refused.status_code == 409
    page = text_of(refused.text)
    assert "Đã quá hạn trước khi nội dung sửa của đồng chí được gửi đi" in page
    assert TYPED in html.unescape(page)
    assert 'id="typed-copy"' in refused.text
    assert revision_count(app, code) == saved and TYPED not in current_answers(app, code).values()


def test_text_typed_with_a_wrong_answer_and_sent_after_the_deadline_is_shown_back(app, client, units, clock):
    token = units["BMT.TL"].token
    client.post(f"/s/{token}", data={**committee_report(), **hidden_state(client.get(f"/s/{token}").text),
                                     "action": "submit"})
    correcting = client.get(f"/s/{token}?edit=1").text
    clock.after_last_day("dang_bo_co_so")
    refused = post_page(client, token, correcting, "submit", so_dang_vien="mười", bai_hoc="Bài học riêng")
    assert refused.status_code == 409 and "Bài học riêng" in text_of(refused.text)


#: The shipped config without the question "nen_nep" (a required long text every level is asked).
WITHOUT_NEN_NEP = (r"^ +- id: nen_nep\n.*\n.*\n +required: true\n", "")
OLD_ANSWER = "Nền nếp sinh hoạt được giữ vững: câu trả lời của câu hỏi đã bỏ."


def edit_config(path, text, seconds):
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + seconds * 10**9))


@pytest.fixture
def retired_answer(make_app, config_with, accounts):
    """An app whose config lost the question "nen_nep" after a cell saved a draft answering it."""
    path = config_with()
    app = make_app(path)
    client = app.test_client()
    token = accounts["KP.EK.01"].token
    saved = post_page(client, token, client.get(f"/s/{token}").text, "save", nen_nep=OLD_ANSWER)
    assert saved.status_code == 302
    edit_config(path, config_with(WITHOUT_NEN_NEP, name="edited.yaml").read_text(encoding="utf-8"), 1)
    return app, client, token


def test_an_answer_to_a_removed_question_stays_visible_to_the_unit(retired_answer):
    _app, client, token = retired_answer
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    assert 'name="nen_nep"' not in page.text and 'id="retired-answers"' in page.text
    assert OLD_ANSWER in text_of(page.text) and "nen_nep" in text_of(page.text)
    assert OLD_ANSWER in text_of(client.get(f"/s/{token}/print").text)


def test_an_answer_to_a_removed_question_stays_visible_to_the_committees(retired_answer, auth):
    app, _client, _token = retired_answer
    committee = auth.for_client(app.test_client())
    for account in ("btc", "krongpac"):
        committee.sign_in(account)
        assert OLD_ANSWER in text_of(committee.client.get("/admin/units/KP.EK.01").text), account
        committee.sign_out()


@pytest.mark.parametrize("action", ["save", "submit"])
def test_an_answer_to_a_removed_question_is_kept_when_the_unit_saves_again(retired_answer, action):
    app, client, token = retired_answer
    again = post_page(client, token, client.get(f"/s/{token}").text, action, **cell_report(nen_nep=None))
    assert again.status_code == 302, text_of(again.text)
    answers = current_answers(app, "KP.EK.01")
    assert answers["nen_nep"] == OLD_ANSWER and answers["bai_hoc"] == cell_report()["bai_hoc"]
    assert OLD_ANSWER in text_of(client.get(f"/s/{token}").text)
