"""A unit's report as a download: a thin wrapper over unit_report for the unit's and the committees' pages."""

import io

from flask import send_file

import clock
from documents.unit_report import docx_bytes, write_unit_report
from downloads.files import download_name

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: The start of a report's file name; the submitted version's, while a correction is drafted beside it.
REPORT_PREFIX, SUBMITTED_PREFIX = "báo-cáo", "báo-cáo-đã-gửi"


def is_submitted_version(response, number):
    """Tell whether revision `number` of a report is the one submitted: its document is no longer a draft."""
    return response is not None and number is not None and response.submitted_number == number


def unit_report_download(survey, unit, report, prefix=REPORT_PREFIX):
    """Return a response sending a unit's report (a UnitReport) as a Word document, named after the unit and
    the day."""
    document = write_unit_report(report)
    name = download_name(unit.name, survey.today(clock.now()), prefix=prefix, extension="docx")
    response = send_file(io.BytesIO(docx_bytes(document)), mimetype=DOCX_MIMETYPE, as_attachment=True,
                         download_name=name)
    # A report names people: no shared cache keeps it.
    response.headers["Cache-Control"] = "private, no-store"
    return response
