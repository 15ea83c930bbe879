"""Indexes for the review queue of a busy regency: its proposals in one status by score (the page
reads 15 in index order instead of sorting 10,000) and by age (the overdue count).

Revision ID: f67b6c7d8e9f
Revises: d45f4a5b6c7d
Create Date: 2026-12-09 00:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f67b6c7d8e9f'
down_revision = 'd45f4a5b6c7d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_proposals_queue', 'proposals', ['regency_code', 'status', 'score'], unique=False)
    op.create_index('ix_proposals_waiting', 'proposals', ['regency_code', 'status', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_proposals_waiting', table_name='proposals')
    op.drop_index('ix_proposals_queue', table_name='proposals')
