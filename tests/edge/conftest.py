import pytest

from registry import create_app
from registry.catalog.fulltext import ensure_fulltext
from registry.extensions import db
from registry.models import User
from registry.services import seeding
from registry.services.users import create_token
from tests.conftest import make_config

PASSWORD = "correct horse battery"


@pytest.fixture
def own_database_app(fresh_database_url):
    """A registry on a database of its own (a SQLite file or a PostgreSQL schema) that several threads or
    connections can reach at once, with reference data and an administrator (`app.url`, `app.token`)."""
    apps = []

    def make(**settings):
        url = fresh_database_url()
        app = create_app(make_config(url, **settings))
        with app.app_context():
            db.create_all()
            with db.engine.begin() as connection:
                ensure_fulltext(connection)
            seeding.seed_reference()
            user = User(email="admin@example.org", role="admin")
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.flush()
            app.token = create_token(user)
            db.session.commit()
        app.url = url
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


from tests.api.conftest import token_for  # noqa: E402,F401  (the API tests' bearer headers)
