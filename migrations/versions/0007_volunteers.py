"""volunteers: opportunity details, shift check-in codes, sign-up codes, consent, waitlist, hours, encrypted IDs

Revision ID: 0007_volunteers
Revises: 0006_donations
Create Date: 2026-12-05

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_volunteers'
down_revision = '0006_donations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('id_masked', sa.String(length=40), nullable=False),
    sa.Column('volunteer_number', sa.String(length=20), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('total_minutes', sa.Integer(), nullable=False),
    sa.Column('service_content', sa.Text(), nullable=False),
    sa.Column('organisation', sa.String(length=120), nullable=False),
    sa.Column('person_in_charge', sa.String(length=80), nullable=False),
    sa.Column('contact', sa.String(length=120), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_service_certificates_volunteer_id_volunteers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_certificates')),
    sa.UniqueConstraint('number', name=op.f('uq_service_certificates_number')),
    sa.UniqueConstraint('year', 'sequence', name=op.f('uq_service_certificates_year'))
    )
    with op.batch_alter_table('service_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_certificates_volunteer_id'), ['volunteer_id'], unique=False)

    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area', sa.String(length=60), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('tasks', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('risks', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('insurance_arranged', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('minimum_age', sa.Integer(), nullable=False, server_default='18'))
        batch_op.add_column(sa.Column('minors_with_guardian', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('requires_id', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('signup_deadline', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_opportunities_area'), ['area'], unique=False)

    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkin_token', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_shifts_checkin_token'), ['checkin_token'])

    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('submission_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('queue_position', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('consent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('consent_text_version', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('checked_out_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('hours_confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_signups_code'), ['code'])
        batch_op.create_unique_constraint(batch_op.f('uq_signups_submission_token'), ['submission_token'])

    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emergency_contact', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('id_type', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('id_number_encrypted', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('id_number_masked', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('id_consent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('guardian_name', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('guardian_phone', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('guardian_consent_at', sa.DateTime(), nullable=True))

    # Existing rows got their values from server defaults; the models set the values themselves.
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.alter_column('area', server_default=None)
        batch_op.alter_column('tasks', server_default=None)
        batch_op.alter_column('risks', server_default=None)
        batch_op.alter_column('insurance_arranged', server_default=None)
        batch_op.alter_column('minimum_age', server_default=None)
        batch_op.alter_column('minors_with_guardian', server_default=None)
        batch_op.alter_column('requires_id', server_default=None)
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.alter_column('queue_position', server_default=None)
        batch_op.alter_column('consent_text_version', server_default=None)
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.alter_column('emergency_contact', server_default=None)
        batch_op.alter_column('id_type', server_default=None)
        batch_op.alter_column('id_number_masked', server_default=None)
        batch_op.alter_column('guardian_name', server_default=None)


def downgrade():
    with op.batch_alter_table('service_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_certificates_volunteer_id'))
    op.drop_table('service_certificates')

    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.drop_column('guardian_consent_at')
        batch_op.drop_column('guardian_phone')
        batch_op.drop_column('guardian_name')
        batch_op.drop_column('id_consent_at')
        batch_op.drop_column('id_number_masked')
        batch_op.drop_column('id_number_encrypted')
        batch_op.drop_column('id_type')
        batch_op.drop_column('emergency_contact')

    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_signups_submission_token'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_signups_code'), type_='unique')
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('hours_confirmed_at')
        batch_op.drop_column('checked_out_at')
        batch_op.drop_column('consent_text_version')
        batch_op.drop_column('consent_at')
        batch_op.drop_column('queue_position')
        batch_op.drop_column('submission_token')
        batch_op.drop_column('code')

    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_shifts_checkin_token'), type_='unique')
        batch_op.drop_column('checkin_token')

    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunities_area'))
        batch_op.drop_column('signup_deadline')
        batch_op.drop_column('requires_id')
        batch_op.drop_column('minors_with_guardian')
        batch_op.drop_column('minimum_age')
        batch_op.drop_column('insurance_arranged')
        batch_op.drop_column('risks')
        batch_op.drop_column('tasks')
        batch_op.drop_column('area')
