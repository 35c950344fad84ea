"""How stored answers and times read on a page, in the person's language and the survey's time zone."""

import datetime as dt

from flask_babel import gettext as _

from forms.fields import NO, YES, format_number
from reporting.status import STATUS_LABELS
from schema import OTHER_CHOICE, other_key
from schema.levels import level_label
from schema.store import survey_of_this_request


def local_time(moment):
    """Return an aware datetime as dd/mm/yyyy HH:MM in the survey's time zone."""
    if moment is None:
        return ""
    return survey_of_this_request().local(moment).strftime("%d/%m/%Y %H:%M")


def date_text(day):
    """Return a date as dd/mm/yyyy, the way Vietnamese documents write it."""
    return day.strftime("%d/%m/%Y")


def answer_text(question, answers):
    """Return an answer as a person reads it: labels for choices, Có/Không, 12,5, 05/04/2027."""
    value = answers.get(question.id)
    if value is None:
        return ""
    if question.type == "yes_no":
        return _("Yes") if value else _("No")
    if question.type == "date":
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    if question.is_number:
        return format_number(value) + ("%" if question.type == "percentage" else "")
    if question.type in ("single_choice", "multiple_choice"):
        chosen = value if isinstance(value, list) else [value]
        labels = [choice_text(question, choice, answers) for choice in chosen]
        return "; ".join(labels)
    return value


def choice_text(question, choice, answers):
    if choice == OTHER_CHOICE:
        return _("Other: %(text)s", text=answers.get(other_key(question.id), ""))
    return str(question.choice_label(choice))


def condition_note(question):
    """Say, for pages without JavaScript, when a conditional question is to be answered."""
    target = survey_of_this_request().questions[question.show_if.question]
    texts = [answer_text(target, {target.id: value}) for value in question.show_if.values]
    return _("Answer only if the answer to “%(question)s” is %(answers)s.", question=target.label,
             answers=" / ".join(f"“{text}”" for text in texts))


def answer_changes(survey, level, before, after):
    """Return (question, before, after) as a person reads them, for every answer that differs."""
    changes = []
    for question in survey.questions_for(level):
        old, new = answer_text(question, before), answer_text(question, after)
        if old != new:
            changes.append((question, old, new))
    return changes


#: How each choice-like question is typed: one radio button or several checkboxes.
CHOICE_KINDS = {"single_choice": "radio", "yes_no": "radio", "multiple_choice": "checkbox"}


#: How the form posts the stored yes/no answers.
FORM_VALUES = {True: YES, False: NO}


def answer_options(question):
    """Return (posted value, label) for every option of a choice-like question, as the form shows it."""
    return [(FORM_VALUES.get(value, value), _("Other (please specify)") if value == OTHER_CHOICE else str(label))
            for value, label in question.answer_options()]


TEMPLATE_HELPERS = {
    "CHOICE_KINDS": CHOICE_KINDS,
    "answer_options": answer_options,
    "STATUS_LABELS": STATUS_LABELS,
    "condition_note": condition_note,
    "answer_text": answer_text,
    "local_time": local_time,
    "date_text": date_text,
    "level_label": level_label,
    "OTHER_CHOICE": OTHER_CHOICE,
    "other_key": other_key,
}
