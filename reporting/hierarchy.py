"""Units in hierarchy order and within one unit's subtree, in SQL.

The hierarchy is at most four levels deep below the province, so a unit's district-level committee
and grassroots committee are found by joining its parent and grandparent: no recursive query, and
the order (district, then each grassroots committee followed by its cells) is a plain ORDER BY.
"""

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from models import Unit
from schema import REPORTING_LEVELS

GRASSROOTS_LEVELS = ("dang_bo_co_so", "chi_bo_co_so")


class UnitTree:
    def __init__(self):
        self.parent = aliased(Unit)
        self.grandparent = aliased(Unit)

    def district(self, column):
        """The unit's district-level committee's `column` (code or name)."""
        return sa.case(
            (Unit.level == "cap_huyen", getattr(Unit, column)),
            (Unit.level.in_(GRASSROOTS_LEVELS), getattr(self.parent, column)),
            (Unit.level == "chi_bo_truc_thuoc", getattr(self.grandparent, column)),
        )

    def grassroots(self, column):
        """The unit's grassroots committee's `column`; the unit itself for a grassroots cell."""
        return sa.case(
            (Unit.level.in_(GRASSROOTS_LEVELS), getattr(Unit, column)),
            (Unit.level == "chi_bo_truc_thuoc", getattr(self.parent, column)),
        )

    def child_of_scope(self, scope, column):
        """The unit one level below `scope` that a unit falls under (or the unit itself)."""
        if scope is None or scope.level == "tinh":
            return self.district(column)
        if scope.level == "cap_huyen":
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

    def in_order(self, query):
        return query.order_by(self.district("code"), sa.func.coalesce(self.grassroots("code"), ""),
                              sa.case((Unit.level == "chi_bo_truc_thuoc", 1), else_=0), Unit.code)

    def within(self, query, scope):
        if scope is None or scope.level == "tinh":
            return query
        if scope.level == "cap_huyen":
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
