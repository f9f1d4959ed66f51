"""ledger batches: one row per spreadsheet import, and the batch each imported ledger line came from

Revision ID: 0012_ledger_batches
Revises: 0011_disclosure_projects
Create Date: 2026-12-06

Lines imported before this migration keep batch_id NULL (their imports were recorded only in the audit log).
"""
import sqlalchemy as sa
from alembic import op

from charity_site.finance import summary_triggers

# revision identifiers, used by Alembic.
revision = '0012_ledger_batches'
down_revision = '0011_disclosure_projects'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ledger_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('income_fen', sa.BigInteger(), nullable=False),
    sa.Column('expense_fen', sa.BigInteger(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.Column('void_reason', sa.Text(), nullable=False),
    sa.Column('voided_at', sa.DateTime(), nullable=True),
    sa.Column('voided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_users.id'], name=op.f('fk_ledger_batches_created_by_id_staff_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['voided_by_id'], ['staff_users.id'], name=op.f('fk_ledger_batches_voided_by_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_batches'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ledger_entries_batch_id'), ['batch_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ledger_entries_batch_id_ledger_batches'), 'ledger_batches', ['batch_id'], ['id'], ondelete='RESTRICT')
    # On SQLite the batch operation rebuilds ledger_entries, which drops its triggers: put them back
    # (on PostgreSQL this replaces them with the same ones).
    summary_triggers.create_triggers(op.get_bind())


def downgrade():
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ledger_entries_batch_id_ledger_batches'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ledger_entries_batch_id'))
        batch_op.drop_column('batch_id')
    summary_triggers.create_triggers(op.get_bind())
    op.drop_table('ledger_batches')
