"""What many units say about one outline item, computed from the stored analyses (never segmenting again):
how many answered, the key phrases per level group, the groups of copies, the representative sentences.

Streaming and bounded: the answers are read grouped by distinct text (a text sent by twelve units is one
row, counted twelve times), so that memory grows with the distinct terms, not with the units. The
representative sentences are chosen among at most SAMPLED_TEXTS texts, one per group of copies spread over
the hierarchy, then each pick's count of units writing something close is recounted over every answer.
"""

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field, replace

import sqlalchemy as sa

import clock
from models import AnswerText, Unit, db
from reporting.hierarchy import UnitTree
from schema.store import current_survey

from .key_phrases import key_phrases
from .reading import Reading, answers_select
from .representatives import CLOSE, MIN_TERMS, representative_sentences
from .sentences import sentences
from .statistics import GROUP_OF_LEVEL, LEVEL_GROUPS

__all__ = ["CopyGroup", "ItemSummary", "Reading", "Representative", "answered_and_phrases", "item_summary",
           "representatives"]
from .text_analysis import SENTENCE_END, TERM_SEPARATOR

#: Key phrases kept per level group, representative sentences per item.
KEY_PHRASES, REPRESENTATIVES = 20, 5
#: The most texts (groups of copies) the representative sentences are chosen among.
SAMPLED_TEXTS = 3000
#: Rows fetched at a time.
BATCH = 1000
NOT_WORD = re.compile(r"[^\w]+|_")


@dataclass(frozen=True)
class CopyGroup:
    """Units that sent the same text or nearly: the group's first text, its units (id, code, name), a body."""

    text_id: int
    units: list
    body: str


@dataclass(frozen=True)
class Representative:
    """A sentence close to what many units wrote: how many, and the unit and place it is quoted from."""

    text: str
    unit_count: int
    unit_id: int
    unit_code: str
    unit_name: str
    text_id: int
    start: int
    end: int


@dataclass
class ItemSummary:
    answered: dict = field(default_factory=dict)
    key_phrases: dict = field(default_factory=dict)
    copies: list = field(default_factory=list)
    representatives: list = field(default_factory=list)
    computed_at: dt.datetime | None = None


def item_summary(reading):
    """Return the ItemSummary of one item: counts and key phrases per level group (terms that are words of
    the question's own label left out), copies, representatives."""
    summary = ItemSummary(computed_at=clock.now())
    summary.answered, summary.key_phrases = answered_and_phrases(reading)
    summary.copies = copy_groups(reading)
    summary.representatives = representatives(reading)
    return summary


def representatives(reading):
    """Return the item's representative sentences, most units first (see the module's docstring)."""
    return _representatives(reading, _distinct_texts(reading))


def answered_and_phrases(reading):
    """Return ({level group: units that answered}, {level group: [(key phrase, units)]}) for the item."""
    query, _tree = _answers(reading, Unit.level, sa.func.count())
    answered = Counter()
    for level, units in db.session.execute(query.group_by(Unit.level)):
        answered[GROUP_OF_LEVEL[level]] += units
    survey = current_survey()
    question = survey.questions.get(reading.question_id)
    exclude = LabelWords(question.label if question else "", survey.title.by_language.get("vi", ""))
    answered = {group: answered[group] for group in LEVEL_GROUPS if answered[group]}
    return answered, {group: key_phrases(_unit_terms(reading, group), exclude, KEY_PHRASES) for group in answered}


def _unit_terms(reading, group):
    """Yield (unit id, terms) for each unit of a level group answering the item."""
    query, _tree = _answers(replace(reading, group=group), Unit.id, AnswerText.terms)
    for unit_id, terms in _stream(query):
        yield unit_id, _split(terms, TERM_SEPARATOR)


def _answers(reading, *columns):
    """Return the select of `columns` for each unit answering the item (consolidation.reading), and its tree."""
    tree = UnitTree()
    return answers_select(reading, tree, *columns), tree


def _distinct_texts(reading):
    """Select (text id, level, units, terms, sentence terms): each distinct text once per level."""
    shown, _tree = _answers(reading, AnswerText.id.label("text_id"), Unit.level.label("level"))
    shown = shown.subquery()
    units = sa.func.count().label("units")
    counted = sa.select(shown.c.text_id, shown.c.level, units).group_by(shown.c.text_id, shown.c.level).subquery()
    return (sa.select(counted.c.text_id, counted.c.level, counted.c.units, AnswerText.terms, AnswerText.sentence_terms)
            .join(AnswerText, AnswerText.id == counted.c.text_id).order_by(counted.c.text_id, counted.c.level))


class LabelWords:
    """The words of a question's label and of the survey's title, as a set of terms: a term is in it when it
    is words of one of them in their order (found without segmenting them again). Every answer speaks of
    what the survey and the question are about: "sinh hoạt chi bộ" names no point of view."""

    def __init__(self, *texts):
        self.texts = [" " + " ".join(NOT_WORD.sub(" ", str(text).casefold()).split()) + " " for text in texts]

    def __contains__(self, term):
        return any(f" {term} " in text for text in self.texts)


def copy_groups(reading):
    """Return the groups of copies of the item (two units or more), largest first, with their units."""
    copy_key = sa.func.coalesce(AnswerText.copy_of_id, AnswerText.id)
    shown, tree = _answers(reading, copy_key.label("key"), Unit.id, Unit.code, Unit.name, AnswerText.body)
    shared = (_answers(reading, copy_key.label("key"))[0].subquery())
    several = sa.select(shared.c.key).group_by(shared.c.key).having(sa.func.count() > 1)
    groups = {}
    for key, unit_id, code, name, body in _stream(tree.in_order(shown.where(copy_key.in_(several)))):
        group = groups.setdefault(key, CopyGroup(key, [], body))
        group.units.append((unit_id, code, name))
    return sorted(groups.values(), key=lambda group: (-len(group.units), group.text_id))


def _representatives(reading, texts):
    """Choose the representative sentences among a sample of the texts, then count their units exactly."""
    sample = _sample(reading)
    picks = representative_sentences(
        ((key, list(zip((s.text for s in sentences(body)), _sentence_terms(sentence_terms), strict=False)))
         for key, body, sentence_terms in sample.values()), REPRESENTATIVES)
    if not picks:
        return []
    chosen = []
    for pick in picks:
        (unit_id, code, name, text_id), body, sentence_terms = pick.unit, *sample[pick.unit][1:]
        terms = next(t for s, t in zip(sentences(body), _sentence_terms(sentence_terms), strict=False)
                     if s.text == pick.text)
        place = next(s for s in sentences(body) if s.text == pick.text)
        chosen.append((pick.text, frozenset(terms), unit_id, code, name, text_id, place.start, place.end))
    counts = _close_units(texts, [terms for _text, terms, *_rest in chosen])
    found = [Representative(text, count, unit_id, code, name, text_id, start, end)
             for (text, _terms, unit_id, code, name, text_id, start, end), count in zip(chosen, counts, strict=True)]
    return sorted(found, key=lambda representative: -representative.unit_count)


def _sample(reading):
    """Return {(unit id, code, name, text id): (key, body, sentence terms)}: one text per group of copies (its
    first unit's), at most SAMPLED_TEXTS of them, taken evenly in the order the groups were first saved."""
    copy_key = sa.func.coalesce(AnswerText.copy_of_id, AnswerText.id)
    shown = _answers(reading, copy_key.label("key"), Unit.id.label("unit_id"),
                          AnswerText.id.label("text_id"))[0].subquery()
    firsts = sa.select(shown.c.key, sa.func.min(shown.c.unit_id).label("unit_id")).group_by(shown.c.key).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(firsts))
    step = max(1, -(-total // SAMPLED_TEXTS))
    query = (sa.select(Unit.id, Unit.code, Unit.name, AnswerText.id, AnswerText.body, AnswerText.sentence_terms)
             .select_from(firsts).join(shown, shown.c.unit_id == firsts.c.unit_id)
             .join(Unit, Unit.id == firsts.c.unit_id).join(AnswerText, AnswerText.id == shown.c.text_id)
             .order_by(firsts.c.key))
    sample = {}
    for number, (unit_id, code, name, text_id, body, sentence_terms) in enumerate(_stream(query)):
        if number % step == 0:
            key = (unit_id, code, name, text_id)
            sample[key] = (key, body, sentence_terms)
    return sample


def _close_units(texts, picks):
    """Return, for each pick's terms, the number of units whose answer holds a sentence close to it."""
    counts = [0] * len(picks)
    for _text_id, _level, units, _terms, sentence_terms in _stream(texts):
        own = [frozenset(terms) for terms in _sentence_terms(sentence_terms) if len(terms) >= MIN_TERMS]
        for number, pick in enumerate(picks):
            if any(len(pick & terms) >= CLOSE * len(pick | terms) for terms in own):
                counts[number] += units
    return counts


def _sentence_terms(joined):
    """Return the stored terms of each sentence (TextAnalysis.columns: each line ends with SENTENCE_END)."""
    return [_split(line, TERM_SEPARATOR) for line in (joined or "").split(SENTENCE_END)[:-1]]


def _split(joined, separator):
    return joined.split(separator) if joined else []


def _stream(query):
    result = db.session.execute(query, execution_options={"yield_per": BATCH})
    for partition in result.partitions():
        yield from partition
