"""Database models. Import `db` and the models from here."""

from .base import db, utcnow
from .response import Response, Revision
from .unit import Unit, new_link_token

__all__ = ["Response", "Revision", "Unit", "db", "new_link_token", "utcnow"]
