"""Browser tests: the registry served on 127.0.0.1 by a real WSGI server, driven in the system Chromium.

The database is a fresh one of its own (a SQLite file, or a new PostgreSQL schema when TEST_DATABASE_URL
is set), built by the migrations and the seed command, with CSRF protection on, as in production.
"""

import os
import subprocess
import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import make_server

from registry import create_app
from registry.extensions import db
from registry.models import Company, User
from registry.services import seeding
from registry.services.users import create_user
from tests.conftest import make_config
from tests.workers import start_worker, stop_worker

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "browser test password"
REP_COMPANY = "ООО «Заволжская фрезерная мастерская»"
MORDOVIAN_COMPANY = "АО «Орбита»"

pytestmark = pytest.mark.browser

if not os.path.exists(CHROMIUM):
    pytest.skip("the system Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)


@pytest.fixture(scope="session")
def live_server(fresh_database_url, tmp_path_factory):
    """The registry and its real job worker (a process of its own, on a SQLite queue file)."""
    database_url = fresh_database_url()
    jobs_url = "sqlite:///" + str(tmp_path_factory.mktemp("queue") / "jobs.db")
    app = create_app(make_config(database_url, JOBS_URL=jobs_url, WTF_CSRF_ENABLED=True, TESTING=False))
    with app.app_context():
        upgrade()
        seeding.seed_all()
        create_user("official@example.org", PASSWORD, "official", region_iso="RU-ULY")
        create_user("admin@example.org", PASSWORD, "admin")
        # The seeded firms carry no INN (none is invented), so the representative is bound directly.
        company = db.session.scalar(select(Company).where(Company.name == REP_COMPANY))
        representative = User(email="rep@example.org", role="company", company=company, company_approved=True)
        representative.set_password(PASSWORD)
        db.session.add(representative)
        # A Mordovian firm's representative, for the event matchmaking test.
        orbita = db.session.scalar(select(Company).where(Company.name == MORDOVIAN_COMPANY))
        mordovian = User(email="rep-mo@example.org", role="company", company=orbita, company_approved=True)
        mordovian.set_password(PASSWORD)
        db.session.add(mordovian)
        db.session.commit()
    worker = start_worker(database_url, jobs_url, output=subprocess.DEVNULL)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    stop_worker(worker)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def console_errors():
    """What the browser complained about (a test that provokes an error on purpose clears it)."""
    return []


@pytest.fixture
def page(browser, live_server, console_errors):
    context = browser.new_context(base_url=live_server, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = console_errors
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
    assert not errors, f"the browser reported errors: {errors}"


def sign_in(page, email: str):
    """Logs `page` in through the login form, as `email` (every test user has PASSWORD)."""
    page.goto("/auth/login")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")
    return page


@pytest.fixture
def log_in(page):
    return lambda email: sign_in(page, email)
