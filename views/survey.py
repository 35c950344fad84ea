"""The one page each unit reaches through its secret link: draft, save, submit, correct."""

import re
import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

import clock
from forms import survey_form_class
from reporting.saving import (
    ReportLocked,
    is_locked,
    open_response,
    revision_history,
    revision_of,
    save_report,
    unit_with_answers,
)
from reporting.status import report_status
from schema import REPORTING_LEVELS
from schema.store import current_survey

from .display import TEMPLATE_HELPERS

bp = Blueprint("survey", __name__)
# Globals rather than a context processor, so that imported macros see them too.
bp.record_once(lambda state: state.app.jinja_env.globals.update(TEMPLATE_HELPERS))

#: Tokens are 43 URL-safe characters; anything else is refused before touching the database.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
ACTIONS = ("save", "submit")


class UnitPage:
    """What every view of a unit's page needs: the unit, its survey, deadline and response."""

    def __init__(self, token):
        found = unit_with_answers(token) if TOKEN_PATTERN.match(token) else None
        if found is None or found[0].level not in REPORTING_LEVELS:
            abort(404)
        self.unit, self.answers = found
        self.token = token
        self.survey = current_survey()
        self.deadline = self.survey.deadline_for(self.unit.level, self.unit.deadline_extended_to)
        self.now = clock.now()
        self.response = open_response(self.unit)

    @property
    def locked(self):
        return is_locked(self.response, self.deadline, self.now)

    @property
    def shows_submission(self):
        """A submitted report is shown as a read-only copy unless the unit chose to correct it."""
        response = self.response
        fresh = response.is_submitted and response.current_number == response.submitted_number
        return self.locked or (fresh and "edit" not in request.args)

    def form_class(self):
        return survey_form_class(self.survey, self.unit.level)

    def render(self, template, status=200, **context):
        context.update(
            page=self, unit=self.unit, survey=self.survey, deadline=self.deadline,
            response=self.response, status=report_status(self.response, self.deadline, self.now),
        )
        return render_template(template, **context), status

    def render_form(self, form, status=200, **context):
        return self.render("survey/page.html", status, form=form, **context)

    def render_answers(self, answers, status=200, **context):
        return self.render("survey/report.html", status, answers=answers, **context)


def state_serializer():
    return URLSafeSerializer(current_app.secret_key, salt="survey-form-state")


def sign_form_state(unit, based_on):
    """Return the hidden page state: which unit, which revision it shows, a one-time id."""
    return state_serializer().dumps({"unit": unit.id, "based_on": based_on, "id": uuid.uuid4().hex})


def read_form_state(value, unit):
    """Return the page state posted with a form, or None if it is altered or for another unit."""
    try:
        state = state_serializer().loads(value or "")
    except BadSignature:
        return None
    return state if state.get("unit") == unit.id else None


@bp.get("/")
def home():
    return render_template("home.html")


@bp.get("/s/<token>")
def page(token):
    unit_page = UnitPage(token)
    if unit_page.shows_submission:
        return unit_page.render_answers(unit_page.answers)
    form = unit_page.form_class()(formdata=None, data=unit_page.answers)
    form.form_state.data = sign_form_state(unit_page.unit, unit_page.response.current_number)
    return unit_page.render_form(form)


@bp.post("/s/<token>")
def save(token):
    unit_page = UnitPage(token)
    action = request.form.get("action")
    form = unit_page.form_class()(submitting=action == "submit")
    state = read_form_state(form.form_state.data, unit_page.unit)
    if action not in ACTIONS or state is None:
        return refuse_form(unit_page, form, _(
            "This page is out of date or belongs to another unit, so nothing was saved. Copy what you "
            "typed below, then open your unit's link again."))
    if not form.validate():
        if form.has_csrf_error:
            return refuse_form(unit_page, form, _(
                "Your session has expired, so nothing was saved yet. Everything you typed is still "
                "below: press the button again to save it."))
        return unit_page.render_form(form, 422, error_summary=True)
    try:
        result = save_report(
            unit_page.unit, form.answers(), action=action, based_on=state["based_on"],
            submission_id=state["id"], config_version=unit_page.survey.version, token=token,
            deadline=unit_page.deadline)
    except ReportLocked:
        return unit_page.render_answers(unit_page.answers, status=409)
    if result.conflict and not result.repeated:
        form.form_state.data = sign_form_state(unit_page.unit, unit_page.response.current_number)
        return unit_page.render_form(form, 409, conflict=result.revision)
    if result.repeated or action == "save":
        flash(saved_message(result), "success")
    return redirect(url_for("survey.page", token=token))


def refuse_form(unit_page, form, message):
    """Show the form again with everything typed and a fresh CSRF token, saving nothing."""
    form.errors.pop("csrf_token", None)
    form.csrf_token.errors = []
    return unit_page.render_form(form, 400, refusal=message)


def saved_message(result):
    """Confirm a draft; a submission is confirmed by the page that shows the submitted report."""
    if result.repeated:
        return _("This form had already been saved; nothing was saved twice.")
    if result.unchanged:
        return _("Nothing changed since version %(number)s, so no new version was saved.",
                 number=result.revision.number)
    return _("Draft saved (version %(number)s).", number=result.revision.number)


@bp.get("/s/<token>/revisions")
def revisions(token):
    unit_page = UnitPage(token)
    return unit_page.render("survey/revisions.html", revisions=revision_history(unit_page.response))


@bp.get("/s/<token>/revisions/<int:number>")
def revision(token, number):
    unit_page = UnitPage(token)
    shown = revision_of(unit_page.response, number) or abort(404)
    return unit_page.render_answers(shown.answers, revision=shown)
