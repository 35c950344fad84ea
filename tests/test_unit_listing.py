"""The unit list (units.listing) in every filter, in a province and below: the count on every page agrees with
the rows, and the rows are those an independent query finds, one that computes the hierarchy from the units'
parents where the list reads their stored positions."""

import pytest
import sqlalchemy as sa

from models import Response, Unit, db
from reports.progress import status_expression
from reports.status import STATUS_FILTERS
from schema import REPORTING_LEVELS
from schema.store import current_survey
from units.hierarchy import UnitTree
from units.listing import PAGE_SIZE, UnitFilters, all_listed_units, list_units, search_condition

SEARCHES = ["tan", "tanloi", "D0001", "c00012", "Đảng bộ xã", "50%_", "no such unit"]


def expected_codes(scope, survey, now, filters):
    """The codes of the units the filters keep, in hierarchy order, found from each unit's parent and
    grandparent (UnitTree's computed codes and order), never from the stored positions."""
    tree = UnitTree()
    query = tree.select(Unit.code, scope=scope).outerjoin(Response, Response.unit_id == Unit.id)
    if filters.level in REPORTING_LEVELS:
        query = query.where(Unit.level == filters.level)
    if filters.status in STATUS_FILTERS:
        query = query.where(status_expression(survey, now).in_(STATUS_FILTERS[filters.status][1]))
    if filters.child:
        query = query.where(tree.child_of_scope(scope, "code") == filters.child)
    if filters.search:
        query = query.where(search_condition(filters.search))
    return db.session.scalars(query.order_by(*tree.order())).all()


def every_filter(scope, children):
    """Each filter alone, with the values a page offers and some it does not, and a few together."""
    yield UnitFilters()
    yield from (UnitFilters(level=level) for level in [*REPORTING_LEVELS, "tinh"])
    yield from (UnitFilters(status=status) for status in [*STATUS_FILTERS, "no-such-status"])
    yield from (UnitFilters(child=child) for child in [*children, scope.code, "NO-SUCH-UNIT"])
    yield from (UnitFilters(search=search) for search in SEARCHES)
    for child in children[:3]:
        yield UnitFilters(status="missing", child=child, level="chi_bo_truc_thuoc")
        yield UnitFilters(status="all_submitted", child=child, search="chi bo")


def listed_pages(scope, survey, now, filters):
    """Return the codes of every page of the list, and the total each page states."""
    codes, totals, number = [], set(), 1
    while True:
        page = list_units(scope, survey, now, filters, page=number)
        codes += [row.code for row in page.rows]
        totals.add(page.total)
        if number >= page.pages:
            return codes, totals
        number += 1


@pytest.mark.parametrize("shape", ["2025", "seed"])
@pytest.mark.parametrize("moment", ["before the deadlines", "after the cells' last day"])
def test_every_filters_count_agrees_with_its_rows_in_a_province_and_below(app, runner, clock, shape, moment):
    assert runner.invoke(args=["demo", "--units", "260", "--shape", shape]).exit_code == 0
    if moment != "before the deadlines":
        clock.after_last_day("chi_bo_truc_thuoc")
    with app.app_context():
        survey, now = current_survey(), clock()
        levels = dict(db.session.execute(sa.select(Unit.code, Unit.level)).all())
        committees = [next(code for code, level in sorted(levels.items()) if level == wanted)
                      for wanted in ("tinh", "cap_huyen", "dang_bo_co_so")]
        for code in committees:
            scope = db.session.scalar(sa.select(Unit).filter_by(code=code))
            children = db.session.scalars(sa.select(Unit.code).filter_by(parent_id=scope.id).order_by(Unit.code)).all()
            for filters in every_filter(scope, children):
                expected = expected_codes(scope, survey, now, filters)
                codes, totals = listed_pages(scope, survey, now, filters)
                assert (codes, totals) == (expected, {len(expected)}), (code, filters)
                assert [row.code for row in all_listed_units(scope, survey, now, filters)] == expected, (code, filters)
        province = db.session.scalar(sa.select(Unit).filter_by(code=committees[0]))
        assert len(expected_codes(province, survey, now, UnitFilters())) > 2 * PAGE_SIZE, "lists of pages"
