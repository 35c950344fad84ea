"""The managers' button above the list of units not submitted: e-mail the reminders due now within the scope, then
say on the list what went to whom, or why nothing did."""

from flask import flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

import clock
from mailer import mail_problem
from reports.reminders import (
    failed_message,
    nothing_due_message,
    plan_reminders,
    send_reminders,
    without_email_message,
)
from schema.store import current_survey

from .auth import bp, manager_required

#: The most units a message names; the others are counted ("và 12 đơn vị khác").
NAMED_UNITS = 20


@bp.post("/reminders")
@manager_required
def send_reminders_now():
    problem = mail_problem()
    if problem:
        flash(" ".join((problem, _("Nothing was sent."))), "error")
        return back_to_the_list()
    survey, scope = current_survey(), g.user.scope
    plan = plan_reminders(survey, scope, clock.now())
    outcome = send_reminders(survey, plan, scope, g.user)
    if outcome.sent:
        flash(ngettext("%(num)s reminder sent: %(recipients)s.", "%(num)s reminders sent: %(recipients)s.",
                       len(outcome.sent), recipients=named([f"{r.name} ({r.email})" for r in outcome.sent])),
              "success")
    if outcome.failed:
        flash(failed_message(outcome), "error")
    if not (outcome.sent or outcome.failed):
        flash(nothing_due_message(plan, scope, survey), "warning")
    if plan.without_email:
        flash(f"{without_email_message(plan)} {named([name for _code, name in plan.without_email])}.", "warning")
    return back_to_the_list()


def named(items):
    """Join the first NAMED_UNITS of `items`, and count the rest."""
    shown = ", ".join(items[:NAMED_UNITS])
    rest = len(items) - NAMED_UNITS
    if rest <= 0:
        return shown
    return " ".join((shown, ngettext("and %(num)s other unit", "and %(num)s other units", rest)))


def back_to_the_list():
    return redirect(url_for("admin.missing"))
