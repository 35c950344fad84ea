"""The workbook as a download: a thin wrapper over write_workbook for the committees' pages."""

import os
import shutil
import tempfile

from flask import send_file

import clock

from .source import ExportSource
from .workbook import download_name, write_workbook

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_download(survey, scope=None, language="vi"):
    """Return a response sending the workbook of `scope`, XlsxWriter's temporary files beside it."""
    day = survey.today(clock.now())
    return send_workbook(lambda path: write_workbook(path, survey, ExportSource(scope), language=language,
                                                     tmpdir=os.path.dirname(path)),
                         download_name(scope.name if scope else None, day))


def send_workbook(write, name, mimetype=XLSX_MIMETYPE):
    """Write a workbook (or another file of `mimetype`) with `write(path)` into a temporary folder of its
    own, not to memory, and send it as `name`."""
    folder = tempfile.mkdtemp(prefix="tongket-")
    try:
        path = os.path.join(folder, "download")
        write(path)
        # Open, then remove: the file lives until the response is sent, and the folder, with whatever
        # else the writer left in it, is gone whatever happens.
        workbook = open(path, "rb")  # noqa: SIM115 - send_file closes it
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return send_file(workbook, mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)
