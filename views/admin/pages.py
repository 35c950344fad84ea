"""The committees' pages: progress of their scope, the unit list, a unit's page."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

import clock
from consolidation.answer_texts import narrative_questions
from consolidation.excerpts import pickable_texts
from downloads.files import download_name
from downloads.workbooks import send_workbook
from exports.unit_list import write_unit_list_workbook
from forms import survey_form_class
from forms.admin import ContactForm, ExtendDeadlineForm, ReviewForm, SignInForm, UnlockForm
from reports.chasing import call_entries, lists_units_to_chase
from reports.progress import scope_progress
from reports.reminders import reminder_summary
from reports.review import REVIEW_LABELS, can_review, last_return, review_history, reviews_unit, submitted_versions
from reports.saving import committee_version, reopen_report, revision_history
from reports.status import STATUS_LABELS, TO_REVIEW, report_status, status_filter_labels
from schema import REPORTING_LEVELS
from schema.levels import LEVEL_LABELS
from schema.model import day_text, translated
from schema.store import current_survey, survey_store
from units.changes import extend_deadline, rotate_link
from units.contacts import CONTACT_FIELDS, set_contact
from units.links import NOT_STORED, child_units, survey_link
from units.listing import UnitFilters, all_listed_units, list_units
from views.display import answer_changes

from .auth import (
    bp,
    manager_required,
    reporting_unit_in_scope_or_404,
    sign_in_required,
    signed_in_user,
    unit_in_scope_or_404,
)
from .count_links import UnitListAddresses, child_rows, progress_bar, status_cells
from .reading import pickable_passages
from .record import recorded_download


@bp.get("/")
def home():
    g.user = signed_in_user()
    if g.user is None:
        return render_template("admin/sign_in.html", form=SignInForm())
    return dashboard()


def dashboard():
    survey, now = current_survey(), clock.now()
    progress = scope_progress(g.user.scope, survey, now)
    last_days = {level: survey.last_day(level) for level in REPORTING_LEVELS}
    today = survey.today(now)
    days_left = {level: (day - today).days for level, day in last_days.items()}
    addresses = UnitListAddresses()
    cells = status_cells(addresses)
    return render_template("admin/dashboard.html", progress=progress, last_days=last_days, days_left=days_left,
                           statuses=STATUS_LABELS, survey=survey, refused_edit=survey_store().refused_edit,
                           list_address=addresses, status_cells=cells, bar=progress_bar,
                           child_row=child_rows(addresses, cells))


@bp.get("/preview")
@sign_in_required
def preview():
    """The survey as a level sees it, without a unit: to check a config edit before sending links."""
    survey = current_survey()
    level = request.args.get("level")
    level = level if level in REPORTING_LEVELS else REPORTING_LEVELS[-1]
    form = survey_form_class(survey, level)(formdata=None)
    return render_template("admin/preview.html", survey=survey, level=level, levels=REPORTING_LEVELS, form=form,
                           refused_edit=survey_store().refused_edit)


def requested_unit_list(**defaults):
    """Return the unit-list filters of the request, `defaults` filling those it leaves empty."""
    return UnitFilters.from_values(request.args, **defaults)


@bp.get("/units")
@sign_in_required
def unit_list():
    """Every unit of the scope with its status, filtered and searched, a page at a time."""
    return unit_list_page(requested_unit_list())


@bp.get("/missing")
@sign_in_required
def missing():
    """The unit list of the units that have not submitted (unless another status is asked for)."""
    return unit_list_page(requested_unit_list(status="missing"))


def unit_list_page(filters):
    survey, now = current_survey(), clock.now()
    listed = list_units(g.user.scope, survey, now, filters, page=request.args.get("page", 1, int))
    # A manager may accept the reports waiting for review from the list, each at the version it shows.
    waiting = [row.code for row in listed.rows if row.status in TO_REVIEW and row.code != g.user.scope.code]
    versions = submitted_versions(waiting) if g.user.role == "manager" else {}
    chasing = lists_units_to_chase(filters.status)
    calls = call_entries(listed.rows, survey, now, survey_link, g.user.scope.name) if chasing else None
    response = render_template(
        "admin/units.html", listed=listed, filters=filters, children=child_units(g.user.scope), versions=versions,
        calls=calls, status_filters=status_filter_labels(),
        statuses=translated(STATUS_LABELS), levels=REPORTING_LEVELS, level_names=translated(LEVEL_LABELS),
        reminders=reminder_summary(g.user.scope, survey) if chasing else None)
    # A call sheet holds the units' secret links.
    return (response, {"Cache-Control": NOT_STORED}) if chasing else response


@bp.get("/units.xlsx")
@sign_in_required
@recorded_download("unit_list")
def unit_list_workbook():
    """The list as shown, every page of it, as a workbook: a call sheet, with each unit's contact and link."""
    survey, now = current_survey(), clock.now()
    rows = all_listed_units(g.user.scope, survey, now, requested_unit_list())
    entries = call_entries(rows, survey, now, survey_link, g.user.scope.name)
    name = download_name(g.user.scope.name, survey.today(now), prefix="danh-sách-đơn-vị")
    response = send_workbook(lambda path, tmpdir: write_unit_list_workbook(path, entries, survey.local, tmpdir),
                             name)
    response.headers["Cache-Control"] = NOT_STORED
    return response


@bp.get("/units/<code>")
@sign_in_required
def unit(code):
    """A unit's place, status, report as last submitted (or drafted) or any version of it, history and what
    changed. The province does not report: it has no page."""
    return unit_page(reporting_unit_in_scope_or_404(code))


def unit_page(found, status_code=200, **context):
    """Render a unit's page (with `context`: a refused review's message and what was typed)."""
    survey, response = current_survey(), found.response
    submitted = response.submitted_number if response else None
    status = report_status(response, survey.deadline_for(found.level, found.deadline_extended_to), clock.now())
    history = revision_history(response)
    by_number = {revision.number: revision for revision in history}
    chosen = by_number.get(request.args.get("version", type=int))
    if chosen is None:
        shown = by_number.get(committee_version(response))
        compared = compared_revisions(history, by_number, since_return(response, by_number))
    else:
        shown, compared = chosen, changed_by(chosen, history)
    changes = answer_changes(survey, found.level, compared[0].answers, compared[1].answers) if compared else []
    return render_template("admin/unit.html", unit=found, status=status, statuses=STATUS_LABELS, survey=survey,
                           history=history, shown=shown, chosen=chosen, compared=compared, changes=changes,
                           extend_form=ExtendDeadlineForm(), extension_days=extension_days(survey),
                           reading_items={question.id for question in narrative_questions(survey)},
                           pickable=pickable_passages(pickable_texts(shown).items()), back=request.full_path,
                           reviews=review_history(response), reviews_unit=reviews_unit(g.user, found),
                           can_review=can_review, review_labels=REVIEW_LABELS,
                           review_form=ReviewForm(formdata=None, version=submitted),
                           unlock_form=context.pop("unlock_form", None) or UnlockForm(formdata=None, version=submitted),
                           contact_form=context.pop("contact_form", None) or ContactForm(formdata=None, obj=found),
                           **context), status_code




def compared_revisions(history, by_number, default=None):
    """Return the two revisions to compare: ?from=&to= numbers, else `default`, else the two latest; None if
    fewer."""
    if len(history) < 2:
        return None
    first, second = default or (history[1], history[0])
    return (by_number.get(request.args.get("from", type=int), first),
            by_number.get(request.args.get("to", type=int), second))


def since_return(response, by_number):
    """For a report submitted again after a return: (the version returned, the one submitted since), so that
    the reviewer reads what the unit changed since; otherwise None."""
    if response is None or response.review != "resubmitted":
        return None
    returned = last_return(response)
    pair = (by_number.get(returned.revision_number), by_number.get(response.submitted_number)) if returned else ()
    return pair if all(pair) else None


def changed_by(revision, history):
    """Return the revision saved before `revision` and `revision`, to show what it changed; None for the first."""
    earlier = history[history.index(revision) + 1:]
    return (earlier[0], revision) if earlier else None


@bp.post("/units/<code>/reopen")
@manager_required
def reopen(code):
    found = unit_in_scope_or_404(code)
    response = found.response
    if response is not None and response.is_submitted and response.review != "accepted":
        reopen_report(found, g.user)
        flash(_("The report was reopened: the unit can correct it and submit it again."), "success")
    return redirect(url_for("admin.unit", code=code))


@bp.post("/units/<code>/contact")
@manager_required
def contact(code):
    """Set the person to reach about the unit's report; a refused field is shown back with all that was typed."""
    found = reporting_unit_in_scope_or_404(code)
    form = ContactForm()
    if not form.validate_on_submit():
        return unit_page(found, 400, contact_form=form)
    set_contact(found, {name: form[name].data for name in CONTACT_FIELDS}, g.user)
    flash(_("The unit's contact is saved."), "success")
    return redirect(url_for("admin.unit", code=code, _anchor="contact"))


@bp.post("/units/<code>/extend")
@manager_required
def extend(code):
    found = unit_in_scope_or_404(code)
    form = ExtendDeadlineForm()
    first, last = extension_days(current_survey())
    if not form.validate_on_submit() or not first <= form.last_day.data <= last:
        flash(_("Choose a last day from %(first)s to %(last)s (a year after the survey's last deadline at the "
                "latest), written as dd/mm/yyyy.", first=day_text(first), last=day_text(last)), "error")
    else:
        extend_deadline(found, form.last_day.data, g.user)
        flash(_("The unit may now report on time until %(day)s.", day=day_text(form.last_day.data)),
              "success")
    return redirect(url_for("admin.unit", code=code))


def extension_days(survey):
    """Return the first and last day a manager may give a unit as its last day: from today to the survey's
    horizon (a later day is a typo, and the review long sent upward)."""
    return survey.today(clock.now()), survey.latest_extension()


@bp.get("/units/<code>/rotate-link")
@sign_in_required
def confirm_rotate(code):
    """Ask before giving a unit a new link: the one already sent or printed stops working."""
    return render_template("admin/rotate_link.html", unit=reporting_unit_in_scope_or_404(code))


@bp.post("/units/<code>/rotate-link")
@manager_required
def rotate(code):
    """Give the unit a new link, then show it ready to copy and print."""
    rotate_link(reporting_unit_in_scope_or_404(code), g.user)
    flash(_("The unit has a new link; the old one no longer works. Send or print this one."), "success")
    return redirect(url_for("admin.invitation", code=code))

