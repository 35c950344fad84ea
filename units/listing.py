"""The list of a scope's units with their status: filtered, searched, a page at a time, in SQL.

The list of units still missing is this list filtered to the statuses that are missing (status "missing").
"""

import math
from dataclasses import dataclass, fields

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from models import Response, Unit, db
from models.unit import fold_for_search
from reports.progress import join_responses, status_expression
from reports.status import STATUS_FILTERS
from schema import REPORTING_LEVELS

from .hierarchy import UnitTree, child_range, directly_under_or_scope, in_subtree

#: Rows on one page of the list: a page stays small and quick at any size of province.
PAGE_SIZE = 100


@dataclass(frozen=True)
class UnitFilters:
    """What a committee narrows its list to; a value the list does not know is ignored."""

    level: str | None = None
    #: A key of STATUS_FILTERS: one status, or a group ("missing").
    status: str | None = None
    #: The code of a unit directly under the scope: that unit and the units under it.
    child: str | None = None
    #: Part of a name, or the start of a code.
    search: str | None = None

    @classmethod
    def from_values(cls, values, **defaults):
        """Read the filters from a mapping such as request.args; an empty value counts as none."""
        return cls(**{f.name: values.get(f.name) or defaults.get(f.name) for f in fields(cls)})

    def as_values(self):
        """Return the filters that are set, to build the address of the same list (another page of it)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


@dataclass(frozen=True)
class UnitListPage:
    #: The rows of unit_list_query, in hierarchy order.
    rows: list
    #: How many units the filters keep, on every page.
    total: int
    number: int

    @property
    def pages(self):
        return page_count(self.total)

    @property
    def first(self):
        """The position of the page's first row in the whole list, from 1."""
        return (self.number - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self):
        return self.first + len(self.rows) - 1 if self.rows else 0


def unit_list_query(scope, survey, now, filters):
    """Select the scope's units that the filters keep, in hierarchy order: see listed_rows."""
    return listed_rows(scope, survey, now, kept(scope, status_expression(survey, now), filters))


def listed_rows(scope, survey, now, conditions):
    """Select the units that the conditions keep, in hierarchy order: code, name, level, under, status, last
    saved, then what chasing a unit takes (its contact, link token, extension and the last day a return
    gave)."""
    tree = UnitTree()
    query = join_responses(
        tree.select(Unit.code, Unit.name, Unit.level, under(tree, scope).label("under"),
                    status_expression(survey, now).label("status"), Response.updated_at, Unit.contact_name,
                    Unit.contact_role, Unit.contact_phone, Unit.contact_email, Unit.token,
                    Unit.deadline_extended_to, Response.correct_until)
    )
    return tree.in_order(query.where(*conditions))


def listed_count(scope, survey, now, filters):
    """Select how many units unit_list_query keeps."""
    return kept_units(scope, survey, now, filters, sa.func.count())


def page_ids(scope, survey, now, filters, number):
    """Select the ids of the units on page `number` of unit_list_query's list."""
    return (listed_unit_ids(scope, survey, now, filters).order_by(Unit.position)
            .limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE))


def kept_units(scope, survey, now, filters, *columns):
    """Select `columns` of the units unit_list_query keeps, from the same conditions, with only the response
    joined, and only when the status is asked: not the parents that the list's "under" column reads, which
    PostgreSQL otherwise joins to every unit kept before it sorts them (tens of thousands of wide rows, sorted
    on disk, for a page of 100)."""
    query = sa.select(*columns).select_from(Unit).where(Unit.level.in_(REPORTING_LEVELS))
    if filters.status in STATUS_FILTERS:
        query = join_responses(query)
    return query.where(*kept(scope, status_expression(survey, now), filters))


def kept(scope, state, filters):
    """The conditions that keep a unit of the list: in the scope, and the filters; on the unit's own columns
    and its response's (`state`, its status) alone."""
    conditions = [in_subtree(scope)]
    if filters.level in REPORTING_LEVELS:
        conditions.append(Unit.level == filters.level)
    if filters.status in STATUS_FILTERS:
        conditions.append(state.in_(STATUS_FILTERS[filters.status][1]))
    if filters.child:
        conditions.append(under_child(scope, filters.child))
    if filters.search and filters.search.strip():
        conditions.append(search_condition(filters.search))
    return conditions


def under_child(scope, code):
    """The condition that a unit falls under the unit `code` directly under `scope`, or is it (the scope's own
    code keeps the scope alone, as UnitTree.child_of_scope has it): a range of positions."""
    child = aliased(Unit)
    chosen = sa.and_(child.code == code, directly_under_or_scope(child, scope))
    first, last = (sa.select(bound).where(chosen).scalar_subquery() for bound in child_range(child, scope))
    return Unit.position.between(first, last)


def listed_unit_ids(scope, survey, now, filters):
    """Select the ids of the scope's units that the filters keep: to narrow another list of the scope's units
    (its links, its invitations) to the same units."""
    return kept_units(scope, survey, now, filters, Unit.id)


def under(tree, scope):
    """The name of the unit directly under `scope` that a unit falls under; for a unit directly under the
    scope, the scope's; none for the scope itself. Never the unit's own name."""
    child = tree.child_of_scope(scope, "code")
    return sa.case((Unit.id == scope.id, sa.null()), (child == Unit.code, tree.parent.name),
                   else_=tree.child_of_scope(scope, "name"))


def list_units(scope, survey, now, filters, page=1):
    """Return one page of the scope's units that the filters keep (the last page if `page` is past it)."""
    total = db.session.scalar(listed_count(scope, survey, now, filters))
    number = min(max(page, 1), page_count(total))
    # The page's units are chosen first; only their rows are then read whole.
    on_page = Unit.id.in_(page_ids(scope, survey, now, filters, number))
    rows = db.session.execute(listed_rows(scope, survey, now, [on_page])).all()
    return UnitListPage(rows=rows, total=total, number=number)


def page_count(total):
    """Return how many pages a list of `total` units takes (one, even empty)."""
    return max(1, math.ceil(total / PAGE_SIZE))


def all_listed_units(scope, survey, now, filters):
    """Return every unit of the scope that the filters keep, for a download."""
    return db.session.execute(unit_list_query(scope, survey, now, filters)).all()


def search_condition(text):
    """Match a unit whose code starts with the text, ignoring case ("bmt.tl" finds BMT.TL and its cells),
    or whose name holds it, ignoring diacritics, case and spaces ("tan loi", "tanloi" and "Tân  Lợi" all
    find "Tân Lợi")."""
    text = text.strip()
    squeezed = "".join(fold_for_search(text).split())
    name = sa.func.replace(Unit.search_name, " ", "").like(f"%{like_escaped(squeezed)}%", escape="\\")
    code = sa.func.lower(Unit.code).like(f"{like_escaped(text.lower())}%", escape="\\")
    return sa.or_(name, code)


def like_escaped(text):
    """Escape LIKE's wildcards, so that "_" and "%" typed in a search match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
