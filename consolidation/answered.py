"""How many units of a scope answered each narrative item, out of those asked it: the reading index's counts."""

import sqlalchemy as sa

from models import Response, Revision, RevisionText, Unit, db
from units.hierarchy import UnitTree

from .answer_texts import link_saved_revisions


def items_answered(scope, questions):
    """Return {question id: (units that submitted an answer to it, units asked it)} for the scope's
    reporting units, in two grouped queries whatever the number of units (after linking the revisions saved
    since the analyser last ran)."""
    link_saved_revisions()
    tree = UnitTree()
    answered = dict(db.session.execute(
        tree.select(RevisionText.question_id, sa.func.count(), scope=scope)
        .join(Response, Response.unit_id == Unit.id)
        .join(Revision, sa.and_(Revision.response_id == Response.id, Revision.number == Response.submitted_number))
        .join(RevisionText, RevisionText.revision_id == Revision.id)
        .group_by(RevisionText.question_id)).all())
    per_level = dict(db.session.execute(tree.select(Unit.level, sa.func.count(), scope=scope)
                                        .group_by(Unit.level)).all())
    return {question.id: (answered.get(question.id, 0),
                          sum(count for level, count in per_level.items() if question.applies_to(level)))
            for question in questions}
