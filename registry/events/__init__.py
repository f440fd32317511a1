from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")

from registry.events import meetings, registration, views  # noqa: E402,F401  (routes attach to bp)
