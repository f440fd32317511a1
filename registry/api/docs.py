"""A readable page for the OpenAPI document, drawn by the vendored Swagger UI."""

from flask import Blueprint, render_template

docs_bp = Blueprint("api_docs", __name__)


@docs_bp.get("/api/v1/docs")
def docs():
    return render_template("api/docs.html")
