"""ledger indexes for large ledgers: date order, last change, fund sums

Revision ID: 0004_ledger_indexes
Revises: 0003_search
Create Date: 2026-11-21

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004_ledger_indexes'
down_revision = '0003_search'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entries_date_id', ['occurred_on', 'id'], unique=False)
        batch_op.create_index('ix_ledger_entries_updated_at', ['updated_at'], unique=False)
        batch_op.create_index('ix_ledger_entries_fund_money', ['fund_id', 'voided', 'kind', 'occurred_on', 'category',
                                                               'project_id', 'amount_fen'], unique=False)


def downgrade():
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_fund_money')
        batch_op.drop_index('ix_ledger_entries_updated_at')
        batch_op.drop_index('ix_ledger_entries_date_id')
