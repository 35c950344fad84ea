"""Database models. Import `db` and the models from here."""

from .base import db
from .busy import busy_reason, database_busy
from .export_job import ExportJob
from .response import Response, Revision
from .unit import Unit, new_link_token
from .user import ROLES, SignInAttempt, SignInSession, User

__all__ = ["ROLES", "ExportJob", "Response", "Revision", "SignInAttempt", "SignInSession", "Unit", "User",
           "busy_reason", "database_busy", "db", "new_link_token"]
