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
from sqlalchemy.orm.attributes import set_committed_value

import clock
from accounts.record import record
from consolidation.answer_texts import link_later
from models import Response, Revision, Unit, busy_reason, database_busy, db


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
    sa.select(Unit, Revision.answers, Revision.submission_id, Revision.config_version)
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
    #: The number of the current revision and the config version it was saved under, as read with the
    #: answers (None before the first save).
    number: int | None
    config_version: str | None


def unit_with_answers(token):
    """Return the unit with its response and current answers for a link token, in one query; None if unknown."""
    row = db.session.execute(UNIT_WITH_ANSWERS, {"token": token}).first()
    if row is None:
        return None
    unit, answers, saved_form, config_version = row
    number = None if unit.response is None else unit.response.current_number
    return UnitAnswers(unit, answers or {}, saved_form, number, config_version)


#: The revision a form was saved as, if it was; built once, as every save may ask.
REVISION_OF_FORM = sa.select(Revision).where(Revision.submission_id == sa.bindparam("submission_id"))
#: Counts a revision and reads the response back; built once, as every save runs it. On the table rather than
#: the model: the ORM's UPDATE … RETURNING of an entity cost a save more than the statement.
RESPONSES = Response.__table__
TAKE_REVISION_NUMBER = (
    sa.update(RESPONSES).where(RESPONSES.c.id == sa.bindparam("response_id"))
    .values(revision_count=RESPONSES.c.revision_count + 1)
    .returning(*RESPONSES.c)
)
#: Writes a revision and reads back its id.
INSERT_REVISION = sa.insert(Revision.__table__).returning(Revision.__table__.c.id)
#: What a draft would repeat: the current revision's answers and config version.
CURRENT_ANSWERS = (
    sa.select(Revision.answers, Revision.config_version)
    .where(Revision.response_id == sa.bindparam("response_id"), Revision.number == sa.bindparam("number"))
)


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
def save_report(unit, answers, *, action, based_on, submission_id, config_version, token, deadline, read=None):
    """Store the answers as a new revision of the unit's report and return what happened. `read`: the
    UnitAnswers the caller read the unit with, whose answers tell a draft that repeats them without reading
    them again (unless another save made a newer version since)."""
    response = open_response(unit)
    now = clock.now()
    number = _take_revision_number(response)
    if is_locked(response, deadline, now):
        db.session.rollback()
        return _earlier_save_of(submission_id, otherwise=ReportLocked())
    conflict = response.current_number != based_on
    current = None if conflict else _unchanged_by_draft(response, action, (answers, config_version), read)
    if current is not None:
        unchanged = SaveResult(current, current.number, unchanged=True)
        db.session.rollback()  # gives the revision number back
        return unchanged
    try:
        revision = _insert_revision(
            response_id=response.id, number=number, action=action, answers=answers,
            config_version=config_version, based_on=based_on, conflict=conflict,
            late=action == "submit" and now >= deadline, submission_id=submission_id,
            link_fingerprint=link_fingerprint(token), created_at=now,
        )
    except IntegrityError as error:
        # The same form was saved before (a double tap, a resent POST), maybe at this very moment: its
        # submission id is taken. Looking for it first would cost every save a query for the few repeated.
        db.session.rollback()
        return _earlier_save_of(submission_id, otherwise=error)
    if not conflict:
        link_later(revision)
    _record_save(response, revision, made_current=not conflict)
    db.session.commit()
    return SaveResult(revision, number, conflict=conflict)
def _unchanged_by_draft(response, action, saved, read):
    """Return the current revision if a draft saving (answers, config version) would repeat it, else None. Its
    answers are those `read` holds if it is still current, else read alone: most drafts change something, and
    loading the revision would cost them more."""
    number = response.current_number
    if action != "save" or number is None:
        return None
    if read is not None and read.number == number:
        current = (read.answers, read.config_version)
    else:
        current = tuple(db.session.execute(CURRENT_ANSWERS, {"response_id": response.id, "number": number}).one())
    return revision_of(response, number) if current == saved else None


def save_valid_answers(unit, answers, **saving):
    """Keep the answers that passed their checks as a draft when a save or submit is refused, so that
    leaving the page loses only the answers marked wrong (`saving`: save_report's other arguments). A draft
    that repeats the current version saves nothing (`unchanged`); return None, opening nothing, when no
    answer passed and the report has no version yet."""
    if not answers and (unit.response is None or unit.response.current_number is None):
        return None
    return save_report(unit, answers, action="save", **saving)


def _earlier_save_of(submission_id, otherwise):
    """Return the earlier save of this form as a repeated one; raise `otherwise` if the form was never saved."""
    earlier = db.session.scalar(REVISION_OF_FORM, {"submission_id": submission_id})
    if earlier is None:
        raise otherwise
    return SaveResult(earlier, earlier.number, conflict=earlier.conflict, repeated=True)


def _take_revision_number(response):
    """Count the revision about to be written and return its number. The same statement reads the response
    back as it now stands: the lock it takes means no other save can change it before this one ends."""
    counted = db.session.execute(TAKE_REVISION_NUMBER, {"response_id": response.id}).one()
    for column, value in counted._mapping.items():
        set_committed_value(response, column, value)
    return counted.revision_count


def _insert_revision(**columns):
    """Write the revision at once, so that a form saved before fails here, before anything else is written;
    return it as written (its id read back, nothing else: the save knows the rest)."""
    return Revision(id=db.session.execute(INSERT_REVISION, columns).scalar_one(), **columns)


def _record_save(response, revision, made_current):
    """Note the save on the response and, unless it was kept aside, make the revision the current one."""
    values = {"updated_at": revision.created_at}
    if made_current:
        values["current_number"] = revision.number
        if revision.action == "submit":
            values.update(submitted_number=revision.number, submitted_at=revision.created_at,
                          submitted_late=revision.late)
            if response.review == "returned":
                values["review"] = "resubmitted"
    db.session.execute(sa.update(RESPONSES).where(RESPONSES.c.id == response.id).values(values))


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
