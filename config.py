"""Settings in one place: the defaults `create_app` starts from, read from the environment.

Every module that needs a setting reads it from here or from `app.config`, never from a copy.
"""

import datetime as dt
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent

#: The interface's languages, Vietnamese first; the survey config gives its texts in these too.
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = LANGUAGES[0]

#: A full report is some 60,000 characters of Vietnamese, about 0.5 MB once form-encoded.
MAX_BODY_BYTES = 2 * 1024 * 1024


def default_settings(instance_path):
    """Return the settings of a running service, before a test's overrides."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL"), instance_path),
        "SURVEY_CONFIG": os.environ.get("SURVEY_CONFIG", str(ROOT / "surveys" / "chi-thi-10.yaml")),
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        "MAX_FORM_MEMORY_SIZE": MAX_BODY_BYTES,
        # People draft for hours; an expired token would only make them press Save twice.
        "WTF_CSRF_TIME_LIMIT": 24 * 3600,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        #: How long a committee member stays signed in.
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=8),
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        #: Seconds a failed sign-in waits before answering.
        "SIGN_IN_FAILURE_DELAY": 1.0,
        #: A function returning "now" (aware); None for the system clock. See clock.py.
        "CLOCK": None,
        #: Where a committee's uploaded unit list waits between its preview and its confirmation.
        "UNIT_LIST_UPLOADS": str(Path(instance_path) / "unit-lists"),
    }


def database_url(url, instance_path):
    """Return the SQLAlchemy URL: DATABASE_URL (PostgreSQL via psycopg 3) or a SQLite file."""
    if not url:
        return f"sqlite:///{Path(instance_path) / 'tongket.sqlite3'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url
