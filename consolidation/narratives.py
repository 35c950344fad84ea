"""What many units say about one outline item, for a committee's scope: how many answered, the key phrases
per level group, the groups of copies, and the representative sentences a reviewer starts from.

Everything is read from the analyses stored when the answers were saved (consolidation.answer_texts):
nothing is segmented here. A summary is kept per process until an answer of the scope changes (its
fingerprint: how many answers and the newest revision among them), so that a page viewed again costs
one small query.
"""

import datetime as dt
import functools
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, replace

import sqlalchemy as sa

import clock
from models import AnswerText, Revision, Unit, db
from reporting.hierarchy import UnitTree

from .key_phrases import key_phrases
from .reading import answers_select, copy_key
from .representatives import representative_sentences
from .segmentation import question_words
from .sentences import sentences
from .source import BATCH
from .statistics import GROUP_OF_LEVEL, LEVEL_GROUPS
from .text_analysis import stored_sentence_terms, stored_terms

#: How many key phrases per level group, representative sentences and groups of copies a summary keeps.
KEY_PHRASES, REPRESENTATIVES, COPY_GROUPS = 12, 5, 20
#: Summaries kept per process (each a few kilobytes).
KEPT = 256


@dataclass(frozen=True)
class CopyGroup:
    """Units that sent one text, or nearly: the text once, and who they are (code and name)."""

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
    copies: list
    representatives: list
    computed_at: dt.datetime


_kept = OrderedDict()
_kept_lock = threading.Lock()


def item_summary(reading, question):
    """Return the ItemSummary of `question` (a narrative question) over the reading's answers."""
    key = (reading.question_id, getattr(reading.scope, "id", None), reading.drafts, reading.group,
           reading.child_code, fingerprint(reading))
    with _kept_lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    summary = summarise(reading, question)
    with _kept_lock:
        _kept[key] = summary
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return summary


def fingerprint(reading):
    """What changes whenever an answer of the reading does: their count and the newest revision's id."""
    select = answers_select(reading, UnitTree(), sa.func.count(), sa.func.max(Revision.id))
    return tuple(db.session.execute(select).one())


def summarise(reading, question):
    answered = answered_by_group(reading)
    return ItemSummary(
        answered=answered,
        key_phrases={group: group_key_phrases(reading, group, question) for group in answered},
        copies=copy_groups(reading),
        representatives=representatives(reading),
        computed_at=clock.now(),
    )


def answered_by_group(reading):
    select = answers_select(reading, UnitTree(), Unit.level, sa.func.count()).group_by(Unit.level)
    by_group = defaultdict(int)
    for level, count in db.session.execute(select):
        by_group[GROUP_OF_LEVEL[level]] += count
    return {group: by_group[group] for group in LEVEL_GROUPS if by_group[group]}


@functools.lru_cache(maxsize=256)
def own_words(label):
    """The question's own words, left out of its key phrases (segmented once per label and process)."""
    return frozenset(question_words(label))


def group_key_phrases(reading, group, question):
    select = answers_select(replace(reading, group=group), UnitTree(), Unit.id, AnswerText.terms)
    term_sets = ((unit_id, stored_terms(terms)) for unit_id, terms in stream(select) if terms is not None)
    return key_phrases(term_sets, exclude=own_words(str(question.label)), limit=KEY_PHRASES)


def copy_groups(reading):
    """Return the largest groups of copies (two units or more), the text of each once."""
    tree = UnitTree()
    key = copy_key().label("copy_key")
    sizes = (answers_select(reading, tree, key, sa.func.count().label("units")).group_by(key)
             .having(sa.func.count() > 1).order_by(sa.desc("units"), key).limit(COPY_GROUPS))
    largest = [copy for copy, _units in db.session.execute(sizes)]
    if not largest:
        return []
    members = defaultdict(list)
    tree = UnitTree()
    select = answers_select(reading, tree, copy_key(), Unit.code, Unit.name).where(copy_key().in_(largest))
    for copy, code, name in db.session.execute(tree.in_order(select)):
        members[copy].append((code, name))
    bodies = dict(db.session.execute(sa.select(AnswerText.id, AnswerText.body).where(AnswerText.id.in_(largest))).all())
    return [CopyGroup(copy, members[copy], bodies[copy]) for copy in largest]


def representatives(reading):
    """Return the representative sentences of the reading's answers, each group of copies read once."""
    tree = UnitTree()
    select = tree.in_order(answers_select(reading, tree, copy_key(), Unit.id, AnswerText.id, AnswerText.body,
                                          AnswerText.sentence_terms))
    picks = representative_sentences(units_sentences(stream(select)), limit=REPRESENTATIVES)
    return [located(pick) for pick in picks]


def units_sentences(rows):
    """Yield ((unit id, text id), [(sentence, terms)]) per group of copies, from the stored analyses."""
    seen = set()
    for copy, unit_id, text_id, body, sentence_terms in rows:
        if copy in seen or sentence_terms is None:
            continue
        seen.add(copy)
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
