"""The database handle shared by every model, and the column types they have in common."""

import datetime as dt
import functools
import json

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


#: Bound to the app in create_app; models import it from here, never from app.py.
db = SQLAlchemy(model_class=Base)

#: The largest id or number a row can hold: PostgreSQL's integer, the narrowest of both databases' integers.
#: A number typed or posted past it is no row's, and is refused before it reaches a query (SQLite's driver
#: cannot even send one past 64 bits).
LARGEST_ID = 2**31 - 1

class SQLiteCompilerWithIndexHints(SQLiteCompiler):
    """SQLite's statement compiler, writing the table hints a query gives for SQLite ("INDEXED BY ..."), which
    SQLAlchemy's leaves out. A database the service fills is never analysed, and without statistics SQLite may
    prefer a unique index to a covering one (see reports.progress.join_responses); create_app installs it."""

    def get_from_hint_text(self, table, text):
        return text


def refresh_planner_statistics(*models):
    """After a bulk write to the tables of `models`, let PostgreSQL's planner see them as they now are, as its
    documentation advises after a large load: autovacuum analyses them later, and not at all where it is off.
    Without statistics it planned a 50,000-unit province's progress count at twice the time. Runs in the
    caller's transaction, whose own new rows ANALYZE counts. SQLite is never analysed: its queries name the
    indexes they need (SQLiteCompilerWithIndexHints)."""
    if db.session.get_bind().dialect.name == "postgresql":
        for model in models:
            db.session.execute(sa.text(f"ANALYZE {model.__tablename__}"))


#: JSON everywhere, stored as JSONB on PostgreSQL.
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")

#: How JSON is written (the engine's json_serializer, create_app): Vietnamese letters as they are, not as
#: \uXXXX escapes, and no spaces. A report's texts are mostly letters with diacritics: escaped, its JSON took
#: half as much room again on every save, and every page read it back.
compact_json = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


class UTCDateTime(sa.types.TypeDecorator):
    """Store aware datetimes as naive UTC and give them back aware, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None:
            value = value.replace(tzinfo=dt.UTC)
        return value


