"""The hierarchy in SQL (units.hierarchy), checked against the tree walked in Python, for both shapes
of province: the seed's (every grassroots unit under a district) and today's (communes, wards and
grassroots cells directly under the province too)."""

import re

import pytest
import sqlalchemy as sa
from conftest import DEMO_LISTS, Hierarchy

from models import Unit, db
from schema.levels import GRASSROOTS_LEVELS
from units.changes import import_units
from units.hierarchy import UnitTree, in_subtree, last_position

SHAPES = ["seed", "2025"]


@pytest.mark.parametrize("shape", SHAPES)
def test_every_unit_in_hierarchy_order_with_its_committees(app, hierarchy):
    tree = UnitTree()
    with app.app_context():
        rows = db.session.execute(tree.in_order(tree.select(
            Unit.code, tree.district("code"), tree.district("name"), tree.grassroots("code"),
            tree.grassroots("name"), tree.child_of_scope(None, "code")))).all()
    assert [row[0] for row in rows] == hierarchy.in_order()
    province = hierarchy.children(None)[0]
    for code, district, district_name, grassroots, grassroots_name, child in rows:
        expected_district = hierarchy.ancestor_at(code, ("cap_huyen",))
        expected_grassroots = hierarchy.ancestor_at(code, GRASSROOTS_LEVELS)
        assert (district, district_name) == (expected_district, hierarchy.name(expected_district)), code
        assert (grassroots, grassroots_name) == (expected_grassroots, hierarchy.name(expected_grassroots)), code
        assert child == hierarchy.directly_under(province, code), code


@pytest.mark.parametrize("shape", ["2025"])
def test_todays_shape_has_units_with_no_district_and_units_with_one(app, units):
    """What the tests above meet in the 2025 list: grassroots committees and cells directly under the
    province (no committee above grassroots level), others under a committee directly under it."""
    tree = UnitTree()
    with app.app_context():
        district = dict(db.session.execute(tree.select(Unit.code, tree.district("code"))).all())
    assert district["BMT"] is None and district["BMT.01"] is None and district["IARVE"] is None
    assert district["CQD.VP"] == district["CQD.VP.01"] == district["CQD.BTC"] == "TU.CQD"


@pytest.mark.parametrize("shape", SHAPES)
def test_each_scope_holds_its_subtree_and_names_the_units_directly_under_it(app, units, hierarchy):
    tree = UnitTree()
    with app.app_context():
        for code, scope in units.items():
            query = tree.in_order(tree.select(Unit.code, tree.child_of_scope(scope, "code"), scope=scope))
            rows = db.session.execute(query).all()
            assert [row[0] for row in rows] == hierarchy.in_order(code), code
            assert [row[1] for row in rows] == [hierarchy.directly_under(code, unit) for unit, _ in rows], code


@pytest.mark.parametrize("shape", SHAPES)
def test_each_units_subtree_is_the_range_of_positions_up_to_its_last(app, units, hierarchy):
    """Lists and counts read a subtree as a range of stored positions (units.hierarchy.last_position, in_subtree)."""
    unit = sa.orm.aliased(Unit)
    with app.app_context():
        ranges = {code: (first, last) for code, first, last in
                  db.session.execute(sa.select(unit.code, unit.position, last_position(unit)))}
        numbered = sa.select(Unit.position, Unit.code).where(Unit.position.is_not(None))
        by_position = dict(db.session.execute(numbered).all())
        for code, scope in units.items():
            kept = db.session.scalars(sa.select(Unit.code).where(Unit.level != "tinh", in_subtree(scope))
                                      .order_by(Unit.position)).all()
            assert kept == hierarchy.in_order(code), code
    for code, (first, last) in ranges.items():
        if units[code].level != "tinh":
            assert [by_position[position] for position in range(first, last + 1)] == hierarchy.in_order(code), code


def test_the_stored_order_follows_units_added_and_moved(app, units):
    """A list imported again moves a district's committees directly under the province (as in 2025) and
    adds a unit whose code sorts before every other: the order pages and exports read (Unit.position,
    written on import) is the new tree's, and no reporting unit is left without a place."""
    rows = DEMO_LISTS["seed"].read_text(encoding="utf-8").splitlines()
    moved = [re.sub(r",TU\.KP$", ",TU", row) if ",dang_bo_co_so," in row else row for row in rows]
    assert moved != rows, "the seed's district TU.KP has grassroots committees to move"
    added = "0.FIRST,Chi bộ thôn mới,chi_bo_truc_thuoc," + next(
        row.split(",")[0] for row in moved if ",dang_bo_co_so," in row and row.endswith(",TU"))
    tree = UnitTree()
    with app.app_context():
        import_units("\n".join([*moved, added]).encode("utf-8"))
        found = {unit.code: unit for unit in db.session.scalars(sa.select(Unit))}
        ordered = db.session.scalars(tree.in_order(tree.select(Unit.code))).all()
        unnumbered = db.session.scalars(tree.select(Unit.code).where(Unit.position.is_(None))).all()
    assert ordered == Hierarchy(found).in_order()
    assert unnumbered == []
