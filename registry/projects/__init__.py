from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects")

from registry.projects import views  # noqa: E402,F401  (routes attach to bp)
