"""A report has a submission time exactly when it has a submitted revision

Revision ID: 0004
Revises: 0003

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

CONDITION = '(submitted_number IS NULL) = (submitted_at IS NULL)'


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_check_constraint('submitted_at_with_number', CONDITION)


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_constraint('submitted_at_with_number', type_='check')
