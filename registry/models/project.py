from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, UTCDateTime, utcnow

# The pipeline in order, then the two side states.
STAGES = ("proposal", "negotiation", "agreement", "implementation", "completed", "on_hold", "cancelled")
NOTE_REQUIRED_STAGES = ("on_hold", "cancelled")
# From the agreement on, a project must have its value, its responsible official and every participant's role.
COMPLETE_FROM_STAGES = ("agreement", "implementation", "completed")
CLOSED_STAGES = ("completed", "cancelled")
PARTICIPANT_ROLES = ("customer", "supplier", "partner")


class Project(Base):
    """A cooperation project between companies, steered by an official through its stages."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    direction_id: Mapped[int | None] = mapped_column(ForeignKey("capabilities.id"), index=True)
    value_rub: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    stage: Mapped[str] = mapped_column(String(20), default="proposal", index=True)
    next_step: Mapped[str] = mapped_column(Text, default="")
    next_step_due: Mapped[date | None] = mapped_column(Date, index=True)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    source_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    direction: Mapped["Capability | None"] = relationship()  # noqa: F821
    responsible: Mapped["User | None"] = relationship()  # noqa: F821
    source_event: Mapped["Event | None"] = relationship(back_populates="projects")  # noqa: F821
    participants: Mapped[list["ProjectParticipant"]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectParticipant.id"
    )
    stage_changes: Mapped[list["StageChange"]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="StageChange.id"
    )
    tasks: Mapped[list["ProjectTask"]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectTask.id"
    )


class ProjectParticipant(Base):
    __tablename__ = "project_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    project: Mapped[Project] = relationship(back_populates="participants")
    company: Mapped["Company"] = relationship()  # noqa: F821


class StageChange(Base):
    """One step in a project's history; appended, never edited."""

    __tablename__ = "stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    project: Mapped[Project] = relationship(back_populates="stage_changes")
    actor: Mapped["User | None"] = relationship()  # noqa: F821


class ProjectTask(Base):
    """A small task on a project with an owner and a due date. The project's first open task (earliest due date,
    then the oldest) is its next step: `Project.next_step` and `next_step_due` hold a copy of it, kept in step by
    registry/services/tasks.py, so lists, filters and reminders read the project row alone."""

    __tablename__ = "project_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="tasks")
    owner: Mapped["User | None"] = relationship(foreign_keys=[owner_id])  # noqa: F821
    created_by: Mapped["User | None"] = relationship(foreign_keys=[created_by_id])  # noqa: F821
