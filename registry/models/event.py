from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, UTCDateTime, utcnow

EVENT_KINDS = ("round_table", "delegation_visit", "fair", "other")

# A meeting request's life: asked, then answered (or left to expire, or withdrawn by whoever asked).
MEETING_STATUSES = ("requested", "accepted", "declined", "expired", "cancelled")
# Right after the meeting, and again months later (the follow-up): what came of it.
OUTCOMES = ("not_held", "no_interest", "useful_no_plans", "possible_cooperation")
FOLLOW_UPS = ("not_continued", "valuable_contact", "negotiating", "agreement")


class Event(Base):
    """A round table, delegation visit or fair where firms meet; with matchmaking, one-to-one meetings
    in time slots at tables."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), default="round_table")
    title: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[date | None] = mapped_column(Date, index=True)
    date_note: Mapped[str] = mapped_column(Text, default="")  # how sure the date is (e.g. a year not in the source)
    place: Mapped[str] = mapped_column(String(300), default="")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str | None] = mapped_column(Text)
    # Matchmaking, set by an official: firms register until the closing date, then meet at `tables` tables.
    registration_open: Mapped[bool] = mapped_column(Boolean, default=False)
    registration_closes_on: Mapped[date | None] = mapped_column(Date)  # the last day to register
    tables: Mapped[int] = mapped_column(Integer, default=0)
    requests_expire_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # unanswered requests lapse then
    cross_region_first: Mapped[bool] = mapped_column(Boolean, default=True)
    follow_up_on: Mapped[date | None] = mapped_column(Date)  # when both sides are asked again what came of it
    follow_up_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    schedule_upper_bound: Mapped[int | None] = mapped_column(Integer)  # the solver's proof: no schedule is larger

    region: Mapped["Region | None"] = relationship()  # noqa: F821
    participants: Mapped[list["EventParticipant"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventParticipant.id"
    )
    slots: Mapped[list["EventSlot"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventSlot.index"
    )
    meetings: Mapped[list["EventMeeting"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventMeeting.id"
    )
    projects: Mapped[list["Project"]] = relationship(back_populates="source_event")  # noqa: F821

    @property
    def matchmaking(self) -> bool:
        """Whether the event has one-to-one meetings at all (slots and tables set)."""
        return bool(self.slots) and self.tables > 0


class EventSlot(Base):
    """A time slot for one-to-one meetings, numbered from 0 in time order."""

    __tablename__ = "event_slots"
    __table_args__ = (UniqueConstraint("event_id", "index", name="uq_event_slots_event_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))  # the unique key's first column
    index: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)

    event: Mapped[Event] = relationship(back_populates="slots")


participant_offers = Table(
    "event_participant_offers", Base.metadata,
    Column("participant_id", ForeignKey("event_participants.id", ondelete="CASCADE"), primary_key=True),
    Column("offer_id", ForeignKey("capability_offers.id", ondelete="CASCADE"), primary_key=True),
)
participant_needs = Table(
    "event_participant_needs", Base.metadata,
    Column("participant_id", ForeignKey("event_participants.id", ondelete="CASCADE"), primary_key=True),
    Column("need_id", ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True),
)


class EventParticipant(Base):
    """A company, or a named person (an official, say), taking part in an event.

    A registered company says who comes, which of its offers and needs it brings, and when it is not free.
    """

    __tablename__ = "event_participants"
    __table_args__ = (UniqueConstraint("event_id", "company_id", name="uq_event_participants_event_company"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    person_name: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[str] = mapped_column(String(300), default="")
    attendees: Mapped[str] = mapped_column(Text, default="")  # who comes for the company
    unavailable_slots: Mapped[list] = mapped_column(JSON, default=list)  # slot indexes
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship(back_populates="participants")
    company: Mapped["Company | None"] = relationship()  # noqa: F821
    offers: Mapped[list["CapabilityOffer"]] = relationship(secondary=participant_offers)  # noqa: F821
    needs: Mapped[list["Need"]] = relationship(secondary=participant_needs)  # noqa: F821
    registered_by: Mapped["User | None"] = relationship()  # noqa: F821


class EventMeeting(Base):
    """A one-to-one meeting at an event: requested by one firm of another (or set by an official),
    answered, placed in a slot at a table, and what came of it."""

    __tablename__ = "event_meetings"
    __table_args__ = (
        UniqueConstraint("event_id", "requester_id", "invitee_id", name="uq_event_meetings_event_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))  # the unique key's first column
    requester_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    invitee_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"))  # what it is about
    note: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    by_official: Mapped[bool] = mapped_column(Boolean, default=False)  # an official wants it to happen
    status: Mapped[str] = mapped_column(String(20), default="requested", index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_note: Mapped[str] = mapped_column(Text, default="")
    # The schedule: a slot index and a table number (from 1), or why it found no place.
    slot: Mapped[int | None] = mapped_column(Integer)
    table_number: Mapped[int | None] = mapped_column(Integer)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)  # moved by hand: a new schedule keeps it
    unscheduled_reason: Mapped[str | None] = mapped_column(String(30))
    outcome: Mapped[str | None] = mapped_column(String(30))
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requester_follow_up: Mapped[str | None] = mapped_column(String(30))
    invitee_follow_up: Mapped[str | None] = mapped_column(String(30))
    introduction_id: Mapped[int | None] = mapped_column(ForeignKey("introductions.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship(back_populates="meetings")
    requester: Mapped["Company"] = relationship(foreign_keys=[requester_id])  # noqa: F821
    invitee: Mapped["Company"] = relationship(foreign_keys=[invitee_id])  # noqa: F821
    need: Mapped["Need | None"] = relationship()  # noqa: F821
    requested_by: Mapped["User | None"] = relationship(foreign_keys=[requested_by_id])  # noqa: F821
    answered_by: Mapped["User | None"] = relationship(foreign_keys=[answered_by_id])  # noqa: F821
    outcome_by: Mapped["User | None"] = relationship(foreign_keys=[outcome_by_id])  # noqa: F821
    introduction: Mapped["Introduction | None"] = relationship()  # noqa: F821
    project: Mapped["Project | None"] = relationship()  # noqa: F821

    @property
    def firms(self) -> tuple:
        return self.requester, self.invitee

    def other(self, company_id: int):
        """The firm this one meets."""
        return self.invitee if company_id == self.requester_id else self.requester
