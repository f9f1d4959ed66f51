"""ledger summaries: fund_money and project_money, kept by triggers on ledger_entries; funds by kind and title;
ledger lines by kind or category and date

Revision ID: 0009_ledger_summaries
Revises: 0008_disclosure_deadlines
Create Date: 2026-12-06

"""
import sqlalchemy as sa
from alembic import op

from charity_site.finance import summary_triggers

# revision identifiers, used by Alembic.
revision = '0009_ledger_summaries'
down_revision = '0008_disclosure_deadlines'
branch_labels = None
depends_on = None

FILL = """INSERT INTO {table} ({key}, income_fen, expense_fen, line_count)
SELECT {key},
       coalesce(sum(CASE WHEN voided = {false} AND kind = 'income' THEN amount_fen ELSE 0 END), 0),
       coalesce(sum(CASE WHEN voided = {false} AND kind = 'expense' THEN amount_fen ELSE 0 END), 0),
       count(*)
FROM ledger_entries WHERE {key} IS NOT NULL GROUP BY {key}"""


def upgrade():
    for table, key, target in (('fund_money', 'fund_id', 'funds.id'),
                               ('project_money', 'project_id', 'projects.id')):
        op.create_table(table,
        sa.Column(key, sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('income_fen', sa.BigInteger(), nullable=False),
        sa.Column('expense_fen', sa.BigInteger(), nullable=False),
        sa.Column('line_count', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint([key], [target], name=op.f(f'fk_{table}_{key}_{target.split(".")[0]}'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint(key, name=op.f(f'pk_{table}'))
        )
    connection = op.get_bind()
    false = 'false' if connection.dialect.name == 'postgresql' else '0'
    for table, key in (('fund_money', 'fund_id'), ('project_money', 'project_id')):
        op.execute(FILL.format(table=table, key=key, false=false))
    summary_triggers.create_triggers(connection)
    with op.batch_alter_table('funds', schema=None) as batch_op:
        batch_op.create_index('ix_funds_kind_title', ['kind', 'title', 'id'], unique=False)
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entries_kind_date', ['kind', 'occurred_on', 'id'], unique=False)
        batch_op.create_index('ix_ledger_entries_category_date', ['category', 'occurred_on', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_category_date')
        batch_op.drop_index('ix_ledger_entries_kind_date')
    with op.batch_alter_table('funds', schema=None) as batch_op:
        batch_op.drop_index('ix_funds_kind_title')
    for statement in summary_triggers.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table('project_money')
    op.drop_table('fund_money')
