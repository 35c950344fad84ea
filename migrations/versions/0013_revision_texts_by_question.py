"""Revision texts indexed by question, so that reading one item starts from its own texts

Revision ID: 0013
Revises: 0012

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('revision_texts', schema=None) as batch_op:
        batch_op.create_index('ix_revision_texts_question', ['question_id', 'revision_id', 'text_id'], unique=False)


def downgrade():
    with op.batch_alter_table('revision_texts', schema=None) as batch_op:
        batch_op.drop_index('ix_revision_texts_question')
