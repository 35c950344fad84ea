"""Build the survey form for a unit level from the schema, and move answers in and out of it."""

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField

from schema import OTHER_CHOICE, OTHER_SUFFIX, other_key
from schema.types import format_number

from .fields import OTHER_TEXT, AnswerField, StoredValue

OTHER_MAX_LENGTH = 500


class SurveyForm(FlaskForm):
    """A unit's report. Subclasses made by `survey_form_class` add one field per question."""

    #: Signed page state (unit, base revision, one-time submission id); see views.survey.
    form_state = HiddenField()

    questions = ()
    checks = ()

    def __init__(self, *args, submitting=False, **kwargs):
        super().__init__(*args, **kwargs)
        #: A submission checks required answers; a draft keeps whatever is filled.
        self.submitting = submitting

    def answer_fields(self, question):
        """Return the question's field and, for a choice with "other", the field of its text."""
        main = self[question.id]
        return (main, self[other_key(question.id)]) if question.other else (main,)

    def answers(self):
        """Return the answers as stored: question id -> value, leaving out empty and hidden ones."""
        raw = {q.id: self[q.id].data for q in self.questions}
        answers = {}
        for question in self.questions:
            if not question.is_shown(raw):
                continue
            for field in self.answer_fields(question):
                if field.data is not None:
                    answers[field.name] = field.data
        return answers

    def valid_answers(self):
        """Return the answers that passed every check of `validate`, as `answers` stores them; an "other"
        text goes with its choice, since it means nothing without it."""
        refused = set()
        for question in self.questions:
            fields = self.answer_fields(question)
            refused.update(field.name for field in fields if field.errors or fields[0].errors)
        return {name: value for name, value in self.answers().items() if name not in refused}

    @property
    def has_csrf_error(self):
        return "csrf_token" in self.errors

    def validate(self, extra_validators=None):
        """Check every question, then the cross-question checks; errors land on the fields."""
        super().validate(extra_validators)
        raw = {q.id: self[q.id].data for q in self.questions}
        for question in self.questions:
            if question.is_shown(raw):
                self._check_question(question)
            else:
                # A hidden question has no answer, so nothing typed in it can block the report.
                for field in self.answer_fields(question):
                    field.errors = []
        self._check_across(self.answers())
        return not self.errors

    def _check_question(self, question):
        field = self[question.id]
        if field.errors:
            return
        value = field.data
        if value is None:
            if self.submitting and question.required:
                field.errors.append(_("This question needs an answer."))
            return
        message = rule_violation(question, value)
        if message:
            field.errors.append(message)
        if question.other:
            self._check_other(question, value)

    def _check_other(self, question, value):
        other = self[other_key(question.id)]
        chose_other = value == OTHER_CHOICE or (isinstance(value, list) and OTHER_CHOICE in value)
        if other.data and len(other.data) > OTHER_MAX_LENGTH:
            other.errors.append(_("At most %(limit)s characters (now %(count)s).",
                                  limit=OTHER_MAX_LENGTH, count=len(other.data)))
        elif chose_other and self.submitting and not other.data:
            other.errors.append(_("Please say what the other answer is."))

    def _check_across(self, answers):
        for check in self.checks:
            field = self[check.left]
            if not field.errors and not self[check.right].errors and check.fails(answers):
                field.errors.append(str(check.message))

    @property
    def errors(self):
        # FlaskForm caches errors after validate(); our checks add to fields afterwards.
        return {name: field.errors for name, field in self._fields.items() if field.errors}


def rule_violation(question, value):
    """Return the message for a well-formed answer that breaks the question's rules, or None."""
    if question.is_number:
        if question.min is not None and value < question.min:
            return _("Must be at least %(min)s.", min=format_number(question.min))
        if question.max is not None and value > question.max:
            return _("Must be at most %(max)s.", max=format_number(question.max))
    if question.max_length and isinstance(value, str) and len(value) > question.max_length:
        return _("At most %(limit)s characters (now %(count)s).", limit=question.max_length, count=len(value))
    return None


def survey_form_class(survey, level):
    """Return a fresh form class with one field per question the level is asked."""
    questions = survey.questions_for(level)
    asked = {q.id for q in questions}
    fields = {}
    for question in questions:
        fields[question.id] = AnswerField(question)
        if question.other:
            fields[other_key(question.id)] = AnswerField(question, kind=OTHER_TEXT)
    attributes = dict(
        fields,
        questions=tuple(questions),
        checks=tuple(c for c in survey.checks if c.left in asked and c.right in asked),
    )
    return type("UnitSurveyForm", (SurveyForm,), attributes)



class StoredAnswers:
    """A unit's stored answers as its form would show them, field by field, without building the form: a page
    that only shows them (no error, no note) fills the rendered questions from this (views/form_skeleton.py)."""

    def __init__(self, survey, answers):
        self.questions, self.answers = survey.questions, answers
        #: Stored answers were checked when they were saved: the page shows no error.
        self.errors = {}

    def __getitem__(self, name):
        if name in self.questions:
            question = self.questions[name]
            return StoredValue(question, question.kind, self.answers.get(name))
        return StoredValue(self.questions[name.removesuffix(OTHER_SUFFIX)], OTHER_TEXT, self.answers.get(name))

    def __iter__(self):
        return iter(())


def posted_answers(survey, level, answers):
    """Return stored answers as a browser posts them: (name, text) pairs, one per ticked box."""
    pairs = []
    for question in survey.questions_for(level):
        for key in (question.id, other_key(question.id)):
            if key not in answers:
                continue
            shown = question.kind.form_value(question, answers[key]) if key == question.id else answers[key]
            pairs += [(key, item) for item in shown] if isinstance(shown, list) else [(key, shown)]
    return pairs
