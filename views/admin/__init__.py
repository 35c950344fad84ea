"""The committees' side under /admin/: one blueprint, its pages grouped by module."""

from . import exports, links, pages, reading, unit_document, unit_list_upload  # noqa: F401  (register the routes on bp)
from .auth import bp

__all__ = ["bp"]
