"""How a committee's figures are made from its units' answers, so that each member is counted once.

Every member belongs to one cell, and a committee's own figures already include its cells'. So a
question's answers are added up (or averaged) over the units that are asked it and have no unit
below them in the export that is asked it too: for members the cells, for the cells under a
grassroots committee the grassroots committees. Only submitted reports count; the others are
missing. The same rule is written into the workbook as SUMIFS over helper columns (see figures.py);
this module computes the values the formulas cache and the differences sheet lists.
"""

from collections import defaultdict
from dataclasses import dataclass, field


def counts_in_totals(level, levels_below, asked):
    """Tell whether a unit's answer counts: its level is asked, and no unit below it is asked too."""
    return level in asked and levels_below.isdisjoint(asked)


@dataclass
class Tally:
    """The units of one group (a committee's subtree, or the whole scope) and their counted answers."""

    units: int = 0
    submitted: int = 0
    sums: dict = field(default_factory=lambda: defaultdict(float))
    counts: dict = field(default_factory=lambda: defaultdict(int))
    #: For a weighted mean: the sum of the weights of the counted answers.
    weights: dict = field(default_factory=lambda: defaultdict(float))

    def add_unit(self, submitted):
        self.units += 1
        self.submitted += submitted

    def add(self, index, value, weight=None):
        self.counts[index] += 1
        if weight is None:
            self.sums[index] += value
        else:
            self.sums[index] += value * weight
            self.weights[index] += weight

    def result(self, index, column):
        """Return the group's figure for a totalled column, or None when no unit counted gives one."""
        if not self.counts[index]:
            return None
        if column.total == "sum":
            return self.sums[index]
        if column.weight:
            return self.sums[index] / self.weights[index] if self.weights[index] else None
        return self.sums[index] / self.counts[index]


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
    """Tell whether a committee's own figure differs from its units' by more than rounding."""
    return own is not None and computed is not None and abs(own - computed) > tolerance(column)
