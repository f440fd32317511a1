"""The events API: creating an event with slots, registering firms, suggestions."""

from sqlalchemy import func, select

from registry.models import AuditEntry, Event, EventParticipant
from tests.events.helpers import firm, matchmaking_event, need_of
from tests.factories import make_company, region


def test_official_creates_an_event_with_slots_numbered_from_0_in_time_order(client, db, token_for):
    headers = token_for("official", region=region("RU-ULY"))
    response = client.post("/api/v1/events", headers=headers, json={
        "title": "Круглый стол", "kind": "round_table", "held_on": "2031-11-09", "place": "Ульяновск",
        "region": "RU-ULY", "slots": [{"start": "10:15", "end": "10:30"}, {"start": "10:00", "end": "10:15"}],
        "tables": 20, "registration_open": True, "registration_closes_on": "2031-11-01",
        "requests_expire_at": "2031-11-08T18:00:00+03:00"})
    assert response.status_code == 201, response.json
    event = response.json
    assert event["id"] and event["tables"] == 20 and event["registration_open"]
    assert event["slots"] == [{"index": 0, "start": "10:00", "end": "10:15"}, {"index": 1, "start": "10:15", "end": "10:30"}]
    assert event["requests_expire_at"].startswith("2031-11-08T15:00")
    assert client.get(f"/api/v1/events/{event['id']}").json["slots"] == event["slots"]


def test_bad_slots_are_a_422_naming_the_field_and_nothing_is_kept(client, db, token_for):
    headers = token_for("admin")
    for slots in ([{"start": "10:00", "end": "09:00"}], [{"start": "10:00", "end": "10:30"}, {"start": "10:15", "end": "10:45"}],
                  [{"start": "25:00", "end": "26:00"}], [{"start": "ten", "end": "11:00"}]):
        response = client.post("/api/v1/events", headers=headers, json={"title": "X", "slots": slots, "tables": 2})
        assert response.status_code == 422 and any(key.startswith("slots") for key in response.json["errors"]), slots
    assert client.post("/api/v1/events", headers=headers, json={"title": "X", "tables": 0}).status_code == 422
    assert db.session.scalar(select(func.count(Event.id))) == 0
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.startswith("event"))).all() == []


def test_official_of_another_region_may_not_set_up_its_matchmaking(client, db, token_for):
    response = client.post("/api/v1/events", headers=token_for("official", region=region("RU-MO")), json={
        "title": "Чужой стол", "region": "RU-ULY", "tables": 3})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(Event.id))) == 0
    assert client.post("/api/v1/events", headers=token_for("company"), json={"title": "X"}).status_code == 403


def test_registration_by_api_with_slots_offers_and_needs(client, db, token_for):
    own = firm(offers=[("metalworking.milling", "фрезеровка")])
    need = need_of(own, "Литьё")
    event = matchmaking_event()
    db.session.commit()
    headers = token_for("company", company=own)
    response = client.post(f"/api/v1/events/{event.id}/participants", headers=headers, json={
        "company_id": own.id, "unavailable_slots": [0, 2], "attendees": "Иванов",
        "offer_ids": [own.offers[0].id], "need_ids": [need.id]})
    assert response.status_code == 201, response.json
    assert response.json["unavailable_slots"] == [0, 2] and response.json["need_ids"] == [need.id]
    for body, field in [({"company_id": own.id, "unavailable_slots": [3]}, "unavailable_slots"),
                        ({"company_id": own.id, "need_ids": [need_of(make_company(), "Чужая").id]}, "need_ids"),
                        ({"company_id": 999999}, "company_id")]:
        db.session.commit()
        refused = client.post(f"/api/v1/events/{event.id}/participants", headers=headers, json=body)
        assert refused.status_code == 422 and field in refused.json["errors"], body
    other = make_company()
    db.session.commit()
    assert client.post(f"/api/v1/events/{event.id}/participants", headers=headers,
                       json={"company_id": other.id}).status_code == 403
    assert client.post("/api/v1/events/999999/participants", headers=headers, json={"company_id": own.id}).status_code == 404
    db.session.expire_all()
    assert db.session.scalar(select(EventParticipant.unavailable_slots)) == [0, 2]


def test_suggestions_by_api_with_direction_and_reasons(client, db, token_for):
    buyer = firm("RU-ULY")
    need = need_of(buyer, "Фрезерная обработка корпусов", "metalworking.milling")
    miller = firm("RU-MO", offers=[("metalworking.milling", "фрезерная обработка корпусов")])
    event = matchmaking_event()
    db.session.commit()
    admin = token_for("admin")
    for company in (buyer, miller):
        assert client.post(f"/api/v1/events/{event.id}/participants", headers=admin,
                           json={"company_id": company.id}).status_code == 201
    response = client.get(f"/api/v1/events/{event.id}/suggestions?company_id={buyer.id}", headers=admin)
    assert response.status_code == 200
    [suggestion] = response.json["suggestions"]
    assert suggestion["company"]["id"] == miller.id and suggestion["direction"] == "they_supply"
    assert suggestion["need"]["id"] == need.id and suggestion["cross_region"] and suggestion["reasons"]
    assert client.get(f"/api/v1/events/{event.id}/suggestions?company_id={buyer.id}",
                      headers=token_for("company", company=miller)).status_code == 403
    assert client.get(f"/api/v1/events/{event.id}/suggestions?company_id={buyer.id}").status_code == 401
