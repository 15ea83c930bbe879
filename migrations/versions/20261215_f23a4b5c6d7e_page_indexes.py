"""Indexes for the busy pages: the synergies (the kecamatan filter reads them by index, not
every proposal), and a regency's unresolved flags (listed, counted, counted per village).

Revision ID: f23a4b5c6d7e
Revises: e12f3a4b5c6d
Create Date: 2026-12-15 00:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f23a4b5c6d7e'
down_revision = 'e12f3a4b5c6d'
branch_labels = None
depends_on = None

SYNERGIES = sa.text("kind = 'program_synergy'")


def upgrade():
    op.create_index(
        'ix_proposals_synergies',
        'proposals',
        ['regency_code', 'status'],
        postgresql_where=SYNERGIES,
        sqlite_where=SYNERGIES,
    )
    op.create_index(
        'ix_overlap_flags_listed', 'overlap_flags', ['regency_code', 'status', 'severity', 'id']
    )
    op.create_index(
        'ix_overlap_flags_villages', 'overlap_flags', ['regency_code', 'status', 'village_code']
    )


def downgrade():
    op.drop_index('ix_overlap_flags_villages', table_name='overlap_flags')
    op.drop_index('ix_overlap_flags_listed', table_name='overlap_flags')
    op.drop_index('ix_proposals_synergies', table_name='proposals')
