"""Plain error pages that reveal nothing about units or links."""

import sqlalchemy as sa
from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l

from models import busy_reason, database_busy
from schema import ConfigError

MESSAGES = {
    400: (_l("Bad request"), _l("The page could not understand what was sent. Go back and try again.")),
    404: (_l("Page not found"), _l("This address does not lead to a report. Check the link you were "
                                    "sent, or ask the committee that sent it.")),
    413: (_l("Too much text"), _l("What was sent is larger than a report can be (2 MB). Nothing was "
                                   "saved. Go back: your text is still in the page; shorten the "
                                   "longest answers and save again.")),
    500: (_l("Something went wrong"), _l("The server could not finish. Nothing you saved before is lost; "
                                          "try again in a moment.")),
    503: (_l("Temporarily unavailable"), _l("The survey is being updated. Try again in a few minutes.")),
}

#: The database stayed busy past its timeout (the survey form answers with its own page, the text kept).
BUSY = (_l("The service is busy"), _l("The service is busy at this moment, so the page could not be shown. "
                                      "Nothing you saved before is lost. Try again in a minute; if you were "
                                      "saving, go back: your text is still in the page."))


def render_error(code, texts=None):
    title, message = texts or MESSAGES[code]
    return render_template("error.html", title=title, message=message), code


def answer_database_error(error):
    """Answer 503 while the database is busy or out of reach; any other database error is a fault."""
    if not database_busy(error):
        raise error
    log_busy_database(busy_reason(error))
    return render_error(503, BUSY)


def log_busy_database(reason):
    """Log one line: which request found the database busy, and the database's reason."""
    current_app.logger.warning("Database busy, answered 503 to %s %s: %s", request.method, request.path, reason)


def register_error_pages(app):
    for code in (400, 404, 413, 500):
        app.register_error_handler(code, lambda error, code=code: render_error(code))
    app.register_error_handler(ConfigError, lambda error: render_error(503))
    app.register_error_handler(sa.exc.OperationalError, answer_database_error)
