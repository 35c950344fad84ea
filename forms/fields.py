"""The WTForms field of a survey answer: its question's type (schema.types) parses what a browser sends.

The field keeps the text the user typed, so that a page shown again after an error gives it back
unchanged, and refuses several values for one question instead of silently keeping one.
"""

from flask_babel import lazy_gettext as _l
from wtforms import Field

from schema import TYPES

#: The "other, please specify" text of a choice question is parsed as a short text.
OTHER_TEXT = TYPES["short_text"]


class AnswerField(Field):
    """A field for one question, rendered by the survey templates rather than by a widget."""

    def __init__(self, question, kind=None, **kwargs):
        # The templates write the question's own label; without one, WTForms would translate a label made
        # from the field's name, for each of the form's fields at every save.
        super().__init__(label="", **kwargs)
        self.question = question
        self.kind = kind or question.kind
        self.raw = None

    def process_formdata(self, valuelist):
        if self.kind.posts_several:
            self.raw = valuelist
            self.data = self.kind.parse(self.question, valuelist) if valuelist else None
            return
        if len(valuelist) > 1:
            self.data = None
            raise ValueError(_l("Several answers were sent for this question; please reload the page."))
        self.raw = valuelist[0] if valuelist else ""
        text = self.raw.strip()
        self.data = self.kind.parse(self.question, text) if text else None

    def _value(self):
        return self.raw if self.raw is not None else self.kind.form_value(self.question, self.data)

    def holds(self, posted):
        """Tell whether the field holds the option a browser posts as `posted` (its box is ticked)."""
        return holds_option(self._value(), posted)


class StoredValue:
    """A stored answer as its field shows it, without a form: what a page that only shows answers needs."""

    errors = ()
    description = None

    def __init__(self, question, kind, data):
        self.question, self.kind, self.data = question, kind, data

    def _value(self):
        return self.kind.form_value(self.question, self.data)

    def holds(self, posted):
        return holds_option(self._value(), posted)


def holds_option(shown, posted):
    """Tell whether a field showing `shown` (a text, or the list of options ticked) holds the option `posted`."""
    return posted == shown or (not isinstance(shown, str) and posted in shown)
