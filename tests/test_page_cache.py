"""Anonymous pages from the shared cache: kept until a public write, never for logged-in users or answers
that set a cookie."""

import flask_babel
import pytest
from flask_migrate import upgrade
from sqlalchemy import event

from registry import create_app
from registry.extensions import db, page_cache
from registry.policy import SYSTEM
from registry.services import companies, jobs, seeding
from tests.conftest import make_config
from tests.factories import make_company, make_user


@pytest.fixture
def cached_app(fresh_database_url):
    app = create_app(make_config(fresh_database_url(), PAGE_CACHE_TYPE="SimpleCache"))
    with app.app_context():
        upgrade()
        seeding.seed_reference()
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def count_queries(client, path, **kwargs):
    seen = []

    def note(*args):
        seen.append(args[2])

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        response = client.get(path, **kwargs)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return response, len(seen)


def test_an_anonymous_page_is_kept_until_a_public_write(cached_app):
    company = make_company(name="ООО «Старое имя»")
    db.session.commit()
    visitor = cached_app.test_client()
    first, rendered = count_queries(visitor, f"/catalog/{company.id}")
    assert first.status_code == 200 and "Старое имя" in first.text and rendered > 0
    assert "Set-Cookie" not in first.headers  # nothing on the page touched a session
    again, queried = count_queries(visitor, f"/catalog/{company.id}")
    assert again.text == first.text and queried == 0
    jobs.submit("cleanup")  # a private write (a job row) keeps what visitors see
    db.session.commit()
    assert count_queries(visitor, f"/catalog/{company.id}")[1] == 0
    companies.update_company(company, {"name": "ООО «Новое имя»"}, actor=SYSTEM)
    db.session.commit()
    fresh = visitor.get(f"/catalog/{company.id}")
    assert "Новое имя" in fresh.text and fresh.text != first.text


def test_logged_in_users_and_token_holders_are_never_served_from_it(cached_app):
    company = make_company(name="ООО «Для всех»")
    user = make_user("admin")
    db.session.commit()
    cached_app.test_client().get(f"/catalog/{company.id}")  # kept for visitors
    admin = cached_app.test_client()
    admin.post("/auth/login", data={"email": user.email, "password": "correct horse battery"})
    page, queried = count_queries(admin, f"/catalog/{company.id}")
    assert queried > 0 and f"/catalog/{company.id}/edit" in page.text
    _, queried = count_queries(cached_app.test_client(), "/api/v1/companies", headers={"Authorization": "Bearer x"})
    assert queried > 0


def test_an_answer_that_sets_a_cookie_is_not_kept(cached_app):
    cached_app.config["WTF_CSRF_ENABLED"] = True  # as in production: the login form carries a token
    login_page = cached_app.test_client().get("/auth/login")
    assert "Set-Cookie" in login_page.headers  # its form's CSRF token lives in the session
    kept = cached_app.extensions["cache"][page_cache]._cache
    assert not [key for key in kept if "/auth/login" in key]


def test_each_language_has_its_own_copy(cached_app):
    visitor = cached_app.test_client()
    visitor.get("/api/v1/regions", headers={"Accept-Language": "ru"})
    flask_babel.refresh()  # the test holds one app context across requests; a real request starts afresh
    visitor.get("/api/v1/regions", headers={"Accept-Language": "en"})
    kept = cached_app.extensions["cache"][page_cache]._cache
    assert {key.split(":")[2] for key in kept if key.endswith("/api/v1/regions?")} == {"ru", "en"}
