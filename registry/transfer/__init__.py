from flask import Blueprint

bp = Blueprint("transfer", __name__, url_prefix="/transfer")

from registry.transfer import views  # noqa: E402,F401  (routes attach to bp)
