"""Read units and their answers for an export: a few streaming queries, however many units there are.

Units come in hierarchy order (see units.hierarchy), so nothing is sorted in Python.
"""

import itertools
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from models import Response, Revision, Unit, db
from units.hierarchy import UnitTree

#: Rows fetched from the database at a time; the export never holds more than this many.
BATCH = 1000
#: Answers per JSON array of a row (see answers_array): PostgreSQL's functions take at most 100 arguments,
#: SQLite's 127.
ARRAY_KEYS = 100


@dataclass(frozen=True)
class ResponseFacts:
    """What the status of a report depends on (see reports.status.report_status)."""

    current_number: int | None
    is_submitted: bool
    submitted_late: bool
    #: The committee above's review (models.Response.review).
    review: str | None


@dataclass(frozen=True)
class UnitRecord:
    code: str
    name: str
    level: str
    district_code: str | None
    district_name: str | None
    grassroots_code: str | None
    grassroots_name: str | None
    response: ResponseFacts | None
    submitted_at: object
    updated_at: object
    revision_count: int
    answers: dict
    config_version: str | None
    deadline_extended_to: object = None
    #: The code of the unit directly under the export's scope that the unit falls under (itself if it is
    #: one, or if it is the scope).
    child_code: str | None = None


def shown_revision_number(include_drafts):
    """The number of the revision a committee reads of a report: the submitted one; with drafts, the current
    one of a report never submitted."""
    if include_drafts:
        return sa.func.coalesce(Response.submitted_number, Response.current_number)
    return Response.submitted_number


def answers_array(keys):
    """Select the answers of a revision to `keys` as one JSON array (null where there is none), decoded once per
    row: a province's figures are tens of thousands of rows of dozens of answers. Each value is what selecting
    `Revision.answers[key]` alone gives."""
    values = [Revision.answers[key] for key in keys]
    if db.engine.dialect.name == "postgresql":
        return sa.type_coerce(sa.func.jsonb_build_array(*values), postgresql.JSONB)
    return sa.type_coerce(sa.func.json_array(*values), sa.JSON)


class ExportSource:
    """The units of one scope and the answers an export shows for them, read from the database."""

    def __init__(self, scope=None, include_drafts=False):
        self.scope = scope
        self.include_drafts = include_drafts
        self.tree = UnitTree()

    def _select(self, *columns, first_by=()):
        """Select columns for every unit of the scope, with its exported revision, in hierarchy order
        (after the `first_by` expressions)."""
        shown = shown_revision_number(self.include_drafts)
        query = (
            self.tree.select(*columns, scope=self.scope)
            .outerjoin(Response, Response.unit_id == Unit.id)
            .outerjoin(Revision, sa.and_(Revision.response_id == Response.id, Revision.number == shown))
        )
        return self.tree.in_order(query, *first_by)

    def count(self):
        return self._execute(sa.select(sa.func.count()).select_from(self._select(Unit.id).subquery())).scalar()

    def units(self, question_ids):
        """Yield a UnitRecord per unit, with the answers to `question_ids` only."""
        answer_columns = [answers_array(question_ids[start:start + ARRAY_KEYS])
                          for start in range(0, len(question_ids), ARRAY_KEYS)]
        query = self._select(
            Unit.code, Unit.name, Unit.level,
            self.tree.district("code"), self.tree.district("name"),
            self.tree.grassroots("code"), self.tree.grassroots("name"),
            Response.id, Response.current_number, Response.submitted_number, Response.submitted_late,
            Response.submitted_at, Response.updated_at, Response.revision_count, Revision.config_version,
            Unit.deadline_extended_to, self.tree.child_of_scope(self.scope, "code"), Response.review,
            *answer_columns,
        )
        for row in self._stream(query):
            response = None if row[7] is None else ResponseFacts(row[8], row[9] is not None, row[10], row[17])
            values = itertools.chain.from_iterable(row[18:])
            answers = {qid: value for qid, value in zip(question_ids, values, strict=True) if value is not None}
            yield UnitRecord(
                code=row[0], name=row[1], level=row[2], district_code=row[3], district_name=row[4],
                grassroots_code=row[5], grassroots_name=row[6], response=response, submitted_at=row[11],
                updated_at=row[12], revision_count=row[13] or 0, answers=answers, config_version=row[14],
                deadline_extended_to=row[15], child_code=row[16],
            )

    def texts(self, question_ids):
        """Yield (question id, unit code, unit name, level, district name, grassroots name, answer) for
        every answer to `question_ids` as text: question by question in that order, units in hierarchy
        order. One query: each revision's answers are parsed once, and the database sorts."""
        yield from self._answers(question_ids, Unit.code, Unit.name, Unit.level, self.tree.district("name"),
                                 self.tree.grassroots("name"))

    def texts_by_child(self, question_ids):
        """Yield (question id, unit code, unit name, level, code and name of the unit directly under the
        scope that the unit falls under, answer), in the order of `texts`."""
        yield from self._answers(question_ids, Unit.code, Unit.name, Unit.level,
                                 self.tree.child_of_scope(self.scope, "code"),
                                 self.tree.child_of_scope(self.scope, "name"))

    def texts_with_unit_ids(self, question_ids):
        """Yield what `texts` yields and, last, the unit's id."""
        yield from self._answers(question_ids, Unit.code, Unit.name, Unit.level, self.tree.district("name"),
                                 self.tree.grassroots("name"), last=(Unit.id,))

    def _answers(self, question_ids, *columns, last=()):
        """Yield (question id, *columns, answer as text, *last) for every answer to `question_ids`: question
        by question in that order, units in hierarchy order."""
        if not question_ids:
            return
        if db.engine.dialect.name == "postgresql":
            pairs = sa.func.jsonb_each_text(Revision.answers).table_valued("key", "value")
            answer = pairs.c.value
        else:
            pairs = sa.func.json_each(Revision.answers).table_valued("key", "value")
            answer = sa.cast(pairs.c.value, sa.Text)
        position = sa.case({question_id: number for number, question_id in enumerate(question_ids)},
                           value=pairs.c.key)
        query = self._select(pairs.c.key, *columns, answer, *last, first_by=(position,))
        query = query.join(pairs, sa.true()).where(pairs.c.key.in_(question_ids), answer.is_not(None))
        yield from self._stream(query)

    def levels_below(self):
        """Return, for each unit code of the scope, the set of levels found below it."""
        found = {}
        # Units are at most two levels below a reporting unit (a district's cells).
        for ancestor in (self.tree.parent, self.tree.grandparent):
            query = self.tree.select(ancestor.code, Unit.level, scope=self.scope).where(ancestor.code.is_not(None))
            for code, level in self._execute(query.distinct()):
                found.setdefault(code, set()).add(level)
        # A few distinct sets serve thousands of committees: share them.
        shared = {}
        return {code: shared.setdefault(frozenset(levels), frozenset(levels)) for code, levels in found.items()}

    def answered_question_ids(self):
        """Return the ids of every answer key the exported revisions hold (retired questions included)."""
        revisions = self._select(Revision.id).where(Revision.id.is_not(None)).subquery()
        if db.engine.dialect.name == "postgresql":
            keys = sa.select(sa.func.jsonb_object_keys(Revision.answers).label("key"))
        else:
            each = sa.func.json_each(Revision.answers).table_valued("key")
            keys = sa.select(each.c.key).select_from(Revision).join(each, sa.true())
        keys = keys.where(Revision.id.in_(sa.select(revisions.c.id))).distinct()
        return set(self._execute(keys).scalars())

    def _stream(self, query):
        result = self._execute(query, yield_per=BATCH)
        for partition in result.partitions():
            yield from partition

    def _execute(self, query, **options):
        """Run one of the export's reads. A province's reads outlast the limit set for the statements of a
        page (DATABASE_STATEMENT_TIMEOUT): on PostgreSQL it is lifted for this transaction only."""
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("SET LOCAL statement_timeout = 0"))
        return db.session.execute(query, execution_options=options)
