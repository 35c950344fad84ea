"""Reminders by e-mail: which are due within a scope, and sending them, one transaction each.

A unit that has not submitted (a report returned for completion has not) gets its link on the days of the survey's
`reminders` before its last day; the day after a last day, the committee directly above gets the list of its units
still overdue, without their links. Each e-mail sent is a row of `reminders`, unique by (recipient unit, step, last
day): a reminder sent is never sent again, one that failed leaves no row and the next run sends it, and a new last
day (an extension, a return for completion) starts the steps afresh.

Composing an e-mail builds the unit's link with `url_for`: the command runs inside
`test_request_context(base_url=...)`, the button inside its request.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from babel.lists import format_list
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

import clock
import mailer
from accounts.record import record
from models import OVERDUE_STEP, Reminder, Response, Unit, db
from schema.model import day_text
from units.hierarchy import UnitTree, subtree_ids

from .progress import status_expression
from .reminder_mail import overdue_list_message, unit_reminder_message
from .review import last_day_to_submit
from .status import SUBMITTED


@dataclass(frozen=True)
class Contact:
    """The committee directly above a unit, as its reminder names it: whom the unit may ask."""

    name: str
    person: str | None
    phone: str | None
    email: str | None

    @classmethod
    def of(cls, committee):
        return cls(committee.name, committee.contact_name, committee.contact_phone, committee.contact_email)


@dataclass(frozen=True)
class UnitReminder:
    """A unit's own reminder, with its link, `days_left` days before its last day."""

    unit_id: int
    code: str
    name: str
    email: str
    step: str
    last_day: dt.date
    days_left: int
    token: str
    above: Contact | None

    units = 1

    def message(self, survey):
        return unit_reminder_message(self, survey)


@dataclass(frozen=True)
class OverdueUnit:
    code: str
    name: str
    phone: str | None


@dataclass(frozen=True)
class OverdueList:
    """The list of a committee's units whose last day has passed and that have not submitted: names, codes and
    phones, never links (a link is its unit's alone)."""

    unit_id: int
    code: str
    name: str
    email: str
    last_day: dt.date
    overdue: tuple

    step = OVERDUE_STEP

    @property
    def units(self):
        return len(self.overdue)

    def message(self, survey):
        return overdue_list_message(self, survey)


@dataclass
class ReminderPlan:
    """What a scope is due today."""

    #: The e-mails due and not sent yet (UnitReminder, OverdueList).
    due: list
    #: (code, name) of the units and committees due an e-mail that have no contact e-mail: to be called.
    without_email: list
    #: The next day after today a reminder falls due, or None.
    next_day: dt.date | None


@dataclass
class SendOutcome:
    """What a run did with each e-mail due: sent, failed (tried again next time), or taken (another run sent it
    meanwhile)."""

    sent: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    taken: list = field(default_factory=list)

    def steps(self):
        """Return how many e-mails went at each step, e.g. {"3": 10, "overdue": 2}."""
        return dict(Counter(reminder.step for reminder in self.sent))


def plan_reminders(survey, scope, now):
    """Return what `scope` (a unit; the province when it is one) is due at `now`: its units' own reminders, and the
    lists of overdue units for the committees of its subtree, the scope itself included."""
    today, schedule = survey.today(now), survey.reminders
    reminders, overdue, without_email, upcoming = [], {}, [], []
    for unit in not_submitted_units(survey, scope, now):
        last_day = last_day_to_submit(survey, unit)
        days_left = (last_day - today).days
        step = schedule.step_due(days_left)
        # The scope's own committee above is outside the scope: it gets no list from here.
        committee = unit.parent if unit.id != scope.id else None
        if step is not None and unit.contact_email:
            above = Contact.of(unit.parent) if unit.parent is not None else None
            reminders.append(UnitReminder(unit.id, unit.code, unit.name, unit.contact_email, str(step), last_day,
                                          days_left, unit.token, above))
        elif step is not None:
            without_email.append((unit.code, unit.name))
        elif days_left < 0 and schedule.overdue_digest and committee is not None:
            overdue.setdefault((committee, last_day), []).append(OverdueUnit(unit.code, unit.name,
                                                                             unit.contact_phone))
        if unit.contact_email:
            upcoming += schedule.step_days(last_day)
        if committee is not None and committee.contact_email and schedule.overdue_digest:
            upcoming.append(schedule.overdue_day(last_day))
    lists = [OverdueList(committee.id, committee.code, committee.name, committee.contact_email, last_day,
                         tuple(units)) for (committee, last_day), units in overdue.items() if committee.contact_email]
    without_email += sorted({(committee.code, committee.name) for committee, _day in overdue
                             if not committee.contact_email})
    return ReminderPlan(due=not_sent(reminders + lists), without_email=without_email,
                        next_day=min((day for day in upcoming if day > today), default=None))


def not_submitted_units(survey, scope, now):
    """Return the reporting units of `scope`'s subtree that have not submitted, in hierarchy order, each with its
    report and its committee above loaded."""
    tree = UnitTree()
    query = (tree.select(Unit, scope=scope)
             .outerjoin(Response, Response.unit_id == Unit.id)
             .where(status_expression(survey, now).not_in(SUBMITTED))
             .options(contains_eager(Unit.response), selectinload(Unit.parent)))
    return db.session.scalars(tree.in_order(query)).all()


def not_sent(reminders):
    """Return the reminders among `reminders` that no row of `reminders` says were sent."""
    if not reminders:
        return []
    unit_ids = {reminder.unit_id for reminder in reminders}
    sent = set(db.session.execute(sa.select(Reminder.unit_id, Reminder.step, Reminder.last_day)
                                  .where(Reminder.unit_id.in_(unit_ids))))
    return [reminder for reminder in reminders if (reminder.unit_id, reminder.step, reminder.last_day) not in sent]


def send_reminders(survey, plan, scope, by=None):
    """Send the e-mails `plan` has due over one connection, each in a transaction of its own, and record the run
    on `scope` as done by the account `by` (None: the command) when any went. Call only when
    mailer.mail_problem() is None."""
    outcome = SendOutcome()
    if not plan.due:
        return outcome
    user_id = by.id if by is not None else None
    try:
        with mailer.connection() as connection:
            for reminder in plan.due:
                getattr(outcome, send_one(connection, survey, reminder, user_id)).append(reminder)
    except mailer.SEND_ERRORS:  # the server could not be reached: nothing went
        outcome.failed = list(plan.due)
    if outcome.sent:
        record("reminders", scope, by, sent=len(outcome.sent), failed=len(outcome.failed), steps=outcome.steps())
        db.session.commit()
    return outcome


def send_one(connection, survey, reminder, user_id):
    """Send one e-mail and keep its row, or neither: return "sent", "failed" (an error of the mail server: the
    row goes, so the next run tries again) or "taken" (another run holds the row: it sends the e-mail)."""
    db.session.add(Reminder(unit_id=reminder.unit_id, step=reminder.step, last_day=reminder.last_day,
                            recipient=reminder.email, user_id=user_id, units=reminder.units, sent_at=clock.now()))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return "taken"
    try:
        connection.send(reminder.message(survey))
    except mailer.SEND_ERRORS:
        db.session.rollback()
        return "failed"
    db.session.commit()
    return "sent"


def last_sent(scope):
    """Return when the last reminder to a unit of `scope`'s subtree went, or None."""
    query = sa.select(sa.func.max(Reminder.sent_at))
    if scope.level != "tinh":
        query = query.where(Reminder.unit_id.in_(subtree_ids(scope)))
    return db.session.scalar(query)


def schedule_words(schedule):
    """Say on which days units are reminded, e.g. "7, 3 and 1 days before the last day"."""
    if not schedule.days_before:
        return ""
    days = format_list([str(days) for days in schedule.days_before], locale=get_locale())
    # Plural unless the only day is 1 (its sum is 1 then, and only then).
    return ngettext("%(days)s day before the last day", "%(days)s days before the last day",
                    sum(schedule.days_before), days=days)


@dataclass(frozen=True)
class ReminderSummary:
    """What the list of units not submitted says of reminders, above the button that sends them."""

    schedule: str
    overdue_digest: bool
    last_sent_at: dt.datetime | None
    #: Why mail cannot be sent, or None.
    mail_problem: str | None


def reminder_summary(scope, survey):
    """Return the summary of reminders for `scope`: a plain query, however many units."""
    return ReminderSummary(schedule=schedule_words(survey.reminders), overdue_digest=survey.reminders.overdue_digest,
                           last_sent_at=last_sent(scope), mail_problem=mailer.mail_problem())


def nothing_due_message(plan, scope, survey):
    """Say that nothing was due, so nothing was sent: when the last reminders went, and when the next fall due."""
    parts = [_("No reminder is due now: nothing was sent.")]
    sent_at = last_sent(scope)
    if sent_at is not None:
        local = survey.local(sent_at)
        parts.append(_("The reminders already sent went at %(time)s on %(day)s.", time=f"{local:%H:%M}",
                       day=day_text(local.date())))
    if plan.next_day is not None:
        parts.append(_("The next fall due on %(day)s.", day=day_text(plan.next_day)))
    return " ".join(parts)


def failed_message(outcome):
    """Say how many e-mails the mail server did not take, and that they are not lost."""
    return ngettext("%(num)s e-mail could not be sent (the mail server refused it or did not answer): it will be "
                    "tried again at the next run.",
                    "%(num)s e-mails could not be sent (the mail server refused them or did not answer): they will "
                    "be tried again at the next run.", len(outcome.failed))


def without_email_message(plan):
    """Say how many units and committees due an e-mail have no address: someone calls them."""
    return ngettext("%(num)s unit due a reminder has no contact e-mail: call it.",
                    "%(num)s units due a reminder have no contact e-mail: call them.", len(plan.without_email))
