"""The figures sheet (one row per unit, numbers Excel can add up) and the totals by committee.

Totals follow consolidation.rules: only the units whose answer counts (asked, with no unit below
them asked too) and that have submitted. Helper columns on the figures sheet say which units count
(1/0 per set of asked levels, and whether the report is submitted) and, for a weighted mean, the
value times its weight; the totals are live formulas over them (SUMIFS, and below the unit rows a
SUMPRODUCT of SUBTOTAL that follows the filter), so they survive sorting, filtering and a hand
correction. Each formula also carries the value computed here, for readers that do not recalculate.
"""

from collections import defaultdict
from dataclasses import replace

from flask_babel import gettext as _
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from consolidation.figures import COMMITTEE_KEYS, SUBMITTED, FigureTallies, counted_code, product_code, weight_code
from consolidation.rules import compares_with_own, tolerance

from .cells import CELL_LIMIT, row_height, split_for_cells, utf16_length, wrapped_height, wrapped_lines
from .columns import WRAPPED_COLUMNS
from .formats import prepare_for_print, write_text_row

#: Rows 0-2 are the title, the question codes and the labels; units start below. Rows are written
#: strictly in order (constant-memory mode), so the total row comes last.
FIRST_DATA_ROW = 3
LAST_EXCEL_ROW = 1048576


#: The kinds answer_cell gives a stored answer.
ANSWER_KINDS = ("yes_no", "decimal", "text")


def answer_cell(value):
    """Return (kind, value) for an answer whose question the config no longer has: typed as it was stored."""
    if isinstance(value, bool):
        return "yes_no", int(value)
    if isinstance(value, (int, float)):
        return "decimal", value
    if isinstance(value, list):
        return "text", "; ".join(str(item) for item in value)
    return "text", str(value)


class FiguresSheet(FigureTallies):
    """Write unit rows one at a time, keeping only per-committee tallies in memory."""

    def __init__(self, sheet, formats, columns, title, local_time):
        super().__init__(columns)
        self.sheet, self.formats, self.local_time = sheet, formats, local_time
        #: Per formula column: the letters of the columns it reads.
        self.inputs = {index: [xl_col_to_name(self.index[code]) for code in column.inputs]
                       for index, column in enumerate(columns) if column.formula}
        #: The columns written as they are, with how (see _writer); the formulas; the texts that wrap.
        self.writers = [(index, self._writer(column)) for index, column in enumerate(columns)
                        if not column.formula and column.code not in WRAPPED_COLUMNS]
        self.formula_columns = [(index, column) for index, column in enumerate(columns) if column.formula]
        self.wrapped = [(index, column.width) for index, column in enumerate(columns)
                        if not column.formula and column.code in WRAPPED_COLUMNS]
        self.row = FIRST_DATA_ROW
        #: Texts too long for a cell, by column code: the units whose text the comments sheet gives whole.
        self.overflow = defaultdict(set)
        self._write_header(title)

    def _write_header(self, title):
        sheet, formats = self.sheet, self.formats
        for index, column in enumerate(self.columns):
            sheet.set_column(index, index, column.width)
        sheet.write_string(0, 0, title, formats.title)
        # The codes are keys (long ones too: the helper columns'), wrapped like the labels below them.
        sheet.set_row(1, wrapped_height((column.code, column.width) for column in self.columns))
        for index, column in enumerate(self.columns):
            formats.text.write(sheet, 1, index, column.code, wrap=True)
        sheet.set_row(2, wrapped_height((column.label, column.width) for column in self.columns))
        for index, column in enumerate(self.columns):
            sheet.write_string(2, index, column.label, formats.header)
        sheet.freeze_panes(FIRST_DATA_ROW, 6)
        prepare_for_print(sheet, [column.width for column in self.columns], header_rows=FIRST_DATA_ROW,
                          key_columns=6)

    def add(self, record):
        values = self.values(record)
        for col, write in self.writers:
            value = values[col]
            if value is not None:
                write(col, value, record)
        for col, column in self.formula_columns:
            self._write_formula(col, column, values[col])
        self.sheet.set_row(self.row, row_height(self._write_wrapped(values)))
        self.count(record, values)
        self.row += 1

    def _write_wrapped(self, values):
        """Write the unit's place and status, each wrapped within its column; return the lines the tallest takes."""
        lines, write = 1, self.formats.text.write
        for col, width in self.wrapped:
            if values[col] is not None:
                lines = max(lines, wrapped_lines(write(self.sheet, self.row, col, values[col], wrap=True), width))
        return lines

    def _writer(self, column):
        """Return write(col, value, record) for the values of a column that is neither a formula nor wrapped:
        chosen once per column, since a province has tens of thousands of rows."""
        sheet, formats, kind = self.sheet, self.formats, column.kind
        if kind == "answer":
            typed = {answer_kind: self._writer(replace(column, kind=answer_kind)) for answer_kind in ANSWER_KINDS}

            def write_answer(col, value, record):
                answer_kind, typed_value = answer_cell(value)
                typed[answer_kind](col, typed_value, record)

            return write_answer
        if kind == "text":
            return lambda col, value, record: formats.text.write(sheet, self.row, col,
                                                                 self._fitting(value, column, record))
        if kind == "date":
            return lambda col, value, _record: formats.write_day(sheet, self.row, col, value)
        if kind == "datetime":
            return lambda col, value, _record: sheet.write_datetime(self.row, col, self.local_time(value),
                                                                    formats.datetime)
        number_format = formats.for_kind(kind)
        return lambda col, value, _record: sheet.write_number(self.row, col, value, number_format)

    def _fitting(self, text, column, record):
        """Return a text that fits one cell: a longer one is cut, says so, and goes whole to the comments sheet."""
        if len(text) <= CELL_LIMIT // 2 or utf16_length(text) <= CELL_LIMIT:
            return text
        self.overflow[column.code].add(record.code)
        marker = " " + _("[… continued in full on the Comments sheet]")
        return split_for_cells(text, CELL_LIMIT - 2 * len(marker))[0] + marker

    def _write_formula(self, col, column, value):
        cells = [f"{letter}{self.row + 1}" for letter in self.inputs[col]]
        self.sheet.write_formula(self.row, col, column.formula.format(*cells), self.formats.for_kind(column.kind),
                                 "" if value is None else value)

    def whole_column(self, code, sheet_reference=""):
        letter = xl_col_to_name(self.index[code])
        return f"{sheet_reference}${letter}${FIRST_DATA_ROW + 1}:${letter}${LAST_EXCEL_ROW}"

    def finish(self):
        """Write the total row of the rows the filter shows, and the autofilter over the units only."""
        last_row = max(self.row - 1, FIRST_DATA_ROW)
        grand = self.tallies[("all",)]
        self.sheet.write_string(self.row, 0, _("Total of the rows shown by the filter"), self.formats.total_label)
        for position, (index, column) in enumerate(self.totalled):
            self.sheet.write_formula(self.row, index, self._shown_rows_formula(column, last_row),
                                     self.formats.totals[column.kind], cached_figure(grand.result(position, column)))
        self.sheet.autofilter(2, 0, last_row, len(self.columns) - 1)

    def _shown_rows_formula(self, column, last_row):
        """A total over the rows the filter shows, of the units that count and have submitted."""
        def rows(code):
            letter = xl_col_to_name(self.index[code])
            return f"${letter}${FIRST_DATA_ROW + 1}:${letter}${last_row + 1}"

        def shown(code, function=109):
            first = rows(code).split(":")[0]
            criteria = f"{rows(counted_code(column.levels))},{rows(SUBMITTED)}"
            return f"SUMPRODUCT(SUBTOTAL({function},OFFSET({first},ROW({rows(code)})-ROW({first}),0)),{criteria})"

        no_data = string_literal(no_data_text())
        if column.total == "sum":
            return f"=IF({shown(column.code, 103)}=0,{no_data},{shown(column.code)})"
        if column.weight:
            return f"=IFERROR({shown(product_code(column))}/{shown(weight_code(column))},{no_data})"
        return f"=IFERROR({shown(column.code)}/{shown(column.code, 103)},{no_data})"


def write_totals_sheet(sheet, formats, figures, figures_sheet_name, level_name):
    """Write one row per committee, then the whole scope: the units' figures as formulas, and beside each
    the committee's own answer, marked where the two differ."""
    reference = "'" + figures_sheet_name.replace("'", "''") + "'!"
    headers = [_("Committee"), _("Code"), _("Level"), _("Units"), _("Submitted"), _("Not submitted")]
    own_answer = _("own answer")
    for _index, column in figures.totalled:
        headers += [f"{column.code}\n{column.label}\n({consolidation_text(column)})", f"{column.code}\n{own_answer}"]
    widths = [30, 14, 24, *[14] * (len(headers) - 3)]
    sheet.set_row(0, wrapped_height(zip(headers, widths, strict=True)))
    for index, (header, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.write_string(0, index, header, formats.header)
        sheet.set_column(index, index, width)
    prepare_for_print(sheet, widths, key_columns=2)
    sheet.freeze_panes(1, 2)
    writer = TotalsRow(sheet, formats, figures, reference)
    for row, committee in enumerate(figures.committees, start=1):
        write_text_row(sheet, formats, row, (committee.name, committee.code, level_name(committee.level)), widths)
        subtree = figures.whole_column(COMMITTEE_KEYS[committee.level], reference)
        tally = figures.committee_tally(committee.code, committee.level)
        writer.write(row, subtree, string_literal(committee.code), tally, committee)
    row = len(figures.committees) + 1
    sheet.write_string(row, 0, _("Whole scope"), formats.total_label)
    # Every unit row has a code; the total row under the units has none, so it is never counted.
    writer.write(row, figures.whole_column("code", reference), '"<>"', figures.tallies[("all",)], None)
    writer.mark_differences(row)


def consolidation_text(column):
    if column.total == "sum":
        return _("sum over the units that count")
    if column.weight:
        return _("mean weighted by %(weight)s", weight=column.weight)
    return _("mean over the units that count")


def string_literal(text):
    """Return text as a formula's string literal."""
    return '"' + text.replace('"', '""') + '"'


def no_data_text():
    """What a figure says when no unit that counts has answered: never a 0 that reads as one, nor one compared
    with a committee's own figure."""
    return _("no data yet")


def cached_figure(result):
    """Return the value a figure's formula caches: what this module computed, or the words for no data."""
    return no_data_text() if result is None else result


class TotalsRow:
    """Write the counts and figures of one group of units: COUNTIFS, SUMIFS, AVERAGEIFS on its key column."""

    def __init__(self, sheet, formats, figures, reference):
        self.sheet, self.formats, self.figures, self.reference = sheet, formats, figures, reference
        #: Whole-column references by column code: a province has thousands of committee rows.
        self.ranges = {}
        self.no_data = string_literal(no_data_text())

    def column(self, code):
        if code not in self.ranges:
            self.ranges[code] = self.figures.whole_column(code, self.reference)
        return self.ranges[code]

    def write(self, row, key_range, key, tally, committee):
        sheet, formats, total = self.sheet, self.formats, committee is None
        count_format = formats.totals["integer"] if total else formats.integer
        submitted = self.column(SUBMITTED)
        sheet.write_formula(row, 3, f"=COUNTIFS({key_range},{key})", count_format, tally.units)
        sheet.write_formula(row, 4, f"=COUNTIFS({key_range},{key},{submitted},1)", count_format, tally.submitted)
        sheet.write_formula(row, 5, f"={xl_rowcol_to_cell(row, 3)}-{xl_rowcol_to_cell(row, 4)}", count_format,
                            tally.units - tally.submitted)
        for position, (_index, column) in enumerate(self.figures.totalled):
            col = 6 + 2 * position
            criteria = f"{key_range},{key},{self.column(counted_code(column.levels))},1,{submitted},1"
            cell_format = formats.totals[column.kind] if total else formats.for_kind(self.figure_kind(column))
            sheet.write_formula(row, col, self.formula(column, criteria), cell_format,
                                cached_figure(tally.result(position, column)))
            if committee is not None and compares_with_own(column) and committee.level in column.levels:
                self.write_own(row, col + 1, column, committee, committee.own[position])

    def figure_kind(self, column):
        """Yeses and ticks are counted: a count of units, not one unit's yes."""
        return "integer" if column.kind in ("yes_no", "flag") else column.kind

    def formula(self, column, criteria):
        """The group's figure, or the words for no data when no unit that counts has answered (as Tally.result)."""
        values, no_data = self.column(column.code), self.no_data
        if column.total == "sum":
            return f'=IF(COUNTIFS({values},"<>",{criteria})=0,{no_data},SUMIFS({values},{criteria}))'
        if column.weight:
            product, used = self.column(product_code(column)), self.column(weight_code(column))
            return f"=IFERROR(SUMIFS({product},{criteria})/SUMIFS({used},{criteria}),{no_data})"
        return f"=IFERROR(AVERAGEIFS({values},{criteria}),{no_data})"

    def write_own(self, row, col, column, committee, value):
        found = f"INDEX({self.column(column.code)},MATCH({string_literal(committee.code)},{self.column('code')},0))"
        self.sheet.write_formula(row, col, f'=IFERROR(IF({found}="","",{found}),"")',
                                 self.formats.for_kind(column.kind), "" if value is None else value)

    def mark_differences(self, last_row):
        """Colour a committee's own answer where it differs from its units' figure by more than rounding."""
        for offset, (_index, column) in enumerate(self.figures.totalled):
            if not compares_with_own(column):
                continue
            figure, own = 6 + 2 * offset, 7 + 2 * offset
            first_own, first_figure = xl_rowcol_to_cell(1, own), xl_rowcol_to_cell(1, figure)
            self.sheet.conditional_format(1, own, max(last_row - 1, 1), own, {
                "type": "formula", "format": self.formats.overdue,
                "criteria": f"=AND(ISNUMBER({first_own}),ISNUMBER({first_figure}),"
                            f"ABS({first_own}-{first_figure})>{tolerance(column)})",
            })
