"""The production entry point: `gunicorn -w 4 --preload "registry.wsgi:app"`.

With --preload the matching indexes are built here once, before the workers fork, and every worker
starts with them (shared copy-on-write) instead of building its own on its first request.
"""

from registry import create_app
from registry.extensions import db
from registry.services import matching

app = create_app()

with app.app_context():
    matching.supplier_index()
    matching.need_index()
    db.engine.dispose()  # no database connection may cross the fork
