"""Each unit's place in hierarchy order, stored, so that long lists sort without joining units' parents

Revision ID: 0014
Revises: 0013

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_units_position'), ['position'], unique=False)
    number_existing_units()


def number_existing_units():
    """Number the units already there, as the service numbers them after an import."""
    from units.hierarchy import renumber_units

    session = Session(bind=op.get_bind())
    renumber_units(session)
    session.flush()


def downgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_position'))
        batch_op.drop_column('position')
