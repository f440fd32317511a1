"""Bearer tokens: `Authorization: Bearer <token>` makes the token's owner the current user of an API call."""

from flask import request
from sqlalchemy import select

from registry.extensions import db
from registry.models import ApiToken
from registry.models.base import utcnow
from registry.services.users import hash_token


def user_from_bearer_token(req=request):
    if not req.path.startswith("/api/"):
        return None  # web pages use the session only
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    stored = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token.strip())))
    now = utcnow()
    if stored is None or not stored.user.active or (stored.expires_at is not None and stored.expires_at <= now):
        return None  # an unknown, expired or locked-out token: an anonymous call, so a write gets a 401
    if stored.last_used_at is None or (now - stored.last_used_at).total_seconds() > 60:  # one write a minute at most
        stored.last_used_at = now
        db.session.commit()
    return stored.user
