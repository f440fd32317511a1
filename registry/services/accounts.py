"""Accounts as people use them: registering for a company, approving that link, passwords."""

import secrets
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from registry.extensions import db
from registry.models import Company, User
from registry.models.company import PENDING
from registry.services import ServiceError, audit, mail, search
from registry.services.companies import find_region
from registry.translation import lazy_gettext as _l
from registry.validators import IdentifierError, validate_inn

RESET_MAX_AGE = 3600 * 2
INVITATION_MAX_AGE = 3600 * 24 * 7


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this address and password, or None. An unknown or locked address costs the same
    hashing as a known one, so the time of the answer tells no one which addresses have accounts."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    return user if user.check_password(password or "") and user.active else None


def register_representative(*, email: str, password: str, inn: str, company_name: str = "",
                            region: str = "", link_for) -> User | None:
    """A company representative signs up with their company's INN.

    A known INN gives a link an official must approve; an unknown INN also creates the company,
    awaiting verification. The answer is the same whether the address has an account or not (no probing):
    a new account's owner is mailed that it exists; an existing account's owner is mailed that someone tried
    to register with it, with the way to log in or reset the password, and nothing is created (None).
    `link_for(endpoint)` builds a mail's link.
    """
    email = (email or "").strip().lower()
    try:
        inn = validate_inn(inn)
    except IdentifierError as error:
        raise ServiceError(error.message, "inn") from error
    if len(password or "") < 8:
        raise ServiceError(_l("The password must have at least 8 characters."), "password")
    company = db.session.scalar(select(Company).where(Company.inn == inn))
    found_region = find_region(region) or find_region(inn[:2])
    if company is None:
        if not (company_name or "").strip():
            raise ServiceError(_l("This INN is not in the registry yet: give the company's name."), "company_name")
        if found_region is None:
            raise ServiceError(_l("Choose the company's region."), "region")
    owner = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if owner is not None:
        generate_password_hash(password)  # the time a new account's hashing takes
        mail.send(owner.email, _l("Someone tried to register with your address"),
                  _l("Someone (perhaps you) tried to register in the registry with %(email)s, which already has an "
                     "account. To log in: %(login)s. If you forgot the password, set a new one: %(reset)s. "
                     "If it was not you, nothing needs to be done.", email=owner.email,
                     login=link_for("auth.login"), reset=link_for("auth.request_reset")))
        return None
    new_company = company is None
    if new_company:
        # Nobody has checked the firm yet: the public sees it once an official of its region publishes it.
        company = Company(inn=inn, name=company_name.strip(), region=found_region, verification="pending",
                          publication=PENDING)
        db.session.add(company)
        search.refresh_company(company)
        db.session.flush()
        audit.record(None, "company.create", company, inn=inn, name=company.name, publication=PENDING)
    user = User(email=email, role="company", company=company, company_approved=False)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(user, "user.register", user, company_id=company.id)
    welcome = _l("Your account %(email)s is created. An official will confirm that you represent %(company)s; "
                 "until then you can log in and see the registry: %(login)s", email=email, company=company.name,
                 login=link_for("auth.login"))
    review = _l("%(company)s is new in the registry: the catalogue, the search and matching show it to others "
                "once an official of its region has checked it.", company=company.name)
    mail.send(user.email, _l("Your account in the registry"), f"{welcome} {review}" if new_company else welcome)
    asks = _l("%(email)s asks to represent %(company)s (INN %(inn)s) in the registry.",
              email=email, company=company.name, inn=inn)
    desk = _l("The company is new: publish it or refuse it on your desk.")
    for official in officials_for(company):
        mail.send(official.email, _l("A company representative awaits approval"),
                  f"{asks} {desk}" if new_company else asks)
    return user


def officials_for(company: Company) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == "official", User.active.is_(True),
                           (User.region_id == company.region_id) | User.region_id.is_(None))
    ))


def approve_representative(user: User, *, actor) -> None:
    if user.role != "company" or user.company is None:
        raise ServiceError(_l("This user does not represent a company."))
    if not user.company_approved:
        user.company_approved = True
        db.session.flush()
        audit.record(actor, "user.approve", user, company_id=user.company_id)
        mail.send(user.email, _l("Your access is approved"),
                  _l("You can now edit %(company)s in the registry.", company=user.company.name))


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current or ""):
        raise ServiceError(_l("The current password is wrong."), "current_password")
    set_password(user, new)


def set_password(user: User, new: str) -> None:
    if len(new or "") < 8:
        raise ServiceError(_l("The password must have at least 8 characters."), "password")
    user.set_password(new)
    user.end_sessions()  # whoever knew the old password is logged out everywhere
    db.session.flush()
    audit.record(user, "user.password", user)


def log_out_everywhere(user: User) -> None:
    """Logging out ends every session of the user, on every device (a shared or lost one too)."""
    user.end_sessions()
    db.session.flush()


# A one-time link to set a password: after a reset request (two hours), or an administrator's invitation
# (a week: an invitee may be away). Each purpose signs with its own salt, so one cannot stand for the other.
TOKEN_MAX_AGE = {"reset": RESET_MAX_AGE, "invitation": INVITATION_MAX_AGE}


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    salt = "password-reset" if purpose == "reset" else f"password-{purpose}"
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def reset_token(user: User, purpose: str = "reset") -> str:
    # The hash fragment makes a token die as soon as the password changes: one use only.
    return _serializer(purpose).dumps({"id": user.id, "h": user.password_hash[-12:]})


def user_for_reset_token(token: str, purpose: str = "reset") -> User | None:
    try:
        data = _serializer(purpose).loads(token, max_age=TOKEN_MAX_AGE[purpose])
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("id"))
    if user is None or not user.active or user.password_hash[-12:] != data.get("h"):
        return None
    return user


def request_password_reset(email: str, link_for) -> None:
    """Mails a reset link if the account exists; says nothing either way (no account probing)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))
    if user is not None and user.active:
        mail.send(user.email, _l("Password reset"),
                  _l("Open this link within two hours to set a new password: %(link)s", link=link_for(reset_token(user))))


def update_user(user: User, *, role: str, region=None, active: bool = True, actor) -> None:
    """An administrator changes someone's role, region (officials) or access."""
    from registry.models.user import ROLES

    if role not in ROLES:
        raise ServiceError(_l("Unknown role %(role)s: choose one of %(roles)s.", role=role, roles=", ".join(ROLES)), "role")
    if role == "company" and user.company is None:
        raise ServiceError(_l("A company representative needs a company (its INN)."), "role")
    if user.id == getattr(actor, "id", None) and (role != "admin" or not active):
        raise ServiceError(_l("You cannot take away your own administrator access."), "role")
    changed = {}
    for key, value in (("role", role), ("region", region), ("active", active)):
        if getattr(user, key) != value:
            setattr(user, key, value)
            changed[key] = getattr(value, "iso_code", value)
    if changed.get("active") is False:
        user.end_sessions()  # a locked account's sessions end now, and stay ended if it is unlocked again
    if changed:
        db.session.flush()
        audit.record(actor, "user.update", user, **changed)
