from flask import Blueprint

bp = Blueprint("cabinet", __name__, url_prefix="/cabinet")

from registry.cabinet import views  # noqa: E402,F401  (routes attach to bp)
