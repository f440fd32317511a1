from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, UTCDateTime, utcnow

INTRODUCTION_STATUSES = ("new", "accepted", "declined", "project")
ANSWERS = ("accepted", "declined")


class Introduction(Base):
    """Interest expressed on a computed match: a need and a supplier to be put in touch."""

    __tablename__ = "introductions"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    score: Mapped[float | None] = mapped_column(Float)  # the match score when interest was expressed
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="new")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The receiving side's answer (accepted or declined), kept with who gave it and when.
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_note: Mapped[str] = mapped_column(Text, default="")

    need: Mapped["Need"] = relationship()  # noqa: F821
    supplier: Mapped["Company"] = relationship()  # noqa: F821
    requested_by: Mapped["User | None"] = relationship(foreign_keys=[requested_by_id])  # noqa: F821
    answered_by: Mapped["User | None"] = relationship(foreign_keys=[answered_by_id])  # noqa: F821
    project: Mapped["Project | None"] = relationship()  # noqa: F821
    messages: Mapped[list["IntroductionMessage"]] = relationship(
        back_populates="introduction", cascade="all, delete-orphan",
        order_by="(IntroductionMessage.created_at, IntroductionMessage.id)")

    @property
    def customer(self):
        return self.need.company

    @property
    def asking_company_id(self) -> int | None:
        """The firm whose representative expressed the interest; None when an official did (or no one is known)."""
        asker = self.requested_by
        return asker.company_id if asker is not None and asker.role == "company" else None


class IntroductionMessage(Base):
    """A message between the two firms of an introduction, kept beside it."""

    __tablename__ = "introduction_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    introduction_id: Mapped[int] = mapped_column(ForeignKey("introductions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    introduction: Mapped[Introduction] = relationship(back_populates="messages")
    author: Mapped["User | None"] = relationship()  # noqa: F821
