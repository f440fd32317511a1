from datetime import date

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base

EVENT_KINDS = ("round_table", "delegation_visit", "fair", "other")


class Event(Base):
    """A round table, delegation visit or fair where firms meet."""

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

    region: Mapped["Region | None"] = relationship()  # noqa: F821
    participants: Mapped[list["EventParticipant"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventParticipant.id"
    )
    projects: Mapped[list["Project"]] = relationship(back_populates="source_event")  # noqa: F821


class EventParticipant(Base):
    """A company, or a named person (an official, say), taking part in an event."""

    __tablename__ = "event_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    person_name: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[str] = mapped_column(String(300), default="")

    event: Mapped[Event] = relationship(back_populates="participants")
    company: Mapped["Company | None"] = relationship()  # noqa: F821
