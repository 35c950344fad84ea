"""The committee above answers the reports it receives: accept, return for completion with a reason and notes
on questions, unlock an accepted one; many accepted at once from the list. A refused answer (the report
changed since the page was read) is a 409 with the report as it stands and what was typed kept."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

import clock
from forms.admin import ReturnForm, ReviewForm, UnlockForm, review_notes
from models.base import LARGEST_ID
from reports.review import (
    ReviewConflict,
    accept_report,
    accept_reports,
    can_review,
    default_correct_until,
    return_report,
    reviews_unit,
    unlock_report,
)
from reports.saving import revision_of
from reports.status import STATUS_LABELS, report_status
from schema.model import day_text
from schema.store import current_survey

from .auth import bp, manager_required, reporting_unit_in_scope_or_404
from .pages import unit_page


def reviewed_unit_or_404(code):
    """The unit whose report the signed-in manager may answer; its own unit is a 403."""
    found = reporting_unit_in_scope_or_404(code)
    if not reviews_unit(g.user, found):
        abort(403)
    return found


def changed_message(unit):
    """What a reviewer reads when the report changed under their page."""
    return _("The report changed after you opened the page (a new version, or another reviewer acted), so "
             "nothing was done. It now stands as “%(status)s”: read it below before you act again.",
             status=STATUS_LABELS[current_status(unit)])


def not_returnable_message(unit):
    """What a reviewer reads on the return page of a report that cannot be returned as it stands."""
    return _("This report cannot be returned as it stands (“%(status)s”): only a submitted report waiting for "
             "review can.", status=STATUS_LABELS[current_status(unit)])


def current_status(unit):
    survey = current_survey()
    return report_status(unit.response, survey.deadline_for(unit.level, unit.deadline_extended_to), clock.now())


@bp.post("/units/<code>/accept")
@manager_required
def accept(code):
    found = reviewed_unit_or_404(code)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        accept_report(found, form.version.data, g.user)
    except ReviewConflict:
        return unit_page(found, 409, refusal=changed_message(found))
    flash(_("The report was accepted: it is locked, and the unit sees that it was accepted."), "success")
    return redirect(url_for("admin.unit", code=code))


@bp.post("/units/<code>/unlock")
@manager_required
def unlock(code):
    found = reviewed_unit_or_404(code)
    form = UnlockForm()
    if not form.validate_on_submit():
        return unit_page(found, 400, unlock_form=form)
    try:
        unlock_report(found, form.version.data, g.user, form.reason.data)
    except ReviewConflict:
        return unit_page(found, 409, refusal=changed_message(found), unlock_form=form)
    flash(_("The report was unlocked: it waits for review again, and the unit may correct it until its "
            "deadline."), "success")
    return redirect(url_for("admin.unit", code=code))


@bp.route("/units/<code>/return", methods=["GET", "POST"])
@manager_required
def return_for_completion(code):
    """A page of its own: the report as submitted, a note field under each answer, the reason and the last day."""
    found = reviewed_unit_or_404(code)
    survey, response = current_survey(), found.response
    questions = [q for q in survey.outline_questions() if q.applies_to(found.level)]
    if request.method == "GET":
        form = ReturnForm(formdata=None, version=response.submitted_number if response else None,
                          correct_until=default_correct_until(survey, found, clock.now()))
        if not can_review(response, "return"):
            return return_page(found, form, {}, {}, refusal=not_returnable_message(found))
        return return_page(found, form, {}, {})
    form = ReturnForm()
    notes, note_errors = review_notes(request.form, [q.id for q in questions])
    last = survey.latest_extension()
    valid = form.validate_on_submit()
    if valid and not survey.today(clock.now()) <= form.correct_until.data <= last:
        form.correct_until.errors = [_("Choose a day from today to %(last)s.", last=day_text(last))]
        valid = False
    if not valid or note_errors:
        return return_page(found, form, notes, note_errors, 400)
    try:
        return_report(found, form.version.data, g.user, form.reason.data, notes, form.correct_until.data)
    except ReviewConflict:
        # What was typed stays in the form; a report that may still be returned is offered at its new version.
        form.version.data = response.submitted_number if can_review(response, "return") else form.version.data
        return return_page(found, form, notes, {}, 409, refusal=changed_message(found))
    flash(_("The report was returned to the unit for completion, until %(day)s.",
            day=day_text(form.correct_until.data)), "success")
    return redirect(url_for("admin.unit", code=code))


def return_page(unit, form, notes, note_errors, status_code=200, **context):
    survey, response = current_survey(), unit.response
    revision = revision_of(response, response.submitted_number if response else None)
    return render_template("admin/return.html", unit=unit, survey=survey, form=form, notes=notes,
                           note_errors=note_errors, answers=revision.answers if revision else {},
                           returnable=can_review(response, "return"), **context), status_code


@bp.post("/units/accept")
@manager_required
def accept_many():
    """Accept the reports ticked in the list, each at the version the list showed."""
    chosen = []
    for value in request.form.getlist("report"):
        code, _sep, version = value.rpartition(":")
        if not (version.isdecimal() and 1 <= int(version) <= LARGEST_ID):
            abort(400)
        found = reviewed_unit_or_404(code)
        chosen.append((found, int(version)))
    if not chosen:
        flash(_("Tick the reports to accept first."), "error")
        return redirect(url_for("admin.unit_list", status="to_review"))
    accepted, refused = accept_reports(chosen, g.user)
    if accepted:
        flash(_("%(count)s reports accepted.", count=len(accepted)), "success")
    if refused:
        flash(_("%(count)s reports changed after the list was shown and were not accepted: %(names)s.",
                count=len(refused), names=", ".join(unit.name for unit in refused)), "error")
    return redirect(url_for("admin.unit_list", status="to_review"))
