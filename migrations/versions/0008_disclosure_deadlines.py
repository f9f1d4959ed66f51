"""disclosure deadlines: the day the organisation began publishing on the site; items published elsewhere

Revision ID: 0008_disclosure_deadlines
Revises: 0007_volunteers
Create Date: 2026-12-06

An existing site counts its deadlines from the day its settings row was created (the day it was set up),
in Beijing time; staff can change the date in the site settings.
"""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_disclosure_deadlines'
down_revision = '0007_volunteers'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('disclosures_published_elsewhere',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('obligation_key', sa.String(length=80), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('marked_by_name', sa.String(length=254), nullable=False),
    sa.Column('marked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['marked_by_id'], ['staff_users.id'], name=op.f('fk_disclosures_published_elsewhere_marked_by_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosures_published_elsewhere')),
    sa.UniqueConstraint('obligation_key', name=op.f('uq_disclosures_published_elsewhere_obligation_key'))
    )
    with op.batch_alter_table('site_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disclosures_start_on', sa.Date(), nullable=True))

    connection = op.get_bind()
    settings = sa.table('site_settings', sa.column('id', sa.Integer()), sa.column('created_at', sa.DateTime()),
                        sa.column('disclosures_start_on', sa.Date()))
    shanghai = ZoneInfo('Asia/Shanghai')
    for row_id, created_at in connection.execute(sa.select(settings.c.id, settings.c.created_at)).all():
        if created_at is None:
            continue
        if isinstance(created_at, str):
            created_at = datetime.fromisoformat(created_at)
        local_day = created_at.replace(tzinfo=UTC).astimezone(shanghai).date()
        connection.execute(settings.update().where(settings.c.id == row_id).values(disclosures_start_on=local_day))


def downgrade():
    with op.batch_alter_table('site_settings', schema=None) as batch_op:
        batch_op.drop_column('disclosures_start_on')
    op.drop_table('disclosures_published_elsewhere')
