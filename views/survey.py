"""The one page each unit reaches through its secret link: draft, save, submit, correct."""

import functools
import re
import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

import clock
from documents.layout import LAYOUT
from documents.unit_report import unit_report
from downloads.documents import is_submitted_version
from forms import StoredAnswers, survey_form_class
from link_tokens import token_from_typed_code
from reports.review import REVIEW_LABELS, correction_deadline, last_return, review_history
from reports.saving import (
    DatabaseBusy,
    ReportLocked,
    is_locked,
    open_response,
    revision_history,
    revision_of,
    save_report,
    save_valid_answers,
    unit_with_answers,
)
from reports.status import report_status
from schema import REPORTING_LEVELS
from schema.store import current_survey, made_once
from units.links import opens_a_report

from .compression import compress_responses_of
from .display import TEMPLATE_HELPERS
from .errors import log_busy_database
from .form_skeleton import form_skeleton, shows_plainly
from .guide import GUIDE_TITLES, GUIDES

bp = Blueprint("survey", __name__)
# A unit's pages go to phones on weak signals; see views/compression.py for why only these.
compress_responses_of(bp)
# Globals rather than a context processor, so that imported macros see them too.
bp.record_once(lambda state: state.app.jinja_env.globals.update(TEMPLATE_HELPERS))

#: Tokens are 28 characters of link_tokens.ALPHABET (43 URL-safe ones if made before typed codes); anything
#: else is refused before touching the database.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
ACTIONS = ("save", "submit")


class UnitPage:
    """What every view of a unit's page needs: the unit, its survey, deadline and response."""

    def __init__(self, token):
        found = unit_with_answers(token) if TOKEN_PATTERN.match(token) else None
        if found is None or found.unit.level not in REPORTING_LEVELS:
            abort(404)
        self.unit, self.answers, self.saved_form = found.unit, found.answers, found.saved_form
        #: The unit and its answers as read, which a save compares with what it is about to store.
        self.read = found
        self.token = token
        self.survey = current_survey()
        self.deadline = correction_deadline(self.survey, self.unit)
        self.now = clock.now()

    @property
    def response(self):
        """The unit's response; None until someone acts on the page (viewing it, as a link preview does,
        opens nothing)."""
        return self.unit.response

    @property
    def locked(self):
        return is_locked(self.response, self.deadline, self.now)

    @property
    def shows_submission(self):
        """A submitted report is shown as a read-only copy unless the unit chose to correct it."""
        response = self.response
        submitted = response is not None and response.is_submitted
        fresh = submitted and response.current_number == response.submitted_number
        returned = submitted and response.review == "returned"
        return self.locked or (fresh and not returned and "edit" not in request.args)

    @functools.cached_property
    def returned(self):
        """The review that returned the report, while its unit corrects it; None otherwise."""
        response = self.response
        return last_return(response) if response is not None and response.review == "returned" else None

    @property
    def current_number(self):
        return None if self.response is None else self.response.current_number

    @property
    def correcting(self):
        """Whether the unit is correcting a submitted report: its current version is a draft saved after the
        submitted one, and both may be printed or downloaded."""
        response = self.response
        return response is not None and response.is_submitted and response.current_number != response.submitted_number

    def chosen_revision(self):
        """Return the revision a printable copy or a Word file gives: as the address's `version` asks, the
        submitted one or the draft correcting it; without it, the current one (None before the first save).
        A version the report does not have is a 404."""
        version = request.args.get("version")
        if version is None:
            return revision_of(self.response, self.current_number)
        numbers = {"submitted": self.response.submitted_number if self.correcting else None,
                   "draft": self.current_number if self.correcting else None}
        return revision_of(self.response, numbers.get(version)) or abort(404)

    def chosen_version(self):
        """Return (the chosen revision or None, its answers, its party document)."""
        shown = self.chosen_revision()
        answers = self.answers if shown is None else shown.answers
        return shown, answers, self.party_document(answers, shown)

    @property
    def status(self):
        """The report's status as the unit reads it: whoever reads the page has opened it."""
        status = report_status(self.response, self.deadline, self.now)
        return "opened" if status == "not_opened" else status

    def form_class(self):
        survey, level = self.survey, self.unit.level
        return made_once(survey, ("form class", level), lambda: survey_form_class(survey, level))

    def shown_form(self):
        """The form as the page first shows it: the stored answers; for a report returned with notes, the form
        itself, each note going under its question."""
        if self.returned is not None and self.returned.notes:
            return self.form_class()(formdata=None, data=self.answers)
        return StoredAnswers(self.survey, self.answers)

    def render(self, template, status=200, **context):
        context.update(
            page=self, unit=self.unit, survey=self.survey, deadline=self.deadline,
            response=self.response, status=self.status, returned=self.returned,
        )
        return render_template(template, **context), status

    def render_form(self, form, form_state, status=200, **context):
        """Show the form with its signed page state; a refused one (any status but 200) holds text not saved
        yet."""
        state = read_form_state(form_state, self.unit) or {}
        if self.returned is not None:
            # Each note of the return is shown beside its question, and read with it by screen readers.
            for question_id, note in self.returned.notes.items():
                if question_id in form:
                    form[question_id].description = note
        skeleton = form_skeleton(self.survey, self.unit.level) if shows_plainly(form) else None
        return self.render("survey/page.html", status, form=form, form_state=form_state, form_id=state.get("id", ""),
                           skeleton=skeleton, unsaved=status != 200, **context)

    def render_answers(self, answers, status=200, **context):
        """Show answers read-only; they print as the party document."""
        document = self.party_document(answers, context.get("revision"))
        return self.render("survey/report.html", status, answers=answers, document=document, layout=LAYOUT,
                           **context)

    def party_document(self, answers, revision=None):
        """Return the report of these answers as a party document: DỰ THẢO unless they are the submitted
        version (the current one, or the `revision` shown)."""
        number = revision.number if revision is not None else self.current_number
        return unit_report(self.survey, self.unit, answers, draft=not is_submitted_version(self.response, number))


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


def render_home(**context):
    """Render the home page: the way in for units, the sign-in for committees, every guide."""
    return render_template("home.html", guides=GUIDES, guide_titles=GUIDE_TITLES, **context)


@bp.get("/")
def home():
    return render_home()


@bp.post("/")
def typed_code():
    """Open the unit's page from the code typed off its invitation; a wrong code, whatever it looks like,
    gets the home page back with one message and the 404 a wrong link gets."""
    typed = request.form.get("code", "")
    token = token_from_typed_code(typed)
    if token is None or not opens_a_report(token):
        return render_home(typed=typed, wrong_code=True), 404
    return redirect(url_for("survey.page", token=token), 303)


@bp.get("/s/<token>")
def page(token):
    unit_page = UnitPage(token)
    if unit_page.shows_submission:
        return unit_page.render_answers(unit_page.answers)
    return unit_page.render_form(unit_page.shown_form(), sign_form_state(unit_page.unit, unit_page.current_number))


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
        return refuse_answers(unit_page, form, action, state)
    result, refused = store(unit_page, form, state, save_report, answers=form.answers(), action=action)
    if refused is not None:
        return refused
    if result.conflict and not result.repeated:
        return unit_page.render_form(form, sign_form_state(unit_page.unit, unit_page.current_number), 409,
                                     conflict=result.revision)
    if result.repeated or action == "save":
        flash(saved_message(result), "success")
    return redirect(url_for("survey.page", token=token))


def store(unit_page, form, state, saving, answers, **arguments):
    """Run a save function of reports.saving for the posted page's `answers`; return (its result, None),
    or (None, the page to show) when the report is locked or the database busy. Answers to questions the
    config no longer has, which the form cannot show, are carried over as they are."""
    try:
        return saving(unit_page.unit, {**unit_page.survey.retired_answers(unit_page.answers), **answers},
                      based_on=state["based_on"], submission_id=state["id"], config_version=unit_page.survey.version,
                      token=unit_page.token, deadline=unit_page.deadline, read=unit_page.read, **arguments), None
    except ReportLocked:
        # What was typed since the deadline is not saved: it is shown back, to copy and send to the committee.
        return None, unit_page.render_answers(unit_page.answers, status=409, typed=form.answers())
    except DatabaseBusy as busy:
        log_busy_database(str(busy))
        return None, refuse_form(unit_page, form, _(
            "The service is busy at this moment, so nothing was saved yet. Everything you typed is still "
            "below: press the button again in a minute."), status=503)


def refuse_answers(unit_page, form, action, state):
    """Point out the answers that need attention, and keep the others as a draft so that leaving the page
    loses only the marked ones (which the page's copy on the device still holds)."""
    kept, refused = store(unit_page, form, state, save_valid_answers, answers=form.valid_answers())
    if refused is not None:
        return refused
    form_state = form.form_state.data
    if kept is not None:
        # The next press builds on the draft just kept: it must not count as a conflict with it.
        form_state = sign_form_state(unit_page.unit, unit_page.current_number)
        if not kept.conflict:
            unit_page.saved_form = kept.revision.submission_id
    return unit_page.render_form(form, form_state, 422, error_summary=True, pressed=action, kept=kept,
                                 conflict=kept.revision if kept and kept.conflict else None)


def refuse_form(unit_page, form, message, status=400):
    """Show the form again with everything typed and a fresh CSRF token, saving nothing."""
    form.errors.pop("csrf_token", None)
    form.csrf_token.errors = []
    return unit_page.render_form(form, form.form_state.data, status, refusal=message)


def saved_message(result):
    """Confirm a draft; a submission is confirmed by the page that shows the submitted report."""
    if result.repeated:
        return _("This form had already been saved; nothing was saved twice.")
    if result.unchanged:
        return _("Nothing changed since version %(number)s, so no new version was saved.",
                 number=result.number)
    return _("Draft saved (version %(number)s).", number=result.number)


@bp.post("/s/<token>/opened")
def opened(token):
    """Count the report as opened: the page's script posts here when a person first acts on the form.
    The page's signed state proves the post comes from the unit's page."""
    unit_page = UnitPage(token)
    if read_form_state(request.form.get("form_state"), unit_page.unit) is None:
        abort(400)
    open_response(unit_page.unit)
    return "", 204


@bp.get("/s/<token>/print")
def printable(token):
    """The current version to print (or, while the unit corrects a submitted report, the one it asks: the
    submitted one or the draft): on screen as the page reads it, on paper as the party document, with the
    version and the print date. A plain page, so that printing needs no script."""
    unit_page = UnitPage(token)
    shown, answers, document = unit_page.chosen_version()
    return unit_page.render("survey/print.html", answers=answers, revision=shown, document=document, layout=LAYOUT,
                            printed_at=unit_page.now)


@bp.get("/s/<token>/revisions")
def revisions(token):
    unit_page = UnitPage(token)
    return unit_page.render("survey/revisions.html", revisions=revision_history(unit_page.response),
                            reviews=review_history(unit_page.response), review_labels=REVIEW_LABELS)


@bp.get("/s/<token>/revisions/<int:number>")
def revision(token, number):
    unit_page = UnitPage(token)
    shown = revision_of(unit_page.response, number) or abort(404)
    return unit_page.render_answers(shown.answers, revision=shown)
