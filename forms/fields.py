"""WTForms fields for survey answers: each parses what a browser sends into a stored value.

Every field keeps the text the user typed, so that a page shown again after an error gives it back
unchanged, and refuses several values for one question instead of silently keeping one.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import Field

from schema import OTHER_CHOICE

#: Control characters that neither PostgreSQL text nor the XML inside a workbook can hold.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
INTEGER = re.compile(r"^[+-]?\d{1,15}$")
DECIMAL = re.compile(r"^[+-]?\d{1,15}([.,]\d{1,6})?$")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
YES, NO = "co", "khong"


def clean_text(text):
    """Return text with Windows line ends folded and unstorable control characters removed."""
    return CONTROL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def uses_decimal_comma():
    locale = get_locale()
    return locale is None or locale.language == "vi"


def format_number(value):
    """Show a stored number the way the user's language writes it (1,5 in Vietnamese)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text.replace(".", ",") if uses_decimal_comma() else text


class AnswerField(Field):
    """A field for one question, rendered by the survey templates rather than by a widget."""

    def __init__(self, question, **kwargs):
        super().__init__(**kwargs)
        self.question = question
        self.raw = None

    def process_formdata(self, valuelist):
        if len(valuelist) > 1:
            self.data = None
            raise ValueError(_l("Several answers were sent for this question; please reload the page."))
        self.raw = valuelist[0] if valuelist else ""
        text = self.raw.strip()
        self.data = self.parse(text) if text else None

    def parse(self, text):
        return text

    def _value(self):
        return self.raw if self.raw is not None else self.format(self.data)

    def format(self, value):
        return "" if value is None else str(value)


class TextAnswerField(AnswerField):
    def parse(self, text):
        return clean_text(text) or None


class NumberAnswerField(AnswerField):
    """Whole or decimal numbers; a Vietnamese decimal comma is accepted, exponents and NaN are not."""

    def parse(self, text):
        text = text.replace(" ", "").replace("\u00a0", "")
        if self.question.type == "integer":
            if not INTEGER.match(text):
                raise ValueError(_l("Enter a whole number, using digits only, for example 25."))
            return int(text)
        if not DECIMAL.match(text):
            raise ValueError(_l("Enter a number, for example 12 or 12,5."))
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValueError(_l("Enter a number, for example 12 or 12,5.")) from None
        return int(number) if number == number.to_integral_value() else float(number)

    def format(self, value):
        return format_number(value)


class DateAnswerField(AnswerField):
    def parse(self, text):
        for pattern in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, pattern).date().isoformat()
            except ValueError:
                continue
        raise ValueError(_l("Enter a date as dd/mm/yyyy, for example 05/04/2027."))


class YesNoField(AnswerField):
    def parse(self, text):
        if text not in (YES, NO):
            raise ValueError(_l("Choose yes or no."))
        return text == YES

    def format(self, value):
        return {True: YES, False: NO}.get(value, "")


class SingleChoiceField(AnswerField):
    def parse(self, text):
        if text not in choice_values(self.question):
            raise ValueError(_l("Choose one of the answers offered."))
        return text


class MultipleChoiceField(AnswerField):
    def process_formdata(self, valuelist):
        self.raw = valuelist
        allowed = choice_values(self.question)
        chosen = [value for value in allowed if value in valuelist]
        self.data = chosen or None
        if any(value not in allowed for value in valuelist):
            raise ValueError(_l("Choose among the answers offered."))

    def _value(self):
        return self.data or []


def choice_values(question):
    values = [choice.value for choice in question.choices]
    return [*values, OTHER_CHOICE] if question.other else values


#: Which field holds the answer to each question type.
FIELD_CLASSES = {
    "short_text": TextAnswerField,
    "long_text": TextAnswerField,
    "integer": NumberAnswerField,
    "decimal": NumberAnswerField,
    "percentage": NumberAnswerField,
    "date": DateAnswerField,
    "yes_no": YesNoField,
    "single_choice": SingleChoiceField,
    "multiple_choice": MultipleChoiceField,
}
