"""The JSON API under /api/v1, described by OpenAPI (flask-smorest) at /api/v1/openapi.json."""

from flask_smorest import Blueprint

from registry.extensions import limiter
from registry.limits import client_key, setting

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="Cooperation registry API")
# Once, where the blueprint is made: the blueprint outlives an app, and a limit added per app counted every
# request once per app built in the process. The value is read from the app's API_RATE_LIMIT per request.
limiter.limit(setting("API_RATE_LIMIT"), key_func=client_key)(bp)  # per route, per token or address

from registry.api import views  # noqa: E402,F401  (routes attach to bp)
