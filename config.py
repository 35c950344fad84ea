"""Settings in one place: the defaults `create_app` starts from, read from the environment.

Every module that needs a setting reads it from here or from `app.config`, never from a copy.
"""

import datetime as dt
import multiprocessing
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent

#: The interface's languages, Vietnamese first; the survey config gives its texts in these too.
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = LANGUAGES[0]

#: A full report is some 60,000 characters of Vietnamese, about 0.5 MB once form-encoded.
MAX_BODY_BYTES = 2 * 1024 * 1024


#: gunicorn's worker timeout and number of workers, as gunicorn.conf.py reads them: a request held longer than
#: the timeout is killed.
WORKER_TIMEOUT = float(os.environ.get("GUNICORN_TIMEOUT", "30"))
WORKERS = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
#: What writing one cell of each kind of file costs, in seconds of one core: measured by bench/export_budget.py
#: on 2 cores (December 2026, four runs at 1,000 and 5,000 units: the workbook 51-58 µs, the draft 8-14 µs),
#: with some margin.
XLSX_SECONDS_PER_CELL = 70e-6
DOCX_SECONDS_PER_CELL = 20e-6


def at_once_budget(timeout=WORKER_TIMEOUT, workers=WORKERS, cores=None):
    """Return the seconds of one core a download written at once may take: a third of the worker timeout (the
    estimate errs, the database may be slow), shared with the other workers, each of which may write one at
    the same moment on the machine's cores."""
    cores = cores or multiprocessing.cpu_count()
    return timeout / 3 * min(1.0, cores / workers)


def default_settings(instance_path):
    """Return the settings of a running service, before a test's overrides."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL"), instance_path),
        "SURVEY_CONFIG": os.environ.get("SURVEY_CONFIG", str(ROOT / "surveys" / "chi-thi-10.yaml")),
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        "MAX_FORM_MEMORY_SIZE": MAX_BODY_BYTES,
        # People draft for hours; an expired token would only make them press Save twice.
        "WTF_CSRF_TIME_LIMIT": 24 * 3600,
        # Not Flask-WTF's Referer check over HTTPS: some browsers never send a Referer, and their sign-in
        # would fail. views/admin/auth.py checks Origin and Referer when they are sent.
        "WTF_CSRF_SSL_STRICT": False,
        #: How werkzeug.security hashes a new password: scrypt, slow on purpose (some 0.1 s of a core each).
        #: The tests, which create accounts by the hundred, choose a cheap one.
        "PASSWORD_HASH_METHOD": "scrypt",
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        #: How long a committee member stays signed in.
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=8),
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        #: How many proxies in front of the service add to X-Forwarded-For and set X-Forwarded-Proto; the
        #: app believes those headers from that many hops only. 0 (no proxy) ignores them, so that a
        #: client cannot choose its own address; 1 behind the recommended nginx on the same machine.
        "PROXY_HOPS": int(os.environ.get("PROXY_HOPS", "0")),
        #: A scope with fewer units than this may download its workbook or draft at once (see downloads/at_once.py);
        #: a larger one is written by a job in the background, with a progress page (see downloads/jobs.py).
        "EXPORT_STREAM_UNITS": int(os.environ.get("EXPORT_STREAM_UNITS", "5000")),
        #: The most work, in seconds of one core, a download written at once may take (downloads/at_once.py): by
        #: default a share of gunicorn's worker timeout (GUNICORN_TIMEOUT) among its workers (WEB_CONCURRENCY).
        "EXPORT_AT_ONCE_SECONDS": float(os.environ.get("EXPORT_AT_ONCE_SECONDS", at_once_budget())),
        #: What writing one cell costs, by kind of file (a cell is a unit times a question of the config).
        "EXPORT_SECONDS_PER_CELL": {"xlsx": XLSX_SECONDS_PER_CELL, "docx": DOCX_SECONDS_PER_CELL},
        #: Downloads one process writes at once; one more goes to a job rather than wait.
        "EXPORT_AT_ONCE_PER_PROCESS": int(os.environ.get("EXPORT_AT_ONCE_PER_PROCESS", "1")),
        #: Where the jobs' workbooks wait for their download, and for how long.
        "EXPORTS_FOLDER": os.environ.get("EXPORTS_FOLDER", str(Path(instance_path) / "exports")),
        "EXPORT_KEEP_FOR": dt.timedelta(days=1),
        #: Seconds between a running job's signs of life; a job silent for EXPORT_STALE_AFTER lost its worker.
        "EXPORT_HEARTBEAT_SECONDS": 2.0,
        "EXPORT_STALE_AFTER": dt.timedelta(minutes=1),
        #: Seconds a statement waits for a lock another connection holds (SQLite's busy timeout,
        #: PostgreSQL's lock_timeout) before the page answers "busy, press Save again".
        "DATABASE_BUSY_TIMEOUT": float(os.environ.get("DATABASE_BUSY_TIMEOUT", "15")),
        #: PostgreSQL only: seconds any one statement may run (0: no limit), so that a stuck statement ends
        #: in an error the page explains rather than a worker killed by gunicorn's timeout.
        "DATABASE_STATEMENT_TIMEOUT": float(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "30")),
        #: A function returning "now" (aware); None for the system clock. See clock.py.
        "CLOCK": None,
        #: Days a returned report stays open for correction by default when its level's deadline has passed
        #: (reports/review.py); the reviewer may choose another last day.
        "RETURN_DAYS": 5,
        #: Where a committee's uploaded unit list waits between its preview and its confirmation.
        "UNIT_LIST_UPLOADS": str(Path(instance_path) / "unit-lists"),
        #: The mail server reminders go through (reports/reminders.py), under Flask-Mail's names. Unset, the service
        #: is not configured for mail: `flask reminders send` and the managers' button say so and send nothing.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        #: 25 for plain SMTP, 587 with MAIL_USE_TLS=1 (STARTTLS), 465 with MAIL_USE_SSL=1.
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        #: "1": upgrade the connection with STARTTLS once connected.
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "") == "1",
        #: "1": connect over TLS from the start (SMTPS).
        "MAIL_USE_SSL": os.environ.get("MAIL_USE_SSL", "") == "1",
        #: The account on the mail server, when it asks for one (both or neither).
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        #: The From of every reminder, e.g. "Ban Tổ chức Tỉnh ủy <tonghop@example.vn>": required with MAIL_SERVER.
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER") or None,
        #: Seconds to wait for the mail server to answer, so that one that does not answer fails a run rather
        #: than holding it (and a manager's page) for ever.
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "10")),
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
