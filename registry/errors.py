"""Error pages in the user's language, and JSON errors for the API; never a stack trace."""

from contextlib import suppress

from flask import Flask, current_app, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import Conflict, HTTPException, InternalServerError, ServiceUnavailable

from registry.translation import lazy_gettext as _l

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
    503: _l("The database is not answering right now. Please try again in a minute."),
}
RETRY_AFTER_SECONDS = 30


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


def forget_the_failed_transaction() -> None:
    """After a database error the session's transaction is dead and its objects expired: roll back, and
    draw the rest of the request for an anonymous visitor, since the locale selector and the menu would ask
    the database about the logged-in user again (and fail again, inside the error handler)."""
    from registry.extensions import db, login_manager

    with suppress(SQLAlchemyError):  # the connection is gone; the pool replaces it (pool_pre_ping)
        db.session.rollback()
    login_manager._update_request_context_with_user()  # anonymous, without loading anyone


def database_unavailable(error):
    """A stalled or unreachable database (statement or connect timeout, no free connection): 503, try again."""
    current_app.logger.warning("Database unavailable: %s", error)
    forget_the_failed_transaction()
    return error_response(ServiceUnavailable(retry_after=RETRY_AFTER_SECONDS))


def init_errors(app: Flask) -> None:
    app.register_error_handler(HTTPException, error_response)
    for database_error in (OperationalError, PoolTimeoutError):
        app.register_error_handler(database_error, database_unavailable)

    @app.errorhandler(Exception)
    def unexpected(error):
        app.logger.exception("Unhandled error")
        if isinstance(error, SQLAlchemyError):
            forget_the_failed_transaction()
        return error_response(InternalServerError())

    @app.errorhandler(IntegrityError)
    def duplicate(error):
        """A unique key taken by a concurrent request on a path whose service does not name the field
        (those that do answer 409 with it): still a 409, never a 500."""
        from registry.services import is_unique_violation

        if not is_unique_violation(error):
            return unexpected(error)
        forget_the_failed_transaction()
        return error_response(Conflict())
