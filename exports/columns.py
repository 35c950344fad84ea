"""The columns of the figures sheet, derived from the survey schema: one small mapping per question type."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from reporting.status import STATUS_LABELS, report_status
from schema import OTHER_CHOICE, level_label, other_key


@dataclass(frozen=True)
class Column:
    #: The question id (or a fixed key) shown above the label, so that columns can be matched to the config.
    code: str
    label: str
    #: How the value is written: text, integer, decimal, percent, date, datetime, yes_no, flag.
    kind: str
    value: Callable
    width: float = 14
    #: How the totals add the column up: "sum" for counts, "average" for rates, None for neither.
    total: str | None = None
    retired: bool = False


def unit_columns(deadlines, now):
    """The columns that place a unit in the hierarchy and say where its report stands."""
    def status(record):
        deadline = deadlines(record.level, record.deadline_extended_to)
        return str(STATUS_LABELS[report_status(record.response, deadline, now)])

    return [
        Column("district_code", _("District code"), "text", lambda r: r.district_code, 10),
        Column("district", _("District-level committee"), "text", lambda r: r.district_name, 24),
        Column("grassroots_code", _("Grassroots code"), "text", lambda r: r.grassroots_code, 10),
        Column("grassroots", _("Grassroots committee"), "text", lambda r: r.grassroots_name, 24),
        Column("code", _("Unit code"), "text", lambda r: r.code, 12),
        Column("name", _("Unit"), "text", lambda r: r.name, 30),
        Column("level", _("Level"), "text", lambda r: str(level_label(r.level)), 18),
        Column("status", _("Status"), "text", status, 14),
        Column("submitted_at", _("Submitted at"), "datetime", lambda r: r.submitted_at, 16),
    ]


def question_columns(question):
    """Return the columns of one non-narrative question."""
    qid, label = question.id, str(question.label)
    answer = _answer_of(qid)
    if question.type == "integer":
        return [Column(qid, label, "integer", answer, total="sum")]
    if question.type == "decimal":
        return [Column(qid, label, "decimal", answer, total="average")]
    if question.type == "percentage":
        return [Column(qid, label, "percent", lambda r: _share(r.answers.get(qid)), total="average")]
    if question.type == "date":
        return [Column(qid, label, "date", lambda r: _day(r.answers.get(qid)), 12)]
    if question.type == "yes_no":
        return [Column(qid, label, "yes_no", lambda r: _one_or_zero(r.answers.get(qid)), 10, total="sum")]
    if question.type == "single_choice":
        return [Column(qid, label, "text", lambda r: _choice_label(question, r.answers.get(qid)), 24),
                *_other_column(question)]
    if question.type == "multiple_choice":
        return [*_option_columns(question),
                Column(qid, label, "text", lambda r: "; ".join(_choice_label(question, v)
                                                              for v in r.answers.get(qid) or []), 30),
                *_other_column(question)]
    return [Column(qid, label, "text", answer, 24)]


def retired_column(question_id):
    """A column for answers to a question the current config no longer has: shown as given."""
    def value(record):
        answer = record.answers.get(question_id)
        return None if answer is None else str(answer)

    return Column(question_id, _("(retired question) %(id)s", id=question_id), "text", value, 18, retired=True)


def _answer_of(qid):
    return lambda record: record.answers.get(qid)


def _share(value):
    return None if value is None else value / 100


def _day(value):
    return None if value is None else dt.date.fromisoformat(value)


def _one_or_zero(value):
    return None if value is None else int(bool(value))


def _choice_label(question, value):
    if value is None:
        return None
    if value == OTHER_CHOICE:
        return _("Other")
    return str(question.choice_label(value))


def _option_columns(question):
    """One 0/1 column per option, so that a sum counts the units that ticked it."""
    def ticked(value):
        def flag(record):
            chosen = record.answers.get(question.id)
            return None if chosen is None else int(value in chosen)
        return flag

    return [Column(f"{question.id}.{value}", str(label), "flag", ticked(value), 12, total="sum")
            for value, label in question.answer_options()]


def _other_column(question):
    if not question.other:
        return []
    key = other_key(question.id)
    return [Column(key, _("%(question)s: other answer", question=question.label), "text", _answer_of(key), 24)]
