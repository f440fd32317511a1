"""Uploaded spreadsheets kept on the server between preview and confirmation.

The browser holds only a random token: the file (and who uploaded it) stays in instance/uploads, so the
confirmed import reads exactly the file that was previewed, never data sent back by the client.
Files older than a day are removed at the next upload.
"""

import json
import os
import re
import secrets
import time
from dataclasses import dataclass

from flask import current_app

TOKEN = re.compile(r"^[0-9a-f]{32}$")
KEEP_SECONDS = 24 * 3600


@dataclass
class Upload:
    token: str
    filename: str
    kind: str
    user_id: int
    content: bytes


def _folder() -> str:
    folder = current_app.config.get("TRANSFER_UPLOAD_FOLDER") or os.path.join(current_app.instance_path, "uploads")
    os.makedirs(folder, exist_ok=True)
    return folder


def _paths(token: str) -> tuple[str, str]:
    base = os.path.join(_folder(), token)
    return base + ".data", base + ".json"


def save(content: bytes, filename: str, kind: str, user) -> str:
    _purge_old()
    token = secrets.token_hex(16)
    data_path, meta_path = _paths(token)
    with open(data_path, "wb") as handle:
        handle.write(content)
    with open(meta_path, "w", encoding="utf-8") as handle:
        json.dump({"filename": os.path.basename(filename), "kind": kind, "user_id": user.id}, handle)
    return token


def load(token: str, user) -> Upload | None:
    """The upload, if the token is one of ours and `user` made it."""
    if not TOKEN.match(token or ""):
        return None
    data_path, meta_path = _paths(token)
    try:
        with open(meta_path, encoding="utf-8") as handle:
            meta = json.load(handle)
        with open(data_path, "rb") as handle:
            content = handle.read()
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != user.id:
        return None
    return Upload(token, meta["filename"], meta.get("kind") or "", meta["user_id"], content)


def discard(token: str) -> None:
    if TOKEN.match(token or ""):
        for path in _paths(token):
            if os.path.exists(path):
                os.remove(path)


def _purge_old() -> None:
    limit = time.time() - KEEP_SECONDS
    for entry in os.scandir(_folder()):
        if entry.is_file() and entry.stat().st_mtime < limit:
            os.remove(entry.path)
