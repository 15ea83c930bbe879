"""The forum's meetings, their invitees and their agenda items with minutes and follow-ups.

Revision ID: d01f2a3b4c5d
Revises: c90e1f2a3b4c
Create Date: 2026-12-13 00:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd01f2a3b4c5d'
down_revision = 'c90e1f2a3b4c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'forum_meetings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('regency_code', sa.String(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('ends_at', sa.DateTime(), nullable=False),
        sa.Column('place', sa.String(length=300), nullable=False),
        sa.Column('online_link', sa.String(length=500), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['people.id'], ondelete='SET NULL',
                                name=op.f('fk_forum_meetings_created_by_people')),
        sa.ForeignKeyConstraint(['regency_code'], ['regencies.code'],
                                name=op.f('fk_forum_meetings_regency_code_regencies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_meetings')),
    )
    op.create_index(op.f('ix_forum_meetings_regency_code'), 'forum_meetings', ['regency_code'])
    op.create_table(
        'forum_invitees',
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['forum_meetings.id'], ondelete='CASCADE',
                                name=op.f('fk_forum_invitees_meeting_id_forum_meetings')),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE',
                                name=op.f('fk_forum_invitees_person_id_people')),
        sa.PrimaryKeyConstraint('meeting_id', 'person_id', name=op.f('pk_forum_invitees')),
    )
    op.create_table(
        'forum_agenda_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=True),
        sa.Column('flag_id', sa.Integer(), nullable=True),
        sa.Column('obstacle_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('decision', sa.Text(), nullable=False),
        sa.Column('follow_up_by', sa.Integer(), nullable=True),
        sa.Column('follow_up_due', sa.Date(), nullable=True),
        sa.Column('follow_up_done_at', sa.DateTime(), nullable=True),
        sa.Column('minuted_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['meeting_id'], ['forum_meetings.id'], ondelete='CASCADE',
                                name=op.f('fk_forum_agenda_items_meeting_id_forum_meetings')),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], ondelete='SET NULL',
                                name=op.f('fk_forum_agenda_items_proposal_id_proposals')),
        sa.ForeignKeyConstraint(['flag_id'], ['overlap_flags.id'], ondelete='SET NULL',
                                name=op.f('fk_forum_agenda_items_flag_id_overlap_flags')),
        sa.ForeignKeyConstraint(['obstacle_id'], ['obstacles.id'], ondelete='SET NULL',
                                name=op.f('fk_forum_agenda_items_obstacle_id_obstacles')),
        sa.ForeignKeyConstraint(['follow_up_by'], ['people.id'], ondelete='SET NULL',
                                name=op.f('fk_forum_agenda_items_follow_up_by_people')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_agenda_items')),
    )
    op.create_index(op.f('ix_forum_agenda_items_meeting_id'), 'forum_agenda_items',
                    ['meeting_id'])
    op.create_index(op.f('ix_forum_agenda_items_follow_up_by'), 'forum_agenda_items',
                    ['follow_up_by'])


def downgrade():
    op.drop_table('forum_agenda_items')
    op.drop_table('forum_invitees')
    op.drop_table('forum_meetings')
