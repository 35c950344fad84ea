"""Export jobs of two kinds: the Excel workbook and the consolidated draft (Word), one active of each per scope

Revision ID: 0009
Revises: 0008

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

ACTIVE = sa.text("state IN ('queued', 'running')")


def upgrade():
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=8), nullable=False, server_default='xlsx'))
        batch_op.create_check_constraint('known_kind', "kind IN ('xlsx', 'docx')")
        batch_op.drop_index('one_active_export_per_scope')
        batch_op.create_index('one_active_export_per_scope', ['scope_unit_id', 'kind'], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)


def downgrade():
    op.execute("DELETE FROM export_jobs WHERE kind <> 'xlsx'")
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_index('one_active_export_per_scope')
        batch_op.create_index('one_active_export_per_scope', ['scope_unit_id'], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)
        batch_op.drop_constraint('known_kind', type_='check')
        batch_op.drop_column('kind')
