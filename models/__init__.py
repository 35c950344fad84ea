"""Database models. Import `db` and the models from here."""

from .base import db
from .busy import busy_reason, database_busy
from .excerpt import Excerpt
from .export_job import ExportJob
from .narrative import SEARCH_INDEX, AnswerText, RevisionText, StoredSummary
from .response import Response, Revision
from .unit import Unit, new_link_token
from .user import ROLES, SignInAttempt, SignInSession, User

__all__ = ["ROLES", "SEARCH_INDEX", "AnswerText", "Excerpt", "ExportJob", "Response", "Revision", "RevisionText",
           "SignInAttempt", "SignInSession", "StoredSummary", "Unit", "User", "busy_reason", "database_busy", "db",
           "new_link_token"]
