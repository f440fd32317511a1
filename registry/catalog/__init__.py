from flask import Blueprint

bp = Blueprint("catalog", __name__, url_prefix="/catalog")

from registry.catalog import views  # noqa: E402,F401  (routes attach to bp)
