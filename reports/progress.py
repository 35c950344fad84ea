"""Progress of a scope's reports, counted in SQL: one query per page, however many units."""

import functools
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from models import Response, Unit, db
from models.response import STATUS_INDEX
from schema import REPORTING_LEVELS
from units.hierarchy import child_range, directly_under_or_scope

from .status import SUBMITTED


def status_expression(survey, now):
    """The status of each unit's report, as reports.status.report_status computes it for one."""
    past_deadline = [level for level in REPORTING_LEVELS if now >= survey.deadline_for(level)]
    # Before any deadline, false rather than an empty IN: SQLite evaluates that as a subquery, once a unit.
    past = Unit.level.in_(past_deadline) if past_deadline else sa.false()
    extended = Unit.deadline_extended_to
    overdue = sa.case((extended.is_not(None), extended < survey.today(now)), else_=past)
    return sa.case(
        (Response.review.in_(("accepted", "returned")), Response.review),
        (sa.and_(Response.submitted_number.is_not(None), Response.review == "resubmitted"), "resubmitted"),
        (sa.and_(Response.submitted_number.is_not(None), Response.submitted_late), "submitted_late"),
        (Response.submitted_number.is_not(None), "submitted"),
        (overdue, "overdue"),
        (Response.id.is_(None), "not_opened"),
        (Response.current_number.is_(None), "opened"),
        else_="draft",
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

    def share(self, status):
        return self.counts[status] / self.total if self.total else 0


@dataclass
class Progress:
    by_level: list
    by_child: list
    overall: Row
    #: The status of the scope's own report, when the scope reports (it is counted in `overall`, never
    #: listed among the units under it).
    own_status: str | None = None


def scope_progress(scope, survey, now):
    """Count the scope's units by status, per level and per unit directly under the scope (whatever its
    level: under a province, committees above grassroots level, grassroots committees and cells).

    Each unit directly under the scope reads the range of positions its subtree holds through the position
    index: no unit's parents are joined, which at 50,000 units cost most of the page."""
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
    # The names are joined to the counts, not sorted with each unit's row.
    query = (sa.select(counted.c.level, named.code, named.name, named.level, counted.c.status, counted.c.units)
             .join(named, named.id == counted.c.child_id))
    levels = {level: Row(level, level) for level in REPORTING_LEVELS}
    children = {}
    overall = Row("", "")
    # Plain rows, not the ORM's: a province's counts are thousands of rows, which the ORM's loading doubled.
    for level, code, name, child_level, state, count in db.session.connection().execute(query):
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
