"""Database models. Import `db` and the models from here."""

from .base import db
from .export_job import ExportJob
from .response import Response, Revision
from .unit import Unit, new_link_token
from .user import ROLES, SignInAttempt, SignInSession, User

__all__ = ["ROLES", "ExportJob", "Response", "Revision", "SignInAttempt", "SignInSession", "Unit", "User", "db",
           "new_link_token"]
