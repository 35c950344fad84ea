"""The survey form's questions are rendered once per survey version, level and language, then filled with each
unit's answers (views/form_skeleton.py): the page must read exactly as the question macros render it, show each
unit its own answers only, and follow a config edit and a language switch at once."""

import os
import random
import re

import pytest
import sqlalchemy as sa
from answers import store
from flask import get_template_attribute
from flask_babel import force_locale

from demo.province import random_answers
from forms import StoredAnswers, survey_form_class
from models import Unit, db
from schema import REPORTING_LEVELS
from schema.model import speaking
from views.form_skeleton import form_skeleton, tightened


def both_renderings(app, level, answers, language):
    """Return the questions as the macros render the form of `answers`, and as the skeleton fills them."""
    survey = app.extensions["survey"]
    with app.test_request_context(), force_locale(language), speaking(language):
        form = survey_form_class(survey, level)(formdata=None, data=answers)
        macros = get_template_attribute("survey/_questions.html", "form_body")(survey, form, level)
        filled = form_skeleton(survey, level).fill(StoredAnswers(survey, answers))
    return as_read(str(macros)), str(filled)


def as_read(html):
    """The HTML as a browser reads it, as the skeleton writes it: no line breaks between tags, and no value
    attribute that is empty."""
    return tightened(html).replace(' value=""', "")


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("level", REPORTING_LEVELS)
def test_the_filled_skeleton_reads_as_the_macros_render_the_form(app, level, language):
    survey = app.extensions["survey"]
    rng = random.Random(level)
    for answers in ({}, random_answers(survey, level, rng, complete=True),
                    random_answers(survey, level, rng, complete=False)):
        macros, filled = both_renderings(app, level, answers, language)
        assert filled == macros
    assert ' checked' in filled and "<textarea" in filled, "choices ticked, texts filled"


def test_hostile_answers_are_escaped_in_their_holes(app):
    answers = {"dac_diem_tinh_hinh": '</textarea><script>alert(1)</script>', "so_dang_vien": 3,
               "linh_vuc": "khac", "linh_vuc__other": '"><img src=x onerror=alert(1)>\ue000x\ue002'}
    macros, filled = both_renderings(app, "chi_bo_truc_thuoc", answers, "vi")
    assert filled == macros
    assert "<script>" not in filled and "<img" not in filled


def unit_texts(app, code, marker):
    """Store a draft for `code` whose every long text names `marker`; return the unit's link."""
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).filter_by(code=code))
        questions = app.extensions["survey"].questions_for(unit.level)
        token = unit.token
    store(app, code, {q.id: f"Ý kiến riêng của {marker}." for q in questions if q.type == "long_text"}, action="save")
    return token


def test_each_unit_reads_its_own_answers_and_no_other(app, client, units):
    first, second = unit_texts(app, "KP.EK.01", "thôn Ba"), unit_texts(app, "KP.EK.02", "buôn Krông Búk")
    blank = units["KP.PA.01"].token
    for _round in range(2):  # the second time, every skeleton is made already
        page = client.get(f"/s/{first}").text
        assert "thôn Ba" in page and "buôn Krông Búk" not in page
        page = client.get(f"/s/{second}").text
        assert "buôn Krông Búk" in page and "thôn Ba" not in page
        page = client.get(f"/s/{blank}").text
        assert "Ý kiến riêng" not in page and not re.search(r"<textarea[^>]*>[^<]", page)


def test_a_config_edit_and_a_language_switch_show_at_once(make_app, config_with, units):
    path = config_with()
    client = make_app(path).test_client()
    token = units["KP.EK.01"].token
    assert "Tổng số đảng viên" in client.get(f"/s/{token}").text
    assert "Number of party members" in client.get(f"/s/{token}?lang=en").text
    assert "Tổng số đảng viên" in client.get(f"/s/{token}?lang=vi").text
    path.write_text(path.read_text(encoding="utf-8").replace("vi: Tổng số đảng viên,", "vi: Đảng viên của chi bộ,"),
                    encoding="utf-8")
    later = path.stat().st_mtime + 5
    os.utime(path, (later, later))
    page = client.get(f"/s/{token}").text
    assert "Đảng viên của chi bộ" in page and "Tổng số đảng viên" not in page


def test_a_text_states_its_limit_only_where_it_is_not_the_forms(client, units):
    page = client.get(f"/s/{units['KP.PA.01'].token}").text
    assert 'data-text-limit="20000"' in re.search(r"<form [^>]*>", page).group()
    textareas = dict(re.findall(r'<textarea id="([^"]+)"([^>]*)>', page))
    assert "data-max-length" not in textareas["uu_diem"]
    assert 'data-max-length="1000"' in textareas["noi_nhan_them"], "a limit of its own stays on the text"
