"""Uploaded spreadsheets kept between preview and confirmation.

The browser holds only a random token; the file (and who uploaded it) stays in the database, so the
confirmed import reads exactly the file that was previewed, never data sent back by the client, and any
web process can confirm what another one previewed. Uploads older than a day are removed at the next one.
The caller commits.
"""

import os
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from registry.extensions import db
from registry.models import PendingUpload
from registry.models.base import utcnow

TOKEN = re.compile(r"^[0-9a-f]{32}$")
KEEP = timedelta(days=1)


@dataclass
class Upload:
    token: str
    filename: str
    kind: str
    user_id: int
    content: bytes


def save(content: bytes, filename: str, kind: str, user) -> str:
    db.session.execute(delete(PendingUpload).where(PendingUpload.created_at < utcnow() - KEEP))
    token = secrets.token_hex(16)
    db.session.add(PendingUpload(token=token, filename=os.path.basename(filename)[:255], kind=kind or "",
                                 user_id=user.id, content=content))
    db.session.flush()
    return token


def load(token: str, user) -> Upload | None:
    """The upload, if the token is one of ours and `user` made it."""
    if not TOKEN.match(token or ""):
        return None
    row = db.session.scalar(select(PendingUpload).where(PendingUpload.token == token,
                                                        PendingUpload.user_id == user.id))
    if row is None:
        return None
    return Upload(row.token, row.filename, row.kind, row.user_id, row.content)


def discard(token: str) -> None:
    if TOKEN.match(token or ""):
        db.session.execute(delete(PendingUpload).where(PendingUpload.token == token))
