"""site search: search_entries and its full-text index

The FTS5 table (SQLite) and the generated tsvector column with its GIN index (PostgreSQL)
are created with the same statements as charity_site/models/search.py; they are not in the
SQLAlchemy metadata, and env.py tells autogenerate to ignore them.

The index is filled by the app, not here: `python app.py` (also with --migrate-only) builds
it when it is empty and content exists, and `flask search reindex` rebuilds it at any time.

Revision ID: 0003_search
Revises: 0002_staff_workspace
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_search'
down_revision = '0002_staff_workspace'
branch_labels = None
depends_on = None


SQLITE_CREATE_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title_tokens, body_tokens, tokenize='ascii')"
)
POSTGRES_ADD_VECTOR = (
    "ALTER TABLE search_entries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, title_tokens), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_tokens), 'B')) STORED"
)
POSTGRES_CREATE_VECTOR_INDEX = (
    "CREATE INDEX ix_search_entries_search_vector ON search_entries USING gin (search_vector)"
)


def upgrade():
    op.create_table('search_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=160), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('snippet_text', sa.Text(), nullable=False),
    sa.Column('title_tokens', sa.Text(), nullable=False),
    sa.Column('body_tokens', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
    sa.UniqueConstraint('kind', 'object_id', name=op.f('uq_search_entries_kind'))
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index('ix_search_entries_visibility', ['is_public', 'published_at'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute(SQLITE_CREATE_FTS)
    elif dialect == 'postgresql':
        op.execute(POSTGRES_ADD_VECTOR)
        op.execute(POSTGRES_CREATE_VECTOR_INDEX)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TABLE IF EXISTS search_fts")
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_search_entries_visibility')

    op.drop_table('search_entries')
