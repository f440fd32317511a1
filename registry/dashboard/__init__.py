from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from registry.dashboard import views  # noqa: E402,F401  (routes attach to bp)
