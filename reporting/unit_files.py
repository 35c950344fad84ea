"""The unit list as committees keep it: a CSV file or an Excel workbook (.xlsx), read into numbered rows;
and the workbook to start one from.

Nothing here looks at the database: `read_unit_file` returns the rows of the file, each with the line
(CSV) or row (sheet) it came from, or refuses the file whole with every problem it found.
"""

import csv
import io
import warnings
import zipfile
from dataclasses import dataclass

import openpyxl
import xlsxwriter
from flask_babel import gettext as _
from openpyxl.utils.escape import unescape
from openpyxl.utils.exceptions import InvalidFileException

from plain_text import first_control_character
from schema import LEVELS

COLUMNS = ("code", "name", "level", "parent_code")
#: Columns a unit list may add: how the unit signs its documents, each empty for "derived from the level
#: and the name" (documents/issuers.py). A file without one leaves the units' values as they are.
DOCUMENT_COLUMNS = ("issuing_name", "issuing_code", "place", "has_standing_committee")

#: An .xlsx file is a zip archive.
ZIP_SIGNATURE = b"PK\x03\x04"
#: An OLE2 compound file: a password-protected workbook, or an old .xls one.
COMPOUND_FILE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The stream in which Office keeps a password-protected workbook, as its name is stored (UTF-16).
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
#: A unit list of 50,000 units unpacks to some 10 MB; more is no unit list (or a zip bomb).
UNPACKED_LIMIT = 64 * 1024 * 1024
#: The template's column widths, in COLUMNS order.
TEMPLATE_WIDTHS = (16, 48, 20, 16)


class ImportRefused(Exception):
    """The file was refused whole; `problems` names each bad line by number."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class UnitRow:
    #: The line of the CSV file, or the row of the sheet, that the unit is on.
    line: int
    code: str
    name: str
    level: str
    parent_code: str
    #: The DOCUMENT_COLUMNS: None when the file has no such column, "" when the cell is empty.
    issuing_name: str | None = None
    issuing_code: str | None = None
    place: str | None = None
    has_standing_committee: str | None = None


def read_unit_file(raw):
    """Return the rows of a unit list, CSV or .xlsx (told apart by their first bytes), with the expected
    columns and no control character. Raise ImportRefused."""
    if raw.startswith(COMPOUND_FILE_SIGNATURE):
        raise ImportRefused([compound_file_problem(raw)])
    rows = read_workbook_rows(raw) if raw.startswith(ZIP_SIGNATURE) else read_csv_rows(raw)
    if not rows:
        raise ImportRefused([_("The file has no units.")])
    problems = control_character_problems(rows)
    if problems:
        raise ImportRefused(problems)
    return rows


def compound_file_problem(raw):
    if ENCRYPTED_PACKAGE in raw:
        return _("The workbook is protected by a password, so it cannot be read. Open it in Excel, remove the "
                 "password (File, Info, Protect Workbook) and save it again.")
    return _("The file is in the old Excel format (.xls). Save it as an Excel Workbook (.xlsx) or as "
             "“CSV UTF-8” and try again.")


def header_problem(header):
    """Say what is wrong with the column names of row 1, or return None: every one of COLUMNS, any of
    DOCUMENT_COLUMNS, each once."""
    if set(COLUMNS) <= set(header) <= set(COLUMNS + DOCUMENT_COLUMNS) and len(set(header)) == len(header):
        return None
    return _("line 1: the columns must be %(expected)s, and any of %(optional)s, not %(found)s",
             expected=",".join(COLUMNS), optional=",".join(DOCUMENT_COLUMNS), found=",".join(header) or "—")


def unit_row(line, values, header):
    """Return the UnitRow of one line's stripped texts by column name; a document column stays None
    when the header has no such column."""
    return UnitRow(line, *(values[column] for column in COLUMNS),
                   **{column: values[column] for column in DOCUMENT_COLUMNS if column in header})


# --- CSV ---

def read_csv_rows(raw):
    """Return the rows of a UTF-8 CSV file (with or without BOM)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused([_("The file is not UTF-8 text (byte %(position)s). Save it as "
                               "“CSV UTF-8” and try again.", position=error.start)]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    problem = header_problem(header)
    if problem:
        raise ImportRefused([problem])
    reader.fieldnames = header
    return [unit_row(line, {column: value.strip() for column, value in record.items()}, header)
            for line, record in records(reader)]


def records(reader):
    """Yield (line number, record) for each record of a CSV reader with the expected columns."""
    last_line = reader.line_num
    try:
        for record in reader:
            if None in record or any(value is None for value in record.values()):
                raise ImportRefused([_("line %(line)s: expected %(count)s columns",
                                       line=reader.line_num, count=len(reader.fieldnames))])
            yield reader.line_num, record
            last_line = reader.line_num
    except csv.Error as error:
        # In practice a quote that never closes, which swallows the rest of the file into one value.
        raise ImportRefused([_("line %(line)s: a quoted value does not end or is too long (%(reason)s); check "
                               "the quotes from this line on", line=last_line + 1, reason=error)]) from None


# --- Excel ---

def read_workbook_rows(raw):
    """Return the rows of the one sheet of an .xlsx workbook that holds anything, numbered as in the sheet."""
    sheet = unit_sheet(open_workbook(raw))
    refuse_merged_cells(sheet)
    rows = iter(sheet.iter_rows())
    header = [header_text(cell) for cell in next(rows, ())]
    while header and not header[-1]:
        header.pop()
    problem = header_problem(header)
    if problem:
        raise ImportRefused([problem])
    unit_rows, problems = [], []
    for cells in rows:
        values, row_problems = row_texts(cells, header)
        problems += row_problems
        if any(values.values()):
            unit_rows.append(unit_row(cells[0].row, values, header))
    if problems:
        raise ImportRefused(problems)
    return unit_rows


def open_workbook(raw):
    """Return the workbook of the .xlsx bytes `raw`, with formulas as typed (not their last results)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > UNPACKED_LIMIT:
            raise ImportRefused([_("The workbook is too large to be a unit list (%(size)s MB unpacked).",
                                   size=unpacked // (1024 * 1024))])
        with warnings.catch_warnings():
            # openpyxl warns of the parts it does not read (data validation, conditional formats): no value is lost.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(raw), data_only=False)
    # What a damaged archive, a zip that holds no workbook (.ods, .docx) or broken XML raise in openpyxl.
    except (zipfile.BadZipFile, InvalidFileException, KeyError, SyntaxError, ValueError, TypeError, OSError):
        raise ImportRefused([_("The file is not an Excel workbook (.xlsx) that can be read. Open it in "
                               "Excel and save it as an Excel Workbook (.xlsx), or as “CSV UTF-8”.")]) from None


def unit_sheet(workbook):
    """Return the one sheet that holds anything: with two, which holds the unit list would be a guess."""
    filled = [sheet for sheet in workbook.worksheets
              if any(value is not None for row in sheet.iter_rows(values_only=True) for value in row)]
    if not filled:
        raise ImportRefused([_("The workbook is empty: its first row should hold the columns %(expected)s.",
                               expected=",".join(COLUMNS))])
    if len(filled) > 1:
        raise ImportRefused([_("The workbook has %(count)s sheets with data (%(sheets)s); keep only the sheet of "
                               "the unit list, then try again.", count=len(filled),
                               sheets=", ".join(sheet.title for sheet in filled))])
    return filled[0]


def refuse_merged_cells(sheet):
    """Merged cells keep their value in the first cell only: the rows under it would lose theirs."""
    ranges = sorted(sheet.merged_cells.ranges, key=lambda merged: (merged.min_row, merged.min_col))
    if ranges:
        raise ImportRefused([_("line %(line)s: cells %(cells)s are merged; unmerge them and fill in every cell",
                               line=merged.min_row, cells=merged.coord) for merged in ranges])


def header_text(cell):
    return "" if cell.value is None else str(cell.value).strip()


def row_texts(cells, header):
    """Return a row's text by column name, and a problem for each cell that is not text or lies outside
    the columns."""
    values, problems = {}, []
    for cell in cells:
        if cell.column > len(header):
            if cell.value is not None and str(cell.value).strip():
                problems.append(_("line %(line)s: cell %(cell)s is outside the columns %(expected)s; delete it",
                                  line=cell.row, cell=cell.coordinate, expected=",".join(header)))
            continue
        column = header[cell.column - 1]
        text, problem = cell_text(cell)
        values[column] = text
        if problem:
            problems.append(_("line %(line)s: the %(column)s column (cell %(cell)s) %(problem)s",
                              line=cell.row, column=column, cell=cell.coordinate, problem=problem))
    return values, problems


def cell_text(cell):
    """Return (text, problem) for a cell: its text as typed, or what is wrong with it.

    Only text is taken. Excel turns a code typed as 001 into the number 1 and 1-2 into a date, and a
    formula's result is not what the committee typed, so none of these is guessed back into text."""
    if cell.value is None:
        return "", None
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


def control_character_problems(rows):
    """Name every control character in the file by line and column, before any other check repeats the
    value in a message: the database could not store one, and no one sees it in a spreadsheet."""
    problems = []
    for row in rows:
        for column in COLUMNS + DOCUMENT_COLUMNS:
            character = first_control_character(getattr(row, column) or "")
            if character:
                problems.append(_("line %(line)s: the %(column)s column has the control character %(character)s, "
                                  "which cannot be stored; delete it", line=row.line, column=column,
                                  character=character))
    return problems


def write_template(target):
    """Write the workbook to start a unit list from: one sheet, the column names in row 1, every column
    formatted as Text so that Excel keeps a code such as 001 as typed, and the levels to choose from.
    It is small: put together in memory, with no temporary file to leave behind or open."""
    workbook = xlsxwriter.Workbook(target, {"strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False, "in_memory": True})
    text = workbook.add_format({"num_format": "@"})
    header = workbook.add_format({"num_format": "@", "bold": True, "bg_color": "#F2DCDB", "border": 1})
    sheet = workbook.add_worksheet(_("Unit list"))
    for col, (column, width) in enumerate(zip(COLUMNS, TEMPLATE_WIDTHS, strict=True)):
        sheet.set_column(col, col, width, text)
        sheet.write_string(0, col, column, header)
    sheet.freeze_panes(1, 0)
    level = COLUMNS.index("level")
    sheet.data_validation(1, level, 1_048_575, level, {"validate": "list", "source": list(LEVELS)})
    workbook.close()
