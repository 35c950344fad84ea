"""The committees' pages: progress of their scope, missing units, a unit's page, the workbook."""

from flask import g, render_template, request

from exports import workbook_download
from forms.admin import SignInForm
from models import utcnow
from reporting.progress import missing_units, scope_progress
from reporting.status import STATUS_LABELS, report_status
from schema import REPORTING_LEVELS
from schema.store import current_survey

from .auth import bp, sign_in_required, signed_in_user, unit_in_scope_or_404


@bp.get("/")
def home():
    g.user = signed_in_user()
    if g.user is None:
        return render_template("admin/sign_in.html", form=SignInForm())
    return dashboard()


def dashboard():
    survey, now = current_survey(), utcnow()
    progress = scope_progress(g.user.scope, survey, now)
    deadlines = {level: survey.deadline_for(level) for level in REPORTING_LEVELS}
    days_left = {level: (deadline - now).days for level, deadline in deadlines.items()}
    return render_template("admin/dashboard.html", progress=progress, deadlines=deadlines, days_left=days_left,
                           statuses=STATUS_LABELS)


@bp.get("/missing")
@sign_in_required
def missing():
    survey, now = current_survey(), utcnow()
    filters = {key: request.args.get(key) or None for key in ("level", "status", "child", "search")}
    rows = missing_units(g.user.scope, survey, now, **filters)
    children = scope_progress(g.user.scope, survey, now).by_child
    return render_template("admin/missing.html", rows=rows, filters=filters, children=children,
                           statuses=STATUS_LABELS, levels=REPORTING_LEVELS)


@bp.get("/export.xlsx")
@sign_in_required
def export_workbook():
    language = "en" if str(request.args.get("lang") or request.cookies.get("lang")) == "en" else "vi"
    return workbook_download(current_survey(), g.user.scope, language)


@bp.get("/units/<code>")
@sign_in_required
def unit(code):
    """A unit's page is only for accounts whose scope holds it; others get a plain 404."""
    found = unit_in_scope_or_404(code)
    survey = current_survey()
    response = found.response
    status = report_status(response, survey.deadline_for(found.level), utcnow())
    return render_template("admin/unit.html", unit=found, status=status, statuses=STATUS_LABELS)
