"""Whom a rate limit counts: a person where one is known, the client address only for strangers.

An office of 200 people behind one NAT address is 200 logged-in users or token holders, each with limits of
their own; anonymous visitors share their address's limit. Limits are settings (config.py), read per request.
"""

import hashlib

from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user


def is_api() -> bool:
    return request.path.startswith("/api/")


def signed_in() -> bool:
    return bool(current_user and current_user.is_authenticated)


def client_key() -> str:
    """An API token, a logged-in user, or else the client address."""
    if signed_in():
        if is_api():  # the user was found from this very bearer token: count the token
            token = request.headers.get("Authorization", "").partition(" ")[2].strip()
            return "token:" + hashlib.sha256(token.encode()).hexdigest()
        return f"user:{current_user.id}"
    return "address:" + (get_remote_address() or "")


def account_and_address_key() -> str:
    """Login and reset attempts for one account from one address: a stranger guessing elsewhere cannot
    lock the owner out, and the owner's own address keeps its own count."""
    account = (request.form.get("email") or "").strip().lower()
    return f"account:{account}|{get_remote_address()}"


def setting(name: str):
    return lambda: current_app.config[name]


def web_limits() -> list:
    """Every web page (not the API, not static files): one generous count per anonymous address, one per user."""
    from flask_limiter import ApplicationLimit

    return [
        ApplicationLimit(setting("WEB_ANONYMOUS_RATE_LIMIT"), key_function=client_key, scope="web-anonymous",
                         exempt_when=lambda: is_api() or signed_in()),
        ApplicationLimit(setting("WEB_USER_RATE_LIMIT"), key_function=client_key, scope="web-user",
                         exempt_when=lambda: is_api() or not signed_in()),
    ]
