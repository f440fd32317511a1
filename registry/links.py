"""Links that leave the registry (in mails): built from EXTERNAL_URL, never from a request.

A worker has no request, and a web request's Host header is whatever the client sent: a password-reset
link built from it could point anywhere. One configured address serves both.
"""

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    base = urlsplit(current_app.config["EXTERNAL_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)
