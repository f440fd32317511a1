import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from registry.models.base import Base, UTCDateTime, utcnow

ROLES = ("admin", "official", "company")


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))  # an official's region
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    company_approved: Mapped[bool] = mapped_column(Boolean, default=False)  # link confirmed by an official
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Alerts (registry.models.alert.ALERT_MODES). Representatives hear of matching needs at once unless they
    # choose otherwise, so a new need reaches a matching firm without any setup; officials get their
    # region's new firms and needs as one daily mail, and a weekly digest of their stalled projects.
    need_alerts: Mapped[str] = mapped_column(String(10), default="immediate", server_default="immediate")
    region_alerts: Mapped[str] = mapped_column(String(10), default="daily", server_default="daily")
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the daily digest covers what came after
    # Part of the id that sessions and remember-cookies carry: replacing it ends them all (password changed
    # or reset, logout, account locked), since the user loader no longer finds the id it was given.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)

    region: Mapped["Region | None"] = relationship()  # noqa: F821
    company: Mapped["Company | None"] = relationship()  # noqa: F821

    def set_password(self, password: str) -> None:
        # Werkzeug's default is scrypt with a random salt.
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Every session and remember-cookie of this user stops working at its next request."""
        self.session_token = new_session_token()

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 digest is stored. Its owner names it (what uses it)
    and may give it an end: after `expires_at` the API no longer accepts it."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
