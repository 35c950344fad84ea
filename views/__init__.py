"""Routes only: each view reads the request, calls reporting/ and forms/, and picks a response."""

from .errors import register_error_pages
from .survey import bp as survey_pages

__all__ = ["register_error_pages", "survey_pages"]
