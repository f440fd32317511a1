from flask import Blueprint

bp = Blueprint("introductions", __name__, url_prefix="/introductions")

from registry.introductions import views  # noqa: E402,F401  (routes attach to bp)
