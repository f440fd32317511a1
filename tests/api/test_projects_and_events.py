from sqlalchemy import select

from registry.models import Project
from tests.factories import make_company, make_project, region


def test_official_creates_a_project_and_moves_it(client, db, token_for):
    supplier, customer = make_company(region_iso="RU-ULY"), make_company(region_iso="RU-MO")
    headers = token_for("official", region=region("RU-ULY"))
    response = client.post("/api/v1/projects", headers=headers, json={
        "title": "Поставка штампов", "value_rub": "1250000.50", "direction": "tooling",
        "participants": [{"company_id": supplier.id, "role": "supplier"},
                         {"company_inn": customer.inn, "role": "customer"}]})
    assert response.status_code == 201, response.json
    project = response.json
    assert project["stage"] == "proposal" and project["value_rub"] == "1250000.50"
    moved = client.post(f"/api/v1/projects/{project['id']}/stage", headers=headers,
                        json={"stage": "negotiation", "note": "первая встреча"})
    assert moved.status_code == 200
    assert [c["to_stage"] for c in moved.json["stage_changes"]] == ["proposal", "negotiation"]


def test_stage_change_needs_a_note_for_on_hold(client, db, token_for):
    project = make_project((make_company(), "supplier"))
    headers = token_for("official")
    response = client.post(f"/api/v1/projects/{project.id}/stage", headers=headers, json={"stage": "on_hold"})
    assert response.status_code == 422 and "note" in response.json["errors"]
    db.session.refresh(project)
    assert project.stage == "negotiation"
    assert client.post(f"/api/v1/projects/{project.id}/stage", headers=headers,
                       json={"stage": "flying"}).status_code == 422


def test_the_api_refuses_an_incomplete_move_with_field_errors(client, db, token_for):
    project = make_project((make_company(), "supplier"), stage="negotiation")
    headers = token_for("official")
    response = client.post(f"/api/v1/projects/{project.id}/stage", headers=headers, json={"stage": "agreement"})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"value_rub", "responsible"}
    db.session.refresh(project)
    assert project.stage == "negotiation"


def test_project_writes_are_for_officials(client, db, token_for):
    company = make_company()
    project = make_project((company, "supplier"))
    rep = token_for("company", company=company, company_approved=True)
    assert client.post(f"/api/v1/projects/{project.id}/stage", headers=rep, json={"stage": "agreement"}).status_code == 403
    assert client.post("/api/v1/projects", headers=rep, json={
        "title": "X", "participants": [{"company_id": company.id, "role": "supplier"}]}).status_code == 403
    assert client.post(f"/api/v1/projects/{project.id}/stage", json={"stage": "agreement"}).status_code == 401


def test_project_with_unknown_participant_is_refused(client, db, token_for):
    response = client.post("/api/v1/projects", headers=token_for("admin"), json={
        "title": "X", "participants": [{"company_id": 424242, "role": "supplier"}]})
    assert response.status_code == 422 and "participants" in response.json["errors"]
    assert db.session.scalar(select(Project)) is None


def test_visitors_see_project_summaries_officials_everything(client, db, token_for):
    project = make_project((make_company(), "supplier"), value_rub=1000, next_step="Созвон")
    db.session.commit()
    public = client.get(f"/api/v1/projects/{project.id}").json
    assert public["title"] == project.title and "value_rub" not in public and "next_step" not in public
    full = client.get(f"/api/v1/projects/{project.id}", headers=token_for("official")).json
    assert full["value_rub"] == "1000.00" and full["next_step"] == "Созвон"
    listing = client.get("/api/v1/projects").json
    assert listing["total"] == 1 and "value_rub" not in listing["items"][0]


def test_events_list_the_round_table(client, founding):
    events = client.get("/api/v1/events").json["items"]
    round_table = next(e for e in events if e["kind"] == "round_table")
    assert round_table["held_on"].endswith("-11-09") and round_table["date_note"]
    assert len(round_table["project_ids"]) == 25
    assert any(p["person_name"] == "Алексей Русских" for p in round_table["participants"])


def test_the_document_types_value_rub_as_the_decimal_string_it_is(client, db):
    """Answers carry "1250000.50"; the OpenAPI document must not promise a number."""
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["schemas"]["Project"]["properties"]["value_rub"]["type"] == "string"
