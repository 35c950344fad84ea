"""A unit's report as a party document, for the committees above it."""

from flask import abort

from documents.download import is_submitted_version, unit_report_download
from documents.unit_report import unit_report
from reporting.saving import revision_of
from schema import REPORTING_LEVELS
from schema.store import current_survey

from .auth import bp, sign_in_required, unit_in_scope_or_404


@bp.get("/units/<code>/report.docx")
@sign_in_required
def unit_report_document(code):
    """The report as the unit page shows it: as submitted, else as last saved (DỰ THẢO), else blank."""
    found = unit_in_scope_or_404(code)
    if found.level not in REPORTING_LEVELS:
        abort(404)  # the province reports through the consolidated draft
    response = found.response
    shown = revision_of(response, response.submitted_number or response.current_number) if response else None
    answers = shown.answers if shown else {}
    draft = not is_submitted_version(response, shown.number if shown else None)
    survey = current_survey()
    return unit_report_download(survey, found, unit_report(survey, found, answers, draft=draft))
