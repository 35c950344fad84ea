"""Forms of the committees' pages."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from plain_text import first_control_character


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
