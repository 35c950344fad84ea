"""`flask backup OUT` and `flask restore IN`: a consistent copy of a SQLite database while the service runs,
and that copy put back into an empty database. PostgreSQL has its own tools: the commands say which."""

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy.engine import make_url

from backups import BackupError, back_up, restore
from models import db


@click.command("backup")
@click.argument("output", type=click.Path())
@with_appcontext
def backup_command(output):
    """Copy the SQLite database to OUTPUT while the service runs (PostgreSQL: use pg_dump)."""
    database = sqlite_file(_("Back up a PostgreSQL database with pg_dump, for example: "
                             "pg_dump --format=custom --file=%(output)s \"$DATABASE_URL\"", output=output))
    contents = run(lambda: back_up(database, output))
    click.echo(_("Backup written to %(path)s: %(units)s units, %(revisions)s saved versions, schema %(schema)s.",
                 path=output, units=contents.units, revisions=contents.revisions, schema=contents.schema))


@click.command("restore")
@click.argument("backup", type=click.Path())
@with_appcontext
def restore_command(backup):
    """Put a backup made by `flask backup` into the SQLite database, which must be empty (PostgreSQL: use
    pg_restore)."""
    database = sqlite_file(_("Restore a PostgreSQL database with pg_restore onto an empty database, for example: "
                             "pg_restore --no-owner --dbname=\"$DATABASE_URL\" %(backup)s", backup=backup))
    # Nothing of this process may hold the database open while it is replaced.
    db.engine.dispose()
    contents = run(lambda: restore(backup, database))
    click.echo(_("Restored %(path)s: %(units)s units, %(revisions)s saved versions, schema %(schema)s.",
                 path=backup, units=contents.units, revisions=contents.revisions, schema=contents.schema))
    if not contents.current:
        click.echo(_("The backup is older than this version of the service: run `flask --app app db upgrade` "
                     "before starting it."))


def sqlite_file(postgresql_advice):
    """Return the path of the service's SQLite database; on another database print the advice and stop."""
    url = make_url(db.engine.url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        click.echo(postgresql_advice, err=True)
        raise SystemExit(1)
    return url.database


def run(action):
    try:
        return action()
    except BackupError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
