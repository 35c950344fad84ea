"""The migrations build exactly the schema the models describe."""

import csv
import datetime as dt
import io
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from answers import LONG_TEXT_IDS, stored_cell_answers
from flask_migrate import upgrade
from sqlalchemy.exc import IntegrityError

from consolidation.answer_texts import pending_count
from consolidation.reading import Reading, parse_query, search
from models import Response, Revision, RevisionText, Unit, db
from models.narrative import described_by_models


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": described_by_models})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_indexes_hold_the_columns_the_models_give_them(app):
    """compare_metadata leaves out an index's included columns (PostgreSQL's INCLUDE): checked here."""
    with app.app_context():
        inspector = sa.inspect(db.engine)
        on_postgresql = db.engine.dialect.name == "postgresql"
        for table in db.metadata.sorted_tables:
            found = {index["name"]: index for index in inspector.get_indexes(table.name)}
            for index in table.indexes:
                expected = list(index.dialect_options["postgresql"]["include"] or []) if on_postgresql else []
                migrated = found[index.name]
                assert migrated["column_names"] == [column.name for column in index.columns], index.name
                assert migrated.get("dialect_options", {}).get("postgresql_include", []) == expected, index.name


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


def test_an_upgrade_copies_tables_that_reports_point_at_in_a_populated_sqlite_database(make_app, tmp_path,
                                                                                          demo_units_csv):
    """SQLite changes a column by copying its table, which foreign keys forbid while they are enforced."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.sqlite3'}", SQLALCHEMY_ENGINE_OPTIONS={})
    with app.app_context():
        upgrade(revision="0003")
        populate_as_of_0003(demo_units_csv, "BMT.TL.01")
        upgrade()
        counts = [db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in (Unit, Revision)]
        assert counts == [27, 1]
        # The report's narrative answers were linked to their texts, stored for search and left to analyse.
        linked = db.session.scalars(sa.select(RevisionText.question_id)).all()
        assert sorted(linked) == sorted(LONG_TEXT_IDS)
        assert pending_count() == len(LONG_TEXT_IDS)
        found = search(Reading("uu_diem"), parse_query("y kien ve uu diem"))
        assert [hit.unit_code for hit in found.hits] == ["BMT.TL.01"]
        db.session.add(Response(unit_id=10_000))
        with pytest.raises(IntegrityError):
            db.session.commit()


def populate_as_of_0003(units_csv, submitting_code):
    """Load the unit list and one submitted report into the tables as revision 0003 has them, through the
    tables themselves: today's models have columns that revision lacks."""
    tables = sa.MetaData()
    tables.reflect(db.engine, only=("units", "responses", "revisions"))
    units, responses, revisions = (tables.tables[name] for name in ("units", "responses", "revisions"))
    now = dt.datetime(2027, 4, 1)
    ids = {}
    with db.engine.begin() as connection:
        for row in csv.DictReader(io.StringIO(units_csv.read_text(encoding="utf-8"))):
            ids[row["code"]] = connection.execute(sa.insert(units).values(
                code=row["code"], name=row["name"], search_name="", level=row["level"],
                parent_id=ids.get(row["parent_code"]), token=uuid.uuid4().hex, created_at=now)).inserted_primary_key[0]
        response = connection.execute(sa.insert(responses).values(
            unit_id=ids[submitting_code], opened_at=now, revision_count=1, current_number=1, submitted_number=1,
            submitted_at=now, submitted_late=False, updated_at=now)).inserted_primary_key[0]
        connection.execute(sa.insert(revisions).values(
            response_id=response, number=1, action="submit", answers=stored_cell_answers(), config_version="old",
            conflict=False, late=False, submission_id=uuid.uuid4().hex, link_fingerprint="0" * 16, created_at=now))
