"""A unit's report as a party document, for the committees above it."""

from documents.unit_report import unit_report
from downloads.documents import is_submitted_version, unit_report_download
from reports.saving import committee_version, revision_of
from schema.store import current_survey

from .auth import bp, reporting_unit_in_scope_or_404, sign_in_required
from .record import recorded_download


@bp.get("/units/<code>/report.docx")
@sign_in_required
@recorded_download("unit_report")
def unit_report_document(code):
    """The report as the unit page shows it: as submitted, else as last saved (DỰ THẢO), else blank."""
    # The province has no report of its own: it reports through the consolidated draft.
    found = reporting_unit_in_scope_or_404(code)
    response = found.response
    shown = revision_of(response, committee_version(response))
    answers = shown.answers if shown else {}
    draft = not is_submitted_version(response, shown.number if shown else None)
    survey = current_survey()
    return unit_report_download(survey, found, unit_report(survey, found, answers, draft=draft))
