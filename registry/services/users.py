"""Accounts an administrator makes (the command line, or an invitation from the users page), and API tokens."""

import hashlib
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from registry.extensions import db
from registry.labels import ROLE_LABELS
from registry.models import ApiToken, Company, User
from registry.models.base import utcnow
from registry.models.user import ROLES
from registry.policy import authorize, can_manage_token, is_admin
from registry.services import ServiceError, audit
from registry.services.accounts import INVITATION_MAX_AGE, reset_token
from registry.services.companies import find_region
from registry.translation import lazy_gettext as _l

TOKEN_NAME_LENGTH = 100


def _new_user(email: str, role: str, *, region_iso: str | None, company_inn: str | None,
              company: Company | None = None) -> User:
    """A user checked and added to the session, without a password yet; `company` (or `company_inn`) is the
    firm a representative acts for, approved at once."""
    email = (email or "").strip().lower()
    if role not in ROLES:
        raise ServiceError(_l("Unknown role %(role)s: choose one of %(roles)s.", role=role, roles=", ".join(ROLES)), "role")
    if not email or "@" not in email:
        raise ServiceError(_l("Give a valid e-mail address."), "email")
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise ServiceError(_l("A user with the e-mail %(email)s already exists.", email=email), "email")
    user = User(email=email, role=role)
    if region_iso:
        user.region = find_region(region_iso)  # ISO 3166-2 code, or the two-digit code of a region without one
        if user.region is None:
            raise ServiceError(_l("Unknown region %(code)s.", code=region_iso), "region")
    if company is not None:
        user.company, user.company_approved = company, True
    elif company_inn:
        user.company = db.session.scalar(select(Company).where(Company.inn == company_inn.strip()))
        if user.company is None:
            raise ServiceError(_l("No company with INN %(inn)s.", inn=company_inn), "company_inn")
        user.company_approved = True
    if role == "company" and user.company is None:
        raise ServiceError(_l("A company representative needs a company (its INN)."), "company_inn")
    return user


def create_user(email: str, password: str, role: str, *, region_iso: str | None = None,
                company_inn: str | None = None, company: Company | None = None, actor=None) -> User:
    user = _new_user(email, role, region_iso=region_iso, company_inn=company_inn, company=company)
    if len(password or "") < 8:
        raise ServiceError(_l("The password must have at least 8 characters."), "password")
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, email=user.email, role=role)
    return user


def invite_user(email: str, role: str, *, region_iso: str | None = None, company_inn: str | None = None,
                locale: str | None = None, actor, link_for) -> User:
    """An administrator creates an account and mails its owner a one-time link to set a password.

    Nobody knows the account's first password (a random one), so until the link is used nobody can log in
    with it. The link works once (setting the password ends it) and for a week. `link_for(token)` builds it
    (from EXTERNAL_URL, never from a request); the mail is in the invitee's language.
    """
    from registry.services.notifications import Recipient, write_mails

    authorize(is_admin(actor), _l("Only an administrator invites users."))
    user = _new_user(email, role, region_iso=region_iso, company_inn=company_inn)
    user.locale = locale if locale in current_app.config["LANGUAGES"] else None
    user.set_password(secrets.token_urlsafe(32))
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.invite", user, email=user.email, role=role,
                 region=user.region.iso_code or user.region.inn_code if user.region else None,
                 company=user.company.name if user.company else None)
    days = INVITATION_MAX_AGE // 86400
    write_mails([Recipient(user.email, user.locale)], _l("Your invitation to the cooperation registry"), [
        _l("You are invited to the regional industrial cooperation registry as %(role)s (%(email)s).",
           role=ROLE_LABELS[role], email=user.email),
        _l("Open this link within %(days)s days to set your password; you are then logged in. The link works "
           "once.", days=days),
    ], link=link_for(reset_token(user, "invitation")))
    return user


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, *, name: str = "", expires_at: datetime | None = None, actor=None) -> str:
    """Creates an API token and returns it in clear text; only its digest is stored."""
    name = (name or "").strip()
    if len(name) > TOKEN_NAME_LENGTH:
        raise ServiceError(_l("The name is too long (at most %(count)s characters).", count=TOKEN_NAME_LENGTH), "name")
    if expires_at is not None and expires_at <= utcnow():
        raise ServiceError(_l("The end date must be in the future."), "expires_on")
    token = secrets.token_urlsafe(32)
    stored = ApiToken(user=user, token_hash=hash_token(token), name=name, expires_at=expires_at)
    db.session.add(stored)
    db.session.flush()
    audit.record(actor, "token.create", stored, name=name, expires_at=expires_at.date().isoformat() if expires_at else None)
    db.session.flush()
    return token


def revoke_token(token: ApiToken, *, actor) -> None:
    """The token stops working at once: it is deleted, and the audit keeps its name."""
    authorize(can_manage_token(actor, token))
    audit.record(actor, "token.revoke", token, name=token.name)
    db.session.delete(token)
    db.session.flush()


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))
