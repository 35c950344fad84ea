"""Plain objects describing a survey: what the config file says, checked and typed.

Everything downstream (forms, storage, exports) reads these objects; nothing else reads YAML.
"""

import datetime as dt
import operator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask_babel import force_locale

from config import DEFAULT_LANGUAGE

from .types import TYPES, other_key

#: The language config texts are shown in. The app sets it once per request: a page shows some
#: hundred config texts, and asking Flask-Babel each time would cost a tenth of the page.
display_language = ContextVar("display_language", default=DEFAULT_LANGUAGE)

#: Cross-question comparisons a config may use; `in` tests membership in a multiple choice.
COMPARISONS = {
    "<": operator.lt, "<=": operator.le, "==": operator.eq,
    ">=": operator.ge, ">": operator.gt, "in": lambda left, right: left in right,
}

#: How long after the survey's last deadline a manager may still extend a unit's: a year. A review is
#: consolidated and sent upward within weeks of its deadlines; a later day is a typo (2207, 9999 for 2027).
LAST_DAY_HORIZON = dt.timedelta(days=366)
#: The days a deadline is computed from: the database may still hold any date (a direct SQL edit, or an
#: extension from before LAST_DAY_HORIZON), and the day after it, in any time zone, must exist.
COUNTED_DAYS = (dt.date.min + dt.timedelta(days=2), dt.date.max - dt.timedelta(days=2))


def counted_day(day):
    """Return `day` brought within COUNTED_DAYS: a last day in year 9999 still ends, some millennia late."""
    earliest, latest = COUNTED_DAYS
    return min(max(day, earliest), latest)


def day_text(day):
    """Return a date as dd/mm/yyyy, the way Vietnamese documents write it (a stored year 1 as 0001)."""
    return f"{day.day:02}/{day.month:02}/{day.year:04}"


@dataclass(frozen=True)
class Text:
    """A text given in the config in one or more languages; Vietnamese is always present."""

    by_language: dict

    def __str__(self):
        return self.by_language.get(display_language.get()) or self.by_language["vi"]

    def __bool__(self):
        return bool(self.by_language.get("vi"))


EMPTY_TEXT = Text({"vi": ""})


def translated(labels):
    """Translate a table of lazy labels once, rather than once per row of a long list or sheet."""
    return {key: str(label) for key, label in labels.items()}


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text


@dataclass(frozen=True)
class Condition:
    """Show a question only when another question's answer is one of `values`."""

    question: str
    values: tuple

    def holds(self, answers):
        answer = answers.get(self.question)
        if isinstance(answer, list):
            return any(value in self.values for value in answer)
        return answer in self.values


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: Text
    hint: Text = EMPTY_TEXT
    required: bool = False
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    choices: tuple = ()
    other: bool = False
    show_if: Condition | None = None
    levels: tuple = ()
    #: The full outline number of the question's section, e.g. "II.3.1".
    section_number: str = ""
    #: How a committee's or a scope's figure is made from its units' answers: "sum", "mean" or None.
    consolidate: str | None = None
    #: For a mean, the number question that weighs each unit's answer (members for an attendance rate).
    weight: str | None = None
    #: Asked in the section of the document's details (number, date, signer): printed in the unit's
    #: document, never counted in figures, statistics or comments.
    document_detail: bool = False

    @property
    def kind(self):
        """The question's type: how its answers are parsed, shown, exported and summarised."""
        return TYPES[self.type]

    @property
    def is_number(self):
        return self.kind.is_number

    @property
    def is_narrative(self):
        return self.kind.narrative

    @property
    def is_text(self):
        """Tell whether the answer is free text (short or long), read in words rather than as one value."""
        return self.type in ("short_text", "long_text")

    def applies_to(self, level):
        return level in self.levels

    def is_shown(self, answers):
        return self.show_if is None or self.show_if.holds(answers)


@dataclass(frozen=True)
class Check:
    """A rule between two answers, e.g. members exempted <= members."""

    left: str
    op: str
    right: str
    message: Text

    def fails(self, answers):
        left, right = answers.get(self.left), answers.get(self.right)
        if left is None or right is None:
            return False
        return not COMPARISONS[self.op](left, right)


@dataclass(frozen=True)
class Section:
    number: str
    title: Text
    hint: Text = EMPTY_TEXT
    questions: tuple = ()
    sections: tuple = ()
    #: The section asks what only the unit knows of its document (number, date, signer), not the outline.
    document_details: bool = False

    def walk(self):
        """Yield this section and every section below it, in outline order."""
        yield self
        for child in self.sections:
            yield from child.walk()

    def concerns(self, level):
        """Tell whether this section or one below it asks the level anything."""
        return any(q.applies_to(level) for section in self.walk() for q in section.questions)


#: What each of the document's details is, and the question types that may ask it.
DOCUMENT_DETAILS = {
    "number": ("short_text",),
    "date": ("date",),
    "signer_name": ("short_text",),
    "signer_title": ("single_choice",),
    "recipients": ("short_text", "long_text"),
}


@dataclass(frozen=True)
class PartyDocument:
    """The survey's texts in a unit's report as a party document (always Vietnamese, as the party writes)."""

    #: The kind's line in upper case, e.g. "BÁO CÁO".
    title: str
    #: The line or lines under it, e.g. "tổng kết 10 năm thực hiện Chỉ thị số 10-CT/TW ...".
    subject: str
    #: The body's last paragraph, e.g. "Trên đây là báo cáo ..."; may be empty.
    closing: str = ""
    #: The recipients before the unit's own file, per level; "{above}" stands for the committee above.
    recipients: dict = field(default_factory=dict)
    #: The id of the question asking each detail of DOCUMENT_DETAILS the config names.
    details: dict = field(default_factory=dict)


#: The days before a unit's last day on which it is reminded when the config's `reminders` says nothing.
DEFAULT_REMINDER_DAYS = (7, 3, 1)


@dataclass(frozen=True)
class ReminderSchedule:
    """When units that have not submitted, and the committees above them, are e-mailed (reports/reminders.py)."""

    #: The days before its last day a unit that has not submitted is reminded, largest first.
    days_before: tuple = DEFAULT_REMINDER_DAYS
    #: Whether, once a last day has passed, the committee directly above gets the list of its units overdue.
    overdue_digest: bool = True

    def step_due(self, days_left):
        """Return the step due with `days_left` days to the last day (0: the last day itself): the smallest of
        `days_before` not below it, so that a run missed catches up with the latest step only; None before the
        first step and after the last day."""
        if days_left < 0:
            return None
        return min((days for days in self.days_before if days >= days_left), default=None)

    def step_days(self, last_day):
        """Return the days a unit with this last day is reminded on, earliest first."""
        return [last_day - dt.timedelta(days=before) for before in self.days_before]

    def overdue_day(self, last_day):
        """Return the day the committee above gets the list of its units overdue on this last day, or None."""
        return last_day + dt.timedelta(days=1) if self.overdue_digest else None


@dataclass(frozen=True)
class Survey:
    title: Text
    directive: Text
    version: str
    timezone: str
    deadlines: dict
    sections: tuple
    checks: tuple = ()
    questions: dict = field(default_factory=dict)
    #: How a unit's report is written as a party document; None when the config has no `document`.
    document: PartyDocument | None = None
    #: When reminders are e-mailed; the config's `reminders`, else every DEFAULT_REMINDER_DAYS and the list.
    reminders: ReminderSchedule = ReminderSchedule()

    def all_sections(self):
        for section in self.sections:
            yield from section.walk()

    def outline_sections(self):
        """Yield the sections of the report's outline, without the document's details, in outline order."""
        for section in self.sections:
            if not section.document_details:
                yield from section.walk()

    def document_texts(self):
        """Return the texts of a party document: the config's `document` block, else a plain "Báo cáo" on
        the survey's title (a unit's report and the committee's draft alike)."""
        return self.document or PartyDocument(title="Báo cáo", subject=self.title.by_language["vi"])

    def outline_questions(self):
        """Return the questions of the outline: what figures, statistics and comments are made of."""
        return [q for q in self.questions.values() if not q.document_detail]

    @property
    def zone(self):
        return ZoneInfo(self.timezone)

    def local(self, moment):
        """Return an aware moment as the naive wall-clock time where the survey runs (for Excel)."""
        return moment.astimezone(self.zone).replace(tzinfo=None)

    def today(self, now):
        """Return the date it is at `now` where the survey runs."""
        return self.local(now).date()

    def known_answer_keys(self):
        """Return every answer key a question of this config gives: its id, and its "other" text's."""
        return set(self.questions) | {other_key(q.id) for q in self.questions.values() if q.other}

    def retired_answers(self, answers):
        """Return the stored answers to questions this config no longer has, by key: kept, never checked."""
        known = self.known_answer_keys()
        return {key: answers[key] for key in sorted(answers) if key not in known}

    def questions_for(self, level):
        return [q for q in self.questions.values() if q.applies_to(level)]

    def last_day(self, level, extended_to=None):
        """Return a unit's last day to submit: its own extension, or its level's deadline."""
        return extended_to or self.deadlines[level]

    def deadline_for(self, level, extended_to=None):
        """Return the moment a unit's last day ends, as an aware datetime."""
        day = counted_day(self.last_day(level, extended_to))
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), self.zone)

    def latest_extension(self):
        """Return the latest last day a manager may give a unit: LAST_DAY_HORIZON after the last deadline."""
        return max(self.deadlines.values()) + LAST_DAY_HORIZON


@contextmanager
def speaking(language):
    """Write texts of the interface and of the config in `language`."""
    token = display_language.set(language)
    try:
        with force_locale(language):
            yield
    finally:
        display_language.reset(token)
