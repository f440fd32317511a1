import importlib
import sys

from flask_migrate import upgrade

from registry import create_app
from registry.extensions import db
from registry.services import matching, seeding
from tests.conftest import make_config


def test_the_wsgi_entry_point_builds_the_matching_indexes_before_serving(monkeypatch, fresh_database_url):
    url = fresh_database_url()
    setup = create_app(make_config(url))
    with setup.app_context():
        upgrade()
        seeding.seed_all()
        db.session.commit()
        db.engine.dispose()
    monkeypatch.setenv("REGISTRY_CONFIG", "development")
    monkeypatch.setenv("DATABASE_URL", url)
    matching.forget_indexes()
    sys.modules.pop("registry.wsgi", None)
    wsgi = importlib.import_module("registry.wsgi")
    assert wsgi.app.config["SQLALCHEMY_DATABASE_URI"] == url
    names = {name for (_, name) in matching._indexes}
    assert names == {"suppliers", "needs"}
    assert all(len(cached.index) > 0 for cached in matching._indexes.values())
    response = wsgi.app.test_client().get("/")
    assert response.status_code == 200
