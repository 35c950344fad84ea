"""Forms of the committees' pages."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError
from wtforms.widgets import HiddenInput

from models.base import LARGEST_ID
from models.unit import CONTACT_ROLE_MAX_LENGTH, EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, PHONE_MAX_LENGTH
from plain_text import first_control_character, without_control_characters
from units.contacts import email_problem, phone_problem

#: The longest reason or note a reviewer may type, in characters.
REVIEW_TEXT_MAX = 4000


def one_line_text(form, field):
    """Refuse a control character (PostgreSQL cannot store a NUL) or a line break in a one-line field."""
    character = first_control_character(field.data or "")
    if character:
        raise ValidationError(_("%(field)s has the control character %(character)s in it; delete it and try "
                                "again.", field=field.label.text, character=character))


class ExtendDeadlineForm(FlaskForm):
    #: A browser's date picker posts 2027-05-03; one without it posts what the person typed, 03/05/2027.
    last_day = DateField(_l("New last day"), validators=[InputRequired()], format=["%Y-%m-%d", "%d/%m/%Y"])


class SignInForm(FlaskForm):
    username = StringField(_l("User name"), validators=[InputRequired(), Length(max=80), one_line_text])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])


def kept_as_typed(text):
    """A reviewer's text as typed, without the control characters no text keeps, nor blank ends."""
    return without_control_characters(text).strip() if text else text


class ReviewForm(FlaskForm):
    #: The submitted version the reviewer read: a unit that submitted again meanwhile makes the action refused.
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=LARGEST_ID)])


def reason_field(label):
    return TextAreaField(label, filters=[kept_as_typed], validators=[
        DataRequired(message=_l("Write the reason: the unit reads it.")),
        Length(max=REVIEW_TEXT_MAX, message=_l("Write at most %(max)d characters."))])


class ReturnForm(ReviewForm):
    reason = reason_field(_l("Why the report is returned (the unit reads it)"))
    correct_until = DateField(_l("Last day to correct it and submit again"), validators=[InputRequired()],
                              format=["%Y-%m-%d", "%d/%m/%Y"])


class UnlockForm(ReviewForm):
    reason = reason_field(_l("Why the report is unlocked"))


def review_notes(values, question_ids):
    """Return ({question id: note} of the notes typed in `values` as "note-<id>", {question id: error})."""
    notes, errors = {}, {}
    for question_id in question_ids:
        note = kept_as_typed(values.get(f"note-{question_id}", ""))
        if len(note) > REVIEW_TEXT_MAX:
            errors[question_id] = _("Write at most %(max)d characters.", max=REVIEW_TEXT_MAX)
        if note:
            notes[question_id] = note
    return notes, errors


def stripped(text):
    return text.strip() if text else text


def checked_by(problem_of):
    """Return a validator refusing a field's text with the message `problem_of(text)` returns, if any."""
    def check(form, field):
        problem = problem_of(field.data) if field.data else None
        if problem:
            raise ValidationError(problem)
    return check


class ContactForm(FlaskForm):
    """A unit's contact, each field optional and kept as typed."""

    contact_name = StringField(_l("Name"), filters=[stripped],
                               validators=[Length(max=NAME_MAX_LENGTH), one_line_text])
    contact_role = StringField(_l("Role (Bí thư, Phó Bí thư...)"), filters=[stripped],
                               validators=[Length(max=CONTACT_ROLE_MAX_LENGTH), one_line_text])
    contact_phone = StringField(_l("Phone"), filters=[stripped],
                                validators=[Length(max=PHONE_MAX_LENGTH), one_line_text, checked_by(phone_problem)])
    contact_email = StringField(_l("E-mail"), filters=[stripped], validators=[
        Length(max=EMAIL_MAX_LENGTH), one_line_text, checked_by(email_problem)])
