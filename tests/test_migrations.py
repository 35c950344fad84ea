"""The migrations build exactly the schema the models describe."""

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from models import Response, db


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_upgrade_command_is_idempotent(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("submitted", [
    {"submitted_number": 1, "submitted_at": None},
    {"submitted_number": None, "submitted_at": dt.datetime(2027, 4, 1, tzinfo=dt.UTC)},
])
def test_the_database_ties_the_submission_time_to_the_submitted_revision(app, units, submitted):
    with app.app_context():
        db.session.add(Response(unit_id=units["BMT.TL.01"].id, revision_count=1, current_number=1, **submitted))
        with pytest.raises(IntegrityError):
            db.session.commit()
