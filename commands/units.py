"""`flask units import` and `flask units links`: load the unit list and hand out the links."""

import csv
import itertools
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from models import db
from units.changes import import_units
from units.links import unit_links
from units.list_files import FILE_LIMIT, csv_value
from units.list_rows import ImportRefused

from .options import BASE_URL, LOCAL_BASE_URL

units_cli = AppGroup("units", help="Unit list commands.")


@units_cli.command("import")
@click.argument("file", type=click.File("rb"))
def import_command(file):
    """Create or update units from a CSV (UTF-8) or Excel (.xlsx) file with columns code,name,level,parent_code."""
    try:
        # One byte past the limit is enough to refuse a larger file, whose rest is never read.
        summary = import_units(file.read(FILE_LIMIT + 1), filename=file.name)
    except ImportRefused as refused:
        click.echo(_("The file was refused; no unit was changed:"), err=True)
        for problem in refused.listed():
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    except SQLAlchemyError as error:
        db.session.rollback()
        click.echo(_("The database did not take the unit list; no unit was changed:"), err=True)
        click.echo(f"  {database_reason(error)}", err=True)
        raise SystemExit(1) from None
    click.echo(_("%(created)s units created, %(updated)s updated, %(unchanged)s unchanged.",
                 created=summary.created, updated=summary.updated, unchanged=summary.unchanged))


def database_reason(error):
    """Return the first line of the database's own message: what went wrong, without the statement and its
    parameters, which hold the units' secret link tokens (nor PostgreSQL's DETAIL line, which may too)."""
    original = getattr(error, "orig", None)
    lines = str(original).strip().splitlines() if original is not None else []
    return lines[0] if lines else type(error).__name__


@units_cli.command("links")
@click.option("--base-url", type=BASE_URL, default=LOCAL_BASE_URL, show_default=True,
              help="The address units reach the service at.")
@click.option("--limit", type=int, default=None, help="Print only the first N units.")
def links_command(base_url, limit):
    """Print CSV code,name,level,url for every unit that reports, in hierarchy order (a text that starts like a
    formula with an apostrophe first, so that a spreadsheet opening the file shows it as text)."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["code", "name", "level", "url"])
    with current_app.test_request_context(base_url=base_url):
        links = unit_links(None)
        for link in itertools.islice(links, limit):
            writer.writerow([csv_value(value) for value in (link.code, link.name, link.level, link.url)])
        links.close()
