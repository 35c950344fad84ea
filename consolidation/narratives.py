"""What many units say about one outline item, for a committee's scope: how many answered, the key phrases
per level group, the groups of copies, and the representative sentences a reviewer starts from.

Everything is read from the analyses stored when the answers were saved (consolidation.answer_texts):
nothing is segmented here. Copies are grouped over the scope's stored signatures (consolidation.copies:
banded and compared in numpy), and the representative sentences read one answer per group of copies, so
that a text twelve cells sent counts once. A summary is kept per app until an answer of the scope
changes (its fingerprint: how many answers and the newest revision among them), so that a page viewed
again costs one small query.
"""

import datetime as dt
import functools
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, replace

import sqlalchemy as sa
from flask import current_app

import clock
from config import DEFAULT_LANGUAGE
from models import AnswerText, Revision, Unit, db
from reporting.hierarchy import UnitTree
from schema.store import current_survey

from .copies import copy_groups
from .key_phrases import key_phrases
from .reading import answers_select
from .representatives import representative_sentences
from .segmentation import question_words
from .sentences import sentences
from .source import BATCH
from .statistics import GROUP_OF_LEVEL, LEVEL_GROUPS
from .text_analysis import stored_sentence_terms, stored_terms

#: How many key phrases per level group, representative sentences and groups of copies a summary shows.
KEY_PHRASES, REPRESENTATIVES, COPY_GROUPS = 12, 5, 20
#: Summaries kept per app, that is per process (each a few kilobytes).
KEPT = 256


@dataclass(frozen=True)
class CopyGroup:
    """Units that sent one text, or nearly: the text once (the first unit's), and who they are (code and
    name), in hierarchy order. `number` counts the groups from 1, largest first."""

    number: int
    text_id: int
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


class KeptSummaries:
    """The summaries an app has made, most recently used last: one per app, since a fingerprint only tells
    apart the states of one database."""

    def __init__(self):
        self.summaries, self.lock = OrderedDict(), threading.Lock()

    @classmethod
    def of_app(cls):
        return current_app.extensions.setdefault("narrative_summaries", cls())

    def get(self, key):
        with self.lock:
            if key in self.summaries:
                self.summaries.move_to_end(key)
            return self.summaries.get(key)

    def keep(self, key, summary):
        with self.lock:
            self.summaries[key] = summary
            while len(self.summaries) > KEPT:
                self.summaries.popitem(last=False)


def item_summary(reading, question):
    """Return the ItemSummary of `question` (a narrative question) over the reading's answers."""
    key = (reading.question_id, getattr(reading.scope, "id", None), reading.drafts, reading.group,
           reading.child_code, fingerprint(reading))
    kept = KeptSummaries.of_app()
    summary = kept.get(key)
    if summary is None:
        summary = summarise(reading, question)
        kept.keep(key, summary)
    return summary


def fingerprint(reading):
    """What changes whenever an answer of the reading does: their count and the newest revision's id."""
    select = answers_select(reading, UnitTree(), sa.func.count(), sa.func.max(Revision.id))
    return tuple(db.session.execute(select).one())


def summarise(reading, question):
    answered = answered_by_group(reading)
    groups = grouped_copies(reading)
    return ItemSummary(
        answered=answered,
        key_phrases={group: group_key_phrases(reading, group, question) for group in answered},
        copies=shown_copies(groups[:COPY_GROUPS]),
        representatives=representatives(reading),
        computed_at=clock.now(),
        copy_group_of_unit={unit_id: (number, len(group.keys))
                            for number, group in enumerate(groups, 1) for unit_id, _text_id in group.keys},
    )


def answered_by_group(reading):
    select = answers_select(reading, UnitTree(), Unit.level, sa.func.count()).group_by(Unit.level)
    by_group = defaultdict(int)
    for level, count in db.session.execute(select):
        by_group[GROUP_OF_LEVEL[level]] += count
    return {group: by_group[group] for group in LEVEL_GROUPS if by_group[group]}


def left_out(question):
    """The words no key phrase of the question may be: its own, and the review's subject (the survey's
    title), which every answer is about ("sinh hoạt chi bộ" in a review of Directive 10)."""
    return own_words(str(question.label)) | own_words(current_survey().title.by_language[DEFAULT_LANGUAGE])


@functools.lru_cache(maxsize=256)
def own_words(label):
    """The words of a label, as key phrases are cut (segmented once per label and process)."""
    return frozenset(question_words(label))


def group_key_phrases(reading, group, question):
    select = answers_select(replace(reading, group=group), UnitTree(), Unit.id, AnswerText.terms)
    term_sets = ((unit_id, stored_terms(terms)) for unit_id, terms in stream(select) if terms is not None)
    return key_phrases(term_sets, exclude=left_out(question), limit=KEY_PHRASES)


def grouped_copies(reading):
    """Return every group of copies among the reading's answers, largest first: copies.CopyGroup of
    (unit id, text id) keys in hierarchy order."""
    tree = UnitTree()
    select = tree.in_order(answers_select(reading, tree, Unit.id, AnswerText.id, AnswerText.signature,
                                          AnswerText.digest).where(AnswerText.signature.is_not(None)))
    return copy_groups(((unit_id, text_id), signature, digest)
                       for unit_id, text_id, signature, digest in stream(select))


def shown_copies(groups):
    """Return the groups as the page and the draft show them: the first unit's text, and who they are."""
    unit_ids = {unit_id for group in groups for unit_id, _text_id in group.keys}
    names = {unit_id: (code, name) for unit_id, code, name in db.session.execute(
        sa.select(Unit.id, Unit.code, Unit.name).where(Unit.id.in_(unit_ids)))} if unit_ids else {}
    texts = {text_id for group in groups for _unit_id, text_id in group.keys[:1]}
    bodies = dict(db.session.execute(sa.select(AnswerText.id, AnswerText.body)
                                     .where(AnswerText.id.in_(texts))).all()) if texts else {}
    return [CopyGroup(number, group.keys[0][1], [names[unit_id] for unit_id, _text_id in group.keys],
                      bodies[group.keys[0][1]]) for number, group in enumerate(groups, 1)]


def representatives(reading):
    """Return the representative sentences of the reading's answers. Every unit counts among those that
    wrote a sentence, copies too (they did send it); a sentence is picked once, however many sent it."""
    tree = UnitTree()
    select = tree.in_order(answers_select(reading, tree, Unit.id, AnswerText.id, AnswerText.body,
                                          AnswerText.sentence_terms))
    picks = representative_sentences(units_sentences(stream(select)), limit=REPRESENTATIVES)
    return [located(pick) for pick in picks]


def units_sentences(rows):
    """Yield ((unit id, text id), [(sentence, terms)]) per answer, from the stored analyses."""
    for unit_id, text_id, body, sentence_terms in rows:
        if sentence_terms is None:
            continue
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
