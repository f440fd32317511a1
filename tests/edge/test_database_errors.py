"""A stalled database gives a clean «try again» answer within the configured timeout, for every user."""

import sqlite3
import time

import pytest
from sqlalchemy import create_engine, make_url, text

from registry.extensions import db
from tests.conftest import TEST_DATABASE_URL
from tests.edge.conftest import PASSWORD

STALLED = "База данных не отвечает"


@pytest.fixture
def stalled_app(own_database_app):
    """A statement timeout of 0.3 s, and `stall()`: a context manager that locks the users, tokens and
    companies as a stuck transaction would."""
    settings = {"DATABASE_STATEMENT_TIMEOUT": 0.3}
    if not TEST_DATABASE_URL:  # SQLite has no statement timeout: its lock wait plays that part
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 0.3}}
    app = own_database_app(**settings)
    url = app.url

    class Stall:
        def __enter__(self):
            if url.startswith("sqlite"):
                self.connection = sqlite3.connect(make_url(url).database, isolation_level=None)
                self.connection.execute("BEGIN EXCLUSIVE")
            else:
                self.engine = create_engine(url)
                self.connection = self.engine.connect()
                self.connection.execute(text("LOCK TABLE users, api_tokens, companies IN ACCESS EXCLUSIVE MODE"))

        def __exit__(self, *exc):
            self.connection.rollback()
            self.connection.close()
            if not url.startswith("sqlite"):
                self.engine.dispose()

    app.stall = Stall
    return app


def test_a_logged_in_user_gets_a_russian_503_page_while_the_database_is_stalled(stalled_app):
    client = stalled_app.test_client()
    assert client.post("/auth/login", data={"email": "admin@example.org", "password": PASSWORD}).status_code == 302
    with stalled_app.stall():
        started = time.monotonic()
        response = client.get("/catalog/")
        assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert "Retry-After" in response.headers
    assert STALLED in response.get_data(as_text=True)
    assert client.get("/catalog/").status_code == 200  # and all is well once it answers again


def test_a_token_holder_gets_a_json_503_while_the_database_is_stalled(stalled_app):
    client = stalled_app.test_client()
    headers = {"Authorization": f"Bearer {stalled_app.token}"}
    with stalled_app.stall():
        response = client.get("/api/v1/companies", headers=headers)
    assert response.status_code == 503
    assert response.is_json and STALLED in response.json["message"]
    assert client.get("/api/v1/companies", headers=headers).status_code == 200


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL's statement_timeout")
def test_a_slow_statement_is_cancelled_by_the_configured_timeout(stalled_app):
    def slow():
        db.session.execute(text("SELECT pg_sleep(5)"))
        return "done"

    stalled_app.add_url_rule("/_slow", view_func=slow)
    started = time.monotonic()
    response = stalled_app.test_client().get("/_slow")
    assert response.status_code == 503 and STALLED in response.get_data(as_text=True)
    assert time.monotonic() - started < 2


def test_postgresql_connections_carry_the_timeouts_and_keep_their_own_options():
    from config import Config

    settings = {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@db/x?options=-csearch_path%3Dtest_1",
                "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
                "DATABASE_CONNECT_TIMEOUT": 5, "DATABASE_STATEMENT_TIMEOUT": 30, "EXTERNAL_URL": "http://127.0.0.1",
                "TRUSTED_HOSTS_SETTING": ""}
    Config.finish(settings)
    connect_args = settings["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
    assert connect_args == {"connect_timeout": 5, "options": "-csearch_path=test_1 -c statement_timeout=30000"}
    assert settings["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
