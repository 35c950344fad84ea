"""How stored answers and times read on a page, in the person's language and the survey's time zone."""

import difflib
import re

from flask_babel import gettext as _

from plain_text import without_bidi_controls
from reports.chasing import days_left_text
from reports.status import STATUS_LABELS
from schema import OTHER_CHOICE, other_key
from schema.levels import level_label
from schema.model import day_text
from schema.store import survey_of_this_request
from schema.types import LongText, format_number
from units.contacts import dialable

from .form_skeleton import option_checked


def shown_in_page(value):
    """Jinja's `finalize`: every value a page shows, without the bidirectional controls that a text stored
    before they were dropped may hold, so that nothing reorders what a reader sees."""
    return without_bidi_controls(value) if isinstance(value, str) else value


def local_time(moment):
    """Return an aware datetime as dd/mm/yyyy HH:MM in the survey's time zone."""
    if moment is None:
        return ""
    return survey_of_this_request().local(moment).strftime("%d/%m/%Y %H:%M")


def answer_text(question, answers):
    """Return an answer as a person reads it: labels for choices, Có/Không, 12,5, 05/04/2027."""
    value = answers.get(question.id)
    return "" if value is None else question.kind.text(question, value, answers)


def stored_answer_text(value):
    """Return an answer whose question the config no longer has as it was stored: its type is unknown."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def condition_note(question):
    """Say, for pages without JavaScript, when a conditional question is to be answered."""
    target = survey_of_this_request().questions[question.show_if.question]
    texts = [answer_text(target, {target.id: value}) for value in question.show_if.values]
    return _("Answer only if the answer to “%(question)s” is %(answers)s.", question=target.label,
             answers=" / ".join(f"“{text}”" for text in texts))


#: A word, a run of spaces or line breaks, or one other character: the pieces a change is told in.
WORD_PIECES = re.compile(r"\w+|\s+|[^\w\s]")


def answer_changes(survey, level, before, after):
    """Return (question, changes) for every answer that differs, as a person reads the answers: a text's
    words, any other answer (a number, a date, a choice) whole, since "4,3" and "1,4" share no part."""
    changes = []
    for question in survey.questions_for(level):
        old, new = answer_text(question, before), answer_text(question, after)
        if old != new:
            changes.append((question, word_changes(old, new) if question.is_text else whole_change(old, new)))
    return changes


def whole_change(old, new):
    """Return the change of a value as word_changes does: the old one removed, the new one added."""
    return [(kind, text) for kind, text in (("del", old), ("ins", new)) if text]


def word_changes(old, new):
    """Return `new` as (kind, text) pieces, with what `old` had instead: kind is "" for text both have,
    "del" for words removed and "ins" for words added, in reading order."""
    old_pieces, new_pieces = WORD_PIECES.findall(old), WORD_PIECES.findall(new)
    matcher = difflib.SequenceMatcher(None, old_pieces, new_pieces, autojunk=False)
    changes = []
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            changes.append(("", "".join(new_pieces[new_start:new_end])))
            continue
        if old_start < old_end:
            changes.append(("del", "".join(old_pieces[old_start:old_end])))
        if new_start < new_end:
            changes.append(("ins", "".join(new_pieces[new_start:new_end])))
    return changes


TEMPLATE_HELPERS = {
    "STATUS_LABELS": STATUS_LABELS,
    "condition_note": condition_note,
    "answer_text": answer_text,
    "stored_answer_text": stored_answer_text,
    "local_time": local_time,
    "date_text": day_text,
    "dialable": dialable,
    "option_checked": option_checked,
    "days_left_text": days_left_text,
    "level_label": level_label,
    "other_key": other_key,
    "OTHER_CHOICE": OTHER_CHOICE,
    #: The limit of a long text that states none: the form's, rather than each text's (templates/survey).
    "TEXT_LIMIT": LongText.default_max_length,
}
