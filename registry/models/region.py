from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base


class Region(Base):
    """A federal subject of Russia."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    inn_code: Mapped[str] = mapped_column(String(2), unique=True)  # the first two digits of local INNs
    iso_code: Mapped[str | None] = mapped_column(String(6), unique=True)
    name_ru: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    federal_district_ru: Mapped[str] = mapped_column(String(80))
    federal_district_en: Mapped[str] = mapped_column(String(80))
    timezone: Mapped[str] = mapped_column(String(40))

    def __repr__(self) -> str:
        return f"<Region {self.iso_code or self.inn_code} {self.name_ru}>"
