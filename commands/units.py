"""`flask units import` and `flask units links`: load the unit list and hand out the links."""

import csv
import sys

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from flask_babel import gettext as _

from reporting.units import ImportRefused, import_units, units_in_hierarchy_order
from schema import REPORTING_LEVELS

units_cli = AppGroup("units", help="Unit list commands.")


@units_cli.command("import")
@click.argument("file", type=click.File("rb"))
def import_command(file):
    """Create or update units from a CSV file with columns code,name,level,parent_code."""
    try:
        summary = import_units(file.read())
    except ImportRefused as refused:
        click.echo(_("The file was refused; no unit was changed:"), err=True)
        for problem in refused.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    click.echo(_("%(created)s units created, %(updated)s updated, %(unchanged)s unchanged.",
                 created=summary.created, updated=summary.updated, unchanged=summary.unchanged))


@units_cli.command("links")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True,
              help="The address units reach the service at.")
@click.option("--limit", type=int, default=None, help="Print only the first N units.")
def links_command(base_url, limit):
    """Print CSV code,name,level,url for every unit that reports, in hierarchy order."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["code", "name", "level", "url"])
    with current_app.test_request_context(base_url=base_url):
        reporting = [unit for unit in units_in_hierarchy_order() if unit.level in REPORTING_LEVELS]
        for unit in reporting[:limit]:
            writer.writerow([unit.code, unit.name, unit.level,
                             url_for("survey.page", token=unit.token, _external=True)])
