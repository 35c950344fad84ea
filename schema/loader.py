"""Read a survey config file into schema objects, listing every problem with where it is.

This is the only module that reads YAML. A file with any problem yields no survey at all, so a
half-valid config can never go live.
"""

import datetime as dt
import hashlib
import re
import string
from collections import Counter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from flask_babel import gettext as _

from config import LANGUAGES

from .levels import LEVELS, REPORTING_LEVELS
from .model import (
    COMPARISONS,
    DOCUMENT_DETAILS,
    EMPTY_TEXT,
    Check,
    Choice,
    Condition,
    PartyDocument,
    Question,
    ReminderSchedule,
    Section,
    Survey,
    Text,
)
from .types import OTHER_CHOICE, TYPES, QuestionType

ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
#: A deadline as the config writes it: a day, without a time or a time zone.
DAY_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: The largest bound a number question may set: far above any count a unit reports, and exact as a float
#: (a bound of 1e400 or .inf would overflow the arithmetic of the form and the workbook).
LARGEST_BOUND = 10**15
#: The years a deadline may fall in: a review of this century. Any other (0207, 2207, 9999 for 2027) is a
#: typo, and would bring a unit's deadline near the end of the calendar, where date arithmetic overflows.
DEADLINE_YEARS = range(2000, 2100)
#: The most days before a last day a reminder may go: two months, longer than any review leaves units.
MOST_REMINDER_DAYS = 60
#: Stands for an unknown type while the rest of the question is checked.
NO_TYPE = QuestionType()


def outline_number(parent, number):
    """Join a section's number to its parent's: "II" and "3" give "II.3"; "II.3" and "3.1" (a config may
    number sub-sections from their parent's own number) give "II.3.1"."""
    if not parent or not number:
        return parent or number
    head, _dot, last = parent.rpartition(".")
    if number.startswith(last + "."):
        return f"{head}.{number}" if head else number
    return f"{parent}.{number}"


def placeholders(text):
    """Return the names of the {placeholders} in a text."""
    try:
        return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}
    except ValueError:  # a lone brace
        return {"{"}


def named(table, name):
    """Return what `name` names in `table`, or None: a config may write a list or a mapping where a name is
    expected, and neither can be looked up."""
    return table.get(name) if isinstance(name, str) else None


def kind_of(question):
    """Return a question's type, or a type that allows nothing if the config named an unknown one."""
    return named(TYPES, question.type) or NO_TYPE


class _ConfigLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """PyYAML's safe loader, on libyaml's parser where PyYAML has it (the shipped config: 60 ms instead of
    600), reading a date as the text it is written as (the reader checks it and says where it is wrong), and
    turning any value it cannot build (`!!int abc`) into an error that names its line."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, AttributeError, OverflowError, LookupError) as error:
            raise yaml.constructor.ConstructorError(
                None, None, _("cannot read the value %(value)s (%(error)s)", value=repr(node.value)[:80], error=error),
                node.start_mark) from None


_ConfigLoader.add_constructor("tag:yaml.org,2002:timestamp", _ConfigLoader.construct_yaml_str)


class ConfigError(Exception):
    """A survey config that cannot be used; `problems` lists each with where it is."""

    def __init__(self, path, problems):
        self.path = path
        self.problems = problems
        super().__init__("\n".join([f"{path}:"] + [f"  {p}" for p in problems]))


def load_survey(path):
    """Return the Survey in the file at `path`, or raise ConfigError listing every problem."""
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except OSError as error:
        raise ConfigError(path, [_("cannot read the file: %(error)s", error=error.strerror)]) from None
    return parse_survey(raw, path)


def parse_survey(raw, path="<config>"):
    """Return the Survey described by the YAML bytes `raw`, or raise ConfigError."""
    try:
        # Decoded here rather than by PyYAML, which would report bad UTF-8 as a syntax error.
        data = yaml.load(raw.decode("utf-8-sig"), Loader=_ConfigLoader)  # a SafeLoader: builds no object
    except UnicodeDecodeError:
        raise ConfigError(path, [_("the file is not UTF-8 text")]) from None
    except RecursionError:
        raise ConfigError(path, [_("the file nests lists or mappings too deeply")]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise ConfigError(path, [_("YAML syntax error at line %(line)d, column %(column)d: %(problem)s",
                                   line=mark.line + 1, column=mark.column + 1, problem=error.problem)]) from None
    except yaml.YAMLError as error:
        raise ConfigError(path, [_("YAML syntax error: %(problem)s", problem=error)]) from None
    return read_survey(data, hashlib.sha256(raw).hexdigest()[:12], path)


def read_survey(data, version, path="<config>"):
    """Return the Survey described by parsed YAML `data`, or raise ConfigError."""
    reader = _Reader()
    survey = reader.survey(data, version)
    if reader.problems:
        raise ConfigError(path, reader.problems)
    return survey


class _Reader:
    """Turn parsed YAML into schema objects, collecting problems instead of stopping at the first."""

    def __init__(self):
        self.problems = []

    def problem(self, where, message):
        self.problems.append(f"{where}: {message}")

    def survey(self, data, version):
        if not isinstance(data, dict):
            self.problem("(top)", _("the file must be a mapping with title, deadlines and sections"))
            return None
        self.unknown_keys(data, "(top)", {"title", "directive", "timezone", "deadlines", "sections", "checks",
                                          "document", "reminders"})
        title = self.text(data.get("title"), "title", required=True)
        directive = self.text(data.get("directive"), "directive")
        timezone = self.timezone(data.get("timezone", "Asia/Ho_Chi_Minh"))
        deadlines = self.deadlines(data.get("deadlines"))
        sections = self.sections(data.get("sections"), "sections")
        questions = self.index_questions(sections)
        checks = self.checks(data.get("checks") or [], questions)
        self.check_references(questions)
        self.check_weights(questions)
        document = self.document(data.get("document"), questions) if "document" in data else None
        reminders = self.reminders(data["reminders"]) if "reminders" in data else ReminderSchedule()
        return Survey(title=title, directive=directive, version=version, timezone=timezone,
                      deadlines=deadlines, sections=sections, checks=checks, questions=questions, document=document,
                      reminders=reminders)

    def unknown_keys(self, data, where, allowed):
        for key in data:
            if key not in allowed:
                self.problem(where, _("unknown key '%(key)s'", key=key))

    def text(self, value, where, required=False):
        if value is None:
            if required:
                self.problem(where, _("is required"))
            return EMPTY_TEXT
        if isinstance(value, str):
            return Text({"vi": value.strip()})
        if isinstance(value, dict):
            unknown = [str(key) for key in value if key not in LANGUAGES]
            if unknown:
                self.problem(where, _("unknown language '%(language)s' (inside { }, put a text that "
                                      "contains a comma in quotes)", language=unknown[0]))
                return EMPTY_TEXT
            if not all(isinstance(v, str) for v in value.values()):
                self.problem(where, _("each language's text must be a text"))
                return EMPTY_TEXT
            if not value.get("vi"):
                self.problem(where, _("needs a Vietnamese text under 'vi'"))
            return Text({k: v.strip() for k, v in value.items()})
        self.problem(where, _("must be a text, or a mapping of language to text"))
        return EMPTY_TEXT

    def timezone(self, name):
        try:
            ZoneInfo(str(name))
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file name
            self.problem("timezone", _("unknown time zone '%(name)s'", name=str(name)[:80]))
            return "Asia/Ho_Chi_Minh"
        return str(name)

    def deadlines(self, data):
        if not isinstance(data, dict):
            self.problem("deadlines", _("must map each unit level to a date"))
            return {}
        deadlines = {}
        for level, day in data.items():
            if level not in REPORTING_LEVELS:
                self.problem(f"deadlines.{level}", _("unknown level; levels are %(levels)s",
                                                     levels=", ".join(REPORTING_LEVELS)))
            else:
                deadlines[level] = self.day(day, f"deadlines.{level}")
        for level in REPORTING_LEVELS:
            if level not in data:
                self.problem("deadlines", _("no deadline for level '%(level)s'", level=level))
        return deadlines

    def day(self, value, where):
        """Read a date written YYYY-MM-DD, of a day the calendar has, in DEADLINE_YEARS."""
        if not isinstance(value, str) or not DAY_PATTERN.match(value):
            self.problem(where, _("must be a date written as YYYY-MM-DD, without a time"))
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.problem(where, _("%(value)s is not a day of the calendar (a month has 28 to 31 days, a year 12 "
                                  "months)", value=value))
            return None
        if day.year not in DEADLINE_YEARS:
            self.problem(where, _("%(value)s is not in the years %(first)s to %(last)s", value=value,
                                  first=DEADLINE_YEARS[0], last=DEADLINE_YEARS[-1]))
            return None
        return day

    def sections(self, data, where, parent="", details=False):
        if not isinstance(data, list) or not data:
            self.problem(where, _("must be a non-empty list of sections"))
            return ()
        return tuple(self.section(item, f"{where}[{i}]", parent, details) for i, item in enumerate(data))

    def section(self, data, where, parent, details):
        """Read a section; `parent` is the outline number above it, so that questions get the full one (II.3.1);
        `details` tells that it is inside the section of the document's details."""
        if not isinstance(data, dict):
            self.problem(where, _("must be a mapping"))
            return Section(number="", title=EMPTY_TEXT)
        self.unknown_keys(data, where, {"number", "title", "hint", "questions", "sections", "document_details"})
        details = self.flag(data, "document_details", where) or details
        number = str(data.get("number", "")).strip()
        outline = outline_number(parent, number)
        questions = data.get("questions") or []
        if not isinstance(questions, list):
            self.problem(f"{where}.questions", _("must be a list"))
            questions = []
        children = (self.sections(data["sections"], f"{where}.sections", outline, details)
                    if "sections" in data else ())
        if not questions and not children:
            self.problem(where, _("has neither questions nor sections"))
        return Section(
            number=number,
            title=self.text(data.get("title"), f"{where}.title", required=True),
            hint=self.text(data.get("hint"), f"{where}.hint"),
            questions=tuple(self.question(q, f"{where}.questions[{i}]", outline, details)
                            for i, q in enumerate(questions)),
            sections=children,
            document_details=details,
        )

    def question(self, data, where, section_number, document_detail=False):
        if not isinstance(data, dict):
            self.problem(where, _("must be a mapping"))
            return None
        self.unknown_keys(data, where, {"id", "type", "label", "hint", "required", "min", "max",
                                        "max_length", "choices", "other", "show_if", "levels",
                                        "consolidate", "weight"})
        qid = data.get("id")
        if not isinstance(qid, str) or not ID_PATTERN.match(qid):
            self.problem(f"{where}.id", _("must be lower-case letters, digits and single underscores, "
                                          "starting with a letter"))
            qid = str(qid)
        qtype = data.get("type")
        if named(TYPES, qtype) is None:
            self.problem(f"{where}.type", _("question '%(id)s': unknown type '%(type)s'; types are %(types)s",
                                            id=qid, type=qtype, types=", ".join(TYPES)))
        kind = named(TYPES, qtype) or NO_TYPE
        low, high = self.bounds(data, where, kind)
        consolidate, weight = self.consolidation(data, where, kind)
        return Question(
            id=qid,
            type=qtype,
            label=self.text(data.get("label"), f"{where}.label", required=True),
            hint=self.text(data.get("hint"), f"{where}.hint"),
            required=self.flag(data, "required", where),
            min=low,
            max=high,
            max_length=self.max_length(data, where, kind),
            choices=self.choices(data, where, kind),
            other=self.flag(data, "other", where),
            show_if=self.condition(data.get("show_if"), f"{where}.show_if"),
            levels=self.levels(data.get("levels"), f"{where}.levels"),
            section_number=section_number,
            consolidate=consolidate,
            weight=weight,
            document_detail=document_detail,
        )

    def flag(self, data, key, where, default=False):
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.problem(f"{where}.{key}", _("must be true or false"))
            return default
        return value

    def bounds(self, data, where, kind):
        default_low, default_high = kind.default_bounds
        low = default_low if data.get("min") is None else data["min"]
        high = default_high if data.get("max") is None else data["max"]
        for key, value in (("min", low), ("max", high)):
            if value is None:
                continue
            if not kind.is_number:
                self.problem(f"{where}.{key}", _("only number questions take %(key)s", key=key))
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                self.problem(f"{where}.{key}", _("must be a number"))
            elif not -LARGEST_BOUND <= value <= LARGEST_BOUND:
                self.problem(f"{where}.{key}", _("must lie between -%(largest)s and %(largest)s",
                                                 largest=format(LARGEST_BOUND, ",")))
            elif kind.name == "integer" and not float(value).is_integer():
                self.problem(f"{where}.{key}", _("must be a whole number for an integer question"))
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) <= LARGEST_BOUND
                      for v in (low, high))
        if numbers and high < low:
            self.problem(f"{where}.max", _("must not be less than min"))
        return low, high

    def consolidation(self, data, where, kind):
        """Return how the question's figures consolidate, and the question that weighs a mean."""
        how, weight = data.get("consolidate", kind.default_consolidation), data.get("weight")
        if how == "none":
            how = None
        elif "consolidate" in data and not kind.consolidations:
            self.problem(f"{where}.consolidate", _("only number questions take consolidate"))
            how = None
        elif how is not None and how not in kind.consolidations:
            self.problem(f"{where}.consolidate", _("must be one of %(ways)s for a %(type)s question",
                                                   ways=", ".join((*kind.consolidations, "none")), type=kind.name))
        if weight is not None and (how != "mean" or not isinstance(weight, str)):
            self.problem(f"{where}.weight", _("names the question that weighs a mean: use it with consolidate: mean"))
            weight = None
        return how, weight

    def max_length(self, data, where, kind):
        value = data.get("max_length")
        if value is None:
            return kind.default_max_length
        if not kind.takes_max_length:
            self.problem(f"{where}.max_length", _("only text questions take max_length"))
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.problem(f"{where}.max_length", _("must be a positive whole number"))
        return value

    def choices(self, data, where, kind):
        items = data.get("choices")
        if not kind.takes_choices:
            if items is not None:
                self.problem(f"{where}.choices", _("only choice questions take choices"))
            if data.get("other"):
                self.problem(f"{where}.other", _("only choice questions take other"))
            return ()
        if not isinstance(items, list) or not items:
            self.problem(f"{where}.choices", _("a choice question needs a list of choices"))
            return ()
        choices = []
        for i, item in enumerate(items):
            here = f"{where}.choices[{i}]"
            if not isinstance(item, dict) or not isinstance(item.get("value"), str) or not item["value"]:
                self.problem(here, _("each choice needs a text value and a label"))
                continue
            choices.append(Choice(value=item["value"], label=self.text(item.get("label"), f"{here}.label",
                                                                       required=True)))
        for value, count in Counter(c.value for c in choices).items():
            if count > 1:
                self.problem(f"{where}.choices", _("duplicate choice value '%(value)s'", value=value))
        if data.get("other") is True and any(c.value == OTHER_CHOICE for c in choices):
            self.problem(f"{where}.choices", _("the value 'khac' is reserved for other: true"))
        return tuple(choices)

    def condition(self, data, where):
        if data is None:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("question"), str):
            self.problem(where, _("must name a question and the answers that show this one"))
            return None
        self.unknown_keys(data, where, {"question", "equals", "any_of"})
        if ("equals" in data) == ("any_of" in data):
            self.problem(where, _("give exactly one of equals or any_of"))
            return None
        values = data["any_of"] if "any_of" in data else [data["equals"]]
        if not isinstance(values, list) or not values:
            self.problem(f"{where}.any_of", _("must be a non-empty list"))
            return None
        return Condition(question=data["question"], values=tuple(values))

    def levels(self, data, where):
        if data is None:
            return REPORTING_LEVELS
        if not isinstance(data, list) or not data:
            self.problem(where, _("must be a non-empty list of levels"))
            return REPORTING_LEVELS
        for level in data:
            if level not in REPORTING_LEVELS:
                self.problem(where, _("unknown level '%(level)s'; levels are %(levels)s",
                                      level=level, levels=", ".join(REPORTING_LEVELS)))
        return tuple(level for level in REPORTING_LEVELS if level in data)

    def index_questions(self, sections):
        questions = {}
        for section in sections:
            for node in section.walk():
                for question in node.questions:
                    if question is None:
                        continue
                    if question.id in questions:
                        self.problem("sections", _("duplicate question id '%(id)s'", id=question.id))
                    questions[question.id] = question
        return questions

    def check_references(self, questions):
        for question in questions.values():
            condition = question.show_if
            if condition is None:
                continue
            where = f"question '{question.id}'.show_if"
            target = named(questions, condition.question)
            if target is None:
                self.problem(where, _("names unknown question '%(id)s'", id=condition.question))
            elif target.id == question.id:
                self.problem(where, _("a question cannot depend on itself"))
            elif not set(question.levels) <= set(target.levels):
                self.problem(where, _("question '%(id)s' is not asked of every level this one is",
                                      id=target.id))
            else:
                self.check_condition_values(condition, target, where)

    def check_weights(self, questions):
        for question in questions.values():
            if question.weight is None:
                continue
            where = f"question '{question.id}'.weight"
            weight = named(questions, question.weight)
            if weight is None or weight.id == question.id:
                self.problem(where, _("names unknown question '%(id)s'", id=question.weight))
            elif not kind_of(weight).is_number:
                self.problem(where, _("question '%(id)s' is not a number", id=weight.id))
            elif not set(question.levels) <= set(weight.levels):
                self.problem(where, _("question '%(id)s' is not asked of every level this one is", id=weight.id))

    def check_condition_values(self, condition, target, where):
        # A list, not a set: a condition's value may be a list or a mapping, which cannot be hashed.
        allowed = [value for value, _label in kind_of(target).options(target) if value != OTHER_CHOICE]
        if not allowed:
            self.problem(where, _("only choice and yes/no questions can show or hide others"))
            return
        for value in condition.values:
            if value not in allowed:
                self.problem(where, _("'%(value)s' is not an answer of question '%(id)s'",
                                      value=value, id=target.id))

    def document(self, data, questions):
        """Read the `document` block: the texts of a unit's party document and the questions of its details."""
        if not isinstance(data, dict):
            self.problem("document", _("must be a mapping with title, subject, closing, recipients and details"))
            return None
        self.unknown_keys(data, "document", {"title", "subject", "closing", "recipients", "details"})
        return PartyDocument(
            title=self.vietnamese(data.get("title"), "document.title", required=True),
            subject=self.vietnamese(data.get("subject"), "document.subject", required=True),
            closing=self.vietnamese(data.get("closing"), "document.closing"),
            recipients=self.recipients(data.get("recipients") or {}),
            details=self.details(data.get("details") or {}, questions),
        )

    def reminders(self, data):
        """Read the `reminders` block: the days before a last day units are reminded, and the list to the
        committee above once it has passed."""
        if not isinstance(data, dict):
            self.problem("reminders", _("must be a mapping with days_before and overdue_digest"))
            return ReminderSchedule()
        self.unknown_keys(data, "reminders", {"days_before", "overdue_digest"})
        days = self.reminder_days(data.get("days_before", list(ReminderSchedule.days_before)))
        return ReminderSchedule(days_before=days, overdue_digest=self.flag(data, "overdue_digest", "reminders",
                                                                           default=True))

    def reminder_days(self, data):
        """Read the days before a last day, distinct whole numbers from 1 to MOST_REMINDER_DAYS; an empty list
        sends no reminder before the last day."""
        where = "reminders.days_before"
        if not isinstance(data, list):
            self.problem(where, _("must be a list of days, for example [7, 3, 1]"))
            return ()
        days = []
        for i, value in enumerate(data):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MOST_REMINDER_DAYS:
                self.problem(f"{where}[{i}]", _("must be a whole number of days from 1 to %(most)s",
                                                most=MOST_REMINDER_DAYS))
            elif value in days:
                self.problem(f"{where}[{i}]", _("%(days)s days is already in the list", days=value))
            else:
                days.append(value)
        return tuple(sorted(days, reverse=True))

    def vietnamese(self, value, where, required=False):
        """Read a text of the party document: Vietnamese, whatever the reader's language."""
        return self.text(value, where, required).by_language.get("vi", "")

    def recipients(self, data):
        """Read the recipients per level, the province's (whose drafts are consolidated) included; "{above}" is
        the only placeholder a recipient may hold."""
        if not isinstance(data, dict):
            self.problem("document.recipients", _("must map unit levels to lists of recipients"))
            return {}
        recipients = {}
        for level, items in data.items():
            where = f"document.recipients.{level}"
            if level not in LEVELS:
                self.problem(where, _("unknown level; levels are %(levels)s", levels=", ".join(LEVELS)))
                continue
            if not isinstance(items, list):
                self.problem(where, _("must be a list"))
                continue
            texts = [self.vietnamese(item, f"{where}[{i}]", required=True) for i, item in enumerate(items)]
            for i, text in enumerate(texts):
                if placeholders(text) - {"above"}:
                    self.problem(f"{where}[{i}]", _("the only placeholder a recipient may hold is {above}, the "
                                                    "committee directly above"))
            recipients[level] = tuple(texts)
        return recipients

    def details(self, data, questions):
        """Read which question asks each detail: one of a `document_details` section, of a fitting type."""
        if not isinstance(data, dict):
            self.problem("document.details", _("must map each detail to a question id"))
            return {}
        details = {}
        for role, question_id in data.items():
            where = f"document.details.{role}"
            if role not in DOCUMENT_DETAILS:
                self.problem(where, _("unknown detail; details are %(details)s", details=", ".join(DOCUMENT_DETAILS)))
                continue
            question = named(questions, question_id)
            if question is None:
                self.problem(where, _("names unknown question '%(id)s'", id=question_id))
            elif not question.document_detail:
                self.problem(where, _("question '%(id)s' is not in a section with document_details: true",
                                      id=question_id))
            elif question.type not in DOCUMENT_DETAILS[role]:
                self.problem(where, _("must be a question of type %(types)s",
                                      types=" or ".join(DOCUMENT_DETAILS[role])))
            else:
                details[role] = question_id
        return details

    def checks(self, data, questions):
        if not isinstance(data, list):
            self.problem("checks", _("must be a list"))
            return ()
        checks = []
        for i, item in enumerate(data):
            where = f"checks[{i}]"
            if not isinstance(item, dict):
                self.problem(where, _("must be a mapping"))
                continue
            self.unknown_keys(item, where, {"left", "op", "right", "message"})
            if named(COMPARISONS, item.get("op")) is None:
                self.problem(f"{where}.op", _("unknown comparison '%(op)s'; use one of %(ops)s",
                                              op=item.get("op"), ops=" ".join(COMPARISONS)))
                continue
            left, right = named(questions, item.get("left")), named(questions, item.get("right"))
            for key, question in (("left", left), ("right", right)):
                if question is None:
                    self.problem(f"{where}.{key}", _("names unknown question '%(id)s'", id=item.get(key)))
            if left is None or right is None:
                continue
            if item["op"] == "in":
                valid = left.type == "single_choice" and right.type == "multiple_choice"
            else:
                valid = kind_of(left).is_number and kind_of(right).is_number
            if not valid:
                self.problem(where, _("'%(op)s' compares two numbers, or with 'in' a single choice "
                                      "with a multiple choice", op=item["op"]))
                continue
            checks.append(Check(left=left.id, op=item["op"], right=right.id,
                                message=self.text(item.get("message"), f"{where}.message", required=True)))
        return tuple(checks)
