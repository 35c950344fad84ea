"""The survey that is live in this process, loaded once from SURVEY_CONFIG at start-up."""

import os

from flask import current_app

from .loader import ConfigError, load_survey


def init_survey(app):
    """Load the app's survey config; an invalid one stops start-up with every problem listed.

    Under the `flask` command the app still starts, so that `flask survey check` can show the
    problems; the pages then answer 503 until the file is mended.
    """
    path = app.config["SURVEY_CONFIG"]
    with app.app_context():
        try:
            app.extensions["survey"] = load_survey(path)
        except ConfigError as error:
            if not os.environ.get("FLASK_RUN_FROM_CLI"):
                raise
            app.logger.error("Invalid survey config; run `flask survey check`.\n%s", error)
            app.extensions["survey"] = error


def current_survey():
    """Return the live Survey, or raise the ConfigError that kept it from loading."""
    survey = current_app.extensions["survey"]
    if isinstance(survey, ConfigError):
        raise survey
    return survey
