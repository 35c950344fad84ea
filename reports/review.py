"""The committee above answers a submitted report: accepts it (the report is locked), returns it for completion
with a reason and notes on questions (open for correction until a last day), or unlocks one it accepted.

Each answer is one conditional UPDATE of the report's row, on the version the reviewer read and the state
the page showed: a unit that submitted again meanwhile, or a reviewer who acted first, makes it change no
row, and ReviewConflict says so; nothing is overwritten. Each is recorded (accounts/record.py) in its own
transaction, with its review kept for the history (models.Review).
"""

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

import clock
from accounts.record import record
from models import Response, Review, Unit, User, db
from units.hierarchy import UnitTree

#: The review states a reviewer may act from, by action ("" for a report not reviewed yet); and the state it
#: leaves.
ACTING_FROM = {"accept": ("", "resubmitted"), "return": ("", "resubmitted"), "unlock": ("accepted",)}
LEAVES = {"accept": "accepted", "return": "returned", "unlock": None}
#: A review in the report's history.
REVIEW_LABELS = {"accept": _l("Accepted"), "return": _l("Returned for completion"), "unlock": _l("Unlocked")}


class ReviewConflict(Exception):
    """The report is no longer as the reviewer read it: a new version came, or another reviewer acted."""


def reviews_unit(user, unit):
    """Tell whether the account answers the unit's reports: a manager of a committee above it (its scope
    holds the unit, and is not the unit itself: no committee reviews its own report)."""
    return user.role == "manager" and unit.id != user.scope_unit_id


def can_review(response, action):
    """Tell whether `action` applies to the report as it stands."""
    return response is not None and response.is_submitted and (response.review or "") in ACTING_FROM[action]


def accept_report(unit, seen_number, by):
    """Accept the submitted version `seen_number` of the unit's report."""
    _review(unit, seen_number, by, "accept")


def return_report(unit, seen_number, by, reason, notes, correct_until):
    """Return the submitted version `seen_number` for completion: the unit reads `reason` and `notes`
    ({question id: note}) and may correct it until the end of `correct_until`."""
    _review(unit, seen_number, by, "return", reason=reason, notes=notes, correct_until=correct_until)


def unlock_report(unit, seen_number, by, reason):
    """Take back an acceptance: the report waits for review again, and its unit may correct it until its
    deadline as before."""
    _review(unit, seen_number, by, "unlock", reason=reason)


def accept_reports(units_and_versions, by):
    """Accept each (unit, seen version) pair that still stands as seen; return the units accepted and the
    units refused (changed since they were listed)."""
    accepted, refused = [], []
    for unit, seen_number in units_and_versions:
        try:
            accept_report(unit, seen_number, by)
        except ReviewConflict:
            refused.append(unit)
        else:
            accepted.append(unit)
    return accepted, refused


def _review(unit, seen_number, by, action, reason=None, notes=None, correct_until=None):
    response = unit.response
    if response is None:
        raise ReviewConflict()
    changed = db.session.execute(
        sa.update(Response)
        .where(Response.id == response.id, Response.submitted_number == seen_number,
               sa.func.coalesce(Response.review, "").in_(ACTING_FROM[action]))
        .values(review=LEAVES[action], correct_until=correct_until)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise ReviewConflict()
    db.session.add(Review(response_id=response.id, revision_number=seen_number, action=action, reason=reason,
                          notes=notes or {}, open_until=correct_until, user_id=by.id, created_at=clock.now()))
    record(action, unit, by, reason, version=seen_number,
           **({"until": correct_until.isoformat()} if correct_until else {}),
           **({"noted_questions": sorted(notes)} if notes else {}))
    db.session.commit()
    db.session.refresh(response)


def default_correct_until(survey, unit, now):
    """The last day a return offers: the unit's own deadline while it is ahead, else RETURN_DAYS from today."""
    today = survey.today(now)
    last_day = survey.last_day(unit.level, unit.deadline_extended_to)
    return last_day if last_day >= today else today + dt.timedelta(days=current_app.config["RETURN_DAYS"])


def correction_deadline(survey, unit):
    """The moment the unit's report closes: the end of its last day to submit."""
    return survey.deadline_for(unit.level, last_day_to_submit(survey, unit))


def last_day_to_submit(survey, unit):
    """The unit's last day to submit: its own (its extension, or its level's), or for a returned report the last
    day its reviewer gave, if later."""
    response = unit.response
    returned = response is not None and response.review == "returned"
    return later_last_day(survey, unit.level, unit.deadline_extended_to, response.correct_until if returned else None)


def later_last_day(survey, level, extended_to, returned_until=None):
    """The later of a unit's own last day (`extended_to`, or its level's) and the last day a return gave it."""
    last_day = survey.last_day(level, extended_to)
    return max(last_day, returned_until) if returned_until is not None else last_day


def last_return(response):
    """Return the review that returned the report last (its reason and notes), or None."""
    if response is None:
        return None
    return db.session.scalar(sa.select(Review).filter_by(response_id=response.id, action="return")
                             .order_by(Review.id.desc()).limit(1))


def submitted_versions(codes):
    """Return {unit code: its submitted version} for the units of `codes` whose report is submitted."""
    return dict(db.session.execute(sa.select(Unit.code, Response.submitted_number).join(Response.unit)
                                   .where(Unit.code.in_(codes), Response.submitted_number.is_not(None))).all())


def review_history(response):
    """Every review of the report, newest first."""
    if response is None:
        return []
    return list(db.session.scalars(sa.select(Review).filter_by(response_id=response.id)
                                   .order_by(Review.id.desc())))


def returned_reports(scope):
    """Return, in hierarchy order, each unit of `scope`'s subtree (the province if None) whose report is
    returned and not submitted again: (unit code, name, level, the return (models.Review), its account's name)."""
    tree = UnitTree()
    last = (sa.select(sa.func.max(Review.id)).where(Review.response_id == Response.id, Review.action == "return")
            .correlate(Response).scalar_subquery())
    query = (tree.select(Unit.code, Unit.name, Unit.level, Review, User.username, scope=scope)
             .join(Response, Response.unit_id == Unit.id).join(Review, Review.id == last)
             .join(User, User.id == Review.user_id).where(Response.review == "returned"))
    return db.session.execute(tree.in_order(query)).all()
