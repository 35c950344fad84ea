"""The figures sheet (one row per unit, numbers Excel can add up) and the totals by committee.

Totals are live formulas: below the unit rows a SUBTOTAL row that follows the filter, and on the
totals sheet SUMIFS/AVERAGEIFS by committee code, which survive any sorting or filtering of the unit
rows and recalculate after a hand correction. Each formula also carries the value computed here, so
that a reader that does not recalculate (a preview, LibreOffice's default) still shows it.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from xlsxwriter.utility import xl_col_to_name

#: Rows 0-2 are the title, the question codes and the labels; units start below. Rows are written
#: strictly in order (constant-memory mode), so the total row comes last.
FIRST_DATA_ROW = 3
LAST_EXCEL_ROW = 1048576
#: SUBTOTAL functions that skip rows hidden by a filter: 109 sums, 101 averages.
SUBTOTAL_FUNCTION = {"sum": 109, "average": 101}


@dataclass
class Tally:
    """Sums and counts of the total columns for one group of units."""

    units: int = 0
    submitted: int = 0
    sums: dict = field(default_factory=lambda: defaultdict(float))
    counts: dict = field(default_factory=lambda: defaultdict(int))

    def add(self, record, values):
        self.units += 1
        self.submitted += bool(record.response and record.response.is_submitted)
        for index, value in values.items():
            self.sums[index] += value
            self.counts[index] += 1

    def result(self, index, how):
        if not self.counts[index]:
            return None
        return self.sums[index] if how == "sum" else self.sums[index] / self.counts[index]


@dataclass(frozen=True)
class Committee:
    code: str
    name: str
    level: str
    #: Which column of the figures sheet names this kind of committee.
    key_column: str


class FiguresSheet:
    """Write unit rows one at a time, keeping only per-committee tallies in memory."""

    def __init__(self, sheet, formats, columns, title, local_time, submitted_labels):
        self.sheet = sheet
        #: The status texts that count as submitted, for the COUNTIFS of the totals sheet.
        self.submitted_labels = submitted_labels
        self.formats = formats
        self.columns = columns
        self.local_time = local_time
        self.row = FIRST_DATA_ROW
        self.totalled = [(i, c) for i, c in enumerate(columns) if c.total]
        self.tallies = defaultdict(Tally)
        self.committees = []
        self._write_header(title)

    def _write_header(self, title):
        sheet, formats = self.sheet, self.formats
        for index, column in enumerate(self.columns):
            sheet.set_column(index, index, column.width)
        sheet.write_string(0, 0, title, formats.title)
        for index, column in enumerate(self.columns):
            formats.text.write(sheet, 1, index, column.code)
        for index, column in enumerate(self.columns):
            sheet.write_string(2, index, column.label, formats.header)
        sheet.set_row(2, 45)
        sheet.freeze_panes(FIRST_DATA_ROW, 6)

    def add(self, record):
        values = {}
        for index, column in enumerate(self.columns):
            value = column.value(record)
            if value is None:
                continue
            self._write_value(index, column.kind, value)
            if column.total:
                values[index] = value
        self._tally(record, values)
        self.row += 1

    def _write_value(self, col, kind, value):
        sheet, formats = self.sheet, self.formats
        if kind == "text":
            formats.text.write(sheet, self.row, col, value)
        elif kind == "date":
            sheet.write_datetime(self.row, col, value, formats.date)
        elif kind == "datetime":
            sheet.write_datetime(self.row, col, self.local_time(value), formats.datetime)
        else:
            sheet.write_number(self.row, col, value, formats.for_kind(kind))

    def _tally(self, record, values):
        keys = [("all",)]
        if record.district_code:
            keys.append(("district_code", record.district_code))
        if record.grassroots_code:
            keys.append(("grassroots_code", record.grassroots_code))
        for key in keys:
            self.tallies[key].add(record, values)
        if record.level == "cap_huyen":
            self.committees.append(Committee(record.code, record.name, record.level, "district_code"))
        elif record.level in ("dang_bo_co_so", "chi_bo_co_so"):
            self.committees.append(Committee(record.code, record.name, record.level, "grassroots_code"))

    def finish(self):
        """Write the total row below the units, and the autofilter over the units only."""
        last_row = max(self.row - 1, FIRST_DATA_ROW)
        grand = self.tallies[("all",)]
        self.sheet.write_string(self.row, 0, _("Total of the rows shown by the filter"), self.formats.total_label)
        for index, column in self.totalled:
            letter = xl_col_to_name(index)
            formula = (f"=SUBTOTAL({SUBTOTAL_FUNCTION[column.total]},"
                       f"{letter}{FIRST_DATA_ROW + 1}:{letter}{last_row + 1})")
            result = grand.result(index, column.total)
            self.sheet.write_formula(self.row, index, formula, self.formats.totals[column.kind],
                                     "" if result is None else result)
        self.sheet.autofilter(2, 0, last_row, len(self.columns) - 1)


def write_totals_sheet(sheet, formats, figures, figures_sheet_name, level_name):
    """Write one row per district-level and grassroots committee, then the grand total, as formulas."""
    reference = "'" + figures_sheet_name.replace("'", "''") + "'!"
    column_index = {column.code: index for index, column in enumerate(figures.columns)}

    def whole_column(index):
        letter = xl_col_to_name(index)
        return f"{reference}${letter}${FIRST_DATA_ROW + 1}:${letter}${LAST_EXCEL_ROW}"

    headers = [_("Committee"), _("Code"), _("Level"), _("Units"), _("Submitted")]
    headers += [f"{column.code}\n{column.label}" for _index, column in figures.totalled]
    for index, header in enumerate(headers):
        sheet.write_string(0, index, header, formats.header)
        sheet.set_column(index, index, 30 if index == 0 else 14)
    sheet.set_row(0, 60)
    sheet.freeze_panes(1, 2)
    group_row = GroupRow(sheet, formats, figures, whole_column, whole_column(column_index["status"]))
    for row, committee in enumerate(figures.committees, start=1):
        formats.text.write(sheet, row, 0, committee.name)
        formats.text.write(sheet, row, 1, committee.code)
        sheet.write_string(row, 2, level_name(committee.level))
        group_row.write(row, whole_column(column_index[committee.key_column]), _criterion(committee.code),
                        figures.tallies[(committee.key_column, committee.code)], total=False)
    row = len(figures.committees) + 1
    sheet.write_string(row, 0, _("Whole scope"), formats.total_label)
    # Every unit row has a code; the total row under the units has none, so it is never counted.
    group_row.write(row, whole_column(column_index["code"]), '"<>"', figures.tallies[("all",)], total=True)


def _criterion(code):
    return '"' + code.replace('"', '""') + '"'


class GroupRow:
    """Write the counts and totals of one group of units: COUNTIFS, SUMIFS, AVERAGEIFS on one key column."""

    def __init__(self, sheet, formats, figures, whole_column, status_range):
        self.sheet, self.formats, self.figures = sheet, formats, figures
        self.whole_column, self.status_range = whole_column, status_range

    def write(self, row, key_range, criterion, tally, total):
        sheet, formats = self.sheet, self.formats
        count_format = formats.totals["integer"] if total else formats.integer
        sheet.write_formula(row, 3, f"=COUNTIFS({key_range},{criterion})", count_format, tally.units)
        submitted = "+".join(f'COUNTIFS({key_range},{criterion},{self.status_range},"{label}")'
                             for label in self.figures.submitted_labels)
        sheet.write_formula(row, 4, f"={submitted}", count_format, tally.submitted)
        for offset, (index, column) in enumerate(self.figures.totalled, start=5):
            value_range = self.whole_column(index)
            if column.total == "sum":
                formula = f"=SUMIFS({value_range},{key_range},{criterion})"
            else:
                formula = f'=IFERROR(AVERAGEIFS({value_range},{key_range},{criterion}),"")'
            result = tally.result(index, column.total)
            cell_format = formats.totals[column.kind] if total else formats.for_kind(column.kind)
            sheet.write_formula(row, offset, formula, cell_format, "" if result is None else result)
