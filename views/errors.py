"""Plain error pages that reveal nothing about units or links."""

from flask import render_template
from flask_babel import lazy_gettext as _l

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


def render_error(code):
    title, message = MESSAGES[code]
    return render_template("error.html", title=title, message=message), code


def register_error_pages(app):
    for code in (400, 404, 413, 500):
        app.register_error_handler(code, lambda error, code=code: render_error(code))
    app.register_error_handler(ConfigError, lambda error: render_error(503))
