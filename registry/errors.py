"""Error pages in the user's language, and JSON errors for the API; never a stack trace."""

from flask import Flask, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

ERROR_TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please log in"),
    403: _l("You may not do this"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("This conflicts with existing data"),
    413: _l("The file is too large"),
    422: _l("The data is not valid"),
    429: _l("Too many requests, please wait a little"),
    500: _l("Something went wrong on our side"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def field_errors(data: dict) -> dict[str, list[str]]:
    """Per-field messages from a service refusal (`errors`) or from webargs (`messages` by location)."""
    if data.get("errors"):
        return data["errors"]
    flat: dict[str, list[str]] = {}
    for location_errors in (data.get("messages") or {}).values():
        for field, messages in _flatten(location_errors):
            flat.setdefault(field, []).extend(messages)
    return flat


def _flatten(errors, prefix=""):
    """webargs nests errors for lists and nested objects ({"participants": {0: {"role": [...]}}})."""
    if isinstance(errors, list):
        # marshmallow's messages are English strings; the catalogue has them (registry/api/messages.py)
        yield prefix or "_schema", [gettext(m) for m in errors if isinstance(m, str)]
        return
    for key, value in errors.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        yield from _flatten(value, name)


def error_response(error: HTTPException):
    code = error.code or 500
    title = ERROR_TITLES.get(code, error.name)
    # Keep what the error says to clients (Allow on 405, Retry-After on 429, WWW-Authenticate on 401).
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    if wants_json():
        data = getattr(error, "data", None) or {}
        return {"message": str(data.get("message") or title), "errors": field_errors(data)}, code, headers
    if request_ctx.url_adapter is None:  # a refused Host header: no link can be built for it, so no page
        return str(title), code, [*headers, ("Content-Type", "text/plain; charset=utf-8")]
    return render_template("errors/error.html", code=code, title=title), code, headers


def init_errors(app: Flask) -> None:
    app.register_error_handler(HTTPException, error_response)

    @app.errorhandler(Exception)
    def unexpected(error):
        app.logger.exception("Unhandled error")
        return error_response(InternalServerError())
