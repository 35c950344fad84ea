"""The reminders' e-mails: short plain text in Vietnamese, as the party writes, whatever the sender's language.

A unit's reminder carries its link, and goes only to the unit's own address; the list sent to the committee above
names units, codes and phones, and links to the committee's list of units not submitted, never to a unit's page.
"""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_mail import Message

from schema.model import day_text, speaking
from units.links import survey_link

from .chasing import days_left_text


def unit_reminder_message(reminder, survey):
    """Return the e-mail reminding a unit of its last day, with its link."""
    with speaking("vi"):
        lines = [
            _("To: %(unit)s", unit=reminder.name),
            "",
            _("Your unit has not submitted its report for “%(survey)s” yet.", survey=survey.title),
            _("Last day: %(day)s (%(left)s).", day=day_text(reminder.last_day),
              left=days_left_text(reminder.days_left)),
            "",
            _("Your unit's survey page (this link is your unit's own: do not pass it on):"),
            survey_link(reminder.token),
            "",
            *contact_lines(reminder.above),
        ]
        subject = _("Reminder to send the review report: %(left)s (last day %(day)s)",
                    left=days_left_text(reminder.days_left), day=day_text(reminder.last_day))
    return plain_message(subject, reminder.email, lines)


def contact_lines(above):
    """Say whom the unit may ask: the committee directly above, and its contact when it has one."""
    if above is None:
        return []
    known = ", ".join(part for part in (above.person, above.phone, above.email) if part)
    if not known:
        return [_("For any question, contact %(committee)s.", committee=above.name)]
    return [_("For any question, contact %(committee)s: %(contact)s.", committee=above.name, contact=known)]


def overdue_list_message(overdue_list, survey):
    """Return the e-mail telling a committee which of its units had not submitted when their last day ended."""
    count = len(overdue_list.overdue)
    with speaking("vi"):
        lines = [
            _("To: %(unit)s", unit=overdue_list.name),
            "",
            ngettext("%(num)s unit under your committee had not submitted its report for “%(survey)s” when its "
                     "last day, %(day)s, ended:",
                     "%(num)s units under your committee had not submitted their report for “%(survey)s” when "
                     "their last day, %(day)s, ended:",
                     count, survey=survey.title, day=day_text(overdue_list.last_day)),
            *(overdue_line(unit) for unit in overdue_list.overdue),
            "",
            _("The list of your units that have not submitted, with their contacts:"),
            url_for("admin.missing", _external=True),
        ]
        subject = ngettext("%(num)s unit has not submitted its review report (last day %(day)s)",
                           "%(num)s units have not submitted their review report (last day %(day)s)",
                           count, day=day_text(overdue_list.last_day))
    return plain_message(subject, overdue_list.email, lines)


def overdue_line(unit):
    line = f"- {unit.code}  {unit.name}"
    if not unit.phone:
        return line
    return "{} ({})".format(line, _("phone %(phone)s", phone=unit.phone))


def plain_message(subject, recipient, lines):
    """Return a plain-text UTF-8 e-mail to one address."""
    return Message(subject=subject, recipients=[recipient], body="\n".join(lines) + "\n", charset="utf-8")
