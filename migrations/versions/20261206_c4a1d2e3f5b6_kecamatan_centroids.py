"""Kecamatan centroids (lat, lon), filled from the regency places files.

Revision ID: c4a1d2e3f5b6
Revises: b2f9aed386ee
Create Date: 2026-12-06 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a1d2e3f5b6'
down_revision = 'b2f9aed386ee'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('kecamatan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('lon', sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table('kecamatan', schema=None) as batch_op:
        batch_op.drop_column('lon')
        batch_op.drop_column('lat')
