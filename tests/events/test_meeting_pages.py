"""The meeting pages: requests and answers, the grid, agendas as page, PDF and XLSX, outcomes, what an
event yielded."""

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from registry.models import Event, EventMeeting, EventParticipant, Project
from tests.events.test_meetings import matchmaking_event
from tests.factories import make_company, make_need, make_user, region
from tests.projects.query_counter import count_queries


def setup(db):
    uly = make_company(name="ООО «Ульяновский станкозавод»", region_iso="RU-ULY")
    mo = make_company(name="АО «Орбита»", region_iso="RU-MO")
    event = matchmaking_event([uly, mo])
    return event, uly, mo, make_user("company", company=uly), make_user("company", company=mo), \
        make_user("official", region=region("RU-ULY"))


def test_request_answer_schedule_agenda_and_outcome_on_the_pages(client, db, login):
    event, uly, mo, uly_rep, mo_rep, official = setup(db)
    need = make_need(uly, title="Манжеты резиновые")
    login(uly_rep)
    page = client.get(f"/events/{event.id}/meetings").get_data(as_text=True)
    assert "meeting-request-form" in page
    response = client.post(f"/events/{event.id}/meetings/request",
                           data={"invitee_id": mo.id, "need_id": need.id, "note": "Обсудить РТИ"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Уведомлены" in page or "Уведомлён" in page, page
    meeting = db.session.scalar(select(EventMeeting))
    assert meeting.requester_id == uly.id and meeting.status == "requested"
    login(mo_rep)
    client.post(f"/events/{event.id}/meetings/{meeting.id}/answer", data={"decision": "accepted"})
    db.session.expire_all()
    assert meeting.status == "accepted"
    login(official)
    page = client.post(f"/events/{event.id}/schedule", follow_redirects=True).get_data(as_text=True)
    assert 'id="schedule-grid"' in page and "ООО «Ульяновский станкозавод»" in page
    workbook = load_workbook(io.BytesIO(client.get(f"/events/{event.id}/schedule.xlsx").data))
    assert any("АО «Орбита»" in str(cell.value) for row in workbook.active.iter_rows() for cell in row)
    login(uly_rep)
    page = client.get(f"/events/{event.id}/agenda").get_data(as_text=True)
    assert "АО «Орбита»" in page and "10:" in page and "Манжеты резиновые" in page
    pdf = client.get(f"/events/{event.id}/agenda.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    sheet = load_workbook(io.BytesIO(client.get(f"/events/{event.id}/agenda.xlsx").data)).active
    assert sheet["C5"].value == "АО «Орбита»"
    assert client.get(f"/events/{event.id}/agenda?company_id={mo.id}").status_code == 403
    assert client.get(f"/events/{event.id}/schedule").status_code == 403
    client.post(f"/events/{event.id}/meetings/{meeting.id}/outcome", data={"outcome": "possible_cooperation"})
    login(official)
    response = client.post(f"/events/{event.id}/meetings/{meeting.id}/project", follow_redirects=True)
    project = db.session.scalar(select(Project))
    assert project.source_event_id == event.id and project.stage == "proposal"
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Манжеты резиновые" in page and 'id="yield-region-pairs"' in page


def test_a_representative_of_a_firm_not_taking_part_sees_no_meetings(client, db, login):
    event, *_ = setup(db)
    login(make_user("company", company=make_company()))
    assert client.get(f"/events/{event.id}/meetings").status_code == 403
    assert client.get(f"/events/{event.id}/agenda").status_code == 404


def test_the_agenda_runs_a_fixed_number_of_queries(client, db, login):
    counts = []
    event, uly, mo, uly_rep, *_ = setup(db)
    login(uly_rep)
    for total in (2, 8):
        while db.session.scalar(select(func.count(EventMeeting.id))) < total:
            other = make_company()
            event.participants.append(EventParticipant(company=other))
            db.session.add(EventMeeting(event=event, requester=uly, invitee=other, status="accepted"))
            db.session.flush()
        db.session.commit()
        with count_queries(db.engine) as statements:
            assert client.get(f"/events/{event.id}/agenda").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_the_seeded_round_table_shows_its_projects_with_stage_and_value(client, founding, login):
    event = founding.session.scalar(select(Event).where(Event.kind == "round_table"))
    login(make_user("official", region=region("RU-ULY")))
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    projects = founding.session.scalars(select(Project).where(Project.source_event_id == event.id)).all()
    assert projects and all(f"/projects/{project.id}" in page for project in projects)
    assert 'id="event-yield"' in page
