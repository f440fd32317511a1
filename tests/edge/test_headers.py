"""Headers and the small things at the edge: HSTS, no-store, page numbers, the API's authentication,
its document, and contacts in bulk."""

import pytest

from config import ProductionConfig
from registry import create_app
from registry.extensions import db as database
from registry.models import Contact
from tests.factories import make_company, make_user

HUGE_PAGE = "99999999999999999999"


def test_production_tells_browsers_to_use_https_only(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("EXTERNAL_URL", "https://registry.example.ru")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.db")
    config = type("Production", (ProductionConfig,), {"RATELIMIT_STORAGE_URI": "memory://", "JOBS_URL": "memory://"})
    app = create_app(config)
    response = app.test_client().get("/api/v1/docs", base_url="https://registry.example.ru")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_development_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/api/v1/docs").headers


def test_pages_of_a_logged_in_user_are_not_stored_by_browsers_or_proxies(client, db, login):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    login(make_user("official"))
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/catalog/").headers["Cache-Control"] == "no-store"


def test_api_answers_for_a_token_are_not_stored(client, db, token_for):
    response = client.get("/api/v1/companies", headers=token_for("official"))
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/catalog/", "/needs/", "/events/", "/projects/"])
def test_a_page_number_beyond_any_list_is_not_found(client, db, login, path):
    login(make_user("admin"))
    assert client.get(f"{path}?page={HUGE_PAGE}").status_code == 404
    assert client.get(f"{path}?page=7").status_code == 200  # past the end: an empty page


@pytest.mark.parametrize("path", ["/api/v1/companies", "/api/v1/needs", "/api/v1/projects", "/api/v1/events"])
def test_the_api_refuses_a_page_number_beyond_any_list_with_its_field(client, db, path):
    response = client.get(f"{path}?page={HUGE_PAGE}")
    assert response.status_code == 422 and "page" in response.json["errors"]


def test_the_openapi_document_declares_bearer_tokens_and_value_rub_as_a_string(client, db):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert spec["paths"]["/api/v1/companies"]["post"]["security"] == [{"bearerAuth": []}]
    assert spec["paths"]["/api/v1/needs/{need_id}"]["get"].get("security") in (None, [])
    value_rub = spec["components"]["schemas"]["Project"]["properties"]["value_rub"]
    assert value_rub["type"] == "string" and value_rub["format"] == "decimal"


def test_the_api_ignores_a_logged_in_browser_session(client, db, login):
    """The API is exempt from CSRF, so a cookie must not authenticate it: another site's form could post."""
    login(make_user("admin"))
    response = client.post("/api/v1/companies", json={"inn": "7300000001", "name": "ООО «Куки»", "region": "RU-ULY"})
    assert response.status_code == 401
    assert client.get("/catalog/").headers["Cache-Control"] == "no-store"  # the web pages keep the session


def test_anonymous_company_lists_carry_no_e_mails_or_phones(client, db, token_for):
    company = make_company(name="ООО «Контакты»")
    database.session.add(Contact(company=company, name="Иван Петров", position="директор",
                                 phone="+7 8422 00-00-00", email="ivan@example.org"))
    database.session.commit()
    anonymous = client.get("/api/v1/companies").json["items"][0]["contacts"]
    assert anonymous == [{"name": "Иван Петров", "position": "директор"}]
    assert "ivan@example.org" not in client.get("/api/v1/companies?q=Контакты").get_data(as_text=True)
    with_token = client.get("/api/v1/companies", headers=token_for("company")).json["items"][0]["contacts"]
    assert with_token[0]["email"] == "ivan@example.org" and with_token[0]["phone"] == "+7 8422 00-00-00"
    # One company's page may show its contacts, as its web page does: harvesting in bulk takes a token.
    assert client.get(f"/api/v1/companies/{company.id}").json["contacts"][0]["email"] == "ivan@example.org"
