"""How Flask-Login finds the user behind a session."""

import hmac

from registry.api.tokens import user_from_bearer_token
from registry.extensions import db
from registry.models import User
from registry.translation import lazy_gettext as _l


def configure_login(login_manager) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        # "<user id>:<session token>" (User.get_id): a session from before the token changed finds nobody.
        user_id, _, token = session_id.partition(":")
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        if user is None or not user.active or not hmac.compare_digest(token, user.session_token or ""):
            return None
        return user

    # API calls carry a bearer token instead of a session cookie.
    login_manager.request_loader(user_from_bearer_token)
