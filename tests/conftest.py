"""Fixtures in the style of DESIGN.md: app, db, client, runner, plus seeded reference data.

The suite runs on in-memory SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set;
on PostgreSQL each run works in a schema of its own, dropped at the end.
"""

import os
import uuid
from urllib.parse import quote

import flask_babel
import pytest
from flask import g
from sqlalchemy import create_engine, text

from config import TestingConfig
from registry import create_app
from registry.catalog.fulltext import ensure_fulltext
from registry.extensions import db as _db
from registry.services import seeding

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
REFERENCE_TABLES = {"regions", "okved_codes", "capabilities", "capability_okved"}


def with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(scope="session")
def fresh_database_url(tmp_path_factory):
    """Makes URLs of new, empty databases (a SQLite file, or a new PostgreSQL schema)."""
    schemas = []

    def make() -> str:
        if not TEST_DATABASE_URL:
            return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "registry.db")
        schema = f"test_{uuid.uuid4().hex[:12]}"
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        schemas.append(schema)
        return with_search_path(TEST_DATABASE_URL, schema)

    yield make
    if schemas:
        engine = create_engine(TEST_DATABASE_URL)
        for schema in schemas:  # one transaction each: dropping them all at once outgrows the lock table
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def make_config(database_url: str, **settings) -> type:
    return type("TestConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **settings})


@pytest.fixture(scope="session")
def app(fresh_database_url):
    url = fresh_database_url() if TEST_DATABASE_URL else "sqlite://"
    app = create_app(make_config(url))
    app.before_request(forget_per_request_state)
    with app.app_context():
        _db.create_all()
        with _db.engine.begin() as connection:
            ensure_fulltext(connection)  # the FTS objects the migrations make, outside the metadata
        seeding.seed_reference()
        _db.session.commit()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def forget_per_request_state() -> None:
    """Tests hold one app context open across requests (so `db.session` is shared with the views);
    a real request gets a fresh context. Drop what Flask-Login and Babel cache on it."""
    g.pop("_login_user", None)
    flask_babel.refresh()


@pytest.fixture
def db(app):
    """The database, with reference data in place; everything else is wiped after each test."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        wipe_non_reference_data()


@pytest.fixture(autouse=True)
def shared_limiter_restored():
    """The rate limiter is one object for every app in the process; a test that builds an app with
    limits on (production settings, the rate-limit tests) must not leave them on for the others."""
    from registry.extensions import limiter

    enabled, storage = limiter.enabled, getattr(limiter, "_storage", None)
    yield
    limiter.enabled, limiter._storage = enabled, storage


@pytest.fixture(autouse=True)
def fresh_matching_cache():
    """Each test's database starts anew, so the cached taxonomy may not outlive it."""
    from registry.services import matching as matching_service

    matching_service.forget_caches()
    yield
    matching_service.forget_caches()


def wipe_non_reference_data() -> None:
    tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def run_jobs(app):
    """Runs the jobs queued so far through the app's real (in-memory) Huey queue, as a worker would."""
    return app.extensions["jobs"].run_queued


@pytest.fixture(autouse=True)
def empty_queue(app):
    """A test's queued jobs never run in the next test."""
    yield
    huey = app.extensions["jobs"].huey
    huey.flush()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def founding(db):
    """The founding article's companies, events, needs and projects."""
    seeding.seed_cooperation(seeding.SEEDS_DIR / "cooperation.toml")
    db.session.commit()
    return db


@pytest.fixture
def login(client):
    """Logs `user` in on the test client through the real login form (factories' default password)."""
    from tests.factories import DEFAULT_PASSWORD

    def log_in(user, password: str = DEFAULT_PASSWORD):
        from registry.extensions import db as database

        database.session.commit()
        client.post("/auth/logout")
        response = client.post("/auth/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, "login failed"
        return user

    return log_in
