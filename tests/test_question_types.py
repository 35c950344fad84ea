"""Each question type, from its one home in schema/types.py: every part works together, none is missing."""

import random

import pytest
from werkzeug.datastructures import MultiDict

from forms import posted_answers, survey_form_class
from schema import TYPES
from schema.types import QuestionType, ShortText

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
