from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, UTCDateTime, utcnow

VERIFICATION_STATES = ("unverified", "pending", "verified")
# A firm that registers itself waits for an official of its region before anyone else sees it; firms that
# officials, imports and seeds create are published at once.
PENDING, PUBLISHED, REJECTED = "pending", "published", "rejected"
PUBLICATION_STATES = (PENDING, PUBLISHED, REJECTED)


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Empty for firms known only from a source that gives no INN: nothing is invented.
    inn: Mapped[str | None] = mapped_column(String(12), unique=True)
    ogrn: Mapped[str | None] = mapped_column(String(15))
    name: Mapped[str] = mapped_column(String(300), index=True)
    legal_form: Mapped[str | None] = mapped_column(String(40))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    employees: Mapped[int | None] = mapped_column(Integer)
    verification: Mapped[str] = mapped_column(String(20), default="unverified", index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    publication: Mapped[str] = mapped_column(String(20), default=PUBLISHED, server_default=PUBLISHED, index=True)
    publication_note: Mapped[str | None] = mapped_column(Text)  # the official's word on approval or rejection
    source: Mapped[str | None] = mapped_column(Text)  # where the facts come from; "illustrative" when made up
    search_text: Mapped[str] = mapped_column(Text, default="")  # pre-stemmed text for full-text search
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    region: Mapped["Region"] = relationship()  # noqa: F821
    okveds: Mapped[list["CompanyOkved"]] = relationship(
        back_populates="company", cascade="all, delete-orphan", order_by="(CompanyOkved.is_main.desc(), CompanyOkved.okved_code)"
    )
    contacts: Mapped[list["Contact"]] = relationship(back_populates="company", cascade="all, delete-orphan")
    offers: Mapped[list["CapabilityOffer"]] = relationship(  # noqa: F821
        back_populates="company", cascade="all, delete-orphan", order_by="CapabilityOffer.id"
    )
    needs: Mapped[list["Need"]] = relationship(back_populates="company", order_by="Need.id")  # noqa: F821

    @property
    def is_verified(self) -> bool:
        return self.verification == "verified"

    @hybrid_property
    def is_public(self) -> bool:
        """What the public may see: the one rule for the catalogue, counts, search, needs and matching."""
        return bool(self.active and self.publication == PUBLISHED)

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls):
        return and_(cls.active.is_(True), cls.publication == PUBLISHED)

    def __repr__(self) -> str:
        return f"<Company {self.inn} {self.name}>"


class CompanyOkved(Base):
    """An OKVED2 code of a company; exactly one of them is the main one."""

    __tablename__ = "company_okved"

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    okved_code: Mapped[str] = mapped_column(ForeignKey("okved_codes.code"), primary_key=True, index=True)
    is_main: Mapped[bool] = mapped_column(Boolean, default=False)

    company: Mapped[Company] = relationship(back_populates="okveds")
    okved: Mapped["OkvedCode"] = relationship()  # noqa: F821


class Contact(Base):
    """A person at a company, with their position."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(Text)

    company: Mapped[Company] = relationship(back_populates="contacts")
