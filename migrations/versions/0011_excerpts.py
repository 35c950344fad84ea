"""Excerpts a committee chose from its units' narrative answers, per outline item

Revision ID: 0011
Revises: 0010

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('excerpts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('text_id', sa.Integer(), nullable=False),
    sa.Column('start_offset', sa.Integer(), nullable=False),
    sa.Column('end_offset', sa.Integer(), nullable=False),
    sa.Column('passage', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('chosen_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('start_offset >= 0 AND end_offset > start_offset', name='passage_within_text'),
    sa.ForeignKeyConstraint(['chosen_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['committee_id'], ['units.id'], ),
    sa.ForeignKeyConstraint(['text_id'], ['answer_texts.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('excerpts', schema=None) as batch_op:
        batch_op.create_index('ix_excerpts_committee_question', ['committee_id', 'question_id', 'position'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_excerpts_text_id'), ['text_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_excerpts_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('excerpts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_excerpts_unit_id'))
        batch_op.drop_index(batch_op.f('ix_excerpts_text_id'))
        batch_op.drop_index('ix_excerpts_committee_question')

    op.drop_table('excerpts')
