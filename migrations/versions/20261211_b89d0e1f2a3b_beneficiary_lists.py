"""Beneficiary lists, encoded (keyed hashes of NIK and KK, CLKs), their links, and how long a
regency keeps them.

Revision ID: b89d0e1f2a3b
Revises: a78c8d9e0f1a
Create Date: 2026-12-11 00:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b89d0e1f2a3b'
down_revision = 'a78c8d9e0f1a'
branch_labels = None
depends_on = None

LEGAL_BASES = (
    'legal_obligation', 'public_task', 'consent', 'vital_interest', 'contract',
    'legitimate_interest',
)


def upgrade():
    op.add_column(
        'regency_settings',
        sa.Column('beneficiary_retention_months', sa.Integer(), nullable=False,
                  server_default='24'),
    )
    op.create_table(
        'beneficiary_lists',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('regency_code', sa.String(), nullable=False),
        sa.Column('program_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column(
            'legal_basis',
            sa.Enum(*LEGAL_BASES, name='legal_basis', native_enum=False, create_constraint=True,
                    length=19),
            nullable=False,
        ),
        sa.Column('purpose', sa.Text(), nullable=False),
        sa.Column('route', sa.String(length=16), nullable=False),
        sa.Column('key_id', sa.String(length=16), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('uploaded_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['program_id'], ['programs.id'],
                                name=op.f('fk_beneficiary_lists_program_id_programs')),
        sa.ForeignKeyConstraint(['regency_code'], ['regencies.code'],
                                name=op.f('fk_beneficiary_lists_regency_code_regencies')),
        sa.ForeignKeyConstraint(['uploaded_by'], ['people.id'], ondelete='SET NULL',
                                name=op.f('fk_beneficiary_lists_uploaded_by_people')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_beneficiary_lists')),
    )
    op.create_index('ix_beneficiary_lists_regency_year', 'beneficiary_lists',
                    ['regency_code', 'year'])
    op.create_index(op.f('ix_beneficiary_lists_program_id'), 'beneficiary_lists', ['program_id'])
    op.create_table(
        'beneficiary_rows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('list_id', sa.Integer(), nullable=False),
        sa.Column('ref', sa.String(length=64), nullable=False),
        sa.Column('village_code', sa.String(), nullable=False),
        sa.Column('kecamatan_code', sa.String(length=16), nullable=False),
        sa.Column('birth_year', sa.Integer(), nullable=False),
        sa.Column('nik_hmac', sa.String(length=64), nullable=True),
        sa.Column('kk_hmac', sa.String(length=64), nullable=True),
        sa.Column('clk', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['list_id'], ['beneficiary_lists.id'], ondelete='CASCADE',
                                name=op.f('fk_beneficiary_rows_list_id_beneficiary_lists')),
        sa.ForeignKeyConstraint(['village_code'], ['villages.code'],
                                name=op.f('fk_beneficiary_rows_village_code_villages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_beneficiary_rows')),
        sa.UniqueConstraint('list_id', 'ref', name=op.f('uq_beneficiary_rows_list_id_ref')),
    )
    op.create_index(op.f('ix_beneficiary_rows_nik_hmac'), 'beneficiary_rows', ['nik_hmac'])
    op.create_index(op.f('ix_beneficiary_rows_kk_hmac'), 'beneficiary_rows', ['kk_hmac'])
    op.create_table(
        'beneficiary_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('regency_code', sa.String(length=8), nullable=False),
        sa.Column('row_a', sa.Integer(), nullable=False),
        sa.Column('row_b', sa.Integer(), nullable=False),
        sa.Column('strength', sa.String(length=8), nullable=False),
        sa.Column('similarity', sa.Double(), nullable=False),
        sa.CheckConstraint('row_a < row_b', name=op.f('ck_beneficiary_links_ordered')),
        sa.ForeignKeyConstraint(['row_a'], ['beneficiary_rows.id'], ondelete='CASCADE',
                                name=op.f('fk_beneficiary_links_row_a_beneficiary_rows')),
        sa.ForeignKeyConstraint(['row_b'], ['beneficiary_rows.id'], ondelete='CASCADE',
                                name=op.f('fk_beneficiary_links_row_b_beneficiary_rows')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_beneficiary_links')),
        sa.UniqueConstraint('row_a', 'row_b', name=op.f('uq_beneficiary_links_row_a_row_b')),
    )
    op.create_index(op.f('ix_beneficiary_links_regency_code'), 'beneficiary_links',
                    ['regency_code'])
    op.create_index(op.f('ix_beneficiary_links_row_a'), 'beneficiary_links', ['row_a'])
    op.create_index(op.f('ix_beneficiary_links_row_b'), 'beneficiary_links', ['row_b'])


def downgrade():
    op.drop_table('beneficiary_links')
    op.drop_table('beneficiary_rows')
    op.drop_table('beneficiary_lists')
    op.drop_column('regency_settings', 'beneficiary_retention_months')
