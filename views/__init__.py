"""Routes only: each view reads the request, calls units/, reports/, accounts/ and forms/, and picks a response."""

from . import unit_document  # noqa: F401  (register the document routes on the survey blueprint)
from .addresses import register_address_check
from .admin import bp as admin_pages
from .assets import register_assets
from .compression import register_compression
from .demo_note import demo_site_note
from .display import shown_in_page
from .errors import register_error_pages
from .guide import bp as guide_pages
from .health import bp as health_pages
from .languages import url_in_language
from .robots import bp as robots_pages
from .survey import bp as survey_pages

__all__ = ["admin_pages", "demo_site_note", "guide_pages", "health_pages", "register_address_check",
           "register_assets", "register_compression", "register_error_pages", "robots_pages", "shown_in_page",
           "survey_pages", "url_in_language"]
