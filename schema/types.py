"""Question types: one class per type, the one home of what a type means.

Each type says how a posted answer is parsed and stored, how a stored answer reads on a page and in
the form, which columns it gives the workbook, how it is summarised in the statistics, and what a
demo unit answers. The form macro of the same name lives in `templates/survey/_types.html`.
`check_types` runs at start-up and refuses a type that misses any part.

Adding a type: one subclass here, registered in TYPES, and its macro.
"""

import datetime as dt
import decimal
import re
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from plain_text import without_control_characters

from .demo_text import narrative_answer

#: The value a choice question stores when the unit picks "other, please specify".
OTHER_CHOICE = "khac"
OTHER_LABEL, YES_LABEL, NO_LABEL = _l("Other"), _l("Yes"), _l("No")
#: What the form posts for yes and no.
YES, NO = "co", "khong"

# How numbers are typed (docs/units.md "How numbers are typed"). Vietnamese writes 1.250,5: a dot between groups
# of three digits, a comma before the decimals. Only the ASCII digits are read: `\d` and int() would
# take Arabic-Indic or Devanagari digits too, and store a figure nobody typed on purpose.
ASCII_DIGITS = frozenset("0123456789")
#: Full-width forms some input methods type, read as the ASCII characters they stand for.
FULL_WIDTH = str.maketrans("０１２３４５６７８９，．％＋－", "0123456789,.%+-")
#: Spaces people put between groups of digits (plain, no-break, thin, narrow no-break): left out.
GROUP_SPACES = dict.fromkeys(map(ord, " \u00a0\u2009\u202f"))
#: At most fifteen digits before the decimals, in one run or in groups of three after a dot.
WHOLE = r"[+-]?(?:[0-9]{1,15}|[0-9]{1,3}(?:\.[0-9]{3}){1,4})"
INTEGER = re.compile(WHOLE)
#: Vietnamese: dots between the thousands, a comma before at most six decimals.
DECIMAL_COMMA = re.compile(WHOLE + r"(?:,[0-9]{1,6})?")
#: A dot before the decimals, as an English keyboard (or a phone's decimal keypad) types it: read so
#: only where the dot cannot separate thousands, that is not before exactly three digits.
DECIMAL_DOT = re.compile(r"[+-]?[0-9]{1,15}\.[0-9]{1,6}")
#: One dot before exactly three digits: 1.250 is one thousand two hundred and fifty, or one and a quarter.
AMBIGUOUS_DOT = re.compile(r"[+-]?[0-9]{1,3}\.[0-9]{3}")
#: The bound of a count of monthly events in a year (demo answers only).
MONTHS_IN_YEAR = 12
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


#: What an answer key adds to its question's id for the "other, please specify" text.
OTHER_SUFFIX = "__other"


def other_key(question_id):
    """Return the answer key holding the "other, please specify" text of a choice question."""
    return f"{question_id}{OTHER_SUFFIX}"


def clean_text(text):
    """Return text with Windows line ends folded and unstorable control characters removed."""
    return without_control_characters(text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def format_number(value):
    """Show a stored number the way the user's language writes it (1,5 in Vietnamese)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    locale = get_locale()
    text = str(value)
    return text.replace(".", ",") if locale is None or locale.language == "vi" else text


def number_text(text):
    """Return typed number text with full-width forms read and the spaces between groups left out;
    refuse digits of another script rather than read them as digits nobody meant."""
    text = text.translate(FULL_WIDTH).translate(GROUP_SPACES)
    foreign = next((char for char in text if char.isdigit() and char not in ASCII_DIGITS), None)
    if foreign is not None:
        raise ValueError(_l("“%(digit)s” is not one of the digits 0–9: type the number with the digits 0–9.",
                            digit=foreign))
    return text


def read_decimal(text, malformed):
    """Return the number in text read the Vietnamese way (see DECIMAL_COMMA, DECIMAL_DOT); raise ValueError
    with `malformed`, or with both readings when a lone dot before three digits leaves it open."""
    if AMBIGUOUS_DOT.fullmatch(text):
        raise ValueError(_l("“%(typed)s” can be read two ways: write %(thousands)s for a whole number, or "
                            "%(decimals)s with a comma before the decimals.",
                            typed=text, thousands=text.replace(".", ""), decimals=text.replace(".", ",")))
    if DECIMAL_COMMA.fullmatch(text):
        number = decimal.Decimal(text.replace(".", "").replace(",", "."))
    elif DECIMAL_DOT.fullmatch(text):
        number = decimal.Decimal(text)
    else:
        raise ValueError(malformed)
    return int(number) if number == number.to_integral_value() else float(number)


@dataclass(frozen=True)
class Column:
    """One column of the workbook's figures sheet."""

    #: The question id (or a fixed key) shown above the label, so that columns can be matched to the config.
    code: str
    label: str
    #: How the value is written: text, integer, decimal, percent, date, datetime, yes_no, flag, or answer
    #: (a stored answer typed by its value, for a question the config no longer has).
    kind: str
    #: Takes an exported unit (with `.answers`) and returns the cell's value, None for an empty cell.
    value: Callable
    width: float = 14
    #: How committees' and the scope's figures are made from the units' values: "sum" (counts, yeses,
    #: ticks), "mean", or None for not at all. Only the units that answer the question and have no unit
    #: below them that answers it too are counted, so that each member is counted once.
    total: str | None = None
    #: For a mean, the code of the column that weighs it.
    weight: str | None = None
    #: The levels asked the question: which units count in its totals.
    levels: tuple = ()
    retired: bool = False
    #: A helper column of the workbook is a formula over other columns of the same row: a format string
    #: given their cells, in the order of `inputs` (column codes). `value` computes what it caches.
    formula: str | None = None
    inputs: tuple = ()


def answer_of(key):
    return lambda record: record.answers.get(key)


class QuestionType:
    """What every type must give; `check_types` refuses a subclass that leaves a part out."""

    #: The type's name in the config file, and of its macro in templates/survey/_types.html.
    name = None
    #: How the statistics sheet summarises it: "numbers" (count, min, mean, max), "rates" (the same, as
    #: percentages, with a chart of the means), "options" (count and share of each option), or "" for
    #: not at all.
    summary = None
    #: What the config may say of such a question.
    is_number = takes_choices = takes_max_length = False
    default_max_length = None
    #: (min, max) when the config gives none.
    default_bounds = (None, None)
    #: How answers may consolidate across units (the config's `consolidate`), and how they do by default.
    consolidations = ()
    default_consolidation = None
    #: Text read side by side in the comments sheet rather than a figure.
    narrative = False
    #: Several values posted for one question are one answer (checkboxes), not a tampered form.
    posts_several = False

    PARTS = ("parse", "form_value", "text", "columns", "demo_value")

    def parse(self, question, text):
        """Return the stored value of a non-empty posted text; raise ValueError with a message if malformed."""
        raise NotImplementedError

    def form_value(self, question, value):
        """Return a stored answer as the form shows it again."""
        raise NotImplementedError

    def text(self, question, value, answers):
        """Return a stored answer as a person reads it (`answers` gives an "other" text)."""
        raise NotImplementedError

    def columns(self, question):
        """Return the figures sheet's columns for this question ([] for text read in the comments sheet)."""
        raise NotImplementedError

    def demo_value(self, question, rng):
        """Return a valid random answer."""
        raise NotImplementedError

    def options(self, question):
        """Return (stored value, label) of every answer offered, for choice-like types."""
        return []


class ShortText(QuestionType):
    name, summary = "short_text", ""
    takes_max_length, default_max_length = True, 500
    #: How many sentences of its bank (schema.demo_text) make a demo answer, unless the bank says.
    demo_sentences = (1, 2)

    def parse(self, question, text):
        return clean_text(text) or None

    def form_value(self, question, value):
        return value or ""

    def text(self, question, value, answers):
        return value

    def columns(self, question):
        return [Column(question.id, str(question.label), "text", answer_of(question.id), 24)]

    def demo_value(self, question, rng):
        return narrative_answer(question.id, rng, self.demo_sentences, question.max_length)


class LongText(ShortText):
    """Narrative text: read side by side in the comments sheet, not a figure."""

    name, default_max_length, demo_sentences, narrative = "long_text", 20000, (3, 7), True

    def columns(self, question):
        return []


class Integer(QuestionType):
    name, summary, is_number = "integer", "numbers", True
    consolidations, default_consolidation = ("sum", "mean"), "sum"

    def parse(self, question, text):
        text = number_text(text)
        if not INTEGER.fullmatch(text):
            raise ValueError(_l("Enter a whole number with the digits 0–9, for example 25 or 1.250 (a dot "
                                "separates thousands)."))
        return int(text.replace(".", ""))

    def form_value(self, question, value):
        return format_number(value)

    def text(self, question, value, answers):
        return format_number(value)

    #: How the workbook writes it, and the cell's value for an answer.
    cell_kind = "integer"

    def cell(self, value):
        return value

    def columns(self, question):
        qid, cell = question.id, self.cell

        def value(record):
            answer = record.answers.get(qid)
            return None if answer is None else cell(answer)

        return [Column(qid, str(question.label), self.cell_kind, value, total=question.consolidate,
                       weight=question.weight, levels=question.levels)]

    def demo_value(self, question, rng):
        return round(rng.uniform(*self.demo_span(question)))

    def demo_range(self, question):
        return question.min or 0, min(question.max if question.max is not None else 100, 500)

    def demo_span(self, question):
        """Return the span demo answers are drawn from. Counts of people and cells spread over the lower
        quarter of what is allowed; a count bounded by the months of a year (meetings held) lies near its
        bound, as most cells meet every month."""
        low, high = self.demo_range(question)
        if high <= MONTHS_IN_YEAR:
            return max(low, high * 0.75), high
        return low, min(high, low + high / 4)


class Decimal(Integer):
    """A number that may have a fraction; a Vietnamese decimal comma is accepted, exponents and NaN are not."""

    name, default_consolidation, cell_kind = "decimal", "mean", "decimal"

    def parse(self, question, text):
        return read_decimal(number_text(text), self.malformed())

    def malformed(self):
        """Return the message for text that is no number of this type, saying what is accepted."""
        return _l("Enter a number with the digits 0–9 and a comma before the decimals, for example 12 or "
                  "12,5 (12.5 is read as 12,5).")

    def demo_value(self, question, rng):
        return round(rng.uniform(*self.demo_span(question)), 1)


class Percentage(Decimal):
    """A rate from 0 to 100, written in the workbook as a percentage cell."""

    name, summary, default_bounds, cell_kind = "percentage", "rates", (0, 100), "percent"
    #: Rates are never added up.
    consolidations = ("mean",)

    def parse(self, question, text):
        """Read a rate with or without its percent sign: 92,5 and 92,5 % alike."""
        return read_decimal(number_text(text).removesuffix("%"), self.malformed())

    def malformed(self):
        return _l("Enter a rate with the digits 0–9 and a comma before the decimals, for example 92 or 92,5, "
                  "with or without the percent sign (92.5 is read as 92,5).")

    def text(self, question, value, answers):
        return format_number(value) + "%"

    def cell(self, value):
        return value / 100

    def demo_value(self, question, rng):
        low, high = self.demo_range(question)
        return round(rng.uniform(max(low, high * 0.6), high), 1)


class Date(QuestionType):
    """A day, stored as YYYY-MM-DD; typed as a date field or as dd/mm/yyyy where browsers have none."""

    name, summary = "date", ""

    def parse(self, question, text):
        for pattern in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, pattern).date().isoformat()
            except ValueError:
                continue
        raise ValueError(_l("Enter a date as dd/mm/yyyy, for example 05/04/2027."))

    def form_value(self, question, value):
        return value or ""

    def text(self, question, value, answers):
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")

    def columns(self, question):
        qid = question.id

        def day(record):
            value = record.answers.get(qid)
            return None if value is None else dt.date.fromisoformat(value)

        return [Column(qid, str(question.label), "date", day, 12)]

    def demo_value(self, question, rng):
        return (dt.date(2027, 3, 1) + dt.timedelta(days=rng.randrange(40))).isoformat()


class YesNo(QuestionType):
    """Yes or no, stored as true or false; in the workbook 1 or 0, so that a sum counts the yeses."""

    name, summary = "yes_no", "options"

    def parse(self, question, text):
        if text not in (YES, NO):
            raise ValueError(_l("Choose yes or no."))
        return text == YES

    def form_value(self, question, value):
        return {True: YES, False: NO}.get(value, "")

    def text(self, question, value, answers):
        return str(YES_LABEL if value else NO_LABEL)

    def posted(self, value):
        """Return what the form posts for one option."""
        return self.form_value(None, value)

    def options(self, question):
        return [(True, YES_LABEL), (False, NO_LABEL)]

    def columns(self, question):
        qid = question.id

        def one_or_zero(record):
            value = record.answers.get(qid)
            return None if value is None else int(bool(value))

        return [Column(qid, str(question.label), "yes_no", one_or_zero, 10, total="sum", levels=question.levels)]

    def demo_value(self, question, rng):
        return rng.random() < 0.8


class SingleChoice(QuestionType):
    """One of the config's choices, or "other" with a text when the question allows it."""

    name, summary, takes_choices = "single_choice", "options", True

    def parse(self, question, text):
        if text not in self.values(question):
            raise ValueError(_l("Choose one of the answers offered."))
        return text

    def form_value(self, question, value):
        return value or ""

    def posted(self, value):
        """Return what the form posts for one option."""
        return value

    def text(self, question, value, answers):
        return "; ".join(self.choice_text(question, choice, answers) for choice in self.chosen(value))

    def options(self, question):
        options = [(choice.value, choice.label) for choice in question.choices]
        return [*options, (OTHER_CHOICE, OTHER_LABEL)] if question.other else options

    def values(self, question):
        return [value for value, _label in self.options(question)]

    def chosen(self, value):
        return [value]

    def choice_text(self, question, choice, answers):
        if choice == OTHER_CHOICE:
            return str(_l("Other: %(text)s", text=answers.get(other_key(question.id), "")))
        return str(self.label(question, choice))

    def label(self, question, value):
        return dict(self.options(question)).get(value, value)

    def columns(self, question):
        # Translated once for the column, not once per unit.
        label_of = {value: str(label) for value, label in self.options(question)}

        def labels(record):
            value = record.answers.get(question.id)
            return None if value is None else "; ".join(label_of[v] if v in label_of else str(v)
                                                        for v in self.chosen(value))

        return [Column(question.id, str(question.label), "text", labels, 24), *self.other_column(question)]

    def other_column(self, question):
        if not question.other:
            return []
        key = other_key(question.id)
        return [Column(key, str(_l("%(question)s: other answer", question=question.label)), "text",
                       answer_of(key), 24)]

    def demo_value(self, question, rng):
        return rng.choice([choice.value for choice in question.choices])


class MultipleChoice(SingleChoice):
    """Any of the config's choices, stored as a list in the config's order."""

    name, posts_several = "multiple_choice", True

    def parse(self, question, values):
        allowed = self.values(question)
        if any(value not in allowed for value in values):
            raise ValueError(_l("Choose among the answers offered."))
        return [value for value in allowed if value in values] or None

    def form_value(self, question, value):
        return value or []

    def chosen(self, value):
        return value

    def columns(self, question):
        """One 0/1 column per option, so that a sum counts the units that ticked it, then the labels."""
        def ticked(value):
            def flag(record):
                chosen = record.answers.get(question.id)
                return None if chosen is None else int(value in chosen)
            return flag

        flags = [Column(f"{question.id}.{value}", str(label), "flag", ticked(value), 12, total="sum",
                        levels=question.levels)
                 for value, label in self.options(question)]
        text, *other = super().columns(question)
        return [*flags, Column(text.code, text.label, text.kind, text.value, 30), *other]

    def demo_value(self, question, rng):
        values = [choice.value for choice in question.choices]
        return sorted(rng.sample(values, rng.randint(1, len(values))), key=values.index)


#: Every question type by its name in the config.
TYPES = {kind.name: kind() for kind in (ShortText, LongText, Integer, Decimal, Percentage, Date, YesNo,
                                        SingleChoice, MultipleChoice)}


def missing_parts(kind):
    """Return the parts a question type leaves undefined."""
    missing = [part for part in QuestionType.PARTS if getattr(type(kind), part) is getattr(QuestionType, part)]
    return missing + [attribute for attribute in ("name", "summary") if getattr(kind, attribute) is None]


def check_types(types, macros):
    """Return a problem for each type missing a part or its form macro (`macros`: the names defined)."""
    problems = []
    for name, kind in types.items():
        missing = missing_parts(kind) + ([] if name in macros else ["form macro"])
        if missing:
            problems.append(f"question type '{name}' has no {', '.join(missing)}")
    return problems
