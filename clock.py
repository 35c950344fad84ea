"""The one place the service asks what time it is.

The review is all deadlines, so "now" is an input: the app setting CLOCK, a function returning an
aware datetime, replaces the system clock (the tests set it to run a flow before, on and after a
level's last day, whatever the machine's date).
"""

import datetime as dt

from flask import current_app, has_app_context


def now():
    """Return the current moment as an aware UTC datetime."""
    if has_app_context():
        clock = current_app.config.get("CLOCK")
        if clock is not None:
            return clock()
    return dt.datetime.now(dt.UTC)
