"""Response headers that keep browsers strict: no inline scripts, no framing, no sniffing."""

from flask import Flask, current_app, request, session
from werkzeug.exceptions import BadRequest, NotFound, UnprocessableEntity
from werkzeug.middleware.proxy_fix import ProxyFix

from registry.translation import lazy_gettext as _l

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


NUL_REFUSED = _l("The text contains a NUL character, which no field may hold.")


def refuse_nul_characters():
    """No text field may hold NUL (PostgreSQL refuses it): turned away here with a clear message.
    Uploaded files are not text fields and are left alone."""
    body = request.get_data(cache=True) if request.is_json else b""
    in_body = b"\x00" in body or b"\\u0000" in body
    in_fields = any("\x00" in value for value in (*request.args.values(), *request.form.values()))
    if in_body or in_fields:
        error = UnprocessableEntity() if request.path.startswith("/api/") else BadRequest()
        error.data = {"message": str(NUL_REFUSED), "errors": {}}
        raise error


def refuse_unreachable_pages():
    """`?page=` beyond any listing is a 404 on the web pages (whichever view paginates), not an OFFSET the
    database cannot hold; the API checks its own page argument (422 with the field)."""
    page = request.args.get("page", type=int)
    if page is not None and page > current_app.config["MAX_PAGE"] and not request.path.startswith("/api/"):
        raise NotFound()


def private_response() -> bool:
    """Answers for someone: a logged-in session or a bearer token. Checked without loading the user, so a
    response after a database error costs no query."""
    return bool(session.get("_user_id") or request.authorization)


def init_security(app: Flask) -> None:
    if hops := app.config["PROXY_HOPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    app.before_request(refuse_nul_characters)
    app.before_request(refuse_unreachable_pages)

    @app.after_request
    def set_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["HSTS_SECONDS"]:
            response.headers.setdefault("Strict-Transport-Security",
                                        f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains")
        if private_response():  # a shared computer's back button or a proxy must not show it again
            response.headers["Cache-Control"] = "no-store"
        return response
