"""scale indexes: the public project list's order, counts of public projects, the year filter, the newest change

Revision ID: 0010_scale_indexes
Revises: 0009_ledger_summaries
Create Date: 2026-12-06

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010_scale_indexes'
down_revision = '0009_ledger_summaries'
branch_labels = None
depends_on = None


def upgrade():
    # The list's order, newest start first and undated last: SQLite (no NULLS LAST in an index,
    # NULL sorts first) reads the ascending index backwards; PostgreSQL needs it spelled out.
    if op.get_bind().dialect.name == 'sqlite':
        listing = ['start_date', 'id']
    else:
        listing = [sa.text('start_date DESC NULLS LAST'), sa.text('id DESC')]
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index('ix_projects_listing', [*listing, 'status', 'published_at', 'category', 'project_status'],
                              unique=False)
        batch_op.create_index('ix_projects_public', ['status', 'published_at'], unique=False)
        batch_op.create_index('ix_projects_category_public', ['category', 'status', 'published_at'], unique=False)
        batch_op.create_index('ix_projects_start_date', ['start_date'], unique=False)
        batch_op.create_index('ix_projects_end_date', ['end_date'], unique=False)
        batch_op.create_index('ix_projects_updated_at', ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index('ix_projects_updated_at')
        batch_op.drop_index('ix_projects_end_date')
        batch_op.drop_index('ix_projects_start_date')
        batch_op.drop_index('ix_projects_category_public')
        batch_op.drop_index('ix_projects_public')
        batch_op.drop_index('ix_projects_listing')
