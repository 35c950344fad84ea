"""The survey that is live in this process: loaded at start-up, reloaded when its file changes.

Every worker notices an edit of SURVEY_CONFIG by the file's modification time (one stat per
request) and loads it as a new version. An invalid edit is refused: the last good version stays
live, and the problems are logged and kept for the administrators' dashboard.
"""

import os

from flask import current_app

from .loader import ConfigError, load_survey


class SurveyStore:
    def __init__(self, app):
        self.app = app
        self.path = app.config["SURVEY_CONFIG"]
        self.loaded_mtime = None
        #: The ConfigError of the last edit that was refused, while the file still holds it.
        self.refused_edit = None

    def load_at_start_up(self):
        """Load the config; an invalid one stops start-up with every problem listed.

        Under the `flask` command the app still starts, so that `flask survey check` can show the
        problems; the pages then answer 503 until the file is mended.
        """
        self.loaded_mtime = self._mtime()
        with self.app.app_context():
            try:
                self.app.extensions["survey"] = load_survey(self.path)
            except ConfigError as error:
                if not os.environ.get("FLASK_RUN_FROM_CLI"):
                    raise
                # Told once, without the problems: `flask survey check` itself lists them.
                self.app.logger.error("The survey config %s is invalid (%d problem(s)); `flask survey check` lists "
                                      "them.", self.path, len(error.problems))
                self.app.extensions["survey"] = error

    def refresh(self):
        """Load the file again if it changed since it was last read."""
        mtime = self._mtime()
        if mtime == self.loaded_mtime:
            return
        self.loaded_mtime = mtime
        try:
            survey = load_survey(self.path)
        except ConfigError as error:
            self.refused_edit = error
            self.app.logger.error("Survey config edit refused; the previous version stays live.\n%s", error)
            return
        self.refused_edit = None
        if getattr(self.app.extensions.get("survey"), "version", None) != survey.version:
            self.app.logger.info("Survey config version %s is live.", survey.version)
        self.app.extensions["survey"] = survey

    def _mtime(self):
        try:
            return os.stat(self.path).st_mtime_ns
        except OSError:
            return None


def init_survey(app):
    store = SurveyStore(app)
    app.extensions["survey_store"] = store
    store.load_at_start_up()


def survey_store():
    return current_app.extensions["survey_store"]


def survey_of_this_request():
    """Return the survey the request already obtained through current_survey(), without checking
    the file again: templates call this once per row."""
    return current_app.extensions["survey"]


def current_survey():
    """Return the live Survey (reloaded if its file changed), or raise the ConfigError that kept it out."""
    survey_store().refresh()
    survey = current_app.extensions["survey"]
    if isinstance(survey, ConfigError):
        raise survey
    return survey


def made_once(survey, key, make):
    """Return `make()`, made once per survey version and `key` (a level, a language...): what every request of
    that version would otherwise build alike. A config edit starts afresh."""
    made = current_app.extensions.setdefault("made_once", {})
    if made.get("version") != survey.version:
        made.clear()
        made["version"] = survey.version
    if key not in made:
        made[key] = make()
    return made[key]
