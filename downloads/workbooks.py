"""The workbook as a download: a thin wrapper over write_workbook for the committees' pages."""

from flask import current_app, send_file

import clock
from consolidation.source import ExportSource
from exports.workbook import write_workbook

from .files import download_name, written_file

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_download(survey, scope=None, language="vi"):
    """Return a response sending the workbook of `scope`, XlsxWriter's temporary files beside it."""
    day = survey.today(clock.now())
    return send_workbook(lambda path, tmpdir: write_workbook(path, survey, ExportSource(scope), language=language,
                                                             tmpdir=tmpdir),
                         download_name(scope.name if scope else None, day))


def send_workbook(write, name, mimetype=XLSX_MIMETYPE):
    """Write a workbook (or another file of `mimetype`) with `write(path, tmpdir)` in a scratch folder of the
    exports folder, not to memory, and send it as `name`. The folder goes at once, whatever happens; the file,
    open, lives until the response is sent."""
    file = written_file(current_app.config["EXPORTS_FOLDER"], write)
    return send_file(file, mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)
