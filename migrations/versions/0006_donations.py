"""donations: pledges, campaigns, giving settings

Revision ID: 0006_donations
Revises: 0005_number_sequences
Create Date: 2026-12-05

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006_donations'
down_revision = '0005_number_sequences'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('giving_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_fundraising_qualified', sa.Boolean(), nullable=False),
    sa.Column('qualification_number', sa.String(length=80), nullable=False),
    sa.Column('bank_account_name', sa.String(length=120), nullable=False),
    sa.Column('bank_name', sa.String(length=120), nullable=False),
    sa.Column('bank_account_number', sa.String(length=60), nullable=False),
    sa.Column('preset_amounts', sa.String(length=120), nullable=False),
    sa.Column('min_amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('max_amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('expire_after_days', sa.Integer(), nullable=False),
    sa.Column('collection_code', sa.String(length=255), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff_users.id'], name=op.f('fk_giving_settings_updated_by_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_giving_settings'))
    )
    op.create_table('gift_campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('fund_id', sa.Integer(), nullable=True),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('goal_fen', sa.BigInteger(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('filing_number', sa.String(length=80), nullable=False),
    sa.Column('responsible_person', sa.String(length=80), nullable=False),
    sa.Column('platform_url', sa.String(length=255), nullable=False),
    sa.Column('collection_code', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(project_id IS NULL) <> (fund_id IS NULL)', name=op.f('ck_gift_campaigns_one_owner')),
    sa.CheckConstraint('goal_fen IS NULL OR goal_fen > 0', name=op.f('ck_gift_campaigns_goal_positive')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_gift_campaigns_fund_id_funds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_gift_campaigns_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gift_campaigns')),
    sa.UniqueConstraint('fund_id', name=op.f('uq_gift_campaigns_fund_id')),
    sa.UniqueConstraint('project_id', name=op.f('uq_gift_campaigns_project_id'))
    )
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('access_token', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('submission_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('show_message', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('wants_updates', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('method', sa.Enum('bank', 'wechat', 'alipay', 'in_person', name='paymentmethod', native_enum=False, length=20), nullable=False, server_default='bank'))
        batch_op.add_column(sa.Column('received_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('received_amount_fen', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('received_channel', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('certificate_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('certificate_number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('receipt_number', sa.String(length=60), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('receipt_issued_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('notified_until', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_pledges_access_token'), ['access_token'])
        batch_op.create_unique_constraint('uq_pledges_certificate', ['certificate_year', 'certificate_number'])
        batch_op.create_unique_constraint(batch_op.f('uq_pledges_submission_token'), ['submission_token'])
        batch_op.create_check_constraint('received_positive', 'received_amount_fen IS NULL OR received_amount_fen > 0')
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        for column in ('show_message', 'wants_updates', 'method', 'received_channel', 'receipt_number'):
            batch_op.alter_column(column, server_default=None)



def downgrade():
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_pledges_received_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_pledges_submission_token'), type_='unique')
        batch_op.drop_constraint('uq_pledges_certificate', type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_pledges_access_token'), type_='unique')
        batch_op.drop_column('notified_until')
        batch_op.drop_column('receipt_issued_on')
        batch_op.drop_column('receipt_number')
        batch_op.drop_column('certificate_number')
        batch_op.drop_column('certificate_year')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('received_channel')
        batch_op.drop_column('received_amount_fen')
        batch_op.drop_column('received_on')
        batch_op.drop_column('method')
        batch_op.drop_column('wants_updates')
        batch_op.drop_column('show_message')
        batch_op.drop_column('submission_token')
        batch_op.drop_column('access_token')

    op.drop_table('gift_campaigns')
    op.drop_table('giving_settings')
