"""The committees' side under /admin/: one blueprint, its pages grouped by module."""

from . import exports, links, pages, reading, reminders, reviews, unit_document, unit_list_upload  # noqa: F401  (the routes)
from .auth import bp

__all__ = ["bp"]
