"""The comments sheet: every narrative answer, grouped by outline item, then by unit in hierarchy order.

One sorted pass over the database, so that nothing is held in memory; an answer longer than a
cell can hold continues on the next rows, marked as a continuation. Any other text too long for its
cell on the figures sheet is given whole here too.
"""

from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

from flask_babel import gettext as _

from schema.levels import LEVEL_LABELS
from schema.model import translated

from .cells import split_for_cells
from .formats import TextRows, start_table

HEADERS = (
    ("section", 8), ("question_code", 16), ("question", 24), ("above_grassroots", 22), ("grassroots", 22),
    ("unit_code", 12), ("unit", 26), ("level", 16), ("part", 10), ("answer", 86), ("copies", 20),
)


def header_labels():
    return {
        "section": _("Section"), "question_code": _("Question code"), "question": _("Question"),
        "above_grassroots": _("Committee above grassroots level"), "grassroots": _("Grassroots committee or cell"),
        "unit_code": _("Unit code"), "unit": _("Unit"), "level": _("Level"), "part": _("Part"),
        "answer": _("Answer"), "copies": _("Copies"),
    }


@dataclass(frozen=True)
class CommentedQuestion:
    section: str
    code: str
    label: str
    #: The units whose answers are given; None for all.
    units: frozenset | None = None


class CopyGroups:
    """Name the group of copies an answer belongs to (the item summaries of consolidation.summaries, per
    item of the scope), numbered in the order the sheet meets the groups, so that a number means one group
    throughout the workbook. Holds one item's copied units at a time."""

    def __init__(self, summaries):
        #: {question id: ItemSummary} of the narrative items (consolidation.summaries.current_summaries).
        self.summaries = summaries
        self.numbers, self.question_id, self.group_of_unit = {}, None, {}
        #: The label of each group, translated once (tens of thousands of answers may be copies).
        self.labels = {}

    def label(self, question_id, unit_id):
        if question_id != self.question_id:
            self.question_id, self.group_of_unit = question_id, self.groups_of(question_id)
        found = self.group_of_unit.get(unit_id)
        if found is None:
            return ""
        group, units = found
        number = self.numbers.setdefault((question_id, group), len(self.numbers) + 1)
        if number not in self.labels:
            self.labels[number] = _("Copy · group %(number)s (%(count)s units)", number=number, count=units)
        return self.labels[number]

    def groups_of(self, question_id):
        """Return {unit id: (group, units in it)} for the units of an item whose answers are copies."""
        summary = self.summaries.get(question_id)
        return summary.copy_group_of_unit if summary else {}


def write_comments_sheet(sheet, formats, questions, texts, copies):
    """Write the answers to each CommentedQuestion, read with `texts(question ids)` (see
    ExportSource.texts_with_unit_ids), each marked when it belongs to one of `copies` (CopyGroups); return
    how many answers had to be split."""
    labels, levels = header_labels(), translated(LEVEL_LABELS)
    widths = [width for _key, width in HEADERS]
    start_table(sheet, formats, [labels[key] for key, _width in HEADERS], widths)
    row, split, rows = 1, 0, TextRows(sheet, formats.text, widths)
    by_code = {question.code: question for question in questions}
    for code, answers in groupby(texts(list(by_code)), key=itemgetter(0)):
        question = by_code[code]
        for _code, unit_code, name, level, district, grassroots, answer, unit_id in answers:
            if question.units is not None and unit_code not in question.units:
                continue
            pieces = split_for_cells(answer)
            split += len(pieces) > 1
            copy = copies.label(code, unit_id)
            for number, piece in enumerate(pieces, start=1):
                part = "" if len(pieces) == 1 else _("%(number)s of %(count)s", number=number, count=len(pieces))
                if number > 1:
                    part = _("continued, %(part)s", part=part)
                rows.write(row, (question.section, question.code, question.label, district, grassroots, unit_code,
                                 name, levels[level], part, piece, copy))
                row += 1
    sheet.autofilter(0, 0, max(row - 1, 1), len(HEADERS) - 1)
    return split
