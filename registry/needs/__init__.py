from flask import Blueprint

bp = Blueprint("needs", __name__, url_prefix="/needs")

from registry.needs import views  # noqa: E402,F401  (routes attach to bp)
