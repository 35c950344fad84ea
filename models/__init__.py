"""Database models. Import `db` and the models from here."""

from .action import Action
from .base import compact_json, db, refresh_planner_statistics
from .busy import busy_reason, database_busy
from .excerpt import Excerpt
from .export_job import ExportJob
from .narrative import SEARCH_INDEX, AnswerText, RevisionText, StoredSummary, UnlinkedRevision
from .reminder import OVERDUE_STEP, Reminder
from .response import REVIEW_STATES, Response, Revision
from .review import REVIEW_ACTIONS, Review
from .unit import Unit, new_link_token
from .user import ROLES, SignInAttempt, SignInSession, User

__all__ = ["OVERDUE_STEP", "REVIEW_ACTIONS", "REVIEW_STATES", "ROLES", "SEARCH_INDEX", "Action", "AnswerText",
           "Excerpt", "ExportJob", "Reminder", "Response", "Review", "Revision", "RevisionText", "SignInAttempt",
           "SignInSession", "StoredSummary", "Unit", "UnlinkedRevision", "User", "busy_reason", "compact_json",
           "database_busy", "db", "new_link_token", "refresh_planner_statistics"]
