"""The matchmaking pages: settings, registration, import and suggestions, in Russian."""

import io
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select

from registry.models import AuditEntry, EventParticipant
from tests.events.helpers import firm, matchmaking_event, need_of
from tests.factories import make_company, make_user, region
from tests.projects.query_counter import count_queries
from tests.transfer.sheets import csv_bytes


def test_official_saves_settings_typed_as_lines_in_moscow_time(client, db, login):
    login(make_user("official", region=region("RU-ULY")))
    event = matchmaking_event(region=region("RU-ULY"))
    db.session.commit()
    form = client.get(f"/events/{event.id}/matchmaking").get_data(as_text=True)
    assert "10:00-10:15" in form
    response = client.post(f"/events/{event.id}/matchmaking", data={
        "slots": "11:00-11:15\n10:00 – 10:15", "tables": "7", "registration_open": "y",
        "registration_closes_on": "2031-11-01", "requests_expire_at": "2031-11-08T18:00", "follow_up_on": "2032-02-01"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [(s.starts_at, s.ends_at) for s in event.slots] == [(time(10, 0), time(10, 15)), (time(11, 0), time(11, 15))]
    assert event.tables == 7 and not event.cross_region_first
    assert event.requests_expire_at == datetime(2031, 11, 8, 15, 0, tzinfo=UTC)  # 18:00 in Moscow
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "10:00–10:15" in page and "открыта до 1 ноября 2031" in page


def test_bad_settings_get_russian_errors_and_nothing_is_saved(client, db, login):
    login(make_user("admin"))
    event = matchmaking_event()
    db.session.commit()
    for data, message in [({"slots": "10:00-10:20\n10:15-10:30", "tables": "5"}, "пересекаются"),
                          ({"slots": "десять утра", "tables": "5"}, "10:00-10:15"),
                          ({"slots": "10:00-10:15", "tables": "0"}, "")]:
        response = client.post(f"/events/{event.id}/matchmaking", data=data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert event.tables == 10 and len(event.slots) == 3
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_the_generator_fills_the_slots_without_saving(client, db, login):
    login(make_user("admin"))
    event = matchmaking_event()
    db.session.commit()
    response = client.post(f"/events/{event.id}/matchmaking", data={
        "generate": "1", "generate_from": "10:00", "generate_to": "11:00", "generate_minutes": "15",
        "generate_breaks": "10:30-10:45", "tables": "5"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "10:00-10:15\n10:15-10:30\n10:45-11:00" in page
    db.session.expire_all()
    assert event.tables == 10


def test_a_representative_registers_from_the_event_page(client, db, login):
    own = firm(offers=[("metalworking.milling", "фрезеровка корпусов")])
    need = need_of(own, "Литьё корпусов")
    rep = make_user("company", company=own)
    event = matchmaking_event(registration_closes_on=date(2031, 11, 1))
    db.session.commit()
    login(rep)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Зарегистрироваться" in page and f"/events/{event.id}/matchmaking" not in page
    form = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    assert "Литьё корпусов" in form and "Слот 2 · 10:15–10:30" in form
    response = client.post(f"/events/{event.id}/register", data={
        "attendees": "Иванов И. И.", "offers": str(own.offers[0].id), "needs": str(need.id), "unavailable": "1"})
    assert response.status_code == 302
    participant = db.session.scalar(select(EventParticipant).where(EventParticipant.company_id == own.id))
    assert participant.unavailable_slots == [1] and participant.needs == [need]
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Литьё корпусов" in page and "Ульяновская область" in page and "Зарегистрироваться" not in page


def test_a_representative_may_not_register_another_firm_nor_after_closing(client, db, login):
    own, other = make_company(), make_company()
    rep = make_user("company", company=own)
    event = matchmaking_event(registration_open=False)
    db.session.commit()
    login(rep)
    assert client.get(f"/events/{event.id}/register?company={other.id}").status_code == 403
    assert client.post(f"/events/{event.id}/register?company={other.id}", data={"attendees": "x"}).status_code == 403
    response = client.post(f"/events/{event.id}/register", data={"attendees": "x"})
    assert response.status_code == 400 and "Регистрация на это мероприятие закрыта" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(EventParticipant.id))) == 0
    assert client.get(f"/events/{event.id}/matchmaking").status_code == 403


def test_an_official_registers_any_firm_chosen_by_inn(client, db, login):
    login(make_user("official"))
    target = make_company(region_iso="RU-MO", name="АО «Орбита»")
    event = matchmaking_event(registration_open=False)
    db.session.commit()
    page = client.get(f"/events/{event.id}/register?firm={target.inn}").get_data(as_text=True)
    assert "АО «Орбита»" in page
    response = client.post(f"/events/{event.id}/register?company={target.id}", data={"unavailable": ["0", "2"]})
    assert response.status_code == 302
    participant = db.session.scalar(select(EventParticipant))
    assert participant.company == target and participant.unavailable_slots == [0, 2]
    assert "Не найдено" in client.get(f"/events/{event.id}/register?firm=Нет такой").get_data(as_text=True)


def test_import_page_reports_rows_in_russian_and_keeps_nothing(client, db, login):
    login(make_user("admin"))
    company = make_company()
    event = matchmaking_event()
    db.session.commit()
    content = csv_bytes(["ИНН", "Участники", "Недоступные слоты"], [[company.inn, "Петров", "1"], ["7300000000", "", "9"]])
    response = client.post(f"/events/{event.id}/participants/import",
                           data={"file": (io.BytesIO(content), "участники.csv")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "строка 3" in page and "ничего не импортировано" in page
    assert db.session.scalar(select(func.count(EventParticipant.id))) == 0
    good = csv_bytes(["ИНН", "Участники", "Недоступные слоты"], [[company.inn, "Петров", "1, 3"]])
    response = client.post(f"/events/{event.id}/participants/import",
                           data={"file": (io.BytesIO(good), "участники.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(select(EventParticipant.unavailable_slots)) == [0, 2]


def test_suggestions_page_shows_direction_reasons_and_no_request_button_without_meetings(client, db, login):
    buyer = firm("RU-ULY")
    need_of(buyer, "Фрезерная обработка корпусов", "metalworking.milling")
    miller = firm("RU-MO", offers=[("metalworking.milling", "фрезерная обработка корпусов")], name="АО «Фреза»")
    event = matchmaking_event()
    db.session.add_all([EventParticipant(event=event, company=c, registered_at=datetime.now(UTC)) for c in (buyer, miller)])
    rep = make_user("company", company=buyer)
    db.session.commit()
    login(rep)
    page = client.get(f"/events/{event.id}/suggestions").get_data(as_text=True)
    assert "АО «Фреза»" in page and "Республика Мордовия" in page
    assert "Могут поставить то, что вам нужно: «Фрезерная обработка корпусов»" in page
    assert "match-reasons" in page
    assert ("Запросить встречу" in page) == ("events.request_meeting" in client.application.view_functions)
    # Another firm's suggestions are not the representative's to see.
    assert client.get(f"/events/{event.id}/suggestions?company={miller.id}").get_data(as_text=True).count("АО «Фреза»") == 0


def test_event_page_with_registrations_runs_the_same_number_of_queries_for_2_and_12_firms(client, db, login):
    login(make_user("admin"))
    event = matchmaking_event()
    counts = []
    for total in (2, 12):
        while len(event.participants) < total:
            company = firm("RU-MO", offers=[("metalworking.milling", "фрезеровка")])
            need = need_of(company, "Литьё")
            event.participants.append(EventParticipant(company=company, registered_at=datetime.now(UTC),
                                                       offers=list(company.offers), needs=[need]))
        db.session.commit()
        with count_queries(db.engine) as statements:
            assert client.get(f"/events/{event.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
