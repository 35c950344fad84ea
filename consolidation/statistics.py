"""Statistics per question and per level group, over the submitted reports.

Cells and committees are never mixed: a cell's figure and a committee's (which already covers its
cells) do not belong in one mean. Numbers get count, min, mean and max; choices the count and share
of each option, also written the way a party report does ("12/20 chi bộ (60%)").
"""

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from schema.types import format_number

#: The groups of levels the statistics keep apart, and what a report calls their units.
LEVEL_GROUPS = {
    "cells": (("chi_bo_co_so", "chi_bo_truc_thuoc"), _l("Party cells"), _l("cells")),
    "grassroots": (("dang_bo_co_so",), _l("Grassroots party committees"), _l("grassroots committees")),
    "above": (("cap_huyen",), _l("Committees above grassroots level"), _l("committees")),
}
GROUP_OF_LEVEL = {level: group for group, (levels, _title, _noun) in LEVEL_GROUPS.items() for level in levels}
@dataclass
class NumberStats:
    count: int = 0
    total: float = 0
    low: float | None = None
    high: float | None = None

    def add(self, value):
        self.count += 1
        self.total += value
        self.low = value if self.low is None else min(self.low, value)
        self.high = value if self.high is None else max(self.high, value)

    @property
    def mean(self):
        return self.total / self.count if self.count else None


class Statistics:
    """Accumulate submitted answers unit by unit; memory grows with questions and options, not with units."""

    def __init__(self, questions):
        self.numbers = [q for q in questions if q.kind.summary in ("numbers", "rates")]
        self.choices = [q for q in questions if q.kind.summary == "options"]
        self.number_stats = defaultdict(NumberStats)
        self.choice_counts = defaultdict(int)
        self.answered = defaultdict(int)

    def add(self, record):
        if record.response is None or not record.response.is_submitted:
            return
        group = GROUP_OF_LEVEL[record.level]
        for question in self.numbers:
            value = record.answers.get(question.id)
            if value is not None:
                self.number_stats[(question.id, group)].add(value)
        for question in self.choices:
            value = record.answers.get(question.id)
            if value is None:
                continue
            self.answered[(question.id, group)] += 1
            for option in value if isinstance(value, list) else [value]:
                self.choice_counts[(question.id, group, option)] += 1


def groups_asked(question):
    """Return the level groups a question is asked of, in LEVEL_GROUPS' order."""
    return [group for group, (levels, _title, _noun) in LEVEL_GROUPS.items() if set(levels) & set(question.levels)]


def share_text(count, answered, group):
    """Write a share as a party report does: 12/20 chi bộ (60%)."""
    percent = format_number(round(100 * count / answered, 1)) if answered else "0"
    return _("%(count)s/%(answered)s %(units)s (%(percent)s%%)", count=count, answered=answered,
             units=LEVEL_GROUPS[group][2], percent=percent)
