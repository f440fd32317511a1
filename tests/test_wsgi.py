import importlib
import sys
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select

from registry import create_app
from registry.extensions import db
from registry.models import Need
from registry.services import matching, seeding
from tests.conftest import make_config


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


def test_gunicorn_without_preload_serves_need_pages_and_search(fresh_database_url, tmp_path):
    """`gunicorn 'registry:create_app()'`, each worker starting cold, answers matching at once."""
    import os
    import socket
    import subprocess
    import time
    import urllib.request

    url, need_id = seeded_database(fresh_database_url)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "REGISTRY_CONFIG": "development", "DATABASE_URL": url}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "30",
         "registry:create_app()"], env=env, cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
        for _ in range(4):  # both workers, each on its first requests
            started = time.monotonic()
            page = urllib.request.urlopen(f"http://127.0.0.1:{port}/needs/{need_id}", timeout=10)
            assert page.status == 200 and "match-reasons" in page.read().decode()
            assert time.monotonic() - started < 5
        query = urllib.parse.quote("металлообработка")
        found = urllib.request.urlopen(f"http://127.0.0.1:{port}/catalog/?q={query}", timeout=10).read().decode()
        assert "Найдено по:" in found
    finally:
        server.terminate()
        server.wait(timeout=10)
