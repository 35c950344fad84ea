"""`flask demo`: a synthetic province for demos and benchmarks."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from flask_babel import gettext as _

from models import Unit, db
from reporting.demo import SHAPES, create_demo_province
from schema.store import current_survey


@click.command("demo")
@click.option("--units", "unit_count", type=click.IntRange(2, 1_000_000), default=300, show_default=True,
              help="How many units to create, the province included.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed, for repeatable data.")
@click.option("--shape", type=click.Choice(SHAPES), default=SHAPES[0], show_default=True,
              help="2025: communes, wards and grassroots cells directly under the province, beside a few "
                   "committees directly under it; seed: every grassroots unit under a district committee.")
@with_appcontext
def demo_command(unit_count, seed, shape):
    """Fill an empty database with a synthetic province and random valid answers."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Unit)):
        click.echo(_("The database already has units; demo data goes into an empty database only."), err=True)
        raise SystemExit(1)
    summary = create_demo_province(current_survey(), unit_count, seed, shape)
    click.echo(_("%(units)s units, %(responses)s opened reports, %(revisions)s saved versions.",
                 units=summary.units, responses=summary.responses, revisions=summary.revisions))
