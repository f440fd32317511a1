"""How Flask-Login finds the user behind a session."""

from registry.api.tokens import user_from_bearer_token
from registry.extensions import db
from registry.models import User
from registry.translation import lazy_gettext as _l


def configure_login(login_manager) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id))

    # API calls carry a bearer token instead of a session cookie.
    login_manager.request_loader(user_from_bearer_token)
