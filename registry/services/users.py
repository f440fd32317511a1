import hashlib
import secrets

from sqlalchemy import func, select

from registry.extensions import db
from registry.models import ApiToken, Company, Region, User
from registry.models.user import ROLES
from registry.services import ServiceError, audit
from registry.translation import lazy_gettext as _l


def create_user(email: str, password: str, role: str, *, region_iso: str | None = None,
                company_inn: str | None = None, company: Company | None = None, actor=None) -> User:
    """`company` (or `company_inn`) is the firm a representative acts for, approved at once."""
    email = (email or "").strip().lower()
    if role not in ROLES:
        raise ServiceError(_l("Unknown role %(role)s: choose one of %(roles)s.", role=role, roles=", ".join(ROLES)), "role")
    if not email or "@" not in email:
        raise ServiceError(_l("Give a valid e-mail address."), "email")
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise ServiceError(_l("A user with the e-mail %(email)s already exists.", email=email), "email")
    if len(password or "") < 8:
        raise ServiceError(_l("The password must have at least 8 characters."), "password")
    user = User(email=email, role=role)
    user.set_password(password)
    if region_iso:
        user.region = db.session.scalar(select(Region).where(Region.iso_code == region_iso.upper()))
        if user.region is None:
            raise ServiceError(_l("Unknown region %(code)s.", code=region_iso), "region")
    if company is not None:
        user.company, user.company_approved = company, True
    elif company_inn:
        user.company = db.session.scalar(select(Company).where(Company.inn == company_inn))
        if user.company is None:
            raise ServiceError(_l("No company with INN %(inn)s.", inn=company_inn), "company_inn")
        user.company_approved = True
    if role == "company" and user.company is None:
        raise ServiceError(_l("A company representative needs a company (its INN)."), "company_inn")
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, email=email, role=role)
    return user


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, *, actor=None) -> str:
    """Creates an API token and returns it in clear text; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=hash_token(token)))
    audit.record(actor, "token.create", user)
    db.session.flush()
    return token
