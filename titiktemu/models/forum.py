"""The forum's meetings: who is invited, the agenda (what waits for the forum, then what the
coordinator adds), and per item its minutes: the decision, who follows up and by when."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from titiktemu.models.base import Base, Timestamped
from titiktemu.models.obstacles import Obstacle
from titiktemu.models.overlaps import OverlapFlag
from titiktemu.models.people import Person
from titiktemu.models.proposals import Proposal

forum_invitees = sa.Table(
    "forum_invitees",
    Base.metadata,
    sa.Column(
        "meeting_id", sa.ForeignKey("forum_meetings.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("person_id", sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
)


class ForumMeeting(Timestamped, Base):
    __tablename__ = "forum_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    regency_code: Mapped[str] = mapped_column(sa.ForeignKey("regencies.code"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    #: UTC, as every time the database keeps; pages and calendars show it in WIB.
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    online_link: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"))
    #: The calendar's SEQUENCE: a changed meeting is sent again as an update of the same event.
    sequence: Mapped[int] = mapped_column(default=0)

    invitees: Mapped[list[Person]] = relationship(secondary=forum_invitees, order_by=Person.name)
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )


class AgendaItem(Base):
    __tablename__ = "forum_agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("forum_meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    #: "proposal", "flag", "obstacle" (what waited for the forum) or "other" (added).
    kind: Mapped[str] = mapped_column(sa.String(16))
    proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="SET NULL")
    )
    flag_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("overlap_flags.id", ondelete="SET NULL")
    )
    obstacle_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("obstacles.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    decision: Mapped[str] = mapped_column(sa.Text, default="")
    follow_up_by: Mapped[int | None] = mapped_column(
        sa.ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    follow_up_due: Mapped[dt.date | None]
    follow_up_done_at: Mapped[dt.datetime | None]
    minuted_at: Mapped[dt.datetime | None]

    meeting: Mapped[ForumMeeting] = relationship(back_populates="items")
    proposal: Mapped[Proposal | None] = relationship()
    flag: Mapped[OverlapFlag | None] = relationship()
    obstacle: Mapped[Obstacle | None] = relationship()
    follower: Mapped[Person | None] = relationship()
