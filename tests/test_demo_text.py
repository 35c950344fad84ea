"""The demo's narrative answers: each item's own sentences, shared phrases, copies between units of a committee."""

import dataclasses
import random
import re
from collections import Counter, defaultdict

import pytest

from demo.province import COPYING_SHARE, PlannedUnit, copy_narratives, plan_units, random_answers
from schema import REPORTING_LEVELS
from schema.demo_text import DEFAULT, SLOT, bank_for, banks, sentences_of

pytestmark = pytest.mark.once

DRAWS = 200


@pytest.fixture
def survey(app):
    return app.extensions["survey"]


def text_questions(survey):
    return [question for question in survey.questions.values() if question.is_text and not question.document_detail]


def sentence_patterns(question_id):
    """Return a regular expression matching any sentence of the question's bank or of its facts, slots filled."""
    bank = bank_for(question_id)
    alternatives = [SLOT.sub(".+?", re.escape(sentence).replace(r"\{", "{").replace(r"\}", "}"))
                    for sentence in bank.sentences + bank.facts]
    return re.compile("|".join(f"(?:{pattern})" for pattern in alternatives))


def test_every_narrative_item_of_the_shipped_survey_has_its_own_bank(survey):
    found, _slots = banks()
    missing = [question.id for question in text_questions(survey) if question.id not in found]
    assert missing == []
    assert all(len(found[question_id].sentences) >= 7 for question_id in found), "a few sentences is no bank"


def test_an_items_answers_come_from_its_own_bank(survey):
    rng = random.Random(3)
    for question in text_questions(survey):
        pattern = sentence_patterns(question.id)
        for _ in range(DRAWS):
            answer = question.kind.demo_value(question, rng)
            low, high = bank_for(question.id).count or question.kind.demo_sentences
            sentences = [answer] if question.type == "short_text" else sentences_of(answer)
            assert low <= len(sentences) <= high, (question.id, answer)
            assert all(pattern.fullmatch(sentence) for sentence in sentences), (question.id, answer)


def test_some_sentences_are_written_by_many_units_and_no_answer_by_chance_twice(survey):
    question = survey.questions["han_che"]
    rng = random.Random(5)
    answers = [question.kind.demo_value(question, rng) for _ in range(1000)]
    sentences = Counter(sentence for answer in answers for sentence in sentences_of(answer))
    assert sentences.most_common(1)[0][1] > 400, "a key phrase most units write"
    assert len(sentences) > 200, "and sentences of their own (facts)"
    assert len(set(answers)) == len(answers)


def test_a_question_the_bank_does_not_list_draws_the_default_sentences(survey):
    question = dataclasses.replace(survey.questions["han_che"], id="cau_hoi_quan_tri_them")
    pattern = sentence_patterns(DEFAULT)
    rng = random.Random(8)
    used = set()
    for _ in range(DRAWS):
        answer = question.kind.demo_value(question, rng)
        assert all(pattern.fullmatch(sentence) for sentence in sentences_of(answer)), answer
        used.update(sentences_of(answer))
    assert used & set(bank_for(DEFAULT).sentences) - set(bank_for("han_che").sentences)


@pytest.mark.parametrize("max_length", [1, 30, 120, 400])
def test_an_answer_is_never_longer_than_its_question_allows(survey, max_length):
    question = dataclasses.replace(survey.questions["thuc_trang"], max_length=max_length)
    rng = random.Random(max_length)
    answers = [question.kind.demo_value(question, rng) for _ in range(DRAWS)]
    assert all(0 < len(answer) <= max_length for answer in answers)
    if max_length >= 400:
        pattern = sentence_patterns("thuc_trang")
        assert all(pattern.fullmatch(sentence) for answer in answers for sentence in sentences_of(answer)), \
            "whole sentences, when one fits"


def province_answers(survey, unit_count, seed):
    """Return a province's units, its reporting units' answers by code and the Copy records made among them."""
    rng = random.Random(seed)
    units = [PlannedUnit(code, parent, code, level) for code, _name, level, parent in plan_units(unit_count, rng)]
    answers = {unit.code: random_answers(survey, unit.level, rng, complete=True)
               for unit in units if unit.level in REPORTING_LEVELS}
    children = defaultdict(list)
    for unit in units:
        children[unit.parent_id].append(unit)
    return units, answers, copy_narratives(survey, children, answers, rng)


def test_a_share_of_units_copy_answers_of_a_unit_of_their_level_under_the_same_committee(survey):
    units, answers, copies = province_answers(survey, 3000, seed=11)
    copying = {copy.code for copy in copies}
    assert 0.5 * COPYING_SHARE < len(copying) / len(answers) < 1.5 * COPYING_SHARE
    assert {copy.kind for copy in copies} == {"verbatim", "spacing", "one_sentence"}
    by_code = {unit.code: unit for unit in units}
    for copy in copies:
        unit, source = by_code[copy.code], by_code[copy.source]
        assert (unit.parent_id, unit.level) == (source.parent_id, source.level) and unit.code != source.code
    last = {(copy.code, copy.question_id): copy for copy in copies}
    sources_changed = {copy.code for copy in copies}
    for copy in last.values():
        if copy.source in sources_changed:
            continue  # its source copied another unit's answer since
        mine, theirs = answers[copy.code][copy.question_id], answers[copy.source][copy.question_id]
        if copy.kind == "verbatim":
            assert mine == theirs
        elif copy.kind == "spacing":
            assert mine != theirs and mine.split() == theirs.split()
        else:
            differing = sum(a != b for a, b in zip(sentences_of(mine), sentences_of(theirs), strict=True))
            assert differing <= 1


def test_answers_alike_are_copies_only(survey):
    _units, answers, copies = province_answers(survey, 1500, seed=12)
    copied = {(copy.code, copy.question_id) for copy in copies} | {(copy.source, copy.question_id) for copy in copies}
    alike = defaultdict(set)
    for code, unit_answers in answers.items():
        for question_id, value in unit_answers.items():
            if isinstance(value, str) and survey.questions[question_id].is_narrative:
                alike[question_id, " ".join(value.split())].add(code)
    groups = [(question_id, codes) for (question_id, _text), codes in alike.items() if len(codes) > 1]
    assert groups, "copies to find"
    assert all((code, question_id) in copied for question_id, codes in groups for code in codes)


def test_the_same_seed_gives_the_same_answers_and_copies(survey):
    assert province_answers(survey, 400, seed=4)[1:] == province_answers(survey, 400, seed=4)[1:]
    assert province_answers(survey, 400, seed=4)[1] != province_answers(survey, 400, seed=5)[1]
