"""Plain error pages that reveal nothing about units or links."""

import sqlalchemy as sa
from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from downloads.files import WriteFailed
from models import busy_reason, database_busy
from schema import ConfigError
from units.list_files import file_too_large_problem

MESSAGES = {
    400: (_l("Bad request"), _l("The page could not understand what was sent. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your account may read these pages but not change them: only a manager of "
                                 "the committee can do this.")),
    404: (_l("Page not found"), _l("This address does not lead to a report. Check the link you were "
                                    "sent, or ask the committee that sent it.")),
    405: (_l("Not available this way"), _l("This address cannot be opened like this. Go back and use the "
                                            "page's links and buttons.")),
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

#: A download sent at once could not be written (a full disk): nothing is lost, and it may work in a while.
NOT_WRITTEN = (_l("The file could not be prepared"), _l("The server could not write the file at this moment. "
                                                        "Nothing was changed. Try again in a few minutes; if it "
                                                        "fails again, tell the administrator."))

#: Werkzeug answers a form of more than MAX_FORM_PARTS parts with the same 413 as too large a body.
TOO_MANY_PARTS = (_l("Too many fields"), _l("What was sent has more fields than any form of this service. "
                                            "Nothing was saved. Go back, reload the page and send it again."))
#: Any CSRF failure on the committees' forms: an old page, or a form posted from another site.
PAGE_EXPIRED = (_l("The page has expired"), _l("The form could not be accepted: the page was open too long, or "
                                               "the form came from another site. Nothing was changed. Go back, "
                                               "reload the page and try again."))


def render_error(code, texts=None, headers=None):
    title, message = texts or MESSAGES[code]
    return render_template("error.html", title=title, message=message), code, headers or {}


def method_not_allowed(error):
    # HTTP asks a 405 to say which methods the address takes.
    return render_error(405, headers={"Allow": ", ".join(error.valid_methods or ())})


def too_large(_error):
    if too_many_parts():
        return render_error(413, TOO_MANY_PARTS)
    if request.endpoint == "admin.upload_unit_list":
        # A unit list beyond its own, larger limit (views/admin/unit_list_upload.py): not a report's text.
        return render_error(413, (_l("File too large"), file_too_large_problem()))
    return render_error(413)


def too_many_parts():
    """Tell Werkzeug's reasons for a 413 apart: a body of known length within both size limits cannot have
    broken either of them, so its form had too many parts."""
    size = request.content_length
    limits = [limit for limit in (request.max_content_length, request.max_form_memory_size) if limit is not None]
    return size is not None and all(size <= limit for limit in limits)


def answer_database_error(error):
    """Answer 503 while the database is busy or out of reach; any other database error is a fault."""
    if not database_busy(error):
        raise error
    log_busy_database(busy_reason(error))
    return render_error(503, BUSY)


def log_busy_database(reason):
    """Log one line: which request found the database busy, and the database's reason."""
    current_app.logger.warning("Database busy, answered 503 to %s %s: %s", request.method, request.path, reason)


def file_not_written(error):
    current_app.logger.error("Download not written for %s %s: %s", request.method, request.path, error.reason)
    return render_error(503, NOT_WRITTEN)


def register_error_pages(app):
    for code in (400, 403, 404, 500):
        app.register_error_handler(code, lambda error, code=code: render_error(code))
    app.register_error_handler(405, method_not_allowed)
    app.register_error_handler(413, too_large)
    app.register_error_handler(CSRFError, lambda error: render_error(400, PAGE_EXPIRED))
    app.register_error_handler(ConfigError, lambda error: render_error(503))
    app.register_error_handler(sa.exc.OperationalError, answer_database_error)
    app.register_error_handler(WriteFailed, file_not_written)
