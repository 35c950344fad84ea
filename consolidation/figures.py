"""A scope's figures, tallied unit by unit: per committee and for the whole scope (see consolidation.rules).

The helper columns say which units count (1/0 per set of asked levels, whether the report is submitted, and
for a weighted mean the value times its weight); the figures sheet writes them as columns its formulas
read, and the consolidated draft reads the same tallies.
"""

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _

from schema import level_label
from schema.types import Column

from .rules import Tally, compares_with_own, counts_in_totals, differs

#: The committees that get a row of totals, and the figures sheet's column that names their subtree.
COMMITTEE_KEYS = {"cap_huyen": "above_grassroots_code", "dang_bo_co_so": "grassroots_code"}
#: The attribute of a unit's record that names its committee of each of those levels.
COMMITTEE_OF = {"cap_huyen": "district_code", "dang_bo_co_so": "grassroots_code"}
SUBMITTED = "submitted"

#: A weighted mean's helper cells: the value times its weight, and the weight, where both are given.
PRODUCT_FORMULA = '=IF(AND(ISNUMBER({0}),ISNUMBER({1})),{0}*{1},"")'
WEIGHT_FORMULA = '=IF(AND(ISNUMBER({0}),ISNUMBER({1})),{1},"")'


@dataclass(frozen=True, slots=True)
class Committee:
    code: str
    name: str
    level: str
    #: Its own answers to the totalled columns, in their order; None where it is not asked or not compared.
    own: tuple


def consolidation_columns(columns, levels_below):
    """Return the helper columns the totals read, for the totalled `columns`; `levels_below` gives each
    unit code the levels found below it."""
    totalled = [column for column in columns if column.total]
    by_levels = dict.fromkeys(column.levels for column in totalled)
    helpers = [counted_column(levels, levels_below) for levels in by_levels]
    for column in totalled:
        if column.weight:
            helpers += weighted_mean_columns(column, next(c for c in columns if c.code == column.weight))
    return helpers


def counted_column(levels, levels_below):
    def counted(record):
        return int(counts_in_totals(record.level, levels_below.get(record.code, frozenset()), levels))

    asked = ", ".join(str(level_label(level)) for level in levels)
    return Column(counted_code(levels), _("Counts in the totals of the questions asked of %(levels)s (1 = yes)",
                                          levels=asked), "flag", counted, 24)


def counted_code(levels):
    return "counted:" + "+".join(levels)


def product_code(column):
    """The code of a weighted mean's helper column holding value × weight."""
    return f"{column.code}*{column.weight}"


def weight_code(column):
    """The code of a weighted mean's helper column holding the weight where the value is given."""
    return f"{column.weight}@{column.code}"


def weighted_mean_columns(column, weight):
    def both(record):
        value, weighed_by = column.value(record), weight.value(record)
        return None if value is None or weighed_by is None else (value, weighed_by)

    def product(record):
        pair = both(record)
        return None if pair is None else pair[0] * pair[1]

    def weight_used(record):
        pair = both(record)
        return None if pair is None else pair[1]

    inputs = (column.code, weight.code)
    return [
        Column(product_code(column), _("%(question)s × %(weight)s", question=column.code,
                                                 weight=weight.code),
               "decimal", product, 14, formula=PRODUCT_FORMULA, inputs=inputs),
        Column(weight_code(column), _("%(weight)s where %(question)s is given", question=column.code,
                                                 weight=weight.code),
               "decimal", weight_used, 14, formula=WEIGHT_FORMULA, inputs=inputs),
    ]


class FigureTallies:
    """The figures of a scope's committees and of the whole scope, made from its units' rows one at a
    time (see consolidation.rules): a Tally per committee and one for the scope, and each committee's
    own answers to compare with them. The figures sheet and the consolidated draft both count this way."""

    def __init__(self, columns):
        self.columns = columns
        self.index = {column.code: index for index, column in enumerate(columns)}
        self.totalled = [(i, c) for i, c in enumerate(columns) if c.total]
        #: Per totalled column: its position, and the indexes of its value, of the flag saying whether a
        #: unit counts, and of its weight (None for a sum or a plain mean).
        self.counting = [(position, index, self.index[counted_code(column.levels)],
                          self.index[column.weight] if column.weight else None)
                         for position, (index, column) in enumerate(self.totalled)]
        self.submitted_index = self.index[SUBMITTED]
        size = len(self.totalled)
        #: By ("all",), (COMMITTEE_KEYS value, committee code), or a key a caller adds (see count).
        self.tallies = defaultdict(lambda: Tally(size))
        self.committees = []

    def values(self, record):
        """Return the record's value in each column."""
        return [column.value(record) for column in self.columns]

    def count(self, record, values, groups=()):
        """Count a unit, given its `values`, in the scope's tally, its committees' and the `groups` keys'."""
        submitted = bool(values[self.submitted_index])
        counted = self._counted(values) if submitted else ()
        self.tallies[("all",)].add_unit(submitted, counted)
        for level, attribute in COMMITTEE_OF.items():
            code = getattr(record, attribute)
            if code:
                self.tallies[(COMMITTEE_KEYS[level], code)].add_unit(submitted, counted)
        for key in groups:
            self.tallies[key].add_unit(submitted, counted)
        if record.level in COMMITTEE_KEYS:
            own = tuple(values[index] if record.level in column.levels and compares_with_own(column) else None
                        for index, column in self.totalled)
            self.committees.append(Committee(record.code, record.name, record.level, own))

    def _counted(self, values):
        """Return (position, value, weight) of each answer of the row that counts in the totals."""
        counted = []
        for position, index, flag, weight_index in self.counting:
            value = values[index]
            if value is None or not values[flag]:
                continue
            weight = None if weight_index is None else values[weight_index]
            if weight_index is None or weight is not None:
                counted.append((position, value, weight))
        return counted

    def committee_tally(self, code, level):
        """Return the tally of a committee's subtree."""
        return self.tallies[(COMMITTEE_KEYS[level], code)]


def difference_rows(figures):
    """Yield (committee, column, own, units' figure, tally) wherever a committee's own answer differs."""
    for committee in figures.committees:
        tally = figures.committee_tally(committee.code, committee.level)
        for position, (_index, column) in enumerate(figures.totalled):
            own, computed = committee.own[position], tally.result(position, column)
            if differs(own, computed, column):
                yield committee, column, own, computed, tally


def submitted_column():
    """The column saying whether the unit's report is submitted: only those count in the totals."""
    return Column("submitted", _("Submitted (1 = yes)"), "flag", is_submitted, 10)


def is_submitted(record):
    return int(record.response is not None and record.response.is_submitted)
