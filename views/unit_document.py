"""A unit's report as a party document, from its page: the Word file, and the printed page's stylesheet."""

from flask import render_template

from documents.download import unit_report_download
from documents.layout import LAYOUT

from .survey import UnitPage, bp


@bp.get("/s/<token>/report.docx")
def report_document(token):
    """The unit's report as it stands (its current version), DỰ THẢO unless that version is the submitted one."""
    unit_page = UnitPage(token)
    return unit_report_download(unit_page.survey, unit_page.unit, unit_page.party_document(unit_page.answers))


@bp.get("/document.css")
def document_stylesheet():
    """The printed report's page and type, from the layout's one table (no inline style: the CSP forbids it)."""
    return render_template("survey/document.css", layout=LAYOUT), 200, {"Content-Type": "text/css; charset=utf-8"}
