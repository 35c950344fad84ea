"""Read the workbooks the service sends or writes back with openpyxl, and write the unit lists committees
upload, for tests."""

import csv
import io

import openpyxl
import xlsxwriter


def downloaded_workbook(response, data_only=False):
    """Return the workbook a download sends, and close the response (it streams from a file)."""
    try:
        assert response.status_code == 200, response.status_code
        return openpyxl.load_workbook(io.BytesIO(response.data), data_only=data_only)
    finally:
        response.close()


def column_values(sheet, column, min_row=2):
    """Return the values of one column (0-based) from min_row down, as a list."""
    return [row[column].value for row in sheet.iter_rows(min_row=min_row)]


def csv_rows(text):
    """Return the rows of a CSV text as lists of strings, header first."""
    return list(csv.reader(io.StringIO(text)))


def workbook_bytes(rows, *, sheet="Đơn vị", more_sheets=(), edit=None):
    """Return an .xlsx holding `rows` (lists of values, row 1 first) as openpyxl writes it; `more_sheets` are
    (title, rows) of further sheets; `edit(sheet)` changes the first sheet before it is saved."""
    book = openpyxl.Workbook()
    first = book.active
    first.title = sheet
    for row in rows:
        first.append(list(row))
    for title, other_rows in more_sheets:
        other = book.create_sheet(title)
        for row in other_rows:
            other.append(list(row))
    if edit:
        edit(first)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def workbook_of(text, **options):
    """Return an .xlsx holding the rows of a CSV text, each value a text cell."""
    return workbook_bytes(csv_rows(text), **options)


def excel_written(text):
    """Return an .xlsx of a CSV text's rows as Excel writes one: a control character stored escaped (_x0000_),
    which XlsxWriter does as Excel does and openpyxl does not."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    for row, values in enumerate(csv_rows(text)):
        for col, value in enumerate(values):
            sheet.write_string(row, col, value)
    book.close()
    return buffer.getvalue()
