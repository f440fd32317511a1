import importlib
import sys

from flask_migrate import upgrade
from sqlalchemy import select

from registry import create_app
from registry.extensions import db
from registry.models import Need
from registry.services import matching, seeding
from tests.conftest import make_config


def test_a_fresh_wsgi_worker_answers_matching_from_the_database(monkeypatch, fresh_database_url):
    """Nothing is built before serving: the first need page of a new process ranks suppliers at once."""
    url = fresh_database_url()
    setup = create_app(make_config(url))
    with setup.app_context():
        upgrade()
        seeding.seed_all()
        db.session.commit()
        need_id = db.session.scalar(select(Need.id).where(Need.status == "open").order_by(Need.id))
        db.engine.dispose()
    monkeypatch.setenv("REGISTRY_CONFIG", "development")
    monkeypatch.setenv("DATABASE_URL", url)
    matching.forget_caches()
    sys.modules.pop("registry.wsgi", None)
    wsgi = importlib.import_module("registry.wsgi")
    assert wsgi.app.config["SQLALCHEMY_DATABASE_URI"] == url
    response = wsgi.app.test_client().get(f"/needs/{need_id}")
    assert response.status_code == 200
    assert "match-reasons" in response.get_data(as_text=True) or "reason" in response.get_data(as_text=True)
