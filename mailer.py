"""The mail server the reminders go through (reports/reminders.py): Flask-Mail bound to the app, whether it is
configured, and a connection that gives up when the server stops answering."""

import smtplib
from contextlib import suppress

from flask import current_app
from flask_babel import gettext as _
from flask_mail import Connection, Mail

mail = Mail()

#: What sending may fail with: the server refused (SMTPException), or could not be reached or stopped answering
#: (OSError: refused, reset, timed out).
SEND_ERRORS = (smtplib.SMTPException, OSError)


def mail_problem():
    """Say why the service cannot send mail as it is configured, or return None."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return _("No mail server is configured (MAIL_SERVER): reminders cannot be sent by e-mail. The service's "
                 "administrator sets it, with MAIL_DEFAULT_SENDER.")
    if not config.get("MAIL_DEFAULT_SENDER"):
        return _("The sender of the e-mails is not configured (MAIL_DEFAULT_SENDER): reminders cannot be sent by "
                 "e-mail.")
    return None


class TimedConnection(Connection):
    """Flask-Mail's connection, opened with a timeout (MAIL_TIMEOUT): Flask-Mail 0.10 opens it without one, and a
    server that accepts the connection but never answers would hold a run, or a manager's page, for ever."""

    def configure_host(self):
        settings = self.mail
        server = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
        host = server(settings.server, settings.port, timeout=current_app.config["MAIL_TIMEOUT"])
        if settings.use_tls:
            host.starttls()
        if settings.username and settings.password:
            host.login(settings.username, settings.password)
        return host

    def __exit__(self, *exception):
        # Saying goodbye to a server that went away must not hide what was sent before it did.
        with suppress(*SEND_ERRORS):
            super().__exit__(*exception)


def connection():
    """Return one connection for a batch of messages, to use in a `with`: opening it may raise SEND_ERRORS."""
    return TimedConnection(current_app.extensions["mail"])
