"""A committee manager's unit list: upload a CSV or Excel file of its scope, see what it would change,
confirm it, then reach the new units' links; the Excel template to start from, and the scope's list as it
stands, in the same format."""

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

import clock
from downloads.files import download_name
from downloads.workbooks import XLSX_MIMETYPE, send_workbook
from exports.unit_list_file import unit_list_rows, write_unit_list_csv, write_unit_list_xlsx
from models import db
from schema import LEVELS, REPORTING_LEVELS
from schema.store import current_survey
from units.changes import apply_plan, plan_import, record_import
from units.list_files import FILE_LIMIT, write_template
from units.list_rows import COLUMNS, CONTACT_COLUMNS, DOCUMENT_COLUMNS, ImportRefused
from units.list_uploads import discard_uploads, keep_upload, kept_upload
from units.list_workbooks import MAX_UNITS

from .auth import bp, manager_required
from .record import recorded_download

#: The new units an import's page lists one by one; the links workbook holds them all.
IMPORTED_LISTED = 200


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


@bp.get("/unit-list/current.csv")
@manager_required
@recorded_download("unit_list")
def current_unit_list_csv():
    """The scope's units as they stand, in the import's format: to correct and upload back."""
    return current_unit_list(write_unit_list_csv, "text/csv; charset=utf-8", "csv")


@bp.get("/unit-list/current.xlsx")
@manager_required
@recorded_download("unit_list")
def current_unit_list_xlsx():
    return current_unit_list(write_unit_list_xlsx, XLSX_MIMETYPE, "xlsx")


def current_unit_list(write, mimetype, extension):
    scope = g.user.scope
    name = download_name(scope.name, current_survey().today(clock.now()), prefix=_("unit-list"), extension=extension)
    return send_workbook(lambda path, tmpdir: write(path, unit_list_rows(scope), tmpdir), name, mimetype)


def allow_unit_list_files():
    """Let the upload of a unit list be as large as a unit list may be (FILE_LIMIT), the other forms keeping
    the app's smaller limit: called before any form is read, the CSRF check's included."""
    if request.endpoint == "admin.upload_unit_list":
        request.max_content_length = FILE_LIMIT + 64 * 1024  # the file and the form around it


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
        plan = plan_import(raw, g.user.scope, filename=file.filename)
    except ImportRefused as refused:
        return refusal(refused, 422)
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
        record_import(plan, g.user.scope, g.user)
        db.session.commit()
    except IntegrityError:
        # Another confirmation (a second click, another manager) added some of these units after this plan
        # was made: say what the file would do now.
        db.session.rollback()
        return unchanged_plan(raw, name, digest=None)[1]
    discard_uploads(uploads_folder(), g.user.id)
    return imported_page(plan)


def imported_page(plan):
    """Say what the import did, and lead to the units it created: each one's page and invitation, and the
    links of the whole scope to hand out."""
    summary = plan.summary
    flash(_("%(created)s units created, %(updated)s updated, %(unchanged)s unchanged.", created=summary.created,
            updated=summary.updated, unchanged=summary.unchanged), "success")
    return render_template("admin/unit_list_imported.html", created=plan.of_kind("added"), listed=IMPORTED_LISTED,
                           reporting_levels=REPORTING_LEVELS)


def unchanged_plan(raw, name, digest):
    """Return (the plan of the kept file, None) if it still does what the preview with `digest` showed; else
    (None, the page that shows what it would do now, or why it is refused now)."""
    try:
        plan = plan_import(raw, g.user.scope)
    except ImportRefused as refused:
        return None, refusal(refused, 409, changed=True)
    if plan.digest != digest:
        return None, preview_page(plan, name, 409, changed=True)
    return plan, None


def upload_page(status=200, **context):
    return render_template("admin/unit_list.html", columns=COLUMNS, document_columns=DOCUMENT_COLUMNS,
                           contact_columns=CONTACT_COLUMNS, levels=LEVELS,
                           file_limit=FILE_LIMIT // 2**20, unit_limit=format_decimal(MAX_UNITS), **context), status


def refusal(refused, status, changed=False):
    discard_uploads(uploads_folder(), g.user.id)
    return upload_page(status, problems=refused.listed(), changed=changed)


def preview_page(plan, name, status=200, changed=False):
    return render_template("admin/unit_list_preview.html", plan=plan, upload=name, changed=changed), status
