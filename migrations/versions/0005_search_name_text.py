"""A unit's search name as text of any length: folding can make a name many times longer

Revision ID: 0005
Revises: 0004

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.alter_column('search_name', existing_type=sa.String(length=300), type_=sa.Text(),
                              existing_nullable=False, existing_server_default='')


def downgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.alter_column('search_name', existing_type=sa.Text(), type_=sa.String(length=300),
                              existing_nullable=False, existing_server_default='',
                              postgresql_using='left(search_name, 300)')
