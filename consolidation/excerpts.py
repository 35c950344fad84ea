"""The passages a committee chose from its units' narrative answers, per outline item, in its order."""

from dataclasses import dataclass

import sqlalchemy as sa

from models import Excerpt, Response, Revision, RevisionText, Unit, db


@dataclass(frozen=True)
class ExcerptUnit:
    code: str
    name: str
    level: str


@dataclass(frozen=True)
class ChosenExcerpt:
    excerpt: Excerpt
    unit: ExcerptUnit
    #: Whether the unit's answer the committee reads now is not the text the passage was taken from.
    changed: bool


def excerpts_of(committee, question_id=None):
    """Return the committee's chosen excerpts (of one item, or of every item), each item's in its order."""
    shown = sa.func.coalesce(Response.submitted_number, Response.current_number)
    now_text = (sa.select(RevisionText.text_id)
                .join(Revision, Revision.id == RevisionText.revision_id)
                .join(Response, sa.and_(Response.id == Revision.response_id, Revision.number == shown))
                .where(Response.unit_id == Excerpt.unit_id, RevisionText.question_id == Excerpt.question_id)
                .scalar_subquery())
    query = (sa.select(Excerpt, Unit.code, Unit.name, Unit.level, now_text)
             .join(Unit, Unit.id == Excerpt.unit_id).where(Excerpt.committee_id == committee.id)
             .order_by(Excerpt.question_id, Excerpt.position, Excerpt.id))
    if question_id is not None:
        query = query.where(Excerpt.question_id == question_id)
    return [ChosenExcerpt(excerpt, ExcerptUnit(code, name, level), text_id != excerpt.text_id)
            for excerpt, code, name, level, text_id in db.session.execute(query)]
