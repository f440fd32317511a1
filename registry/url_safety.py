from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path inside the registry, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
