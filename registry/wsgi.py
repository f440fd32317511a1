"""The production entry point: `gunicorn -w 4 "registry.wsgi:app"` (with or without --preload).

Workers keep no per-company state (retrieval reads the database's own indexes), so there is nothing to
build before they fork and a fresh worker answers its first request like its hundredth.
"""

from registry import create_app

app = create_app()
