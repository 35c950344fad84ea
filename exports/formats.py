"""The cell formats of the Organisation Committee's workbook, created once per workbook."""

import datetime as dt

from flask_babel import gettext as _

from schema.model import day_text

from .cells import TextCells, row_height, wrapped_height, wrapped_lines

#: Every cell aligns at the top (see WORKBOOK_OPTIONS), whatever its format.
BASE = {"font_name": "Arial", "font_size": 10, "valign": "top"}
#: The first day Excel can hold as a date; an earlier one (a stored year 1) is written as its text.
EXCEL_FIRST_DAY = dt.date(1900, 1, 1)


#: Paper sizes in XlsxWriter's numbering, with their printable width in landscape (mm, 10 mm margins).
A4, A3 = 9, 8
PRINTABLE_MM = {A4: 277, A3: 400}
#: Below this scale a printed page is too small to read: a wider sheet prints across pages instead.
SMALLEST_SCALE = 0.55


def printed_width_mm(widths):
    """Return how wide columns of these Excel widths print at 100% (a width unit is about 7 pixels)."""
    return sum(7 * width + 5 for width in widths) * 25.4 / 96


def prepare_for_print(sheet, widths, header_rows=1, key_columns=0):
    """Print landscape with the header rows on every page and page numbers: on A4 as wide as one page,
    else on A3 as wide as one page, else (too wide to read at one page) across A3 pages at a readable
    scale, repeating the `key_columns` that name each row."""
    sheet.set_landscape()
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.set_footer("&C&P / &N")
    if header_rows:
        sheet.repeat_rows(0, header_rows - 1)
    width = printed_width_mm(widths)
    for paper in (A4, A3):
        if PRINTABLE_MM[paper] / width >= SMALLEST_SCALE:
            sheet.set_paper(paper)
            sheet.fit_to_pages(1, 0)
            return
    sheet.set_paper(A3)
    sheet.set_print_scale(round(100 * SMALLEST_SCALE))
    if key_columns:
        sheet.repeat_columns(0, key_columns - 1)


def start_table(sheet, formats, headers, widths, freeze_columns=0):
    """Write a sheet's one-row header with its column widths, keep it in view, and set the sheet up for print."""
    sheet.set_row(0, wrapped_height(zip(headers, widths, strict=True)))
    for col, (header, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, str(header), formats.header)
    sheet.freeze_panes(1, freeze_columns)
    prepare_for_print(sheet, widths)


def write_text_row(sheet, formats, row, texts, widths, first_col=0):
    """Write `texts` side by side from `first_col`, each wrapped within its column (of `widths`, from the
    sheet's first column), and make the row tall enough to show them whole: a level or a committee's name
    is never cut by the cell beside it. (A sheet with a row per unit keeps one TextRows instead.)"""
    TextRows(sheet, formats.text, widths).write(row, texts, first_col)


class TextRows:
    """Rows of texts written as write_text_row does, on one sheet. Consecutive rows repeat most of their texts
    (an item's label beside each of its answers, the committees of units in hierarchy order): a text that
    is the one above it is written as it was prepared and measured there."""

    def __init__(self, sheet, text_cells, widths):
        self.sheet, self.text_cells, self.widths = sheet, text_cells, widths
        #: By column: the last text met, as written, its format and the lines it takes.
        self.above = {}

    def write(self, row, texts, first_col=0):
        # One pass over the cells, the height set once they are written (a row goes to disk only when the
        # next one starts): most cells of a province's workbook are written here.
        sheet, above, lines = self.sheet, self.above, 1
        for col, text in enumerate(texts, first_col):
            if not text:
                continue
            cell = above.get(col)
            if cell is None or cell[0] != text:
                cell = above[col] = (text, *self.text_cells.prepared(text, wrap=True),
                                     wrapped_lines(text, self.widths[col]))
            sheet.write_string(row, col, cell[1], cell[2])
            lines = max(lines, cell[3])
        sheet.set_row(row, row_height(lines))


class Formats:
    def __init__(self, workbook):
        def add(**properties):
            return workbook.add_format({**BASE, **properties})

        #: The service's own short texts (a status, a note), in the font of the rest.
        self.plain = add()
        self.title = add(bold=True, font_size=13)
        self.note = add(italic=True, font_color="#555555")
        self.header = add(bold=True, text_wrap=True, bg_color="#F2DCDB", border=1)
        self.total_label = add(bold=True, bg_color="#FFF2CC")
        # A figure is a number, or the words saying no unit gave one: right-aligned like the numbers around
        # it, and made smaller rather than cut where its column is narrow.
        figure = {"align": "right", "shrink": True}
        self.integer = add(num_format="#,##0", **figure)
        self.decimal = add(num_format="#,##0.0#", **figure)
        self.percent = add(num_format="0.0%", **figure)
        self.date = add(num_format="dd/mm/yyyy")
        self.datetime = add(num_format="dd/mm/yyyy hh:mm")
        # Stored as 1 and 0, so that SUM counts the yeses; shown in words.
        self.yes_no = add(num_format=f'[=1]"{_("Yes")}";[=0]"{_("No")}";General')
        self.flag = add(num_format="0")
        self.overdue = add(bg_color="#F8CBAD", font_color="#9C0006")
        total = {"bold": True, "bg_color": "#FFF2CC", **figure}
        self.totals = {
            "integer": add(num_format="#,##0", **total),
            "decimal": add(num_format="#,##0.0#", **total),
            "percent": add(num_format="0.0%", **total),
            "yes_no": add(num_format="#,##0", **total),
            "flag": add(num_format="#,##0", **total),
        }
        self.text = TextCells(workbook, BASE)

    def write_day(self, sheet, row, col, day):
        """Write a date as a date cell, or as its text dd/mm/yyyy where Excel has no such date."""
        if day < EXCEL_FIRST_DAY:
            self.text.write(sheet, row, col, day_text(day))
        else:
            sheet.write_datetime(row, col, day, self.date)

    def for_kind(self, kind):
        return getattr(self, kind)
