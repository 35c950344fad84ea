"""Item summaries kept per committee scope and narrative item, shared by the workers

Revision ID: 0012
Revises: 0011

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('item_summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope_key', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('drafts', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=120), nullable=True),
    sa.Column('payload', sa.Text(), nullable=True),
    sa.Column('computed_at', sa.DateTime(), nullable=True),
    sa.Column('refreshing_since', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scope_key', 'question_id', 'drafts')
    )


def downgrade():
    op.drop_table('item_summaries')
