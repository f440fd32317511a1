"""A firm that registers itself waits for an official of its region before anyone else sees it."""

from sqlalchemy import select

from registry.models import CapabilityOffer, Company, OutboxMessage, User
from registry.services.matching import search_companies, suppliers_for
from tests.factories import capability, make_company, make_need, make_user, region, valid_inn
from tests.projects.query_counter import page_queries

PASSWORD = "long enough password"
NAME = "ООО «Самозаявленный литейщик»"


def register(client, *, name: str = NAME, email: str = "applicant@example.org") -> Company:
    inn = valid_inn("73")
    response = client.post("/auth/register", data={"email": email, "password": PASSWORD, "confirm": PASSWORD,
                                                   "inn": inn, "company_name": name})
    assert response.status_code == 302
    client.post("/auth/logout")
    from registry.extensions import db

    return db.session.scalar(select(Company).where(Company.inn == inn))


def test_a_registered_firm_is_hidden_from_the_public_until_published(app, client, db, login):
    company = register(client)
    assert company.publication == "pending" and not company.is_public
    need = make_need(company, title="Литьё алюминиевых корпусов")
    db.session.commit()

    assert NAME not in client.get("/catalog/").get_data(as_text=True)
    assert NAME not in client.get("/catalog/", query_string={"q": "литейщик"}).get_data(as_text=True)
    assert client.get(f"/catalog/{company.id}").status_code == 404
    assert client.get(f"/needs/{need.id}").status_code == 404
    assert "Литьё алюминиевых" not in client.get("/needs/").get_data(as_text=True)
    assert client.get(f"/api/v1/companies/{company.id}").status_code == 404
    assert company.id not in [match.id for match in search_companies("литейщик")]

    applicant = db.session.scalar(select(User).where(User.email == "applicant@example.org"))
    login(applicant, PASSWORD)
    page = client.get(f"/catalog/{company.id}").get_data(as_text=True)
    assert "На проверке" in page or "Under review" in page

    official = make_user("official", region=company.region)
    login(official)
    desk = client.get("/cabinet/").get_data(as_text=True)
    assert NAME in desk and f'action="/catalog/{company.id}/publication"' in desk


def test_the_official_publishes_it_with_a_note_and_the_applicant_is_told(app, client, db, login):
    company = register(client)
    official = make_user("official", region=company.region)
    login(official)
    prefix = f"moderate-{company.id}-"
    response = client.post(f"/catalog/{company.id}/publication",
                           data={prefix + "note": "Проверили по ЕГРЮЛ", prefix + "decision": "published",
                                 "next": "cabinet"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "representative of" in page or "представител" in page  # the flash says who was told
    db.session.expire_all()
    company = db.session.get(Company, company.id)
    assert company.publication == "published" and company.publication_note == "Проверили по ЕГРЮЛ"
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "applicant@example.org")).all()
    assert any("Проверили по ЕГРЮЛ" in message.body for message in told)

    client.post("/auth/logout")
    assert NAME in client.get("/catalog/").get_data(as_text=True)
    assert client.get(f"/catalog/{company.id}").status_code == 200


def test_refusing_needs_a_note_and_the_representative_reads_it(app, client, db, login):
    company = register(client)
    official = make_user("official", region=company.region)
    login(official)
    prefix = f"moderate-{company.id}-"
    client.post(f"/catalog/{company.id}/publication", data={prefix + "decision": "rejected"})
    db.session.expire_all()
    assert db.session.get(Company, company.id).publication == "pending"  # no note: nothing changed

    client.post(f"/catalog/{company.id}/publication",
                data={prefix + "decision": "rejected", prefix + "note": "ИНН принадлежит другой фирме"})
    db.session.expire_all()
    assert db.session.get(Company, company.id).publication == "rejected"

    applicant = db.session.scalar(select(User).where(User.email == "applicant@example.org"))
    login(applicant, PASSWORD)
    assert "ИНН принадлежит другой фирме" in client.get("/cabinet/").get_data(as_text=True)
    client.post("/auth/logout")
    assert client.get(f"/catalog/{company.id}").status_code == 404


def test_an_official_of_another_region_may_not_moderate(client, db, login):
    company = register(client)
    login(make_user("official", region=region("RU-MO")))
    prefix = f"moderate-{company.id}-"
    response = client.post(f"/catalog/{company.id}/publication",
                           data={prefix + "decision": "published", prefix + "note": ""})
    assert response.status_code == 403


def test_firms_that_officials_create_are_published_at_once(db):
    assert make_company().publication == "published"


def test_counts_leave_unpublished_firms_out(client, db):
    before = client.get("/").get_data(as_text=True)
    make_company(publication="pending", name="ООО «Ждущее»")
    make_company(publication="rejected", name="ООО «Отказанное»")
    db.session.commit()
    assert client.get("/").get_data(as_text=True) == before


def test_the_desk_runs_the_same_queries_however_many_firms_wait(app, client, db, login):
    official = make_user("official", region=make_company().region)
    login(official)
    make_company(publication="pending")
    db.session.commit()
    few = page_queries(client, db.engine, "/cabinet/")
    for _ in range(5):
        make_company(publication="pending")
    db.session.commit()
    assert page_queries(client, db.engine, "/cabinet/") == few


def test_a_pending_firm_is_no_match_for_others(db):
    supplier = make_company(publication="pending", name="ООО «Сварщик на проверке»", description="Сварка металлоконструкций")
    supplier.offers.append(CapabilityOffer(text="Сварка", capability=capability("metalworking.welding")))
    need = make_need(make_company(), title="Нужна сварка металлоконструкций")
    need.capabilities.append(capability("metalworking.welding"))
    db.session.commit()
    assert supplier.id not in [company.id for company, _ in suppliers_for(need)]
    supplier.publication = "published"
    db.session.commit()
    assert supplier.id in [company.id for company, _ in suppliers_for(need)]
