"""How a committee's figures are made from its units' answers, so that each member is counted once.

Every member belongs to one cell, and a committee's own figures already include its cells'. So a
question's answers are added up (or averaged) over the units that are asked it and have no unit
below them in the export that is asked it too: for members the cells, for the cells under a
grassroots committee the grassroots committees. Only submitted reports count; the others are
missing. The same rule is written into the workbook as SUMIFS over helper columns (see figures.py);
this module computes the values the formulas cache and the differences sheet lists.
"""

from array import array

FLOAT_SLACK = 1e-9


def counts_in_totals(level, levels_below, asked):
    """Tell whether a unit's answer counts: its level is asked, and no unit below it is asked too."""
    return level in asked and levels_below.isdisjoint(asked)


class Tally:
    """The units of one group (a committee's subtree, or the whole scope) and their counted answers, by
    position among the totalled columns. Kept in arrays of machine numbers: an export holds one per
    committee, thousands in a province."""

    __slots__ = ("counts", "submitted", "sums", "units", "weights")

    def __init__(self, size):
        self.units = self.submitted = 0
        self.sums, self.counts = array("d", bytes(8 * size)), array("q", bytes(8 * size))
        #: For a weighted mean: the sum of the weights of the counted answers.
        self.weights = array("d", bytes(8 * size))

    def add_unit(self, submitted, counted):
        """Count one unit, and its counted answers: (position, value, weight or None) each."""
        self.units += 1
        self.submitted += submitted
        for position, value, weight in counted:
            self.counts[position] += 1
            if weight is None:
                self.sums[position] += value
            else:
                self.sums[position] += value * weight
                self.weights[position] += weight

    def result(self, position, column):
        """Return the group's figure for a totalled column, or None when no unit counted gives one."""
        if not self.counts[position]:
            return None
        if column.total == "sum":
            return self.sums[position]
        if column.weight:
            return self.sums[position] / self.weights[position] if self.weights[position] else None
        return self.sums[position] / self.counts[position]


def compares_with_own(column):
    """Tell whether a committee's own answer can stand beside its units' figure: a number can; a yes or
    a ticked option cannot, since the units' figure counts units."""
    return column.kind in ("integer", "decimal", "percent")


def tolerance(column):
    """Return how far a committee's own figure may be from its units' before it is flagged: sums must
    agree; means are read to one decimal (a percentage cell holds a share: to a tenth of a percent)."""
    if column.total == "sum":
        return 0
    return 0.0005 if column.kind == "percent" else 0.05


def differs(own, computed, column):
    """Tell whether a committee's own figure differs from its units' by more than rounding. Rounding either
    way is rounding: 3.2 or 3.3 for 3.25 (FLOAT_SLACK keeps binary fractions from making 0.05 more)."""
    return own is not None and computed is not None and abs(own - computed) > tolerance(column) + FLOAT_SLACK
