"""Pages of a list: a page past the last one shows the last one (a shortened list, an old link), never an
empty page under «Found: 38»."""

from flask import current_app, request

from registry.extensions import db


def paginate(stmt, page_size_key: str = "PER_PAGE", **options):
    """The requested page (`?page=`) of `stmt`, or its last page when the number is past the end."""
    per_page = current_app.config.get(page_size_key, 20)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    found = db.paginate(stmt, page=page, per_page=per_page, error_out=False, **options)
    if page > 1 and not found.items and found.pages and page > found.pages:
        found = db.paginate(stmt, page=found.pages, per_page=per_page, error_out=False, **options)
    return found
