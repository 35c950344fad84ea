"""Progress of a scope's reports, counted by the database (and on SQLite finished in Python): one query per page,
however many units."""

import functools
import itertools
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from models import Response, Unit, db
from models.response import STATUS_INDEX
from schema import REPORTING_LEVELS
from units.hierarchy import child_range, directly_under_or_scope

from .status import STATUS_LABELS, SUBMITTED

#: Each status spelled by its name.
STATUS_NAMES = {status: status for status in STATUS_LABELS}


def status_expression(survey, now, spelled=STATUS_NAMES):
    """The status of each unit's report, as reports.status.report_status computes it for one, spelled as
    `spelled` gives each status: by default its name."""
    past_deadline = [level for level in REPORTING_LEVELS if now >= survey.deadline_for(level)]
    # Before any deadline, false rather than an empty IN: SQLite evaluates that as a subquery, once a unit.
    past = Unit.level.in_(past_deadline) if past_deadline else sa.false()
    extended = Unit.deadline_extended_to
    overdue = sa.case((extended.is_not(None), extended < survey.today(now)), else_=past)
    submitted = Response.submitted_number.is_not(None)
    return sa.case(
        (Response.review == "accepted", spelled["accepted"]),
        (Response.review == "returned", spelled["returned"]),
        (sa.and_(submitted, Response.review == "resubmitted"), spelled["resubmitted"]),
        (sa.and_(submitted, Response.submitted_late), spelled["submitted_late"]),
        (submitted, spelled["submitted"]),
        (overdue, spelled["overdue"]),
        (Response.id.is_(None), spelled["not_opened"]),
        (Response.current_number.is_(None), spelled["opened"]),
        else_=spelled["draft"],
    )


def join_responses(query):
    """Join each unit of `query` to its response, as status_expression reads it: on SQLite through the index that
    holds every column the status reads. Without statistics (the service never runs ANALYZE) SQLite takes the
    unique index on unit_id and then reads each response's row, which doubles a province's count."""
    return (query.outerjoin(Response, Response.unit_id == Unit.id)
            .with_hint(Response, f"INDEXED BY {STATUS_INDEX}", "sqlite"))


@dataclass
class Row:
    """Counts of one level or one unit below the scope."""

    code: str
    name: str
    counts: Counter = field(default_factory=Counter)
    #: The unit's level, for a unit below the scope (units directly under a province differ in level).
    level: str | None = None

    # Read once the counting is done, and then for each status of each row of the page: summed once.
    @functools.cached_property
    def total(self):
        return sum(self.counts.values())

    @functools.cached_property
    def submitted(self):
        return sum(self.counts[status] for status in SUBMITTED)


@dataclass
class Progress:
    by_level: list
    by_child: list
    overall: Row
    #: The status of the scope's own report, when the scope reports (it is counted in `overall`, never
    #: listed among the units under it).
    own_status: str | None = None


#: A letter for each level and status a unit can have (see _counts).
LETTERS = {pair: chr(ord("A") + index)
           for index, pair in enumerate(itertools.product(REPORTING_LEVELS, STATUS_LABELS))}
LEVEL_AND_STATUS = {letter: pair for pair, letter in LETTERS.items()}


def scope_progress(scope, survey, now):
    """Count the scope's units by status, per level and per unit directly under the scope (whatever its
    level: under a province, committees above grassroots level, grassroots committees and cells).

    Each unit directly under the scope reads the range of positions its subtree holds through the position
    index: no unit's parents are joined, which at 50,000 units cost most of the page."""
    levels = {level: Row(level, level) for level in REPORTING_LEVELS}
    children = {}
    overall = Row("", "")
    for code, name, child_level, level, state, count in _counts(scope, survey, now):
        levels[level].counts[state] += count
        if code not in children:
            children[code] = Row(code, name, level=child_level)
        children[code].counts[state] += count
        overall.counts[state] += count
    own = children.pop(scope.code, None) if scope is not None else None
    by_level = [row for row in levels.values() if row.total]
    by_child = sorted(children.values(), key=lambda row: row.code or "")
    return Progress(by_level=by_level, by_child=by_child, overall=overall,
                    own_status=next(iter(own.counts)) if own else None)


def _counts(scope, survey, now):
    """Yield (code, name and level of a unit directly under the scope or of the scope, a level, a status, the
    number of the unit's reporting units of that level and status), as plain rows: the ORM's loading of a
    province's rows doubled the count.

    Each database counts its own way. PostgreSQL groups a province's 50,000 rows by hashing them. SQLite sorts
    them to group them, some 30 ms of the page, so there each unit directly under the scope strings its units'
    LETTERS together in a subquery, and Python counts the letters. (PostgreSQL ran that subquery in 1.5 s, and
    grouping by the unit alone made SQLite choose a plan of 19 s.)"""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        yield from connection.execute(_grouped_counts(scope, survey, now))
        return
    for code, name, child_level, letters in connection.execute(_letters_by_child(scope, survey, now)):
        for letter, count in Counter(letters or "").items():
            yield (code, name, child_level, *LEVEL_AND_STATUS[letter], count)


def _grouped_counts(scope, survey, now):
    child, named = aliased(Unit), aliased(Unit)
    status = status_expression(survey, now).label("status")
    counted = (sa.select(child.id.label("child_id"), Unit.level.label("level"), status, sa.func.count().label("units"))
               .select_from(child)
               .join(Unit, Unit.position.between(*child_range(child, scope))))
    counted = (
        join_responses(counted)
        .where(directly_under_or_scope(child, scope), Unit.level.in_(REPORTING_LEVELS))
        .group_by(child.id, Unit.level, status)
        .subquery()
    )
    # The names are joined to the counts, not grouped with each unit's row; and read from the units directly
    # under the scope only: PostgreSQL, which cannot tell how few groups there are, otherwise hashes every unit.
    return (sa.select(named.code, named.name, named.level, counted.c.level, counted.c.status, counted.c.units)
            .join(named, named.id == counted.c.child_id).where(directly_under_or_scope(named, scope)))


def _letters_by_child(scope, survey, now):
    """Select each unit directly under the scope (and the scope itself) with the LETTERS of its subtree's
    reporting units."""
    child = aliased(Unit)
    letter = sa.case({level: status_expression(survey, now, spelled={status: LETTERS[level, status] for status in
                                                                      STATUS_LABELS})
                      for level in REPORTING_LEVELS}, value=Unit.level)
    subtree = (join_responses(sa.select(sa.func.group_concat(letter, "")).select_from(Unit))
               .where(Unit.position.between(*child_range(child, scope)), Unit.level.in_(REPORTING_LEVELS))
               .scalar_subquery())
    return sa.select(child.code, child.name, child.level, subtree).where(directly_under_or_scope(child, scope))
