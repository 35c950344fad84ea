"""The survey form's questions rendered once per survey version, level and language, then filled per unit.

Everything a unit's form shows but its answers (sections, labels, hints, conditions, choices) is the same for
every unit of a level reading in one language: the question macros render it once, with a stand-in form whose
fields leave holes where a value or a ticked box goes, and each page joins those pieces with its own answers.
A form with an error or a reviewer's note under a question is rendered by the macros as before: those pages
are few, and their markup differs.
"""

import re

from flask import get_template_attribute
from flask_babel import get_locale
from markupsafe import Markup, escape

from schema.model import display_language
from schema.store import made_once

#: The marks of a hole in the rendered questions: private-use characters, which no label or hint holds.
HOLE, PART, END = "\ue000", "\ue001", "\ue002"
HOLES = re.compile(f"{HOLE}(.*?){END}")
#: A run of white space holding a line break between two tags: the form's blocks (sections, questions, the
#: labels of options, shown as blocks) do not show it, so it goes; between a tag and text, or two words, it is
#: one space to the browser, so a line break stays. No hole is inside a <pre>; a textarea's text is a hole.
BETWEEN_TAGS = re.compile(r">\s*\n\s*<")
BLANK_LINES = re.compile(r"\s*\n\s*")
VALUE_OPENS = ' value="'


class HoleField:
    """Stands for a field while the questions are rendered once: no error, no note, and holes for its value
    and for the options it holds."""

    errors = ()
    description = None

    def __init__(self, name):
        self.name = name

    def _value(self):
        return Markup(f"{HOLE}{self.name}{END}")

    def checked(self, posted):
        return Markup(f"{HOLE}{self.name}{PART}{posted}{END}")


class HoleForm:
    def __getitem__(self, name):
        return HoleField(name)


def option_checked(field, posted):
    """The attribute that ticks an option the field holds, as the browser posts it (a hole while the skeleton
    is rendered)."""
    if isinstance(field, HoleField):
        return field.checked(posted)
    return Markup(" checked") if field.holds(posted) else ""


class FormSkeleton:
    """A level's questions as rendered HTML with holes: `fill(form)` gives them with the form's values."""

    def __init__(self, html):
        self.pieces = []
        start = 0
        for hole in HOLES.finditer(html):
            text, end = html[start:hole.start()], hole.end()
            if text.endswith(VALUE_OPENS) and html.startswith('"', end):
                # The whole attribute is the hole: a field without a value goes without it.
                text, end, fill = text.removesuffix(VALUE_OPENS), end + 1, value_filler(hole.group(1))
            else:
                fill = filler(hole.group(1))
            self.pieces.append((tightened(text), fill))
            start = end
        self.tail = tightened(html[start:])

    def fill(self, form):
        return Markup("".join([part for text, fill in self.pieces for part in (text, fill(form))] + [self.tail]))


def tightened(html):
    return BLANK_LINES.sub("\n", BETWEEN_TAGS.sub("><", html))


def value_filler(name):
    """Return what fills a value attribute's hole: the attribute with the field's value, escaped, or nothing."""
    def fill(form):
        value = form[name]._value()
        return Markup(' value="%s"') % value if value else ""
    return fill


def filler(hole):
    """Return what fills a hole from a form: a field's value, escaped, or " checked" for an option it holds."""
    name, _part, posted = hole.partition(PART)
    if _part:
        return lambda form: " checked" if form[name].holds(posted) else ""
    return lambda form: escape(form[name]._value())


def shows_plainly(form):
    """Tell whether no field of the form has an error or a reviewer's note: the skeleton can show it."""
    return not any(field.errors or field.description for field in form)


def form_skeleton(survey, level):
    """Return the FormSkeleton of `level` in the language of this request, made once per survey version."""
    def render():
        questions = get_template_attribute("survey/_questions.html", "form_body")
        return FormSkeleton(str(questions(survey, HoleForm(), level)))
    return made_once(survey, ("form skeleton", level, str(get_locale()), display_language.get()), render)
