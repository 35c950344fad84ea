"""Narrative answers kept for reading: distinct texts and their full-text index, and the text each
revision committees read gives each narrative question; filled from the reports already saved

Revision ID: 0010
Revises: 0009

"""
import logging

from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

SQLITE_INDEX = [
    # An external-content FTS5 table reads the folded text from answer_texts; the triggers keep it current.
    "CREATE VIRTUAL TABLE answer_text_search USING fts5(folded, content='answer_texts', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER answer_text_search_insert AFTER INSERT ON answer_texts BEGIN "
    "INSERT INTO answer_text_search(rowid, folded) VALUES (new.id, new.folded); END",
    "CREATE TRIGGER answer_text_search_delete AFTER DELETE ON answer_texts BEGIN "
    "INSERT INTO answer_text_search(answer_text_search, rowid, folded) VALUES ('delete', old.id, old.folded); END",
    "CREATE TRIGGER answer_text_search_update AFTER UPDATE OF folded ON answer_texts BEGIN "
    "INSERT INTO answer_text_search(answer_text_search, rowid, folded) VALUES ('delete', old.id, old.folded); "
    "INSERT INTO answer_text_search(rowid, folded) VALUES (new.id, new.folded); END",
]
# The expression consolidation.reading queries: words cut where FTS5 cuts them (see reading.NOT_WORD).
POSTGRESQL_INDEX = ["CREATE INDEX answer_text_search ON answer_texts USING gin "
                    "(to_tsvector('simple'::regconfig, regexp_replace(folded, '[^[:alnum:]]+', ' ', 'g')))"]


def upgrade():
    op.create_table('answer_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('folded', sa.Text(), nullable=False),
    sa.Column('terms', sa.Text(), nullable=True),
    sa.Column('sentence_terms', sa.Text(), nullable=True),
    sa.Column('signature', sa.LargeBinary(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('analysed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('digest')
    )
    with op.batch_alter_table('answer_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_texts_analysed_at'), ['analysed_at'], unique=False)

    op.create_table('revision_texts',
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('text_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['text_id'], ['answer_texts.id'], ),
    sa.PrimaryKeyConstraint('revision_id', 'question_id')
    )
    with op.batch_alter_table('revision_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revision_texts_text_id'), ['text_id'], unique=False)

    for statement in SQLITE_INDEX if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_INDEX:
        op.execute(statement)
    fill_from_saved_reports()


def fill_from_saved_reports():
    """Link the reports committees read to their texts, stored unanalysed: `flask narratives analyse` (or the
    next save of each unit) analyses them. Needs the survey to know its narrative questions: with a broken
    config the tables stay empty and `flask narratives index` fills them once it is mended."""
    from flask import current_app

    from consolidation.answer_texts import index_shown_revisions
    from schema.loader import ConfigError
    from schema.store import current_survey

    if not current_app:
        return
    try:
        survey = current_survey()
    except ConfigError as error:
        log.warning("Narrative texts not indexed (the survey config is broken: %s); run `flask narratives "
                    "index` once it is mended.", error)
        return
    session = Session(bind=op.get_bind())
    linked = index_shown_revisions(session, survey)
    session.flush()
    if linked:
        log.info("Linked %s reports to their narrative texts; `flask narratives analyse` analyses them.", linked)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE answer_text_search")
    with op.batch_alter_table('revision_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revision_texts_text_id'))

    op.drop_table('revision_texts')
    with op.batch_alter_table('answer_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_texts_analysed_at'))

    op.drop_table('answer_texts')
