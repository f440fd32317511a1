"""The JSON API under /api/v1, described by OpenAPI (flask-smorest) at /api/v1/openapi.json."""

from flask_smorest import Blueprint

from registry.extensions import limiter
from registry.limits import client_key, setting

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="Cooperation registry API")
# Once, where the blueprint is made: the blueprint outlives an app, and a limit added per app counted every
# request once per app built in the process. The value is read from the app's API_RATE_LIMIT per request.
limiter.limit(setting("API_RATE_LIMIT"), key_func=client_key)(bp)  # per route, per token or address



@bp.before_request
def authenticate_by_token_only():
    """Only a bearer token makes an API caller someone. The API is exempt from CSRF, so a browser's session
    or remember cookie must count for nothing here: another site could make that browser post."""
    from registry.api.tokens import user_from_bearer_token
    from registry.extensions import login_manager

    login_manager._update_request_context_with_user(user_from_bearer_token())


from registry.api import events, meetings, views  # noqa: E402,F401  (routes attach to bp)
