"""The audit log: officials see who did what in their region, administrators everything."""

from datetime import timedelta

from sqlalchemy import select

from registry.models import AuditEntry, Event
from registry.models.base import utcnow
from registry.services import audit
from tests.factories import make_company, make_need, make_project, make_user, region
from tests.projects.query_counter import page_queries


def entry(actor, action, entity, **changes):
    return audit.record(actor, action, entity, **changes)


def rows(page: str) -> int:
    return page.count("<tr><td class=\"text-nowrap\">")


def a_region_and_another(db):
    """Entries about Ulyanovsk's records or by its people (marked «ulyanovsk»), and Mordovia's («mordovia»)."""
    uly, mo = make_company(region_iso="RU-ULY"), make_company(region_iso="RU-MO")
    official = make_user("official", email="official@uly.example", region=region("RU-ULY"))
    stranger = make_user("official", email="official@mo.example", region=region("RU-MO"))
    rep = make_user("company", email="rep@uly.example", company=uly)
    admin = make_user("admin", email="admin@example.org")
    uly_event = Event(title="Круглый стол", region=region("RU-ULY"))
    mo_event = Event(title="Визит", region=region("RU-MO"))
    db.session.add_all([uly_event, mo_event])
    db.session.flush()
    entry(stranger, "company.update", uly, city="ulyanovsk-company")
    entry(stranger, "need.update", make_need(uly), title="ulyanovsk-need")
    entry(stranger, "project.update", make_project((mo, "customer"), (uly, "supplier")), title="ulyanovsk-project")
    entry(stranger, "event.update", uly_event, place="ulyanovsk-event")
    entry(rep, "user.password", rep)  # by the region's representative
    entry(official, "company.update", mo, city="ulyanovsk-official")  # by the region's official
    entry(stranger, "company.update", mo, city="mordovia-company")
    entry(stranger, "need.update", make_need(mo), title="mordovia-need")
    entry(stranger, "event.update", mo_event, place="mordovia-event")
    entry(admin, "user.update", stranger, role="official")
    db.session.commit()
    return official, stranger, admin


def test_an_official_sees_their_regions_records_and_people_only(client, db, login):
    official, _, _ = a_region_and_another(db)
    login(official)
    page = client.get("/auth/audit").get_data(as_text=True)
    for mark in ("ulyanovsk-company", "ulyanovsk-need", "ulyanovsk-project", "ulyanovsk-event", "ulyanovsk-official"):
        assert mark in page
    assert "mordovia" not in page
    assert "rep@uly.example" in page
    assert rows(page) == 6


def test_an_administrator_sees_everything_in_words(client, db, login):
    _, _, admin = a_region_and_another(db)
    login(admin)
    page = client.get("/auth/audit").get_data(as_text=True)
    assert "mordovia-company" in page and "ulyanovsk-company" in page
    assert "Пользователь изменён" in page and "Сотрудник органа власти" in page  # no codes
    assert "user.update" not in page


def test_filters_by_person_type_and_dates(client, db, login):
    _, _, admin = a_region_and_another(db)
    old = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.password"))
    old.created_at = utcnow() - timedelta(days=40)
    db.session.commit()
    login(admin)
    by_person = client.get("/auth/audit?person=ADMIN@").get_data(as_text=True)
    assert "mordovia-company" not in by_person and rows(by_person) == 1
    by_type = client.get("/auth/audit?entity_type=need").get_data(as_text=True)
    assert "ulyanovsk-need" in by_type and "mordovia-need" in by_type and rows(by_type) == 2
    since = (utcnow() - timedelta(days=1)).date().isoformat()
    until = (utcnow() - timedelta(days=30)).date().isoformat()
    assert rows(client.get(f"/auth/audit?since={since}").get_data(as_text=True)) == 9
    assert rows(client.get(f"/auth/audit?until={until}").get_data(as_text=True)) == 1
    assert client.get("/auth/audit?since=not-a-date&entity_type=nonsense").status_code == 200


def test_the_log_is_paginated_in_a_fixed_number_of_queries(client, db, login, app):
    admin = login(make_user("admin"))
    companies = [make_company() for _ in range(3)]
    for company in companies:
        entry(admin, "company.update", company, city="x")
    db.session.commit()
    few = page_queries(client, db.engine, "/auth/audit")
    for number in range(30):
        entry(make_user("official"), "company.update", companies[number % 3], city=str(number))
    db.session.commit()
    assert page_queries(client, db.engine, "/auth/audit") == few
    first, second = client.get("/auth/audit").get_data(as_text=True), client.get("/auth/audit?page=2").get_data(as_text=True)
    assert rows(first) == app.config["PER_PAGE"] and rows(second) == 33 - app.config["PER_PAGE"]


def test_representatives_and_visitors_have_no_audit_log(client, db, login):
    assert "/auth/login" in client.get("/auth/audit").headers["Location"]
    login(make_user("company"))
    assert client.get("/auth/audit").status_code == 403
