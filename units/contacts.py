"""A unit's contact: the person a committee calls or writes to about its report. Kept as typed; a phone number
is checked as a Vietnamese one, written with or without the country code and spaced as people space it."""

import re

from flask_babel import gettext as _

from accounts.record import record
from models import db

#: The contact's fields on a unit, in the order pages show them.
CONTACT_FIELDS = ("contact_name", "contact_role", "contact_phone", "contact_email")
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
