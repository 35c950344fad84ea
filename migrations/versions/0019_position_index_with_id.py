"""The position index holds each unit's id on PostgreSQL too, so that counting a province's reports reads no unit's row

Revision ID: 0019
Revises: 0018

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

INDEX = 'ix_units_position_status'
COLUMNS = ['position', 'level', 'deadline_extended_to']


def upgrade():
    # A SQLite index holds the rowid (here the id) already: nothing to change there.
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index(INDEX, table_name='units')
        op.create_index(INDEX, 'units', COLUMNS, unique=False, postgresql_include=['id'])


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index(INDEX, table_name='units')
        op.create_index(INDEX, 'units', COLUMNS, unique=False)
