"""The passages a committee chooses from its units' narrative answers, per outline item: picked, noted,
ordered and removed, never outside the committee's subtree.

A passage is cut server side from the stored text (AnswerText.body[start:end]), never taken from what a
form posts, and kept as picked: a later version of the unit's answer leaves it alone, and `excerpts_of`
marks it `changed` when the answer the committee reads now (as submitted, else as last saved) is not the
text it was cut from. Every change of an item's excerpts first locks the committee's row, then renumbers
the item's positions 1..n in the same transaction: two managers ordering at once take turns, and neither
loses an excerpt nor leaves two at one place.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

import clock
from models import AnswerText, Excerpt, Response, Revision, RevisionText, Unit, db
from plain_text import without_control_characters
from units.hierarchy import UnitTree

from .answer_texts import link_saved_revisions

#: The longest note a reviewer may keep with an excerpt (characters).
NOTE_MAX_LENGTH = 2000


class ExcerptRefused(ValueError):
    """A pick or change refused; str(error) is a translated message for the page."""


@dataclass(frozen=True)
class SourceUnit:
    code: str
    name: str
    level: str


@dataclass(frozen=True)
class ChosenExcerpt:
    #: The Excerpt row.
    excerpt: Excerpt
    #: The unit that wrote it.
    unit: SourceUnit
    #: Whether the unit's answer the committee reads now is not the text the passage was cut from.
    changed: bool


def read_text_of(unit_id, question_id):
    """The id of the text the committee reads now for a unit and a question: that of its submitted version,
    else of its last saved one; NULL when that version gives none."""
    shown = sa.func.coalesce(Response.submitted_number, Response.current_number)
    return (sa.select(RevisionText.text_id)
            .join(Revision, Revision.id == RevisionText.revision_id)
            .join(Response, sa.and_(Response.id == Revision.response_id, Revision.number == shown))
            .where(Response.unit_id == unit_id, RevisionText.question_id == question_id)
            .limit(1).scalar_subquery())


def excerpts_of(committee, question_id=None):
    """Return the committee's chosen excerpts of one item (of every item when question_id is None, item by
    item), in their order; only those whose unit still lies in the committee's subtree."""
    now_read = read_text_of(Excerpt.unit_id, Excerpt.question_id)
    changed = sa.func.coalesce(now_read, -1) != Excerpt.text_id
    query = (UnitTree().select(Excerpt, Unit.code, Unit.name, Unit.level, changed, scope=committee)
             .join(Excerpt, Excerpt.unit_id == Unit.id)
             .where(Excerpt.committee_id == committee.id)
             .order_by(Excerpt.question_id, Excerpt.position, Excerpt.id))
    if question_id is not None:
        query = query.where(Excerpt.question_id == question_id)
    return [ChosenExcerpt(excerpt, SourceUnit(code, name, level), bool(is_changed))
            for excerpt, code, name, level, is_changed in db.session.execute(query)]


def pickable_texts(revision):
    """Return {question id: (text id, body)} of the narrative texts a revision gives, for picking from a
    unit's page (linking the revisions saved since the analyser last ran first); empty for a revision whose
    texts are not kept (neither current nor submitted)."""
    if revision is None:
        return {}
    link_saved_revisions()
    query = (sa.select(RevisionText.question_id, AnswerText.id, AnswerText.body)
             .join(AnswerText, AnswerText.id == RevisionText.text_id)
             .where(RevisionText.revision_id == revision.id))
    return {question_id: (text_id, body) for question_id, text_id, body in db.session.execute(query)}


def pick(committee, question_id, unit, text_id, start, end, note=None, chosen_by=None):
    """Keep the passage text[start:end] of a unit's answer to an item as the committee's last excerpt of
    it; return the Excerpt. Refused (ExcerptRefused) when the unit lies outside the committee's subtree,
    the text is not one the unit gave to the item, or the offsets do not lie within it."""
    if not UnitTree().contains(committee, unit):
        raise ExcerptRefused(_("This unit is not in your scope."))
    body = _source_text(unit, question_id, text_id)
    if body is None:
        raise ExcerptRefused(_("This answer is no longer among the unit's answers to this item; reload the "
                               "page and pick again."))
    start, end = _passage_bounds(body, start, end)
    note = _clean_note(note)
    _lock_excerpts(committee)
    last = db.session.scalar(sa.select(sa.func.max(Excerpt.position))
                             .where(Excerpt.committee_id == committee.id, Excerpt.question_id == question_id))
    now = clock.now()
    excerpt = Excerpt(committee_id=committee.id, question_id=question_id, unit_id=unit.id, text_id=text_id,
                      start_offset=start, end_offset=end, passage=body[start:end], note=note,
                      position=(last or 0) + 1, chosen_by_id=getattr(chosen_by, "id", None),
                      created_at=now, updated_at=now)
    db.session.add(excerpt)
    db.session.flush()
    _renumber(committee, question_id)
    db.session.commit()
    return excerpt


def _source_text(unit, question_id, text_id):
    """Return the body of the text if the unit gave it to the item in a version committees read, else None."""
    return db.session.scalar(
        sa.select(AnswerText.body)
        .join(RevisionText, RevisionText.text_id == AnswerText.id)
        .join(Revision, Revision.id == RevisionText.revision_id)
        .join(Response, Response.id == Revision.response_id)
        .where(AnswerText.id == text_id, RevisionText.question_id == question_id, Response.unit_id == unit.id)
        .limit(1))


def _passage_bounds(body, start, end):
    """Return the offsets checked to lie within body, narrowed to leave out spaces around the passage."""
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(body)):
        raise ExcerptRefused(_("The passage does not lie within the answer; reload the page and pick again."))
    passage = body[start:end]
    if not passage.strip():
        raise ExcerptRefused(_("The passage holds no words."))
    start += len(passage) - len(passage.lstrip())
    end -= len(passage) - len(passage.rstrip())
    return start, end


def _clean_note(note):
    """Return the note without control characters or None if empty; refuse an over-long one."""
    note = without_control_characters(note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ExcerptRefused(_("A note may hold up to %(count)s characters.", count=NOTE_MAX_LENGTH))
    return note or None


def excerpt_of(committee, excerpt_id):
    """Return the committee's excerpt with this id, or None (another committee's is none of its business)."""
    excerpt = db.session.get(Excerpt, excerpt_id)
    return excerpt if excerpt is not None and excerpt.committee_id == committee.id else None


def change_note(committee, excerpt_id, note):
    """Replace an excerpt's note; return the excerpt, or None if the committee has no such excerpt."""
    note = _clean_note(note)
    _lock_excerpts(committee)
    excerpt = excerpt_of(committee, excerpt_id)
    if excerpt is not None:
        excerpt.note, excerpt.updated_at = note, clock.now()
    db.session.commit()
    return excerpt


def move(committee, excerpt_id, position):
    """Put an excerpt at `position` (1 is first; beyond the last is last) among its item's excerpts; return
    the excerpt, or None if the committee has no such excerpt."""
    _lock_excerpts(committee)
    excerpt = excerpt_of(committee, excerpt_id)
    if excerpt is not None:
        ordered = [other for other in _item_excerpts(committee, excerpt.question_id) if other.id != excerpt.id]
        ordered.insert(min(max(position, 1), len(ordered) + 1) - 1, excerpt)
        _number(ordered)
    db.session.commit()
    return excerpt


def remove(committee, excerpt_id):
    """Remove an excerpt; return its item's id, or None if the committee had no such excerpt."""
    _lock_excerpts(committee)
    excerpt = excerpt_of(committee, excerpt_id)
    question_id = None
    if excerpt is not None:
        question_id = excerpt.question_id
        db.session.delete(excerpt)
        db.session.flush()
        _renumber(committee, question_id)
    db.session.commit()
    return question_id


def _lock_excerpts(committee):
    """Take the committee's row for the rest of the transaction, so that changes to its excerpts take turns.
    A write rather than SELECT ... FOR UPDATE: SQLite has no row locks, and a write as the transaction's
    first statement takes its database lock (waiting for the busy timeout) before anything is read."""
    db.session.execute(sa.update(Unit).where(Unit.id == committee.id).values(name=Unit.name)
                       .execution_options(synchronize_session=False))


def _item_excerpts(committee, question_id):
    return db.session.scalars(sa.select(Excerpt).where(Excerpt.committee_id == committee.id,
                                                       Excerpt.question_id == question_id)
                              .order_by(Excerpt.position, Excerpt.id)).all()


def _renumber(committee, question_id):
    _number(_item_excerpts(committee, question_id))


def _number(ordered):
    """Give the excerpts positions 1..n in this order, touching only those that move."""
    for position, excerpt in enumerate(ordered, start=1):
        if excerpt.position != position:
            excerpt.position = position
