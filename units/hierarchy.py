"""Units in hierarchy order and within one unit's subtree, in SQL.

A province takes two shapes, mixed (see schema.levels): the seed's, where every grassroots unit sits
under a committee above grassroots level (`cap_huyen`: huyện ủy, thành ủy, đảng ủy trực thuộc Tỉnh
ủy), and today's, where commune and ward committees and grassroots cells also sit directly under the
province. Either way a unit lies at most two levels below the unit directly under the province that
it falls under, so its committee above grassroots level and its grassroots unit are found among the
unit itself, its parent and its grandparent, by level: no recursive query, and hierarchy order (each
unit directly under the province followed by its subtree, siblings by code) is a plain ORDER BY. That
order is stored as each unit's position whenever units are added or moved (renumber_units), so that lists
sort by one indexed column; and since that order is a walk of the tree, each unit's subtree is a range of
positions (subtree_range), which a list or a count reads through an index without joining any parent.
"""

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from models import Unit, db
from schema.levels import ABOVE_GRASSROOTS_LEVEL, GRASSROOTS_LEVELS, REPORTING_LEVELS


class UnitTree:
    def __init__(self):
        self.parent = aliased(Unit)
        self.grandparent = aliased(Unit)

    def _ancestor_or_self(self, levels, column):
        """`column` of the nearest of the unit, its parent, its grandparent whose level is in `levels`;
        NULL if none is."""
        return sa.case(*((unit.level.in_(levels), getattr(unit, column))
                         for unit in (Unit, self.parent, self.grandparent)))

    def district(self, column):
        """The `column` (code or name) of the unit's committee above grassroots level, the unit itself
        if it is one; NULL for a unit with none above it (directly under the province, or under a
        grassroots committee that is)."""
        return self._ancestor_or_self((ABOVE_GRASSROOTS_LEVEL,), column)

    def grassroots(self, column):
        """The `column` of the unit's grassroots committee or cell, the unit itself if it is one; NULL
        for a committee above grassroots level."""
        return self._ancestor_or_self(GRASSROOTS_LEVELS, column)

    def top(self, column):
        """The `column` of the unit directly under the province that the unit falls under (or is):
        its committee above grassroots level if it has one, otherwise its grassroots unit."""
        return sa.func.coalesce(self.district(column), self.grassroots(column))

    def child_of_scope(self, scope, column):
        """The `column` of the unit directly under `scope` that a unit falls under, whatever its level
        (the unit itself if it is directly under the scope, or is the scope)."""
        if scope is None or scope.level == "tinh":
            return self.top(column)
        if scope.level == ABOVE_GRASSROOTS_LEVEL:
            return sa.func.coalesce(self.grassroots(column), getattr(Unit, column))
        return getattr(Unit, column)

    def select(self, *columns, scope=None):
        """Select `columns` for every reporting unit in `scope`'s subtree, in hierarchy order."""
        query = (
            sa.select(*columns)
            .select_from(Unit)
            .outerjoin(self.parent, Unit.parent_id == self.parent.id)
            .outerjoin(self.grandparent, self.parent.parent_id == self.grandparent.id)
            .where(Unit.level.in_(REPORTING_LEVELS))
        )
        return self.within(query, scope)

    def order(self):
        """The hierarchy order, computed: each unit directly under the province followed by its subtree;
        under a committee above grassroots level, the committee first, then each grassroots unit followed
        by its cells; siblings by code."""
        return (self.top("code"), sa.func.coalesce(self.grassroots("code"), ""),
                sa.case((Unit.level == "chi_bo_truc_thuoc", 1), else_=0), Unit.code)

    def in_order(self, query, *first):
        """Order a `select` query (by the `first` expressions, if given, then) in hierarchy order."""
        return query.order_by(*first, Unit.position)

    def within(self, query, scope):
        if scope is None or scope.level == "tinh":
            return query
        if scope.level == ABOVE_GRASSROOTS_LEVEL:
            return query.where(self.district("code") == scope.code)
        if scope.level in GRASSROOTS_LEVELS:
            return query.where(self.grassroots("code") == scope.code)
        return query.where(Unit.code == scope.code)

    def contains(self, scope, unit):
        """Tell whether `unit` lies in `scope`'s subtree (a unit is in its own)."""
        ancestors = []
        while unit is not None:
            ancestors.append(unit.id)
            unit = unit.parent
        return scope.id in ancestors


def subtree_ids(scope):
    """The ids of the units of a committee's subtree, found through the parent index: the same units as
    UnitTree.within's condition on computed codes (a unit lies at most two levels below the unit directly
    under the province), but a set the database can start from instead of reading every answer first."""
    children = sa.select(Unit.id).where(Unit.parent_id == scope.id)
    return sa.select(Unit.id).where(sa.or_(Unit.id == scope.id, Unit.parent_id == scope.id,
                                           Unit.parent_id.in_(children)))


def last_position(unit):
    """The position of the last unit of `unit`'s subtree in hierarchy order: its last child's last child, else
    its last child, else itself (no unit lies more than two levels below the unit directly under the province,
    so this holds for any unit but the province). `unit` is a Unit, or an alias of it in the enclosing query;
    each step is one seek on the (parent, position) index."""
    child, grandchild = aliased(Unit), aliased(Unit)
    # Explicit correlations: `unit`'s query may lie more than one level out (two, from last_child), where
    # SQLAlchemy's automatic correlation does not reach.
    last_child = (sa.select(child.id).where(child.parent_id == unit.id, child.position.is_not(None))
                  .correlate_except(child).order_by(child.position.desc()).limit(1).scalar_subquery())
    return sa.func.coalesce(
        sa.select(sa.func.max(grandchild.position)).where(grandchild.parent_id == last_child).scalar_subquery(),
        sa.select(sa.func.max(child.position)).where(child.parent_id == unit.id).correlate_except(child)
        .scalar_subquery(),
        unit.position)


def in_subtree(scope):
    """The condition that a unit lies in `scope`'s subtree (any unit, for the province or no scope), on its
    stored position: the same units as UnitTree.within, without joining parents."""
    if scope is None or scope.level == "tinh":
        return sa.true()
    return Unit.position.between(scope.position, last_position(scope))


def directly_under_or_scope(unit, scope):
    """The condition that `unit` (an alias of Unit) is directly under `scope` (the province, for no scope) or is
    the scope: the units UnitTree.child_of_scope can name."""
    if scope is None:
        province = aliased(Unit)
        return unit.parent_id.in_(sa.select(province.id).where(province.parent_id.is_(None)))
    return sa.or_(unit.parent_id == scope.id, unit.id == scope.id)


def child_range(unit, scope):
    """The first and last positions of the units that UnitTree.child_of_scope puts under `unit`, one of
    directly_under_or_scope's: its subtree; the scope alone, for the scope itself."""
    last = last_position(unit)
    if scope is not None:
        last = sa.case((unit.id == scope.id, unit.position), else_=last)
    return unit.position, last


def renumber_units(session=None):
    """Write each reporting unit's place in hierarchy order (Unit.position), after units were added or moved,
    in `session` (by default the app's).

    The order is computed from each unit's parent and grandparent; stored, it sorts a list of answers or
    units without joining them (a province-wide search sorts tens of thousands of hits for each page). Only
    the positions that changed are written."""
    tree = UnitTree()
    ordered = tree.select(Unit.id.label("id"),
                          sa.func.row_number().over(order_by=tree.order()).label("position")).subquery()
    (session or db.session).execute(sa.update(Unit).where(Unit.id == ordered.c.id,
                                                       Unit.position.is_distinct_from(ordered.c.position))
                                 .values(position=ordered.c.position)
                                 .execution_options(synchronize_session=False))
