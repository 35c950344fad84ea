"""How each unit signs its documents: issuing name, code, place, standing committee (all optional)

Revision ID: 0008
Revises: 0007

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issuing_name', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('issuing_code', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('place', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('has_standing_committee', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('has_standing_committee')
        batch_op.drop_column('place')
        batch_op.drop_column('issuing_code')
        batch_op.drop_column('issuing_name')
