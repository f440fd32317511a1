"""The meetings API: request, accept, decline, schedule, move, outcome; who may do which."""

from registry.models import Project
from registry.services.users import create_token
from tests.events.test_meetings import matchmaking_event
from tests.factories import make_company, make_user, region


def bearer(db, user) -> dict:
    token = create_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def setup(db, slots=3, tables=2):
    uly = make_company(name="ООО «Ульяновский станкозавод»", region_iso="RU-ULY")
    mo = make_company(name="АО «Орбита»", region_iso="RU-MO")
    third = make_company(name="ООО «Третья фирма»", region_iso="RU-MO")
    event = matchmaking_event([uly, mo, third], slots=slots, tables=tables)
    people = {"uly": make_user("company", company=uly), "mo": make_user("company", company=mo),
              "official": make_user("official", region=region("RU-ULY")),
              "stranger": make_user("official", region=region("RU-MO"))}
    return event, (uly, mo, third), {name: bearer(db, user) for name, user in people.items()}


def test_request_accept_schedule_and_outcome_through_the_api(client, db):
    event, (uly, mo, third), tokens = setup(db)
    url = f"/api/v1/events/{event.id}"
    response = client.post(f"{url}/meetings", json={"requester_id": uly.id, "invitee_id": mo.id, "note": "РТИ"},
                           headers=tokens["uly"])
    assert response.status_code == 201, response.json
    meeting = response.json
    assert meeting["status"] == "requested" and meeting["slot"] is None
    assert client.post(f"{url}/meetings/{meeting['id']}/accept", json={}, headers=tokens["uly"]).status_code == 403
    response = client.post(f"{url}/meetings/{meeting['id']}/accept", json={}, headers=tokens["mo"])
    assert response.status_code == 200 and response.json["status"] == "accepted"
    assert client.post(f"{url}/schedule", headers=tokens["uly"]).status_code == 403
    assert client.post(f"{url}/schedule", headers=tokens["stranger"]).status_code == 403
    response = client.post(f"{url}/schedule", headers=tokens["official"])
    assert response.status_code == 200, response.json
    schedule = response.json
    assert [s["index"] for s in schedule["slots"]] == [0, 1, 2] and schedule["slots"][0]["start"] == "10:00"
    assert schedule["tables"] == 2 and schedule["upper_bound"] == 1 and schedule["unscheduled"] == []
    [placed] = schedule["meetings"]
    assert placed["id"] == meeting["id"] and 0 <= placed["slot"] < 3 and placed["table"] in (1, 2)
    assert client.get(f"{url}/schedule").json["meetings"] == schedule["meetings"]
    response = client.post(f"{url}/meetings/{meeting['id']}/outcome", json={"outcome": "possible_cooperation"},
                           headers=tokens["official"])
    assert response.status_code == 200 and response.json["outcome"] == "possible_cooperation"
    project = db.session.get(Project, response.json["project_id"])
    assert project.stage == "proposal" and project.source_event_id == event.id


def test_an_unschedulable_meeting_is_listed_with_its_reason(client, db):
    event, (uly, mo, third), tokens = setup(db, slots=1, tables=1)
    url = f"/api/v1/events/{event.id}"
    ids = [client.post(f"{url}/meetings", json={"requester_id": a.id, "invitee_id": b.id},
                       headers=tokens["official"]).json["id"] for a, b in ((uly, mo), (mo, third))]
    schedule = client.post(f"{url}/schedule", headers=tokens["official"]).json
    assert len(schedule["meetings"]) == 1 and schedule["upper_bound"] == 1
    [left] = schedule["unscheduled"]
    assert left["id"] in ids and left["reason"] in ("no_room", "firm_full") and left["reason_text"]


def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(client, db):
    event, (uly, mo, third), tokens = setup(db)
    url = f"/api/v1/events/{event.id}/meetings"
    response = client.post(url, json={"requester_id": uly.id}, headers=tokens["uly"])
    assert response.status_code == 422 and "invitee_id" in response.json["errors"]
    response = client.post(url, json={"requester_id": uly.id, "invitee_id": uly.id}, headers=tokens["uly"])
    assert response.status_code == 422 and "invitee_id" in response.json["errors"]
    response = client.post(url, json={"requester_id": uly.id, "invitee_id": 999999}, headers=tokens["uly"])
    assert response.status_code == 422 and "invitee_id" in response.json["errors"]
    response = client.post(url, json={"requester_id": mo.id, "invitee_id": uly.id}, headers=tokens["uly"])
    assert response.status_code == 403
    assert client.post(url, json={"requester_id": uly.id, "invitee_id": mo.id}).status_code == 401
    assert client.get(url, headers=tokens["uly"]).json == []


def test_a_move_that_breaks_a_rule_is_a_422_with_the_reason(client, db):
    event, (uly, mo, third), tokens = setup(db)
    url = f"/api/v1/events/{event.id}"
    first = client.post(f"{url}/meetings", json={"requester_id": uly.id, "invitee_id": mo.id},
                        headers=tokens["official"]).json
    second = client.post(f"{url}/meetings", json={"requester_id": uly.id, "invitee_id": third.id},
                         headers=tokens["official"]).json
    placed = {m["id"]: m for m in client.post(f"{url}/schedule", headers=tokens["official"]).json["meetings"]}
    slot = placed[first["id"]]["slot"]
    response = client.post(f"{url}/meetings/{second['id']}/move", json={"slot": slot, "table": 2},
                           headers=tokens["official"])
    assert response.status_code == 422 and "Ульяновский станкозавод" in response.json["message"]
    free = next(s for s in range(3) if s != slot)
    response = client.post(f"{url}/meetings/{second['id']}/move", json={"slot": free, "table": 2},
                           headers=tokens["official"])
    assert response.status_code == 200 and (response.json["slot"], response.json["table"]) == (free, 2)


def test_a_meeting_accepted_after_the_schedule_was_built_says_so_not_that_there_is_no_room(client, db):
    event, (uly, mo, third), tokens = setup(db)
    url = f"/api/v1/events/{event.id}"
    client.post(f"{url}/meetings", json={"requester_id": uly.id, "invitee_id": mo.id}, headers=tokens["official"])
    client.post(f"{url}/schedule", headers=tokens["official"])
    late = client.post(f"{url}/meetings", json={"requester_id": mo.id, "invitee_id": third.id},
                       headers=tokens["official"]).json
    [left] = client.get(f"{url}/schedule").json["unscheduled"]
    assert left["id"] == late["id"] and left["reason"] == "not_scheduled" and left["reason_text"]
