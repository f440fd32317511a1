import pytest
from sqlalchemy import func, select

from registry.models import AuditEntry, Company
from tests.factories import make_company, region, valid_inn

NEW_COMPANY = {
    "name": "ООО «Инзенский механический»",
    "region": "RU-ULY",
    "city": "Инза",
    "okved": ["25.62"],
    "capabilities": ["фрезерная обработка на станках с ЧПУ", "токарные работы"],
    "description": "Механообработка деталей",
    "website": "https://example.ru",
}


def company_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Company))


def test_official_creates_a_company_whose_capabilities_are_classified(client, db, token_for):
    headers = token_for("official", region=region("RU-ULY"))
    inn = valid_inn("73")
    response = client.post("/api/v1/companies", json={**NEW_COMPANY, "inn": inn}, headers=headers)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["id"] and body["inn"] == inn and body["region"] == "RU-ULY" and body["okved"] == ["25.62"]
    nodes = {offer["capability"] for offer in body["capabilities"]}
    assert all(nodes) and any("mill" in code or "cnc" in code for code in nodes), nodes
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "company.create"))


def test_only_inn_name_and_region_are_required(client, db, token_for):
    headers = token_for("admin")
    response = client.post("/api/v1/companies", json={"inn": valid_inn("13"), "name": "АО «Тест»", "region": "RU-MO"},
                           headers=headers)
    assert response.status_code == 201


def test_missing_fields_are_listed(client, db, token_for):
    response = client.post("/api/v1/companies", json={"city": "Саранск"}, headers=token_for("admin"))
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"inn", "name", "region"}


@pytest.mark.parametrize(
    ("change", "field"),
    [({"inn": "7707083894"}, "inn"), ({"region": "RU-XXX"}, "region"), ({"okved": ["99.99.99"]}, "okved")],
)
def test_bad_values_get_422_with_field_errors_and_nothing_is_saved(client, db, token_for, change, field):
    headers = token_for("admin")
    response = client.post("/api/v1/companies", json={**NEW_COMPANY, "inn": valid_inn("73"), **change}, headers=headers)
    assert response.status_code == 422
    assert field in response.json["errors"] and response.json["message"]
    assert company_count(db) == 0


def test_duplicate_inn_is_a_conflict(client, db, token_for):
    existing = make_company()
    headers = token_for("admin")
    response = client.post("/api/v1/companies", json={**NEW_COMPANY, "inn": existing.inn}, headers=headers)
    assert response.status_code == 409 and "inn" in response.json["errors"]
    assert company_count(db) == 1


def test_errors_speak_russian_by_default_and_english_on_request(client, db, token_for):
    headers = token_for("admin")
    body = {**NEW_COMPANY, "inn": "7707083894"}
    russian = client.post("/api/v1/companies", json=body, headers=headers).json
    english = client.post("/api/v1/companies", json=body, headers={**headers, "Accept-Language": "en"}).json
    assert "Контрольная цифра" in russian["errors"]["inn"][0]
    assert "check digit" in english["errors"]["inn"][0]


def test_writes_need_a_valid_token(client, db):
    assert client.post("/api/v1/companies", json=NEW_COMPANY).status_code == 401
    response = client.post("/api/v1/companies", json=NEW_COMPANY, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.is_json


def test_company_representatives_cannot_create_companies(client, db, token_for):
    response = client.post("/api/v1/companies", json={**NEW_COMPANY, "inn": valid_inn("73")},
                           headers=token_for("company"))
    assert response.status_code == 403 and company_count(db) == 1  # only the representative's own


def test_official_of_another_region_cannot_create_or_edit(client, db, token_for):
    headers = token_for("official", region=region("RU-MO"))
    response = client.post("/api/v1/companies", json={**NEW_COMPANY, "inn": valid_inn("73")}, headers=headers)
    assert response.status_code == 403
    company = make_company(region_iso="RU-ULY")
    db.session.commit()
    assert client.patch(f"/api/v1/companies/{company.id}", json={"city": "X"}, headers=headers).status_code == 403


def test_representative_edits_own_company_only(client, db, token_for):
    own, other = make_company(), make_company()
    headers = token_for("company", company=own, company_approved=True)
    response = client.patch(f"/api/v1/companies/{own.id}", json={"city": "Димитровград", "okved": ["25.61", "25.62"]},
                            headers=headers)
    assert response.status_code == 200
    assert response.json["city"] == "Димитровград" and response.json["okved"] == ["25.61", "25.62"]
    assert client.patch(f"/api/v1/companies/{other.id}", json={"city": "X"}, headers=headers).status_code == 403


def test_pending_representative_cannot_edit(client, db, token_for):
    own = make_company()
    headers = token_for("company", company=own, company_approved=False)
    assert client.patch(f"/api/v1/companies/{own.id}", json={"city": "X"}, headers=headers).status_code == 403


def test_list_filters_and_paginates(client, db):
    for index in range(25):
        make_company(name=f"ООО «Литейщик {index:02d}»", region_iso="RU-MO" if index % 5 == 0 else "RU-ULY")
    db.session.commit()
    page = client.get("/api/v1/companies?per_page=10&page=2").json
    assert page["total"] == 25 and page["page"] == 2 and page["pages"] == 3 and len(page["items"]) == 10
    mordovia = client.get("/api/v1/companies?region=RU-MO&per_page=100").json
    assert mordovia["total"] == 5 and {c["region"] for c in mordovia["items"]} == {"RU-MO"}
    assert client.get("/api/v1/companies?region=RU-XXX").status_code == 422
    assert client.get("/api/v1/companies?per_page=1000").status_code == 422


def test_text_search_understands_word_forms(client, db, token_for):
    headers = token_for("admin")
    client.post("/api/v1/companies", headers=headers, json={
        "inn": valid_inn("73"), "name": "ООО «Штамп-Сервис»", "region": "RU-ULY",
        "capabilities": ["изготовление штампов для листовой штамповки"]})
    found = client.get("/api/v1/companies?q=штамповка").json
    assert [c["name"] for c in found["items"]] == ["ООО «Штамп-Сервис»"]


def test_get_company_and_404(client, db):
    company = make_company()
    db.session.commit()
    assert client.get(f"/api/v1/companies/{company.id}").json["inn"] == company.inn
    missing = client.get("/api/v1/companies/999999")
    assert missing.status_code == 404 and missing.json["message"]


def test_text_longer_than_its_column_is_a_field_error(client, db, token_for):
    response = client.post("/api/v1/companies", headers=token_for("admin"),
                           json={**NEW_COMPANY, "inn": valid_inn("73"), "city": "Я" * 121})
    assert response.status_code == 422 and "city" in response.json["errors"]
    assert company_count(db) == 0
