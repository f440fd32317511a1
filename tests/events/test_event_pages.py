from datetime import date

from sqlalchemy import func, select

from registry.models import AuditEntry, Event, EventParticipant
from tests.factories import make_company, make_project, make_user, region
from tests.projects.query_counter import count_queries


def make_event(companies=(), **values):
    values.setdefault("title", "Круглый стол")
    event = Event(**values)
    event.participants = [EventParticipant(company=company) for company in companies]
    return event


def test_event_list_runs_the_same_number_of_queries_for_5_and_50_events(client, db):
    counts = []
    company = make_company()
    for total in (5, 50):
        while db.session.scalar(select(func.count(Event.id))) < total:
            event = make_event([company], held_on=date(2022, 11, 9), region=region("RU-ULY"))
            db.session.add(event)
            db.session.flush()
            make_project((company, "supplier"), source_event=event)
        db.session.commit()
        with count_queries(db.engine) as statements:
            response = client.get("/events/")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_anyone_sees_the_event_list_and_page_in_russian(client, db):
    saransk = make_company(region_iso="RU-MO", name="АО «Орбита»")
    event = make_event([saransk], title="Круглый стол по кооперации", held_on=date(2022, 11, 9),
                       date_note="Год выведен из контекста", place="Ульяновск")
    event.participants.append(EventParticipant(person_name="Алексей Русских", position="Губернатор"))
    db.session.add(event)
    db.session.flush()
    make_project((saransk, "supplier"), title="Поставка корпусов", source_event=event)
    make_project((saransk, "supplier"), title="Поставка плат", source_event=event)
    db.session.commit()

    listing = client.get("/events/").get_data(as_text=True)
    assert "Круглый стол по кооперации" in listing and "9 ноября 2022" in listing
    assert "1 мероприятие" in listing

    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "9 ноября 2022" in page and "Год выведен из контекста" in page
    assert "АО «Орбита»" in page and "Республика Мордовия" in page
    assert "Алексей Русских" in page and "Губернатор" in page
    assert "Поставка корпусов" in page and "2 проекта" in page
    assert "/projects/" not in page.split('id="event-projects"')[1].split("</ul>")[0]  # no links for visitors
    assert f"/events/{event.id}/edit" not in page


def test_official_creates_an_event_with_companies_by_inn_and_name(client, db, login):
    login(make_user("official"))
    ulyanovsk = make_company()
    orbita = make_company(region_iso="RU-MO", inn=None, name="АО «Орбита»")
    db.session.commit()

    response = client.post("/events/new", data={
        "title": "Визит делегации", "kind": "delegation_visit", "held_on": "2022-09-01",
        "date_note": "День условный", "place": "Саранск", "region": region("RU-MO").id,
        "companies": f"{ulyanovsk.inn}\nАО «Орбита»\n{ulyanovsk.inn}",
    })

    assert response.status_code == 302
    event = db.session.scalar(select(Event).where(Event.title == "Визит делегации"))
    assert [p.company_id for p in event.participants] == [ulyanovsk.id, orbita.id]
    assert event.held_on == date(2022, 9, 1) and event.region.iso_code == "RU-MO"
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.entity_type == "event")) == "event.create"
    assert "Мероприятие сохранено" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_official_edits_an_event_and_people_stay(client, db, login):
    login(make_user("official"))
    first, second = make_company(), make_company()
    event = make_event([first], title="Ярмарка", kind="fair")
    event.participants.append(EventParticipant(person_name="Сергей Дробжев"))
    db.session.add(event)
    db.session.commit()

    form = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert first.inn in form
    response = client.post(f"/events/{event.id}/edit", data={"title": "Ярмарка 2.0", "kind": "fair",
                                                            "companies": second.inn})
    assert response.status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.title == "Ярмарка 2.0"
    assert {(p.company_id, p.person_name) for p in event.participants} == {(None, "Сергей Дробжев"), (second.id, "")}


def test_bad_event_input_is_refused_in_russian_and_nothing_changes(client, db, login):
    login(make_user("official"))
    db.session.commit()
    response = client.post("/events/new", data={"title": "Съезд", "kind": "round_table", "companies": "Нет такой фирмы"})
    assert response.status_code == 400
    assert "Не найдено предприятие с таким ИНН или названием: Нет такой фирмы" in response.get_data(as_text=True)
    response = client.post("/events/new", data={"title": "Съезд", "kind": "round_table", "held_on": "9 ноября"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_only_officials_and_admins_create_and_edit_events(client, db, login):
    event = make_event(title="Круглый стол")
    db.session.add(event)
    db.session.commit()
    writes = [("/events/new", {"title": "Чужое", "kind": "fair"}),
              (f"/events/{event.id}/edit", {"title": "Чужое", "kind": "fair"})]
    for url, data in writes:  # anonymous: sent to log in
        assert client.get(url).status_code == 302
        assert client.post(url, data=data).status_code == 302
    login(make_user("company"))
    for url, data in writes:
        assert client.get(url).status_code == 403
        assert client.post(url, data=data).status_code == 403
    db.session.expire_all()
    assert db.session.scalars(select(Event.title)).all() == ["Круглый стол"]
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0
