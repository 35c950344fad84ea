"""Chasing the units that have not reported: each one's last day and days left, and a short message in
Vietnamese, with the unit's name, last day and link, for the committee to paste into Zalo or an SMS."""

import datetime as dt
from dataclasses import dataclass

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from schema.model import day_text

from .review import later_last_day
from .status import MISSING, STATUS_FILTERS


@dataclass(frozen=True)
class CallEntry:
    """A unit of the list as a call sheet shows it."""

    #: The unit's row as units.listing selects it: code, name, level, under, status, updated_at, contact_*...
    row: object
    last_day: dt.date
    #: Days from today to the last day: 0 on the last day, negative once it has passed.
    days_left: int
    link: str
    #: The message to paste; "" for a unit that has submitted.
    message: str

    @property
    def chased(self):
        return self.row.status in MISSING


def lists_units_to_chase(status_filter):
    """Tell whether a list filtered to `status_filter` holds only units that have not submitted."""
    statuses = STATUS_FILTERS.get(status_filter, (None, ()))[1]
    return bool(statuses) and set(statuses) <= set(MISSING)


def unit_last_day(survey, row):
    """The listed unit's last day, as review.last_day_to_submit gives a unit's."""
    return later_last_day(survey, row.level, row.deadline_extended_to,
                          row.correct_until if row.status == "returned" else None)


def call_entries(rows, survey, now, link_for, sender):
    """Return the CallEntry of each listed row, its message signed by the committee `sender` and holding the
    link `link_for(token)` makes."""
    today = survey.today(now)
    wording = ReminderWording()
    entries = []
    for row in rows:
        last_day = unit_last_day(survey, row)
        days_left, link = (last_day - today).days, link_for(row.token)
        message = wording.message(row, last_day, days_left, link, sender) if row.status in MISSING else ""
        entries.append(CallEntry(row, last_day, days_left, link, message))
    return entries


def days_left_text(days_left):
    """Say how the last day stands: "3 days left", "today is the last day", "2 days overdue"."""
    if days_left > 0:
        return ngettext("%(num)s day left", "%(num)s days left", days_left)
    if days_left == 0:
        return _("today is the last day")
    return ngettext("%(num)s day overdue", "%(num)s days overdue", -days_left)


class ReminderWording:
    """The short message a unit is sent, in Vietnamese whatever the committee's own language. Its sentences are
    translated once for a whole list: each gettext looks up the translations in force, and a call sheet holds a
    hundred messages of five sentences."""

    def __init__(self):
        with force_locale("vi"):
            self.greeting_named = _("Dear comrade %(name)s,")
            self.greeting_unit = _("To %(unit)s:")
            self.returned = _("the review report of %(unit)s was returned for completion.")
            self.not_sent = _("%(unit)s has not sent its review report yet.")
            self.when = _("Last day: %(day)s (%(left)s).")
            self.where = _("Fill it in and send it at: %(link)s")
        self.days_left_texts = {}

    def message(self, row, last_day, days_left, link, sender):
        """Return the message to the listed unit `row`, signed by the committee `sender`."""
        greeting = (self.greeting_named % {"name": row.contact_name} if row.contact_name
                    else self.greeting_unit % {"unit": row.name})
        state = (self.returned if row.status == "returned" else self.not_sent) % {"unit": row.name}
        when = self.when % {"day": day_text(last_day), "left": self.days_left(days_left)}
        return f"{greeting} {state} {when} {self.where % {'link': link}} — {sender}"

    def days_left(self, days):
        """days_left_text in Vietnamese, found once for each number of days."""
        if days not in self.days_left_texts:
            with force_locale("vi"):
                self.days_left_texts[days] = days_left_text(days)
        return self.days_left_texts[days]
