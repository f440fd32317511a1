"""The JSON API under /api/v1, described by OpenAPI (flask-smorest) at /api/v1/openapi.json."""

from flask_smorest import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="Cooperation registry API")

from registry.api import views  # noqa: E402,F401  (routes attach to bp)
