from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base


class OkvedCode(Base):
    """One entry of the official OKVED2 classifier (sections are letters, classes dotted numbers)."""

    __tablename__ = "okved_codes"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    section: Mapped[str] = mapped_column(String(1))
    name: Mapped[str] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("okved_codes.code"), index=True)

    parent: Mapped["OkvedCode | None"] = relationship(remote_side=[code])

    def __repr__(self) -> str:
        return f"<OkvedCode {self.code}>"
