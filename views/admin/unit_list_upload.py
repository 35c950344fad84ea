"""A committee manager's unit list: upload a CSV or Excel file of its scope, see what it would change,
confirm it; and the Excel template to start from."""

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from exports.download import send_workbook
from models import db
from reporting.unit_files import COLUMNS, DOCUMENT_COLUMNS, ImportRefused, write_template
from reporting.unit_uploads import discard_uploads, keep_upload, kept_upload
from reporting.units import apply_plan, plan_import
from schema import LEVELS

from .auth import bp, manager_required


def uploads_folder():
    return current_app.config["UNIT_LIST_UPLOADS"]


@bp.get("/unit-list")
@manager_required
def unit_list_upload():
    return upload_page()


@bp.get("/unit-list/template.xlsx")
@manager_required
def unit_list_template():
    return send_workbook(lambda path, _tmpdir: write_template(path), _("unit-list.xlsx"))


@bp.post("/unit-list")
@manager_required
def upload_unit_list():
    """Keep the file and show what importing it would change, or every problem that refuses it."""
    file = request.files.get("file")
    if file is None or not file.filename:
        flash(_("Choose the file of your unit list first."), "error")
        return redirect(url_for("admin.unit_list_upload"))
    raw = file.read()
    name = keep_upload(uploads_folder(), g.user.id, raw)
    try:
        plan = plan_import(raw, g.user.scope)
    except ImportRefused as refused:
        return refusal(refused.problems, 422)
    return preview_page(plan, name)


@bp.post("/unit-list/confirm")
@manager_required
def confirm_unit_list():
    """Import the kept file if it still does exactly what its preview showed; otherwise show what it would
    do now."""
    name = request.form.get("upload")
    raw = kept_upload(uploads_folder(), g.user.id, name)
    if raw is None:
        flash(_("That file is no longer waiting: it was imported, or another file was uploaded after it. "
                "Upload it again."), "error")
        return redirect(url_for("admin.unit_list_upload"))
    plan, page = unchanged_plan(raw, name, request.form.get("digest"))
    if plan is None:
        return page
    try:
        apply_plan(plan)
        db.session.commit()
    except IntegrityError:
        # Another confirmation (a second click, another manager) added some of these units after this plan
        # was made: say what the file would do now.
        db.session.rollback()
        return unchanged_plan(raw, name, digest=None)[1]
    discard_uploads(uploads_folder(), g.user.id)
    summary = plan.summary
    flash(_("%(created)s units created, %(updated)s updated, %(unchanged)s unchanged.", created=summary.created,
            updated=summary.updated, unchanged=summary.unchanged), "success")
    return redirect(url_for("admin.unit_list_upload"))


def unchanged_plan(raw, name, digest):
    """Return (the plan of the kept file, None) if it still does what the preview with `digest` showed; else
    (None, the page that shows what it would do now, or why it is refused now)."""
    try:
        plan = plan_import(raw, g.user.scope)
    except ImportRefused as refused:
        return None, refusal(refused.problems, 409, changed=True)
    if plan.digest != digest:
        return None, preview_page(plan, name, 409, changed=True)
    return plan, None


def upload_page(status=200, **context):
    return render_template("admin/unit_list.html", columns=COLUMNS, document_columns=DOCUMENT_COLUMNS, levels=LEVELS,
                           **context), status


def refusal(problems, status, changed=False):
    discard_uploads(uploads_folder(), g.user.id)
    return upload_page(status, problems=problems, changed=changed)


def preview_page(plan, name, status=200, changed=False):
    return render_template("admin/unit_list_preview.html", plan=plan, upload=name, changed=changed), status
