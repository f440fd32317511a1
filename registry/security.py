"""Response headers that keep browsers strict: no inline scripts, no framing, no sniffing."""

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest, UnprocessableEntity
from werkzeug.middleware.proxy_fix import ProxyFix

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


def init_security(app: Flask) -> None:
    if hops := app.config["PROXY_HOPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    app.before_request(refuse_nul_characters)

    @app.after_request
    def set_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
