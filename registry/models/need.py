from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, UTCDateTime, utcnow

NEED_STATUSES = ("open", "matched", "closed")

need_capability = Table(
    "need_capability",
    Base.metadata,
    Column("need_id", ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True),
    Column("capability_id", ForeignKey("capabilities.id"), primary_key=True),
)

need_okved = Table(
    "need_okved",
    Base.metadata,
    Column("need_id", ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True),
    Column("okved_code", ForeignKey("okved_codes.code"), primary_key=True),
)


class Need(Base):
    """A company's request for a supplier."""

    __tablename__ = "needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    volume: Mapped[str] = mapped_column(String(200), default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    source: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    company: Mapped["Company"] = relationship(back_populates="needs")  # noqa: F821
    capabilities: Mapped[list["Capability"]] = relationship(secondary=need_capability)  # noqa: F821
    okved_codes: Mapped[list["OkvedCode"]] = relationship(secondary=need_okved)  # noqa: F821
