"""The workbook as a download: a thin wrapper over write_workbook for the committees' pages."""

import os
import tempfile

from flask import send_file

import clock

from .source import ExportSource
from .workbook import download_name, write_workbook

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_download(survey, scope=None, language="vi"):
    """Return a response sending the workbook of `scope`."""
    day = survey.today(clock.now())
    return send_workbook(lambda path: write_workbook(path, survey, ExportSource(scope), language=language),
                         download_name(scope.name if scope else None, day))


def send_workbook(write, name):
    """Write a workbook with `write(path)` to a temporary file, not to memory, and send it as `name`."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write(path)
        # Open, then unlink: the file lives until the response is sent, and is gone after, whatever happens.
        workbook = open(path, "rb")  # noqa: SIM115 - send_file closes it
    finally:
        os.unlink(path)
    return send_file(workbook, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name, max_age=0)
