import importlib
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select

from registry import create_app
from registry.extensions import db
from registry.models import Need
from registry.services import matching, seeding
from tests.conftest import make_config

PROJECT = Path(__file__).resolve().parent.parent


def seeded_database(fresh_database_url) -> tuple[str, int]:
    """A migrated, seeded database (indexed by the seed's own commit) and its first open need."""
    url = fresh_database_url()
    setup = create_app(make_config(url))
    with setup.app_context():
        upgrade()
        seeding.seed_all()
        db.session.commit()
        need_id = db.session.scalar(select(Need.id).where(Need.status == "open").order_by(Need.id))
        db.engine.dispose()
    return url, need_id


def test_a_fresh_wsgi_worker_answers_matching_from_the_database(monkeypatch, fresh_database_url):
    """Nothing is built before serving: the first need page of a new process ranks suppliers at once."""
    url, need_id = seeded_database(fresh_database_url)
    monkeypatch.setenv("REGISTRY_CONFIG", "development")
    monkeypatch.setenv("DATABASE_URL", url)
    matching.forget_caches()
    sys.modules.pop("registry.wsgi", None)
    wsgi = importlib.import_module("registry.wsgi")
    assert wsgi.app.config["SQLALCHEMY_DATABASE_URI"] == url
    response = wsgi.app.test_client().get(f"/needs/{need_id}")
    assert response.status_code == 200
    assert "match-reasons" in response.get_data(as_text=True)


@contextmanager
def gunicorn_serving(database_url: str, *arguments: str):
    """gunicorn started as production starts it, on a free port; yields the base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "REGISTRY_CONFIG": "development", "DATABASE_URL": database_url}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *arguments, "-b", f"127.0.0.1:{port}"], env=env, cwd=PROJECT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_without_preload_serves_need_pages_and_search(fresh_database_url):
    """`gunicorn 'registry:create_app()'`, each worker starting cold, answers matching at once."""
    url, need_id = seeded_database(fresh_database_url)
    with gunicorn_serving(url, "-w", "2", "--timeout", "30", "registry:create_app()") as base:
        for _ in range(4):  # both workers, each on its first requests
            started = time.monotonic()
            page = urllib.request.urlopen(f"{base}/needs/{need_id}", timeout=10)
            assert page.status == 200 and "match-reasons" in page.read().decode()
            assert time.monotonic() - started < 5
        query = urllib.parse.quote("металлообработка")
        found = urllib.request.urlopen(f"{base}/catalog/?q={query}", timeout=10).read().decode()
        assert "Найдено по:" in found


def test_the_production_gunicorn_settings_let_the_registry_answer_long_urls(fresh_database_url):
    """README's command (gunicorn.conf.py: gthread workers, limit_request_line): a 6,000-byte request line
    reaches the registry, which answers it itself, instead of gunicorn's bare 414."""
    url, _need_id = seeded_database(fresh_database_url)
    with gunicorn_serving(url, "-c", "gunicorn.conf.py", "-w", "1", "registry.wsgi:app") as base:
        long_query = urllib.parse.quote("фрезеровка " * 18) + "&utm=" + "x" * 5000
        assert len(f"GET /catalog/?q={long_query} HTTP/1.1") > 6000
        page = urllib.request.urlopen(f"{base}/catalog/?q={long_query}", timeout=10)
        assert page.status == 200 and "<html" in page.read().decode()
