"""The unit list as committees keep it: a CSV file or an Excel workbook (.xlsx), read into numbered rows;
and the workbook to start one from.

Nothing here looks at the database: `read_unit_file` returns the rows of the file, each with the line
(CSV) or row (sheet) it came from, and the problems of its cells; or refuses the file whole.
"""

import csv
import dataclasses
import io
from pathlib import PurePath

import xlsxwriter
from flask_babel import format_decimal
from flask_babel import gettext as _

from plain_text import first_control_character, looks_like_formula
from schema import LEVELS

from .list_rows import COLUMNS, CONTACT_COLUMNS, OPTIONAL_COLUMNS, ImportRefused, Problems, header_problem, unit_row
from .list_workbooks import MAX_UNITS, read_workbook_rows

#: An .xlsx file is a zip archive.
ZIP_SIGNATURE = b"PK\x03\x04"
#: An OLE2 compound file: a password-protected workbook, or an old .xls one.
COMPOUND_FILE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The stream in which Office keeps a password-protected workbook, as its name is stored (UTF-16).
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
#: The largest unit list file taken, on the web and by `flask units import`: a list of 50,000 units is
#: some 1 MB as a workbook and 4 MB as CSV, of MAX_UNITS with every document column some 20 MB as CSV.
FILE_LIMIT = 24 * 1024 * 1024
#: Names that say "a workbook": such a file is never read as CSV.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
#: The template's columns and their widths: the required ones, then the contact's, which most lists carry
#: (the document columns are for the few units whose documents are signed otherwise than derived).
TEMPLATE_COLUMNS = COLUMNS + CONTACT_COLUMNS
TEMPLATE_WIDTHS = (16, 48, 20, 16, 28, 16, 18, 30)


def read_unit_file(raw, filename=None):
    """Return (rows, problems) of a unit list, CSV or .xlsx (told apart by their first bytes, and by the
    file's name when it has one): every row with the expected columns, a cell that cannot be taken read as
    empty and named in `problems`. Raise ImportRefused when the file cannot be read at all."""
    if len(raw) > FILE_LIMIT:
        raise ImportRefused([file_too_large_problem()])
    if raw.startswith(COMPOUND_FILE_SIGNATURE):
        raise ImportRefused([compound_file_problem(raw)])
    if raw.startswith(ZIP_SIGNATURE):
        rows, problems = read_workbook_rows(raw)
    elif named_as_workbook(filename) or is_binary(raw):
        raise ImportRefused([not_a_unit_list_problem(raw, filename)])
    else:
        rows, problems = read_csv_rows(raw)
    if not rows and not problems:
        raise ImportRefused([_("The file has no units.")])
    return [without_control_characters(row, problems) for row in rows], problems


def file_too_large_problem():
    return _("The file is larger than a unit list can be: the limit is %(limit)s MB, and %(units)s units. "
             "Nothing was changed.", limit=FILE_LIMIT // 2**20, units=format_decimal(MAX_UNITS))


def named_as_workbook(filename):
    return PurePath(filename or "").suffix.casefold() in WORKBOOK_SUFFIXES


def is_binary(raw):
    """Tell a picture, a PDF or random bytes from text: a NUL byte, in what is not UTF-8 text (where a NUL is
    a control character, named by line and column)."""
    return b"\0" in raw[:4096] and not is_utf8(raw)


def is_utf8(raw):
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def not_a_unit_list_problem(raw, filename):
    """Say what a file that is neither a workbook nor a CSV file seems to be, and what to do."""
    name = PurePath(filename or "").name
    if is_utf8(raw) and not is_binary(raw):
        return _("The file %(name)s is named as an Excel workbook but holds text, such as a CSV file renamed. "
                 "Name it .csv, or open it in Excel and save it as an Excel Workbook (.xlsx).", name=name)
    return _("The file %(name)s is not an Excel workbook nor a CSV file (it may be a picture or a document). "
             "Choose the unit list saved as an Excel Workbook (.xlsx) or as “CSV UTF-8”.", name=name)


def compound_file_problem(raw):
    if ENCRYPTED_PACKAGE in raw:
        return _("The workbook is protected by a password, so it cannot be read. Open it in Excel, remove the "
                 "password (File, Info, Protect Workbook) and save it again.")
    return _("The file is in the old Excel format (.xls). Save it as an Excel Workbook (.xlsx) or as "
             "“CSV UTF-8” and try again.")


# --- CSV ---

def read_csv_rows(raw):
    """Return (rows, problems) of a UTF-8 CSV file (with or without BOM)."""
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
    problems = Problems()
    rows = [unit_row(line, {column: unquoted(value.strip()) for column, value in record.items()}, header)
            for line, record in records(reader, problems)]
    return rows, problems


def records(reader, problems):
    """Yield (line number, record) for each record of a CSV reader with the expected columns; add a problem
    for each other line."""
    last_line = reader.line_num
    try:
        for count, record in enumerate(reader, start=1):
            if count > MAX_UNITS:
                raise ImportRefused([_("The file has more than %(units)s units, the limit of a unit list.",
                                       units=format_decimal(MAX_UNITS))])
            if None in record or any(value is None for value in record.values()):
                problems.add(_("line %(line)s: expected %(count)s columns", line=reader.line_num,
                               count=len(reader.fieldnames)))
            else:
                yield reader.line_num, record
            last_line = reader.line_num
    except csv.Error as error:
        # In practice a quote that never closes, which swallows the rest of the file into one value.
        problems.add(_("line %(line)s: a quoted value does not end or is too long (%(reason)s); check the quotes "
                       "from this line on", line=last_line + 1, reason=error))
        raise problems.refusal() from None


def unquoted(value):
    """Return a CSV value without the apostrophe that keeps it from being run as a formula (csv_value)."""
    return value[1:] if value.startswith("'") and looks_like_formula(value[1:]) else value


def csv_value(text):
    """Return text as a CSV cell that a spreadsheet shows as text, never runs as a formula: as Excel does,
    an apostrophe in front, which reading the file drops (unquoted)."""
    return f"'{text}" if looks_like_formula(text) else text


def without_control_characters(row, problems):
    """Name every control character in the row by line and column, and return the row with those cells
    read as empty: the database could not store one, no one sees it in a spreadsheet, and no other check
    should repeat the value in a message."""
    found = {}
    for column in COLUMNS + OPTIONAL_COLUMNS:
        character = first_control_character(getattr(row, column) or "")
        if character:
            found[column] = ""
            problems.add(_("line %(line)s: the %(column)s column has the control character %(character)s, "
                           "which cannot be stored; delete it", line=row.line, column=column, character=character))
    return dataclasses.replace(row, **found, unreadable=row.unreadable | found.keys()) if found else row


def write_template(target):
    """Write the workbook to start a unit list from: one sheet, the column names in row 1, every column
    formatted as Text so that Excel keeps a code such as 001 as typed, and the levels to choose from.
    It is small: put together in memory, with no temporary file to leave behind or open."""
    workbook = xlsxwriter.Workbook(target, {"strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False, "in_memory": True})
    text = workbook.add_format({"num_format": "@"})
    header = workbook.add_format({"num_format": "@", "bold": True, "bg_color": "#F2DCDB", "border": 1})
    sheet = workbook.add_worksheet(_("Unit list"))
    for col, (column, width) in enumerate(zip(TEMPLATE_COLUMNS, TEMPLATE_WIDTHS, strict=True)):
        sheet.set_column(col, col, width, text)
        sheet.write_string(0, col, column, header)
    sheet.freeze_panes(1, 0)
    level = COLUMNS.index("level")
    sheet.data_validation(1, level, 1_048_575, level, {"validate": "list", "source": list(LEVELS)})
    workbook.close()
