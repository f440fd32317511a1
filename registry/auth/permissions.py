"""Views ask the one policy (`registry.policy`) to choose between a page and a 403 or a login; the
services that write ask it again for the acting user, whatever the door."""

from functools import wraps

from flask import abort
from flask_login import current_user

from registry.extensions import login_manager
from registry.policy import (  # noqa: F401  (the rules, re-exported for views and templates)
    can_answer_introduction,
    can_create_company,
    can_edit_company,
    can_express_interest,
    can_manage_need,
    can_manage_projects,
    can_manage_token,
    can_moderate_company,
    can_post_need,
    can_see_company,
    can_verify_company,
    can_view_introduction,
    is_region_staff,
    is_staff,
    represents,
)


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


def require(allowed: bool) -> None:
    """403 unless `allowed`; anonymous users are sent to log in instead."""
    if not allowed:
        if not current_user.is_authenticated:
            abort(login_manager.unauthorized())
        abort(403)
