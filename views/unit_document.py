"""A unit's report as a party document, from its page: the Word file, and the printed page's stylesheet."""

from flask import render_template, request

from documents.layout import LAYOUT
from downloads.documents import REPORT_PREFIX, SUBMITTED_PREFIX, unit_report_download

from .survey import UnitPage, bp


@bp.get("/s/<token>/report.docx")
def report_document(token):
    """The unit's report as it stands (its current version), DỰ THẢO unless that version is the submitted one;
    while the unit corrects a submitted report, the version it asks (the submitted one or the draft)."""
    unit_page = UnitPage(token)
    _shown, _answers, document = unit_page.chosen_version()
    submitted = request.args.get("version") == "submitted"  # chosen_version refused it unless it is there
    return unit_report_download(unit_page.survey, unit_page.unit, document,
                                prefix=SUBMITTED_PREFIX if submitted else REPORT_PREFIX)


@bp.get("/document.css")
def document_stylesheet():
    """The printed report's page and type, from the layout's one table (no inline style: the CSP forbids it)."""
    return render_template("survey/document.css", layout=LAYOUT), 200, {"Content-Type": "text/css; charset=utf-8"}
