"""Read the workbooks the service sends or writes back with openpyxl, for tests."""

import io

import openpyxl


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
