"""`flask reminders send`: e-mail the reminders due today across the province. Run it each morning from cron,
e.g. (the service's folder and address are yours):

    0 7 * * * cd /srv/tongket && .venv/bin/flask --app app reminders send --base-url https://tongket.example.vn
"""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

import clock
from mailer import mail_problem
from models import Unit, db
from reports.reminders import (
    failed_message,
    nothing_due_message,
    plan_reminders,
    send_reminders,
    without_email_message,
)
from schema.store import current_survey

from .options import BASE_URL, LOCAL_BASE_URL

reminders_cli = AppGroup("reminders", help="Reminder e-mail commands.")


@reminders_cli.command("send")
@click.option("--base-url", type=BASE_URL, default=LOCAL_BASE_URL, show_default=True,
              help="The address units reach the service at: the links in the e-mails start with it.")
@click.option("--dry-run", is_flag=True, help="List the e-mails due without sending any.")
def send_command(base_url, dry_run):
    """E-mail each unit that has not submitted its link on the survey's reminder days, and each committee the list
    of its overdue units; exit 1 when mail is not configured or an e-mail could not be sent."""
    problem = mail_problem()
    if problem and not dry_run:
        raise click.ClickException(" ".join((problem, _("Nothing was sent."))))
    province = db.session.scalar(sa.select(Unit).filter_by(level="tinh").order_by(Unit.id).limit(1))
    if province is None:
        click.echo(_("There is no unit yet: nothing to send."))
        return
    survey = current_survey()
    with current_app.test_request_context(base_url=base_url):
        plan = plan_reminders(survey, province, clock.now())
        outcome = None if dry_run else send_reminders(survey, plan, province)
    echo_run(plan, outcome, province, survey)
    if outcome is not None and outcome.failed:
        raise SystemExit(1)


def echo_run(plan, outcome, province, survey):
    """Print what was due (`outcome` None: a dry run) or what was sent and failed, then whom to call."""
    if outcome is None:
        echo_listed(ngettext("%(num)s e-mail due:", "%(num)s e-mails due:", len(plan.due)), plan.due)
    elif not (outcome.sent or outcome.failed):
        click.echo(nothing_due_message(plan, province, survey))
    else:
        echo_listed(ngettext("%(num)s e-mail sent:", "%(num)s e-mails sent:", len(outcome.sent)), outcome.sent)
        if outcome.failed:
            echo_listed(failed_message(outcome), outcome.failed, err=True)
    if plan.without_email:
        click.echo(without_email_message(plan))
        for code, name in plan.without_email:
            click.echo(f"  {code}  {name}")


def echo_listed(heading, reminders, err=False):
    """Print a heading, then each e-mail as "unit code → address"."""
    click.echo(heading, err=err)
    for reminder in reminders:
        click.echo(f"  {reminder.code} → {reminder.email}", err=err)
