"""Indexes that let the progress page and the unit lists read a province's units by ranges of positions

Revision ID: 0018
Revises: 0017

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index('ix_units_parent_id')
        batch_op.drop_index('ix_units_position')
        batch_op.create_index('ix_units_parent_position', ['parent_id', 'position'], unique=False)
        batch_op.create_index('ix_units_position_status', ['position', 'level', 'deadline_extended_to'], unique=False)
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index('ix_responses_status',
                              ['unit_id', 'review', 'submitted_number', 'submitted_late', 'current_number'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_status')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index('ix_units_position_status')
        batch_op.drop_index('ix_units_parent_position')
        batch_op.create_index('ix_units_position', ['position'], unique=False)
        batch_op.create_index('ix_units_parent_id', ['parent_id'], unique=False)
