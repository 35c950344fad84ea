"""Database models. Import `db` and the models from here."""

from .base import db
from .busy import busy_reason, database_busy
from .response import Response, Revision
from .unit import Unit, new_link_token
from .user import ROLES, SignInAttempt, User

__all__ = ["ROLES", "Response", "Revision", "SignInAttempt", "Unit", "User", "busy_reason", "database_busy", "db",
           "new_link_token"]
