from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, UTCDateTime, utcnow

# How a user hears of what concerns them: a mail at once, one mail a day, or nothing.
ALERT_MODES = ("immediate", "daily", "off")


class NeedAlert(Base):
    """A firm was told of a need that matches it: at most once per need and firm, whatever edits follow.

    The score and reasons are kept as they were when the firm was alerted, so a daily digest says
    the same as an immediate mail would have.
    """

    __tablename__ = "need_alerts"
    __table_args__ = (UniqueConstraint("need_id", "company_id", name="uq_need_alerts_need_company"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"))  # the unique key's first column
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # [{"kind", "weight", "data"}] as the engine gave them
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    need: Mapped["Need"] = relationship()  # noqa: F821
    company: Mapped["Company"] = relationship()  # noqa: F821


class ProjectReminder(Base):
    """The responsible official was reminded that a project's next step is past due: once per due date."""

    __tablename__ = "project_reminders"
    __table_args__ = (UniqueConstraint("project_id", "due_date", name="uq_project_reminders_project_due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))  # the unique key's first column
    due_date: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
