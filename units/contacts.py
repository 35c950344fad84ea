"""A unit's contact: the person a committee calls or writes to about its report. Kept as typed; a phone number
is checked as a Vietnamese one, written with or without the country code and spaced as people space it."""

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from accounts.record import record
from models import db
from models.unit import CONTACT_ROLE_MAX_LENGTH, EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, PHONE_MAX_LENGTH

from .list_rows import CONTACT_COLUMNS

#: The contact's fields on a unit, in the order pages show them: the unit list's contact columns.
CONTACT_FIELDS = CONTACT_COLUMNS
#: The longest text each field holds.
CONTACT_LIMITS = {"contact_name": NAME_MAX_LENGTH, "contact_role": CONTACT_ROLE_MAX_LENGTH,
                  "contact_phone": PHONE_MAX_LENGTH, "contact_email": EMAIL_MAX_LENGTH}
#: What a phone number may hold besides its digits: the spaces, dots, dashes and brackets people type.
PHONE_CHARACTERS = re.compile(r"\+?[0-9 .\-()]+")
#: A Vietnamese number once written nationally: 0 then 9 digits (a mobile: 09x, 03x...) or 10 (a landline
#: with its area code: 0262 ...).
NATIONAL_NUMBER = re.compile(r"0\d{9,10}")


def phone_problem(text):
    """Say what is wrong with a phone number as typed, or return None ("0912 345 678", "+84 912 345 678" and
    "(0262) 3852 123" are numbers)."""
    if not PHONE_CHARACTERS.fullmatch(text):
        return _("Type the phone number with digits only (spaces, dots and dashes may separate them), for "
                 "example 0912 345 678 or +84 912 345 678.")
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        if not digits.startswith("84"):
            return _("Only Vietnamese numbers are taken: +84 then the number without its first 0.")
        digits = "0" + digits[2:]
    if not NATIONAL_NUMBER.fullmatch(digits):
        return _("A Vietnamese phone number has 10 digits, or 11 for a landline with its area code, starting "
                 "with 0 (or +84 instead of the 0).")
    return None


def dialable(phone):
    """Return a phone number as a tel: link dials it: its digits, and the + of a country code."""
    return re.sub(r"[^\d+]", "", phone)


def email_problem(text):
    """Say what is wrong with an e-mail address as typed, or return None. Its domain is not looked up: a
    commune's mail server may be unreachable from here today and fine tomorrow."""
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return _("Type an e-mail address such as chibo@example.vn.")
    return None


def contact_problems(values):
    """Yield (field, problem) for each contact value of `values` (by CONTACT_FIELDS, each optional) that
    cannot be kept: too long, or a phone or an e-mail that is not one."""
    checks = {"contact_phone": phone_problem, "contact_email": email_problem}
    for name in CONTACT_FIELDS:
        text = values.get(name)
        if not text:
            continue
        if len(text) > CONTACT_LIMITS[name]:
            yield name, _("longer than %(limit)s characters", limit=CONTACT_LIMITS[name])
        elif name in checks and (problem := checks[name](text)):
            yield name, problem


def set_contact(unit, values, by):
    """Set the unit's contact to `values` (by CONTACT_FIELDS; an empty one is None) and record which fields
    changed, never their values."""
    changed = [name for name in CONTACT_FIELDS if getattr(unit, name) != (values.get(name) or None)]
    for name in changed:
        setattr(unit, name, values.get(name) or None)
    if changed:
        record("contact", unit, by, fields=changed)
    db.session.commit()
    return changed
