"""A regency's own synonyms for skills, activities and programs, kept by its coordinators.

Revision ID: b2f9aed386ee
Revises: 8a4e7c1b9d22
Create Date: 2026-12-06 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b2f9aed386ee'
down_revision = '8a4e7c1b9d22'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('regency_synonyms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('regency_code', sa.String(length=5), nullable=False),
    sa.Column('kind', sa.Enum('skill', 'activity', 'program', name='synonym_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('phrase', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['people.id'], name=op.f('fk_regency_synonyms_created_by_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['regency_code'], ['regencies.code'], name=op.f('fk_regency_synonyms_regency_code_regencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regency_synonyms')),
    sa.UniqueConstraint('regency_code', 'kind', 'key', name=op.f('uq_regency_synonyms_regency_code_kind_key'))
    )


def downgrade():
    op.drop_table('regency_synonyms')
