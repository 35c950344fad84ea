"""What many units say about one outline item, for a committee's scope: how many answered, the key phrases
per level group, the groups of copies, and the representative sentences a reviewer starts from.

Everything is read from the analyses stored when the answers were saved (consolidation.answer_texts):
nothing is segmented here. Copies are grouped over the scope's stored signatures (consolidation.copies:
banded and compared in numpy); a representative sentence counts every unit that wrote something close to it,
copies included, and is picked once however many sent it. Summaries are kept in the database (consolidation.summaries).
"""

import datetime as dt
import functools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

import clock
from config import DEFAULT_LANGUAGE
from models import AnswerText, Unit, db
from schema.store import current_survey
from units.hierarchy import UnitTree

from .copies import CopyGroup as CopiedTexts
from .copies import copy_groups
from .key_phrases import most_used
from .reading import answers_select
from .representatives import representative_sentences, units_close_to
from .segmentation import question_words
from .sentences import sentences
from .source import BATCH
from .statistics import GROUP_OF_LEVEL, LEVEL_GROUPS
from .text_analysis import stored_sentence_terms, stored_terms

#: How many key phrases per level group, representative sentences and groups of copies a summary shows.
KEY_PHRASES, REPRESENTATIVES, COPY_GROUPS = 12, 5, 20
#: The answers representative sentences are chosen among, at most (see representatives).
REPRESENTATIVES_SAMPLE = 2_000
#: Bits of a text's id in the key copies are grouped by (a unit's id above them).
TEXT_ID_BITS = 40
#: The units a group of copies names (a template a whole district pasted is sent by hundreds).
COPY_UNITS_NAMED = 50


@dataclass(frozen=True)
class CopyGroup:
    """Units that sent one text, or nearly: the text once (the first unit's), how many units sent it and
    the first COPY_UNITS_NAMED of them (code and name), in hierarchy order. `number` counts the groups from
    1, largest first."""

    number: int
    text_id: int
    unit_count: int
    units: list
    body: str


@dataclass(frozen=True)
class Representative:
    """A sentence close to what `unit_count` units wrote (a group of copies counted once), and where it is."""

    text: str
    unit_count: int
    unit_id: int
    unit_code: str
    unit_name: str
    text_id: int
    start: int
    end: int


@dataclass(frozen=True)
class ItemSummary:
    #: Units that answered, per level group.
    answered: dict
    #: Per level group: (term, units that used it), most used first.
    key_phrases: dict
    #: The largest groups of copies (COPY_GROUPS at most).
    copies: list
    representatives: list
    computed_at: dt.datetime
    #: The number of the group of copies each copied answer's unit belongs to, by unit id (every group).
    copy_group_of_unit: dict

    def copies_of(self, unit_id):
        """Return the number of the unit's group of copies and the group's size, or None."""
        return self.copy_group_of_unit.get(unit_id)


def summarise(reading, question):
    answered, key_phrases = phrases_by_group(reading, question)
    groups = grouped_copies(reading)
    return ItemSummary(
        answered=answered,
        key_phrases=key_phrases,
        copies=shown_copies(groups[:COPY_GROUPS]),
        representatives=representatives(reading, sum(answered.values())),
        computed_at=clock.now(),
        copy_group_of_unit={unit_id: (number, len(group.keys))
                            for number, group in enumerate(groups, 1) for unit_id, _text_id in group.keys},
    )


def phrases_by_group(reading, question):
    """Return the units that answered and the key phrases, per level group, from one pass over the terms."""
    answered, units_per_term = defaultdict(int), defaultdict(Counter)
    for level, terms in stream(answers_select(reading, Unit.level, AnswerText.terms)):
        group = GROUP_OF_LEVEL[level]
        answered[group] += 1
        if terms is not None:
            units_per_term[group].update(set(stored_terms(terms)))
    exclude = left_out(question)
    groups = [group for group in LEVEL_GROUPS if answered[group]]
    return ({group: answered[group] for group in groups},
            {group: most_used(units_per_term[group], exclude, KEY_PHRASES) for group in groups})


def left_out(question):
    """The words no key phrase of the question may be: its own, and the review's subject (the survey's
    title), which every answer is about ("sinh hoạt chi bộ" in a review of Directive 10)."""
    return own_words(str(question.label)) | own_words(current_survey().title.by_language[DEFAULT_LANGUAGE])


@functools.lru_cache(maxsize=256)
def own_words(label):
    """The words of a label, as key phrases are cut (segmented once per label and process)."""
    return frozenset(question_words(label))


def grouped_copies(reading):
    """Return every group of copies among the reading's answers, largest first: copies.CopyGroup of
    (unit id, text id) keys in hierarchy order."""
    tree = UnitTree()
    select = tree.in_order(answers_select(reading, Unit.id, AnswerText.id, AnswerText.signature, AnswerText.digest,
                                          tree=tree).where(AnswerText.signature.is_not(None)))
    # One int a key rather than a pair: a province's 25,000 keys in 1 MB, not 3.
    groups = copy_groups((unit_id << TEXT_ID_BITS | text_id, signature, digest)
                         for unit_id, text_id, signature, digest in stream(select))
    mask = (1 << TEXT_ID_BITS) - 1
    return [CopiedTexts(tuple((key >> TEXT_ID_BITS, key & mask) for key in group.keys)) for group in groups]


def shown_copies(groups):
    """Return the groups as the page and the draft show them: the first unit's text, and who they are."""
    unit_ids = {unit_id for group in groups for unit_id, _text_id in group.keys[:COPY_UNITS_NAMED]}
    names = {unit_id: (code, name) for unit_id, code, name in db.session.execute(
        sa.select(Unit.id, Unit.code, Unit.name).where(Unit.id.in_(unit_ids)))}
    texts = {text_id for group in groups for _unit_id, text_id in group.keys[:1]}
    bodies = dict(db.session.execute(sa.select(AnswerText.id, AnswerText.body)
                                     .where(AnswerText.id.in_(texts))).all())
    return [CopyGroup(number, group.keys[0][1], len(group.keys),
                      [names[unit_id] for unit_id, _text_id in group.keys[:COPY_UNITS_NAMED]], bodies[group.keys[0][1]])
            for number, group in enumerate(groups, 1)]


def representatives(reading, answered):
    """Return the representative sentences of the reading's answers. Every unit counts among those that
    wrote a sentence, copies too (they did send it); a sentence is picked once, however many sent it.

    They are chosen among REPRESENTATIVES_SAMPLE answers at most, every n-th in hierarchy order, so that a
    province takes the time and memory of a district; their counts are then made over every answer."""
    tree = UnitTree()
    stride = max(1, math.ceil(answered / REPRESENTATIVES_SAMPLE))
    select = tree.in_order(answers_select(reading, Unit.id, AnswerText.id, AnswerText.body, AnswerText.sentence_terms,
                                          tree=tree).where(AnswerText.sentence_terms.is_not(None)))
    sample = [row for number, row in enumerate(stream(select)) if number % stride == 0]
    picks = representative_sentences(units_sentences(sample), limit=REPRESENTATIVES)
    if stride > 1 and picks:
        every = answers_select(reading, AnswerText.sentence_terms)
        picks = units_close_to(picks, (stored_sentence_terms(column) for (column,) in stream(every) if column))
    return [located(pick) for pick in picks]


def units_sentences(rows):
    """Yield ((unit id, text id), [(sentence, terms)]) per answer, from the stored analyses."""
    for unit_id, text_id, body, sentence_terms in rows:
        yield (unit_id, text_id), list(zip((sentence.text for sentence in sentences(body)),
                                           stored_sentence_terms(sentence_terms), strict=False))


def located(pick):
    """Return a representative sentence with its unit and its place in the unit's answer."""
    unit_id, text_id = pick.unit
    code, name = db.session.execute(sa.select(Unit.code, Unit.name).where(Unit.id == unit_id)).one()
    body = db.session.scalar(sa.select(AnswerText.body).where(AnswerText.id == text_id))
    start = max(body.find(pick.text), 0)
    return Representative(pick.text, pick.unit_count, unit_id, code, name, text_id, start, start + len(pick.text))


def stream(select):
    result = db.session.execute(select, execution_options={"yield_per": BATCH})
    for partition in result.partitions():
        yield from partition
