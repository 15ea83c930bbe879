"""The outbox keeps a queued email's template context: emails are rendered when sent.

Revision ID: a78c8d9e0f1a
Revises: f67b6c7d8e9f
Create Date: 2026-12-10 00:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a78c8d9e0f1a'
down_revision = 'f67b6c7d8e9f'
branch_labels = None
depends_on = None


def upgrade():
    # Rows queued before this were rendered when queued: their context stays NULL.
    op.add_column('email_outbox', sa.Column('context', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('email_outbox', 'context')
