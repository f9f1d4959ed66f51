"""number sequences: gapless yearly certificate numbers

Revision ID: 0005_number_sequences
Revises: 0004_ledger_indexes
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005_number_sequences'
down_revision = '0004_ledger_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('number_sequences',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', 'year', name=op.f('pk_number_sequences'))
    )


def downgrade():
    op.drop_table('number_sequences')
