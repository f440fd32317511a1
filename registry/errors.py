"""Error pages in the user's language, and JSON errors for the API; never a stack trace."""

from flask import Flask, render_template, request
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


def error_response(error: HTTPException):
    code = error.code or 500
    title = ERROR_TITLES.get(code, error.name)
    if wants_json():
        return {"message": str(title), "errors": {}}, code
    return render_template("errors/error.html", code=code, title=title), code


def init_errors(app: Flask) -> None:
    app.register_error_handler(HTTPException, error_response)

    @app.errorhandler(Exception)
    def unexpected(error):
        app.logger.exception("Unhandled error")
        return error_response(InternalServerError())
