from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base

capability_okved = Table(
    "capability_okved",
    Base.metadata,
    Column("capability_id", ForeignKey("capabilities.id", ondelete="CASCADE"), primary_key=True),
    Column("okved_code", ForeignKey("okved_codes.code"), primary_key=True),
)


class Capability(Base):
    """A node of the production-capability taxonomy (a tree)."""

    __tablename__ = "capabilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("capabilities.id"), index=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    synonyms: Mapped[list[str]] = mapped_column(JSON, default=list)
    abbreviations: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order among siblings, as in the seed file

    parent: Mapped["Capability | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Capability"]] = relationship(back_populates="parent", order_by="Capability.position")
    okved_codes: Mapped[list["OkvedCode"]] = relationship(secondary=capability_okved)  # noqa: F821

    def __repr__(self) -> str:
        return f"<Capability {self.code}>"
