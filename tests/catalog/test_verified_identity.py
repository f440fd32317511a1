"""A verified badge vouches for an identity: a new INN, OGRN or region sends the firm back to verification,
and the region's officials are told; a new name is recorded and shown to them. Every door obeys the rule
(the web form, the API, an import update), because it lives in the companies service."""

import io

import pytest
from flask import current_app
from sqlalchemy import select

from registry.models import AuditEntry, Company, OutboxMessage
from registry.policy import SYSTEM
from registry.services import companies
from registry.services.users import create_token
from tests.factories import make_company, make_user, region, valid_inn
from tests.transfer.sheets import csv_bytes


def ogrn(number: int) -> str:
    body = f"1027300{number:05d}"
    return body + str(int(body) % 11 % 10)


@pytest.fixture
def firm(db):
    firm = make_company(name="ООО «Проверенная»", verification="verified", ogrn=ogrn(1))
    official = make_user("official", email="uly@example.org", region=region("RU-ULY"))
    make_user("official", email="mo@example.org", region=region("RU-MO"))
    representative = make_user("company", company=firm, email="rep@example.org")
    db.session.commit()
    return firm, official, representative


def mails_to(db, address):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)).all()


def patch(client, db, user, company, data):
    token = create_token(user)
    db.session.commit()
    return client.patch(f"/api/v1/companies/{company.id}", json=data, headers={"Authorization": f"Bearer {token}"})


def test_a_new_inn_through_the_api_sends_the_firm_back_to_verification(client, db, firm):
    company, official, representative = firm
    response = patch(client, db, representative, company, {"inn": valid_inn("73")})
    assert response.status_code == 200 and response.json["verification"] == "pending"
    db.session.expire_all()
    assert db.session.get(Company, company.id).verification == "pending"
    [mail] = mails_to(db, official.email)
    assert "ООО «Проверенная»" in mail.subject and "ИНН" in mail.body and f"/catalog/{company.id}" in mail.body
    assert not mails_to(db, "mo@example.org") and not mails_to(db, representative.email)
    page = client.get(f"/catalog/{company.id}").text
    assert "Ожидает проверки" in page and "Проверено" not in page.split('id="history"')[0]


def test_a_new_region_through_the_api_tells_the_new_regions_officials(client, db, firm):
    company, official, representative = firm
    response = patch(client, db, representative, company, {"region": "RU-MO"})
    assert response.status_code == 200 and response.json["verification"] == "pending"
    assert len(mails_to(db, "mo@example.org")) == 1


def test_a_new_ogrn_on_the_web_form_sends_the_firm_back_to_verification(client, db, login, firm):
    company, official, representative = firm
    login(representative)
    response = client.post(f"/catalog/{company.id}/edit", data={"name": company.name, "region": "RU-ULY",
                                                                "inn": company.inn, "ogrn": ogrn(2)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Company, company.id).verification == "pending"
    assert len(mails_to(db, official.email)) == 1


def test_an_import_update_of_the_inn_sends_the_firm_back_to_verification(client, db, login, firm):
    company, official, representative = firm
    admin = login(make_user("admin"))
    db.session.commit()
    content = csv_bytes(["ИНН", "Наименование", "Регион", "ОГРН"],
                        [[company.inn, company.name, "RU-ULY", ogrn(2)]])
    response = client.post("/transfer/import", data={"file": (io.BytesIO(content), "firms.csv"), "kind": ""},
                           content_type="multipart/form-data")
    current_app.extensions["jobs"].run_queued()
    client.post(response.headers["Location"].split("?")[0], data={"update_existing": "y"})
    current_app.extensions["jobs"].run_queued()
    db.session.expire_all()
    assert db.session.get(Company, company.id).verification == "pending"
    assert len(mails_to(db, official.email)) == 1 and not mails_to(db, admin.email)


def test_a_change_that_keeps_the_identity_keeps_the_badge(client, db, firm):
    company, official, representative = firm
    response = patch(client, db, representative, company, {"city": "Димитровград", "inn": company.inn})
    assert response.status_code == 200 and response.json["verification"] == "verified"
    assert not mails_to(db, official.email)


def test_a_new_name_is_recorded_and_shown_to_the_official(client, db, login, firm):
    company, official, representative = firm
    assert patch(client, db, representative, company, {"name": "ООО «Новое имя»"}).status_code == 200
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "company.rename"))
    assert entry.changes == {"previous_name": "ООО «Проверенная»", "name": "ООО «Новое имя»"}
    login(official)
    desk = client.get("/cabinet/").text
    assert "ООО «Новое имя»" in desk.split('id="renamed"')[1] and "ООО «Проверенная»" in desk.split('id="renamed"')[1]
    history = client.get(f"/catalog/{company.id}").text.split('id="history"')[1]
    assert "Предприятие переименовано" in history and "ООО «Проверенная»" in history


def test_the_rule_lives_in_the_service(db, firm):
    company, official, representative = firm
    companies.update_company(company, {"region": "RU-MO"}, actor=SYSTEM)  # the CLI's actor: every right, and still the rule
    assert company.verification == "pending"
