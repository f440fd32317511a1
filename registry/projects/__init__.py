from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects")

from registry.projects import helpers, views  # noqa: E402,F401  (routes and template helpers attach to bp)
