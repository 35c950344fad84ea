"""Keep every save and submit of a report as a revision, without ever losing one.

A save increments the response's revision counter before anything else. That UPDATE takes the
row lock on PostgreSQL and the write lock on SQLite, so saves of one unit are serialised and the
revision it then reads as current is the latest one.
"""

import functools
import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import contains_eager

import clock
from accounts.record import record
from consolidation.answer_texts import record_revision_texts
from models import Response, Revision, Unit, busy_reason, database_busy, db
from schema.store import current_survey


class ReportLocked(Exception):
    """The report was submitted and its deadline has passed: it can no longer change."""


class DatabaseBusy(Exception):
    """The database stayed locked or out of reach past its timeout: nothing was saved, try again."""


@dataclass(frozen=True)
class SaveResult:
    revision: Revision
    #: The revision's number, kept apart: the commit (or rollback) expires the revision, and reading its
    #: number back would cost the save a statement.
    number: int
    #: The page was older than the current revision: saved aside, not made current.
    conflict: bool = False
    #: The same form had been saved already (a double tap or a resent POST).
    repeated: bool = False
    #: A draft with the current revision's answers: nothing saved, `revision` is the current one.
    unchanged: bool = False


def link_fingerprint(token):
    """Return a short, non-secret name for a link, to tell who saved a revision."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def open_response(unit):
    """Return the unit's response, creating it the first time someone acts on the unit's page (types in
    it or saves it): that moment is when the report counts as opened. Only viewing the page, as a link
    preview does, opens nothing."""
    if unit.response is not None:
        return unit.response
    try:
        with db.session.begin_nested():
            db.session.add(Response(unit=unit))
        db.session.commit()
    except IntegrityError:
        # Someone else opened the link at the same moment; theirs is the response.
        db.session.rollback()
        db.session.refresh(unit)
    return unit.response


def is_locked(response, deadline, now):
    """Tell whether the report can no longer change: accepted by the committee above, or submitted and past
    `deadline` (for a returned report, the end of the last day its reviewer gave: reports.review)."""
    if response is None:
        return False
    return response.review == "accepted" or (response.is_submitted and now >= deadline)


#: Built once: every page view runs it, and building the statement costs more than running it.
UNIT_WITH_ANSWERS = (
    sa.select(Unit, Revision.answers, Revision.submission_id)
    .outerjoin(Unit.response)
    .outerjoin(Revision, sa.and_(Revision.response_id == Response.id, Revision.number == Response.current_number))
    .options(contains_eager(Unit.response))
    .where(Unit.token == sa.bindparam("token"))
)


@dataclass(frozen=True)
class UnitAnswers:
    unit: Unit
    #: The current revision's answers; empty before the first save.
    answers: dict
    #: The one-time id of the form the current revision was saved from (None before the first save), so
    #: that the page can tell the browser which of its kept copies is saved.
    saved_form: str | None


def unit_with_answers(token):
    """Return the unit with its response and current answers for a link token, in one query; None if unknown."""
    row = db.session.execute(UNIT_WITH_ANSWERS, {"token": token}).first()
    return None if row is None else UnitAnswers(row[0], row[1] or {}, row[2])


def revision_history(response):
    """Return every revision of a report, newest first (none for a report never opened)."""
    if response is None:
        return []
    return list(db.session.scalars(
        sa.select(Revision).filter_by(response_id=response.id).order_by(Revision.number.desc())))


def committee_version(response):
    """Return the number of the version a committee reads: as submitted, else as last saved; None if none."""
    return None if response is None else response.submitted_number or response.current_number


def revision_of(response, number):
    if response is None or number is None:
        return None
    return db.session.scalar(sa.select(Revision).filter_by(response_id=response.id, number=number))


def saves_nothing_when_busy(function):
    """Roll back and raise DatabaseBusy when the database stays busy past its timeout."""

    @functools.wraps(function)
    def saving(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except OperationalError as error:
            db.session.rollback()
            if database_busy(error):
                raise DatabaseBusy(busy_reason(error)) from error
            raise

    return saving


@saves_nothing_when_busy
def save_report(unit, answers, *, action, based_on, submission_id, config_version, token, deadline):
    """Store the answers as a new revision of the unit's report and return what happened."""
    response = open_response(unit)
    repeated = _revision_with_submission_id(submission_id)
    if repeated is not None:
        return SaveResult(repeated, repeated.number, conflict=repeated.conflict, repeated=True)
    now = clock.now()
    number = _take_revision_number(response)
    if is_locked(response, deadline, now):
        db.session.rollback()
        raise ReportLocked()
    conflict = response.current_number != based_on
    current = None if conflict else _unchanged_by_draft(response, action, answers, config_version)
    if current is not None:
        unchanged = SaveResult(current, current.number, unchanged=True)
        db.session.rollback()  # gives the revision number back
        return unchanged
    revision = Revision(
        response_id=response.id, number=number, action=action, answers=answers,
        config_version=config_version, based_on=based_on, conflict=conflict,
        late=action == "submit" and now >= deadline, submission_id=submission_id,
        link_fingerprint=link_fingerprint(token), created_at=now,
    )
    db.session.add(revision)
    if not conflict:
        _make_current(response, revision)
        db.session.flush()
        record_revision_texts(revision, current_survey())
    response.updated_at = now
    try:
        db.session.commit()
    except IntegrityError:
        # The same form was saved by a parallel request between our check and our insert.
        db.session.rollback()
        repeated = _revision_with_submission_id(submission_id)
        if repeated is None:
            raise
        return SaveResult(repeated, repeated.number, conflict=repeated.conflict, repeated=True)
    return SaveResult(revision, number, conflict=conflict)


def _unchanged_by_draft(response, action, answers, config_version):
    """Return the current revision if a draft of these answers would repeat it, else None."""
    current = revision_of(response, response.current_number) if action == "save" else None
    if current is not None and (current.answers, current.config_version) == (answers, config_version):
        return current
    return None


def save_valid_answers(unit, answers, **saving):
    """Keep the answers that passed their checks as a draft when a save or submit is refused, so that
    leaving the page loses only the answers marked wrong (`saving`: save_report's other arguments). A draft
    that repeats the current version saves nothing (`unchanged`); return None, opening nothing, when no
    answer passed and the report has no version yet."""
    if not answers and (unit.response is None or unit.response.current_number is None):
        return None
    return save_report(unit, answers, action="save", **saving)


def _revision_with_submission_id(submission_id):
    return db.session.scalar(sa.select(Revision).filter_by(submission_id=submission_id))


def _take_revision_number(response):
    number = db.session.execute(
        sa.update(Response).where(Response.id == response.id)
        .values(revision_count=Response.revision_count + 1)
        .returning(Response.revision_count)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    db.session.refresh(response)
    return number


def _make_current(response, revision):
    response.current_number = revision.number
    if revision.action == "submit":
        if response.review == "returned":
            response.review = "resubmitted"
        response.submitted_number = revision.number
        response.submitted_at = revision.created_at
        response.submitted_late = revision.late


def reopen_report(unit, by):
    """Take a submitted report back to draft, so that its unit can correct and submit it again; a review it
    waited for or had (but an acceptance, which only unlocking takes back) goes with its submission."""
    response = unit.response
    record("reopen", unit, by, version=response.submitted_number)
    response.submitted_number = None
    response.submitted_at = None
    response.submitted_late = False
    response.review = None
    db.session.commit()
