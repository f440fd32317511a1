"""Who may do what. Every view checks here on the server; templates only hide what is refused anyway."""

from functools import wraps

from flask import abort
from flask_login import current_user

from registry.extensions import login_manager


def roles_required(*roles: str):
    """Anonymous users are sent to log in; logged-in users without one of `roles` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_staff(user) -> bool:
    """Administrators and officials: they see every company and project."""
    return bool(user and user.is_authenticated and user.role in ("admin", "official"))


def can_edit_company(user, company) -> bool:
    """Admins edit any company; officials those of their own region; a representative only their own
    company, once an official has approved the link."""
    if not (user and user.is_authenticated):
        return False
    if user.role == "admin":
        return True
    if user.role == "official":
        return user.region_id is None or user.region_id == company.region_id
    return user.role == "company" and user.company_approved and user.company_id == company.id


def can_verify_company(user, company) -> bool:
    return bool(user and user.is_authenticated) and user.role in ("admin", "official") and can_edit_company(user, company)


def can_manage_need(user, need) -> bool:
    return can_edit_company(user, need.company)


def require(allowed: bool) -> None:
    """403 unless `allowed`; anonymous users are sent to log in instead."""
    if not allowed:
        if not current_user.is_authenticated:
            abort(login_manager.unauthorized())
        abort(403)


def can_post_need(user, company) -> bool:
    """Staff post needs for any company (e.g. heard at a round table); a representative for their own."""
    return is_staff(user) or can_edit_company(user, company)


def can_express_interest(user, need, supplier) -> bool:
    """Officials, administrators, and the representatives of either side of a match."""
    return is_staff(user) or can_edit_company(user, need.company) or can_edit_company(user, supplier)


def is_region_staff(user, *companies) -> bool:
    """Administrators, and officials of one of these companies' regions (or of every region)."""
    if not (user and user.is_authenticated):
        return False
    if user.role == "admin":
        return True
    return user.role == "official" and (user.region_id is None or user.region_id in {c.region_id for c in companies})


def represents(user, company) -> bool:
    """An approved representative of this very company."""
    return bool(user and user.is_authenticated and user.role == "company" and user.company_approved
                and user.company_id == company.id)


def can_view_introduction(user, introduction) -> bool:
    """The representatives of both firms, the officials of either firm's region, and whoever asked."""
    firms = (introduction.need.company, introduction.supplier)
    return (is_region_staff(user, *firms) or any(represents(user, firm) for firm in firms)
            or (is_staff(user) and introduction.requested_by_id == user.id))


def can_answer_introduction(user, introduction) -> bool:
    """The side that did not ask (either side when an official asked), or the officials who may see it."""
    firms = (introduction.need.company, introduction.supplier)
    if is_region_staff(user, *firms):
        return True
    return any(represents(user, firm) and firm.id != introduction.asking_company_id for firm in firms)
