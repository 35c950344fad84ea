"""Forms of the committees' pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, PasswordField, StringField
from wtforms.validators import InputRequired, Length


class ExtendDeadlineForm(FlaskForm):
    last_day = DateField(_l("New last day"), validators=[InputRequired()])


class SignInForm(FlaskForm):
    username = StringField(_l("User name"), validators=[InputRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])
