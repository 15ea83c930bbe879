"""A counter per regency, bumped in the same transaction as any change the engine reads, and the
log of what each bump changed: a worker keeps a regency's engine warm between jobs and uses it
only while the counter holds, catching up by the changed rows (``titiktemu.models.versions``).

Revision ID: d45f4a5b6c7d
Revises: c34e2f3a4d5b
Create Date: 2026-12-08 00:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd45f4a5b6c7d'
down_revision = 'c34e2f3a4d5b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('regency_versions',
    sa.Column('regency_code', sa.String(length=20), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('regency_code', name=op.f('pk_regency_versions'))
    )
    op.create_table('regency_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('regency_code', sa.String(length=20), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regency_changes'))
    )
    op.create_index('ix_regency_changes_regency_version', 'regency_changes', ['regency_code', 'version'], unique=False)


def downgrade():
    op.drop_index('ix_regency_changes_regency_version', table_name='regency_changes')
    op.drop_table('regency_changes')
    op.drop_table('regency_versions')
