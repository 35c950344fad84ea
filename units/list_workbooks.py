"""A unit list kept as an Excel workbook (.xlsx), read in bounded time and memory.

A workbook is a zip archive of XML: a file of a few KB can unpack to gigabytes, or declare a cell a million
rows down and sixteen thousand columns across, which a whole-sheet reader then fills in. So the archive's
parts are checked before anything is unpacked, each sheet's declared size before its rows are read, and the
rows are streamed one at a time and counted as they come, whatever the sheet declares: a file beyond a limit
is refused with the limit named, never read.
"""

import io
import warnings
import zipfile
from typing import NamedTuple

import openpyxl
from flask_babel import format_decimal
from flask_babel import gettext as _
from openpyxl.utils import get_column_letter
from openpyxl.utils.escape import unescape
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.cell_range import CellRange

from .list_rows import COLUMNS, ImportRefused, Problems, header_problem, unit_row

#: A list of 50,000 units unpacks to some 13 MB, of MAX_ROWS with every document column to some 60 MB.
UNPACKED_LIMIT = 64 * 1024 * 1024
#: A sheet's XML packs some 10 to 30 times smaller; a part packed far more is padding (a zip bomb). Parts
#: below RATIO_CHECKED_FROM unpacked are too small to matter.
PACKING_RATIO_LIMIT, RATIO_CHECKED_FROM = 200, 1024 * 1024
#: The units of a list, far more than any province has (some 50,000), and the columns of its sheet, far
#: more than the eight a unit list may have.
MAX_UNITS, MAX_COLUMNS = 100_000, 26
#: The header and the units.
MAX_ROWS = MAX_UNITS + 1


class SheetCell(NamedTuple):
    """A cell that holds something, as stored: openpyxl's data type ("s", "n", "f", ...) and value."""

    row: int
    column: int
    value: object
    data_type: str

    @property
    def coordinate(self):
        return f"{get_column_letter(self.column)}{self.row}"


class Sheet(NamedTuple):
    title: str
    #: (row number, cells) of each row that holds something, in order.
    rows: list
    merged: list


def read_workbook_rows(raw):
    """Return the rows of the one sheet of an .xlsx workbook that holds anything, numbered as in the sheet."""
    sheet = unit_sheet(read_sheets(raw))
    problems = Problems()
    problems.extend(merged_cell_problems(sheet.merged))
    first_number, first_cells = sheet.rows[0]
    header = [header_text(cell) for cell in padded(first_cells if first_number == 1 else [])]
    while header and not header[-1]:
        header.pop()
    problem = header_problem(header)
    if problem:
        raise ImportRefused([problem])
    unit_rows = []
    for number, cells in sheet.rows:
        if number == 1:
            continue
        values, unreadable = row_texts(cells, header, problems)
        if any(values.values()) or unreadable:
            unit_rows.append(unit_row(number, values, header, unreadable))
    return unit_rows, problems


def read_sheets(raw):
    """Return every worksheet's content, refusing a workbook beyond the limits before reading what is past
    them."""
    workbook = open_workbook(raw)
    try:
        with warnings.catch_warnings():
            # openpyxl warns of the parts it does not read (extensions, conditional formats): no value is lost.
            warnings.simplefilter("ignore")
            return [read_sheet(sheet) for sheet in workbook.worksheets]
    # What a damaged sheet raises in openpyxl's parser (broken XML, a bad coordinate or number).
    except (zipfile.BadZipFile, KeyError, SyntaxError, ValueError, TypeError, IndexError):
        raise not_a_workbook() from None
    finally:
        workbook.close()


def open_workbook(raw):
    """Return the read-only workbook of the .xlsx bytes `raw`, after its archive passed the size checks."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            check_archive(archive.infolist())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    # What a damaged archive, a zip that holds no workbook (.ods, .docx) or broken XML raise in openpyxl.
    except (zipfile.BadZipFile, InvalidFileException, KeyError, SyntaxError, ValueError, TypeError, OSError):
        raise not_a_workbook() from None


def not_a_workbook():
    return ImportRefused([_("The file is not an Excel workbook (.xlsx) that can be read. Open it in Excel and "
                            "save it as an Excel Workbook (.xlsx), or as “CSV UTF-8”.")])


def check_archive(members):
    """Refuse an archive whose parts unpack beyond the limit, or one packed like a zip bomb, from the sizes
    its directory declares (Python's zipfile never unpacks a part beyond its declared size)."""
    unpacked = sum(member.file_size for member in members)
    if unpacked > UNPACKED_LIMIT:
        raise ImportRefused([_("The workbook is too large to be a unit list: %(size)s MB unpacked, and the limit "
                               "is %(limit)s MB.", size=unpacked // 2**20, limit=UNPACKED_LIMIT // 2**20)])
    for member in members:
        if member.file_size >= RATIO_CHECKED_FROM and member.file_size > PACKING_RATIO_LIMIT * member.compress_size:
            raise ImportRefused([_("The workbook's part %(part)s unpacks to %(ratio)s times its packed size (the "
                                   "limit is %(limit)s): it holds padding, not a unit list. Open the file in Excel "
                                   "and save it again, or save the list as “CSV UTF-8”.", part=member.filename,
                                   ratio=member.file_size // max(member.compress_size, 1),
                                   limit=PACKING_RATIO_LIMIT)])


def read_sheet(sheet):
    """Return what the read-only `sheet` holds, refusing it as soon as it declares or reaches a cell beyond
    the limits.

    The rows come from openpyxl's streaming parser, the one its read-only mode runs (openpyxl is pinned),
    used directly for the rows' numbers as stored, with no empty rows filled in, and for the merged cells,
    which read-only mode drops."""
    if (sheet.max_row or 0) > MAX_ROWS or (sheet.max_column or 0) > MAX_COLUMNS:
        raise too_large(sheet.title, f"{get_column_letter(sheet.max_column or 1)}{sheet.max_row or 1}")
    workbook, rows = sheet.parent, []
    with sheet._get_source() as source:
        parser = WorkSheetParser(source, sheet._shared_strings, epoch=workbook.epoch,
                                 date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
        for number, cells in parser.parse():
            if number > MAX_ROWS:
                # Even an empty row: a sheet of a million formatted rows is refused here, not read.
                raise too_large(sheet.title, f"A{number}")
            # The parser keeps the attributes of every formatted row, which nothing here reads.
            parser.row_dimensions.clear()
            filled = [SheetCell(cell["row"], cell["column"], cell["value"], cell["data_type"])
                      for cell in cells if cell["value"] is not None]
            if filled:
                rows.append((number, filled))
        merged = [CellRange(merge.ref) for merge in parser.merged_cells.mergeCell] if parser.merged_cells else []
    return Sheet(sheet.title, rows, merged)


def too_large(title, cell):
    """Return the refusal of a sheet that declares, or reaches, `cell` beyond the limits."""
    return ImportRefused([_("The sheet %(sheet)s reaches cell %(cell)s, beyond what a unit list may hold: "
                            "%(units)s units (rows 2 to %(rows)s) in columns A to %(last)s. Delete the empty "
                            "rows and columns after the list (select them, right-click, Delete) and save it "
                            "again.", sheet=title, cell=cell, units=format_decimal(MAX_UNITS),
                            rows=format_decimal(MAX_ROWS), last=get_column_letter(MAX_COLUMNS))])


def unit_sheet(sheets):
    """Return the one sheet that holds anything: with two, which holds the unit list would be a guess."""
    filled = [sheet for sheet in sheets if sheet.rows]
    if not filled:
        raise ImportRefused([_("The workbook is empty: its first row should hold the columns %(expected)s.",
                               expected=",".join(COLUMNS))])
    if len(filled) > 1:
        raise ImportRefused([_("The workbook has %(count)s sheets with data (%(sheets)s); keep only the sheet of "
                               "the unit list, then try again.", count=len(filled),
                               sheets=", ".join(sheet.title for sheet in filled))])
    return filled[0]


def merged_cell_problems(merged):
    """Merged cells keep their value in the first cell only: the rows under it would lose theirs."""
    return [_("line %(line)s: cells %(cells)s are merged; unmerge them and fill in every cell",
              line=cells.min_row, cells=cells.coord)
            for cells in sorted(merged, key=lambda cells: (cells.min_row, cells.min_col))]


def padded(cells):
    """Return a row's cells with None in the columns that hold nothing, up to its last cell."""
    values = [None] * max((cell.column for cell in cells), default=0)
    for cell in cells:
        values[cell.column - 1] = cell
    return values


def header_text(cell):
    return "" if cell is None else str(cell.value).strip()


def row_texts(cells, header, problems):
    """Return a row's text by column name and the columns whose cell could not be taken; add a problem for
    each cell that is not text or lies outside the columns."""
    values, unreadable = dict.fromkeys(header, ""), set()
    for cell in cells:
        if cell.column > len(header):
            if str(cell.value).strip():
                problems.add(_("line %(line)s: cell %(cell)s is outside the columns %(expected)s; delete it",
                               line=cell.row, cell=cell.coordinate, expected=",".join(header)))
            continue
        column = header[cell.column - 1]
        text, problem = cell_text(cell)
        values[column] = text
        if problem:
            unreadable.add(column)
            problems.add(_("line %(line)s: the %(column)s column (cell %(cell)s) %(problem)s",
                           line=cell.row, column=column, cell=cell.coordinate, problem=problem))
    return values, unreadable


def cell_text(cell):
    """Return (text, problem) for a cell: its text as typed, or what is wrong with it.

    Only text is taken. Excel turns a code typed as 001 into the number 1 and 1-2 into a date, and a
    formula's result is not what the committee typed, so none of these is guessed back into text."""
    if cell.data_type == "s":
        # A workbook stores control characters escaped (_x0000_); unescaped, the later check names them.
        return unescape(cell.value).strip(), None
    return "", NOT_TEXT.get(cell.data_type, NOT_TEXT["n"])(cell.value)


#: What to say of a cell that is not text, by openpyxl's data type: formula, error, date, TRUE/FALSE, number.
NOT_TEXT = {
    "f": lambda _value: _("holds a formula; type the value itself, or copy the column and paste values only"),
    "e": lambda value: _("holds the error %(error)s; type the value itself", error=value),
    "d": lambda _value: _("holds a date or time, not text; format the column as Text and type it again"),
    "b": lambda _value: _("holds TRUE or FALSE, not text; format the column as Text and type it again"),
    "n": lambda value: _("holds the number %(number)s, not text (Excel drops the zeros in front: 001 becomes "
                         "1); format the column as Text and type it again", number=value),
}
