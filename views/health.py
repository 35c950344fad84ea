"""`GET /healthz`, for the proxy and monitoring: is the database answering, which survey is live, and is
the config file on disk the one that is live or an edit refused as invalid.

It says nothing else (no unit, no setting, no error text), sets no cookie, and costs one `SELECT 1`.
"""

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from models import db
from schema import ConfigError
from schema.store import current_survey, survey_store

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def health():
    """Answer 200 when the database answers and a survey is loaded, 503 otherwise.

    An invalid edit of the config file is told (`"file": "invalid"`) but still answers 200: the last good
    version goes on serving every unit, and taking the service out of the proxy would stop them all.
    """
    database = database_state()
    version = survey_version()
    healthy = database == "ok" and version is not None
    body = {"status": "ok" if healthy else "unavailable", "database": database,
            "survey": {"version": version, "file": config_file_state(version)}}
    return jsonify(body), 200 if healthy else 503, {"Cache-Control": "no-store"}


def database_state():
    """Return "ok" if the database answers a trivial query, "unreachable" if it does not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        # The class only: the driver's message may name the server, and the log is no place for more.
        current_app.logger.warning("Health check: the database did not answer (%s).", type(error).__name__)
        return "unreachable"
    return "ok"


def survey_version():
    """Return the live survey's version, or None when no valid config is loaded."""
    try:
        return current_survey().version
    except ConfigError:
        return None


def config_file_state(version):
    """Return "valid" when the config file on disk is the live survey, "invalid" when it could not be loaded."""
    return "invalid" if version is None or survey_store().refused_edit is not None else "valid"
