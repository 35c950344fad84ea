"""The note on every page of make run's demo: its province, units and figures are made up. The province's
name stays a real-looking one, short enough for a document's header."""

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from demo.site import demo_database_state


def demo_site_note():
    """Tell every page whether the database is make run's demo, asked once per app: make run sets the demo up
    before it serves, and a database created otherwise never becomes one."""
    known = current_app.extensions.get("demo_site")
    if known is None:
        try:
            known = current_app.extensions["demo_site"] = demo_database_state() == "ready"
        except SQLAlchemyError:
            # Every page, an error page included, renders when the database cannot answer: ask again later.
            return {"demo_site": False}
    return {"demo_site": known}
