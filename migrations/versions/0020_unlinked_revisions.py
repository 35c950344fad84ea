"""A save leaves its revision's texts to be linked by the text analyser or by the first reading that needs them

Revision ID: 0020
Revises: 0019

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    # Every revision saved before was linked by its save: none waits.
    op.create_table('unlinked_revisions',
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('revision_id')
    )


def downgrade():
    # The revisions still waiting have no links: `flask narratives index` links every such revision a
    # committee reads.
    op.drop_table('unlinked_revisions')
