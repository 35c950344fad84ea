"""Each question type, from its one home in schema/types.py: every part works together, none is missing."""

import random

import pytest
from werkzeug.datastructures import MultiDict

from forms import posted_answers, survey_form_class
from schema import TYPES
from schema.types import QuestionType, ShortText

pytestmark = pytest.mark.once

SEEDS = range(25)


@pytest.fixture
def survey(app):
    return app.extensions["survey"]


def questions_by_type(survey):
    return {question.type: question for question in reversed(survey.questions.values())}


def answers_showing(question):
    """Return the answer of another question that shows a conditional one."""
    return {question.show_if.question: question.show_if.values[0]} if question.show_if else {}


def test_the_shipped_survey_asks_a_question_of_every_type(survey):
    assert set(questions_by_type(survey)) == set(TYPES)


@pytest.mark.parametrize("type_name", TYPES)
def test_a_demo_answer_survives_the_form_and_reads_as_text(app, survey, type_name):
    question = questions_by_type(survey)[type_name]
    level = question.levels[0]
    form_class = survey_form_class(survey, level)
    rng = random.Random(type_name)
    with app.test_request_context():
        for _ in SEEDS:
            value = question.kind.demo_value(question, rng)
            answers = {**answers_showing(question), question.id: value}
            form = form_class(formdata=MultiDict(posted_answers(survey, level, answers)), meta={"csrf": False})
            assert form.validate(), (value, form.errors)
            assert form.answers() == answers
            assert form[question.id]._value() == question.kind.form_value(question, value)
            text = question.kind.text(question, value, {question.id: value})
            assert isinstance(text, str) and text.strip()


@pytest.mark.parametrize("type_name", TYPES)
def test_a_figure_column_holds_each_answer_and_stays_empty_without_one(app, survey, type_name):
    question = questions_by_type(survey)[type_name]
    answered = type("Record", (), {"answers": {question.id: question.kind.demo_value(question, random.Random(1))}})
    blank = type("Record", (), {"answers": {}})
    with app.test_request_context():
        columns = question.kind.columns(question)
        assert bool(columns) is not question.is_narrative
        assert all(column.value(blank) is None for column in columns)
        assert any(column.value(answered) not in (None, "") for column in columns) or not columns


#: How people type numbers, and what is stored (docs/units.md "How numbers are typed").
NUMBERS_READ = [
    ("integer", "25", 25), ("integer", "1.250", 1250), ("integer", "12.500.000", 12500000),
    ("integer", "1 250", 1250), ("integer", "1\u202f250", 1250), ("integer", "1\u00a0250", 1250),
    ("integer", "２５", 25), ("integer", "１．２５０", 1250), ("integer", "+3", 3),
    ("decimal", "12,5", 12.5), ("decimal", "12.5", 12.5), ("decimal", "1.250,5", 1250.5),
    ("decimal", "12.500.000", 12500000), ("decimal", "1.2500", 1.25), ("decimal", "１２，５", 12.5),
    ("decimal", "3", 3), ("decimal", "0,25", 0.25),
    ("percentage", "92,5%", 92.5), ("percentage", "92,5 %", 92.5), ("percentage", "92,5％", 92.5),
    ("percentage", "92.5", 92.5), ("percentage", "１００%", 100), ("percentage", "87,25", 87.25),
]


@pytest.mark.parametrize(("type_name", "typed", "stored"), NUMBERS_READ)
def test_numbers_are_read_as_people_type_them(app, survey, type_name, typed, stored):
    question = questions_by_type(survey)[type_name]
    with app.test_request_context():
        value = question.kind.parse(question, typed)
    assert value == stored and type(value) is type(stored)


#: Digits of other scripts: int() and `\d` take them all, so each must be refused, not read.
OTHER_SCRIPTS = ["٢٥", "۲۵", "२५", "২৫", "๒๕", "໒໕", "၂၅", "𝟐𝟓", "2²", "٩٢٫٥"]


@pytest.mark.parametrize("type_name", ["integer", "decimal", "percentage"])
@pytest.mark.parametrize("typed", OTHER_SCRIPTS)
def test_digits_of_other_scripts_are_refused_not_converted(app, survey, type_name, typed):
    question = questions_by_type(survey)[type_name]
    with app.test_request_context():
        with pytest.raises(ValueError) as refused:
            question.kind.parse(question, typed)
        message = str(refused.value.args[0])
    assert "0–9" in message and any(char in message for char in typed if not char.isascii())


#: (type, typed, words the Vietnamese message must hold: what is accepted, or both readings).
NUMBERS_REFUSED = [
    ("integer", "1.25", "1.250"), ("integer", "1,5", "1.250"), ("integer", "1.5", "số nguyên"),
    ("integer", "1.2500", "hàng nghìn"), ("integer", "12.50.000", "hàng nghìn"), ("integer", "92%", "0–9"),
    ("integer", "1e3", "25"), ("integer", "9" * 16, "0–9"),
    ("decimal", "1.250", "1250"), ("decimal", "1.250", "1,250"), ("decimal", "1,250.5", "12,5"),
    ("decimal", "1,2,3", "dấu phẩy"), ("decimal", "NaN", "12,5"), ("decimal", "1,1234567", "12,5"),
    ("decimal", "92,5%", "12,5"),
    ("percentage", "92.500", "92500"), ("percentage", "92.500", "92,500"), ("percentage", "%", "92,5"),
    ("percentage", "92,5%%", "dấu %"), ("percentage", "%92", "92,5"), ("percentage", "Infinity", "92,5"),
]


@pytest.mark.parametrize(("type_name", "typed", "said"), NUMBERS_REFUSED)
def test_a_refused_number_says_what_is_accepted(app, survey, type_name, typed, said):
    question = questions_by_type(survey)[type_name]
    with app.test_request_context():
        with pytest.raises(ValueError) as refused:
            question.kind.parse(question, typed)
        assert said in str(refused.value.args[0])


class WithoutDemoValue(ShortText):
    name = "tagged_text"
    demo_value = QuestionType.demo_value


class WithoutMacro(ShortText):
    name = "signature"


@pytest.mark.parametrize(("kind", "missing"), [(WithoutDemoValue(), "demo_value"), (WithoutMacro(), "form macro")])
def test_start_up_refuses_a_type_that_misses_a_part(make_app, monkeypatch, kind, missing):
    monkeypatch.setitem(TYPES, kind.name, kind)
    with pytest.raises(RuntimeError, match=f"question type '{kind.name}' has no .*{missing}"):
        make_app()
