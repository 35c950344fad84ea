"""The Excel workbook and the consolidated draft: sent at once for a small scope, written by a job for a
large one, whose page shows its progress and then offers the file."""

from flask import abort, current_app, g, jsonify, redirect, render_template, send_file, url_for
from flask_babel import get_locale

import clock
from consolidation.source import ExportSource
from documents.consolidated_docx import write_consolidated_draft
from downloads.at_once import at_once_place
from downloads.documents import DOCX_MIMETYPE
from downloads.files import download_name
from downloads.jobs import (
    DOWNLOAD_PREFIXES,
    fail_stale_jobs,
    job_download_name,
    job_path,
    requested_job,
)
from downloads.workbooks import XLSX_MIMETYPE, send_workbook, workbook_download
from models import ExportJob, db
from schema.store import current_survey
from units.hierarchy import UnitTree

from .auth import bp, sign_in_required
from .record import record_download, recorded_download

MIMETYPES = {"xlsx": XLSX_MIMETYPE, "docx": DOCX_MIMETYPE}
#: What the record of actions calls a job's file (accounts.record.FILE_KINDS).
JOB_FILES = {"xlsx": "workbook", "docx": "draft"}
#: Seconds between two questions of a job's page to its state while the job runs (the page's script asks;
#: without it, the person asks with the page's Update button).
PROGRESS_POLL = 3


def export_job_in_scope_or_404(job_id):
    """Return the job if the signed-in account's scope holds the job's scope; otherwise a plain 404."""
    job = db.session.get(ExportJob, job_id)
    if job is None or not UnitTree().contains(g.user.scope, job.scope):
        abort(404)
    return job


@bp.get("/export.xlsx")
@sign_in_required
@recorded_download("workbook")
def export_workbook():
    survey, scope, language = current_survey(), g.user.scope, str(get_locale())
    with at_once_place(scope, survey, "xlsx") as at_once:
        if at_once:
            return workbook_download(survey, scope, language)
    job = requested_job(scope, language, survey, g.user)
    return redirect(url_for("admin.export_job", job_id=job.id), 303)


@bp.get("/report.docx")
@sign_in_required
@recorded_download("draft")
def consolidated_draft():
    """The account's committee's own summary report, drafted from its units' reports (Word, in Vietnamese
    whatever the page's language: a party document)."""
    survey, scope = current_survey(), g.user.scope
    with at_once_place(scope, survey, "docx") as at_once:
        if at_once:
            name = download_name(scope.name, survey.today(clock.now()), DOWNLOAD_PREFIXES["docx"], "docx")
            return send_workbook(lambda path, _tmpdir: write_consolidated_draft(path, survey, ExportSource(scope),
                                                                                scope), name, DOCX_MIMETYPE)
    job = requested_job(scope, "vi", survey, g.user, kind="docx")
    return redirect(url_for("admin.export_job", job_id=job.id), 303)


@bp.post("/exports/<int:job_id>/again")
@sign_in_required
def export_again(job_id):
    """Write a job's file anew: after a failure, or to take in what changed since."""
    job = export_job_in_scope_or_404(job_id)
    again = requested_job(job.scope, job.language, current_survey(), g.user, reuse_finished=False, kind=job.kind)
    return redirect(url_for("admin.export_job", job_id=again.id))


def current_job_or_404(job_id):
    """Return the job in the signed-in account's scope, a job whose worker died already marked failed."""
    current_survey()  # as every page: a config edit goes live, an invalid config answers 503
    fail_stale_jobs()
    return export_job_in_scope_or_404(job_id)


def kept_hours():
    return int(current_app.config["EXPORT_KEEP_FOR"].total_seconds() // 3600)


@bp.get("/exports/<int:job_id>")
@sign_in_required
def export_job(job_id):
    return render_template("admin/export_job.html", job=current_job_or_404(job_id), poll_seconds=PROGRESS_POLL,
                           kept_hours=kept_hours())


@bp.get("/exports/<int:job_id>/state")
@sign_in_required
def export_job_state(job_id):
    """The job's state for its page's script: whether it still runs, and the page's part that says so."""
    job = current_job_or_404(job_id)
    shown = render_template("admin/_export_job_state.html", job=job, kept_hours=kept_hours())
    response = jsonify(state=job.state, active=job.is_active, html=shown)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/exports/<int:job_id>.<any(xlsx, docx):kind>")
@sign_in_required
def export_file(job_id, kind):
    """Send a finished job's file; a plain 404 for a job of another kind, or once the file expired."""
    job = export_job_in_scope_or_404(job_id)
    if job.state != "done" or job.kind != kind:
        abort(404)
    try:
        file = open(job_path(job), "rb")  # noqa: SIM115 - send_file closes it
    except FileNotFoundError:  # removed as expired since the page was shown
        abort(404)
    record_download(JOB_FILES[kind], job.scope)
    return send_file(file, mimetype=MIMETYPES[kind], as_attachment=True,
                     download_name=job_download_name(job, current_survey()), max_age=0)
