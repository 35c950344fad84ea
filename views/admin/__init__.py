"""The committees' side under /admin/: one blueprint, its pages grouped by module."""

from . import pages  # noqa: F401  (registers the routes on bp)
from .auth import bp

__all__ = ["bp"]
