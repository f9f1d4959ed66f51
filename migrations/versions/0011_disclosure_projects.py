"""disclosure projects: a disclosure covers several projects (many-to-many), replacing disclosures.project_id;
pages.updated_on, the date a page's text was revised

Revision ID: 0011_disclosure_projects
Revises: 0010_scale_indexes
Create Date: 2026-12-06

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011_disclosure_projects'
down_revision = '0010_scale_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('disclosure_projects',
    sa.Column('disclosure_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['disclosure_id'], ['disclosures.id'], name=op.f('fk_disclosure_projects_disclosure_id_disclosures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_disclosure_projects_project_id_projects'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('disclosure_id', 'project_id', name=op.f('pk_disclosure_projects'))
    )
    with op.batch_alter_table('disclosure_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_projects_project_id'), ['project_id'], unique=False)

    # Every existing link moves over: the project a disclosure named is the first it covers.
    op.execute(
        'INSERT INTO disclosure_projects (disclosure_id, project_id) '
        'SELECT id, project_id FROM disclosures WHERE project_id IS NOT NULL'
    )
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosures_project_id'))
        batch_op.drop_constraint(batch_op.f('fk_disclosures_project_id_projects'), type_='foreignkey')
        batch_op.drop_column('project_id')

    # A page's own date of revision (from its content file), instead of the time it was loaded.
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_column('updated_on')
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('project_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_disclosures_project_id_projects'), 'projects', ['project_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_disclosures_project_id'), ['project_id'], unique=False)
    # One project per disclosure again: the first (lowest id) of those it covered.
    op.execute(
        'UPDATE disclosures SET project_id = (SELECT MIN(project_id) FROM disclosure_projects '
        'WHERE disclosure_projects.disclosure_id = disclosures.id)'
    )
    with op.batch_alter_table('disclosure_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_projects_project_id'))
    op.drop_table('disclosure_projects')
