"""Whether a download is written within its request or by a job, decided by the work it will take.

A worker that holds a request longer than gunicorn's timeout is killed, whatever it was doing; a few large
downloads written at once on a small machine share its cores and take longer each. So a download is sent
at once only when its estimated work fits EXPORT_AT_ONCE_SECONDS (seconds of one core, by default derived
from the worker timeout and the number of workers per core: config.py), and while this process writes no
other one (EXPORT_AT_ONCE_PER_PROCESS); otherwise a job writes it. The estimate is the cells the file will
hold at most (its units, counted by one query, times the questions of the config) times a cost per cell
measured by bench/export_budget.py.
"""

import threading
from contextlib import contextmanager

from flask import current_app

from consolidation.source import ExportSource


def estimated_seconds(units, survey, kind):
    """Return the seconds of one core that writing a file of `kind` (xlsx, docx) for `units` units takes, at
    most: every unit answering every question."""
    return units * len(survey.questions) * current_app.config["EXPORT_SECONDS_PER_CELL"][kind]


def fits_at_once(scope, survey, kind):
    """Tell whether the scope's file of `kind` is small enough to be written within the request."""
    units = ExportSource(scope).count()
    config = current_app.config
    return (units < config["EXPORT_STREAM_UNITS"]
            and estimated_seconds(units, survey, kind) <= config["EXPORT_AT_ONCE_SECONDS"])


@contextmanager
def at_once_place(scope, survey, kind):
    """Yield True, holding one of this process's places for a download written at once, when the scope's file
    of `kind` may be written within the request; else yield False: a job is to write it. A busy process sends
    the download to a job rather than make it wait for a place."""
    places = process_places()
    if not fits_at_once(scope, survey, kind) or not places.acquire(blocking=False):
        yield False
        return
    try:
        yield True
    finally:
        places.release()


def process_places():
    """Return the semaphore of this process's places for downloads written at once."""
    return current_app.extensions.setdefault(
        "export_at_once_places", threading.BoundedSemaphore(current_app.config["EXPORT_AT_ONCE_PER_PROCESS"]))
