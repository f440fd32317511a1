from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, UTCDateTime, utcnow


class CapabilityOffer(Base):
    """What a company can make or do: a capability node with its own words, equipment and capacity."""

    __tablename__ = "capability_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    capability_id: Mapped[int | None] = mapped_column(ForeignKey("capabilities.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    equipment: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[str] = mapped_column(String(300), default="")
    certifications: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    company: Mapped["Company"] = relationship(back_populates="offers")  # noqa: F821
    capability: Mapped["Capability | None"] = relationship()  # noqa: F821
