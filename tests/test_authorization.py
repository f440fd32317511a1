"""Every write route of the web pages, walked with every role: who may, and who is refused without
anything changing. A new write route fails this test until its rule is written down here."""

from datetime import time

import pytest
from sqlalchemy import func, select

from registry.models import (
    ApiToken,
    AuditEntry,
    CapabilityOffer,
    Event,
    EventMeeting,
    EventParticipant,
    EventSlot,
    Introduction,
    Job,
    ProjectTask,
)
from registry.services.users import create_token
from tests.factories import make_company, make_need, make_project, make_user, region

ROLES = ("anonymous", "own representative", "other representative", "official of the region",
         "official of another region", "admin")
STAFF = {"official of the region", "official of another region", "admin"}
COMPANY_EDITORS = {"own representative", "official of the region", "admin"}
REGION_STAFF = {"official of the region", "admin"}
LOGGED_IN = set(ROLES) - {"anonymous"}
OPEN_TO_ALL = {"auth.login", "auth.logout", "auth.register", "auth.request_reset", "auth.reset", "auth.accept_invitation",
               "main.set_language"}

# endpoint -> (url template, who may[, form data])
RULES = {
    "catalog.edit": ("/catalog/{company}/edit", COMPANY_EDITORS),
    "catalog.edit_contacts": ("/catalog/{company}/contacts", COMPANY_EDITORS),
    "catalog.edit_offer": ("/catalog/{company}/offers/{offer}/edit", COMPANY_EDITORS),
    "catalog.edit_offer:new": ("/catalog/{company}/offers/new", COMPANY_EDITORS),
    "catalog.delete_offer": ("/catalog/{company}/offers/{offer}/delete", COMPANY_EDITORS),
    "catalog.verify": ("/catalog/{company}/verification", REGION_STAFF),
    "catalog.moderate": ("/catalog/{company}/publication", REGION_STAFF),
    "needs.create": ("/needs/new?company_id={company}", COMPANY_EDITORS | STAFF),
    "needs.edit": ("/needs/{need}/edit", COMPANY_EDITORS),
    "needs.change_status": ("/needs/{need}/status", COMPANY_EDITORS),
    "introductions.create": ("/introductions/", COMPANY_EDITORS | STAFF,
                             {"need_id": "{need}", "supplier_id": "{supplier}"}),
    "introductions.start_project": ("/introductions/{introduction}/project", STAFF),
    # The introduction links the own company's need to a third firm; an official asked (no asking side).
    "introductions.answer": ("/introductions/{introduction}/answer", COMPANY_EDITORS, {"decision": "accepted"}),
    "introductions.post_message": ("/introductions/{introduction}/messages", COMPANY_EDITORS, {"body": "Добрый день"}),
    "projects.create": ("/projects/new", STAFF),
    "projects.edit": ("/projects/{project}/edit", STAFF),
    "projects.change_stage": ("/projects/{project}/stage", STAFF),
    "projects.add_task": ("/projects/{project}/tasks", STAFF, {"title": "Созвониться с поставщиком"}),
    "projects.complete_task": ("/projects/tasks/{task}/done", STAFF),
    "events.create": ("/events/new", STAFF),
    "events.edit": ("/events/{event}/edit", STAFF),
    # The walk's event names no region: every official runs it; registration is open, so the firm's own
    # representative registers it (and withdraws) too.
    "events.matchmaking": ("/events/{event}/matchmaking", STAFF, {"slots": "10:00-10:15", "tables": "3"}),
    "events.register": ("/events/{event}/register?company={company}", STAFF | {"own representative"},
                        {"attendees": "Иванов"}),
    "events.unregister": ("/events/{event}/unregister?company={company}", STAFF | {"own representative"}),
    "events.import_participants": ("/events/{event}/participants/import", STAFF),
    # The matchmaking event is in the own company's region; {accepted} is the own company's meeting with a third
    # firm, {requested} the own company's request to the other company.
    "events.move_meeting": ("/events/{mm}/schedule/move", REGION_STAFF,
                            {"meeting_id": "{accepted}", "slot": "0", "table": "1"}),
    "events.build_schedule": ("/events/{mm}/schedule", REGION_STAFF),
    "events.record_outcome": ("/events/{mm}/meetings/{accepted}/outcome", REGION_STAFF | {"own representative"},
                              {"outcome": "no_interest"}),
    "events.record_follow_up": ("/events/{mm}/meetings/{accepted}/follow-up", REGION_STAFF | {"own representative"},
                                {"company_id": "{company}", "follow_up": "negotiating"}),
    "events.start_project": ("/events/{mm}/meetings/{accepted}/project", REGION_STAFF),
    "events.answer_meeting": ("/events/{mm}/meetings/{requested}/answer", REGION_STAFF | {"other representative"},
                              {"decision": "accepted"}),
    "events.cancel_meeting": ("/events/{mm}/meetings/{requested}/cancel", REGION_STAFF | {"own representative"}),
    "events.request_meeting": ("/events/{mm}/meetings/request", REGION_STAFF | {"own representative"},
                               {"requester_id": "{company}", "invitee_id": "{guest}"}),
    "transfer.upload": ("/transfer/import", STAFF),
    "transfer.confirm": ("/transfer/import/{token}", STAFF),
    "transfer.export": ("/transfer/export/companies.csv", STAFF),
    "transfer.project_report": ("/transfer/report/projects.xlsx", STAFF),
    "auth.approve": ("/auth/representatives/{pending}/approve", REGION_STAFF),
    "auth.change_password": ("/auth/password", LOGGED_IN),
    "auth.notifications": ("/auth/notifications", LOGGED_IN),
    "auth.edit_user": ("/auth/users/{pending}", {"admin"}),
    "auth.invite": ("/auth/users/invite", {"admin"}, {"email": "invited@example.org", "role": "official", "locale": "ru"}),
    "auth.create_token": ("/auth/tokens", LOGGED_IN, {"name": "скрипт"}),
    # {apitoken} is the own representative's: a token is its owner's alone, administrators' included.
    "auth.revoke_token": ("/auth/tokens/{apitoken}/revoke", {"own representative"}),
}


def test_every_write_route_has_a_rule(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules()
              if "POST" in rule.methods and not rule.rule.startswith("/api/")}
    written = {name.split(":")[0] for name in RULES} | OPEN_TO_ALL
    assert routes == written


@pytest.fixture
def world(db):
    own = make_company(region_iso="RU-ULY")
    other = make_company(region_iso="RU-MO")
    offer = CapabilityOffer(company=own, text="фрезеровка")
    db.session.add(offer)
    need = make_need(own, title="Фрезерная обработка")
    # Complete enough for the agreement (the API rule moves it there).
    project = make_project((own, "customer"), (other, "supplier"), value_rub=1000, responsible=make_user("official"))
    task = ProjectTask(project=project, title="Позвонить заказчику")
    db.session.add(task)
    event = Event(title="Круглый стол", registration_open=True)
    db.session.add(event)
    db.session.flush()
    supplier = make_company(region_iso="RU-SAM")  # neither representative's company
    introduction = Introduction(need=need, supplier=supplier)
    db.session.add(introduction)
    pending = make_user("company", company=own, company_approved=False)
    users = {
        "own representative": make_user("company", company=own),
        "other representative": make_user("company", company=other),
        "official of the region": make_user("official", region=region("RU-ULY")),
        "official of another region": make_user("official", region=region("RU-MO")),
        "admin": make_user("admin"),
    }
    guest = make_company(region_iso="RU-ULY")
    matchmaking = Event(title="Биржа контактов", region=region("RU-ULY"), tables=2,
                        slots=[EventSlot(index=i, starts_at=time(10 + i), ends_at=time(10 + i, 30))
                               for i in range(3)],
                        participants=[EventParticipant(company=firm) for firm in (own, other, supplier, guest)])
    accepted = EventMeeting(event=matchmaking, requester=own, invitee=supplier, status="accepted")
    requested = EventMeeting(event=matchmaking, requester=own, invitee=other, status="requested")
    db.session.add_all([matchmaking, accepted, requested])
    create_token(users["own representative"], name="скрипт", actor=users["own representative"])
    db.session.commit()
    ids = {"company": own.id, "offer": offer.id, "need": need.id, "project": project.id, "event": event.id,
           "introduction": introduction.id, "pending": pending.id, "token": "0" * 32, "supplier": supplier.id,
           "mm": matchmaking.id, "accepted": accepted.id, "requested": requested.id, "guest": guest.id,
           "task": task.id, "apitoken": db.session.scalar(select(ApiToken.id))}
    return users, ids


def audit_count(db) -> int:
    """Audit entries and jobs: a refused request may neither write nor start work."""
    db.session.expire_all()
    return db.session.scalar(select(func.count(AuditEntry.id))) + db.session.scalar(select(func.count(Job.id)))


@pytest.mark.parametrize("role", ROLES)
def test_write_routes_admit_exactly_who_may(client, db, login, world, role):
    users, ids = world
    if role != "anonymous":
        login(users[role])
    for name, (template, allowed, *data) in RULES.items():
        url = template.format(**ids)
        form = {key: value.format(**ids) for key, value in (data[0] if data else {}).items()}
        before = audit_count(db)
        response = client.post(url, data=form)
        refused = response.status_code == 403 or (
            response.status_code == 302 and "/auth/login" in response.headers.get("Location", ""))
        if role in allowed:
            assert not refused, f"{role} should be let through {name}"
        else:
            assert refused, f"{role} must be refused {name}, got {response.status_code}"
            assert audit_count(db) == before, f"{name} changed something for {role}"


# --- The JSON API: the same rules, applied by the services to the token's owner ---------------------

# (method, url template, who may, json body); "{new_inn_*}" are fresh INNs of the region.
API_RULES = {
    "POST /companies": ("post", "/api/v1/companies", {"official of the region", "admin"},
                        {"inn": "{new_inn_uly}", "name": "ООО «Новая»", "region": "RU-ULY"}),
    "PATCH /companies/{id}": ("patch", "/api/v1/companies/{company}", COMPANY_EDITORS, {"city": "Димитровград"}),
    # An official may not hand a firm to another region's officials; its representative may say it moved.
    "PATCH /companies/{id} region": ("patch", "/api/v1/companies/{company}", {"own representative", "admin"},
                                     {"region": "RU-MO"}),
    "POST /needs": ("post", "/api/v1/needs", COMPANY_EDITORS | STAFF,
                    {"company_id": "{company}", "title": "Литьё под давлением"}),
    "POST /projects": ("post", "/api/v1/projects", STAFF,
                       {"title": "Новый проект", "participants": [{"company_id": "{company}", "role": "customer"}]}),
    "POST /projects/{id}/stage": ("post", "/api/v1/projects/{project}/stage", STAFF, {"stage": "agreement"}),
    "POST /exports": ("post", "/api/v1/exports", STAFF, {"kind": "companies", "format": "csv"}),
    "POST /events": ("post", "/api/v1/events", STAFF, {"title": "Ярмарка", "tables": 5,
                                                       "slots": [{"start": "10:00", "end": "10:15"}]}),
    "POST /events/{id}/participants": ("post", "/api/v1/events/{event}/participants", STAFF | {"own representative"},
                                       {"company_id": "{company}", "unavailable_slots": []}),
    # Meetings, in an order where each allowed call can succeed (see the web rules for the setting).
    "POST /events/{id}/meetings/{mid}/move": ("post", "/api/v1/events/{mm}/meetings/{accepted}/move", REGION_STAFF,
                                              {"slot": "0", "table": "1"}),
    "POST /events/{id}/schedule": ("post", "/api/v1/events/{mm}/schedule", REGION_STAFF, {}),
    "POST /events/{id}/meetings/{mid}/outcome": ("post", "/api/v1/events/{mm}/meetings/{accepted}/outcome",
                                                 REGION_STAFF | {"own representative"}, {"outcome": "no_interest"}),
    "POST /events/{id}/meetings/{mid}/follow-up": (
        "post", "/api/v1/events/{mm}/meetings/{accepted}/follow-up", REGION_STAFF | {"own representative"},
        {"company_id": "{company}", "follow_up": "negotiating"}),
    "POST /events/{id}/meetings/{mid}/project": ("post", "/api/v1/events/{mm}/meetings/{accepted}/project",
                                                 REGION_STAFF, {}),
    "POST /events/{id}/meetings/{mid}/accept": ("post", "/api/v1/events/{mm}/meetings/{requested}/accept",
                                                REGION_STAFF | {"other representative"}, {}),
    "POST /events/{id}/meetings/{mid}/decline": ("post", "/api/v1/events/{mm}/meetings/{requested}/decline",
                                                 REGION_STAFF | {"other representative"}, {}),
    "POST /events/{id}/meetings": ("post", "/api/v1/events/{mm}/meetings", REGION_STAFF | {"own representative"},
                                   {"requester_id": "{company}", "invitee_id": "{guest}"}),
}

# The API's own names for the ids of the templates above.
API_PARAMETERS = {"{company}": "<int:company_id>", "{project}": "<int:project_id>", "{event}": "<int:event_id>",
                  "{mm}": "<int:event_id>",
                  "{accepted}": "<int:meeting_id>", "{requested}": "<int:meeting_id>"}


def test_every_api_write_route_has_a_rule(app):
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
              for method in rule.methods & {"POST", "PATCH", "PUT", "DELETE"}}
    written = set()
    for method, template, *_ in API_RULES.values():
        for name, parameter in API_PARAMETERS.items():
            template = template.replace(name, parameter)
        written.add((method.upper(), template))
    assert routes == written


def fill(value, ids):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if filled.isdigit() and value.startswith("{") and value != "{new_inn_uly}" else filled
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    return value


@pytest.mark.parametrize("role", ROLES)
def test_api_write_routes_admit_exactly_who_may(client, db, world, role):
    from tests.factories import valid_inn

    users, ids = world
    headers = {"Authorization": f"Bearer {create_token(users[role])}"} if role != "anonymous" else {}
    db.session.commit()
    for name, (method, template, allowed, body) in API_RULES.items():
        values = {**ids, "new_inn_uly": valid_inn("73")}
        before = audit_count(db)
        response = getattr(client, method)(template.format(**values), json=fill(body, values), headers=headers)
        if role in allowed:
            assert response.status_code < 400, f"{role} should be let through {name}: {response.json}"
        else:
            assert response.status_code in (401, 403), f"{role} must be refused {name}, got {response.status_code}"
            assert audit_count(db) == before, f"{name} changed something for {role}"


# --- Services: the one policy, whoever calls ------------------------------------------------------

def test_services_refuse_an_actor_the_policy_refuses(db, world):
    from registry.models import Company, Event, Introduction, Need, Project
    from registry.services import Forbidden, companies, events, introductions, needs, projects
    from tests.factories import valid_inn

    users, ids = world
    company, need, project, event, introduction, supplier = (
        db.session.get(model, ids[key]) for model, key in
        ((Company, "company"), (Need, "need"), (Project, "project"), (Event, "event"), (Introduction, "introduction"),
         (Company, "supplier")))
    other_official, representative = users["official of another region"], users["own representative"]
    refused = [
        lambda: companies.update_company(company, {"city": "Саранск"}, actor=other_official),
        lambda: companies.update_company(company, {"region": "RU-MO"}, actor=users["official of the region"]),
        lambda: companies.create_company({"inn": valid_inn("13"), "name": "ООО «Мордовская»", "region": "RU-MO"},
                                         actor=users["official of the region"]),
        lambda: companies.save_offer(company, text="Литьё", actor=other_official),
        lambda: companies.set_verification(company, "verified", actor=representative),
        lambda: needs.update_need(need, {"title": "Другое"}, actor=other_official),
        lambda: needs.set_status(need, "closed", actor=users["other representative"]),
        lambda: projects.change_stage(project, "agreement", actor=representative),
        lambda: projects.update_project(project, {"title": "Другое"}, actor=representative),
        lambda: companies.update_company(company, {"city": "Саранск"}, actor=None),  # nobody is not the system
        lambda: events.save_event({"title": "Своя ярмарка"}, actor=representative),
        lambda: events.save_event({"title": "Другое"}, event=event, actor=users["other representative"]),
        lambda: introductions.express_interest(need, supplier, actor=users["other representative"]),
        lambda: introductions.answer(introduction, "accepted", actor=users["other representative"]),
        lambda: introductions.post_message(introduction, "Здравствуйте", actor=users["other representative"]),
        lambda: introductions.start_project(introduction, actor=representative),
    ]
    for number, write in enumerate(refused):
        with pytest.raises(Forbidden):
            write()
            pytest.fail(f"write {number} was let through")
        db.session.rollback()


def test_the_system_actor_of_the_cli_may_do_everything(db, world):
    from registry.models import Company
    from registry.policy import SYSTEM
    from registry.services import companies

    users, ids = world
    company = db.session.get(Company, ids["company"])
    companies.update_company(company, {"region": "RU-MO"}, actor=SYSTEM)
    assert company.region.iso_code == "RU-MO"


# --- Import: the region rule per row --------------------------------------------------------------

def test_an_official_importing_another_regions_rows_is_refused_per_row_and_nothing_is_written(db, world):
    from registry.models import Company
    from registry.services import imports
    from tests.factories import valid_inn
    from tests.transfer.sheets import COMPANY_HEADERS, company_row, csv_bytes

    users, ids = world
    mordovian = make_company(region_iso="RU-MO", city="Саранск")
    own = db.session.get(Company, ids["company"])
    db.session.commit()
    before = db.session.scalar(select(func.count(Company.id)))
    rows = [company_row(1, inn=valid_inn("73")),  # row 2: own region, new: allowed
            company_row(2, inn=valid_inn("13"), region="RU-MO"),  # row 3: new firm of Mordovia
            company_row(3, inn=mordovian.inn, region="RU-MO", city="Рузаевка"),  # row 4: update a Mordovian firm
            company_row(4, inn=own.inn, region="RU-MO")]  # row 5: move an own firm to Mordovia
    report = imports.import_file(csv_bytes(COMPANY_HEADERS, rows), "firms.csv", update_existing=True,
                                 actor=users["official of the region"])
    assert not report.ok and not report.written
    assert sorted({problem.row for problem in report.problems}) == [3, 4, 5]
    assert all("Республика Мордовия" in str(problem.message) for problem in report.problems)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Company.id))) == before
    assert mordovian.city == "Саранск" and own.region.iso_code == "RU-ULY"
    # The administrator's import of the same file goes through.
    assert imports.import_file(csv_bytes(COMPANY_HEADERS, rows), "firms.csv", update_existing=True,
                               actor=users["admin"]).ok


def test_needs_and_projects_imports_apply_the_same_policy_per_row(db, world):
    from registry.models import Company, Need
    from registry.services import imports
    from tests.transfer.sheets import csv_bytes

    users, ids = world
    own = db.session.get(Company, ids["company"])
    mordovian = make_company(region_iso="RU-MO")
    make_need(mordovian, title="Сварка рам")
    db.session.commit()
    headers = ["ИНН предприятия", "Потребность", "Описание"]
    rows = [[own.inn, "Фрезерная обработка", "новое описание"],  # row 2: the own region's need
            [mordovian.inn, "Сварка рам", "чужой регион"]]  # row 3: another region's need, changed
    report = imports.import_file(csv_bytes(headers, rows), "needs.csv", update_existing=True,
                                 actor=users["official of the region"])
    assert [problem.row for problem in report.problems] == [3]
    db.session.rollback()
    assert db.session.scalar(select(Need.text).where(Need.company_id == mordovian.id)) == ""
    report = imports.import_file(csv_bytes(headers, rows[:1]), "needs.csv", update_existing=True,
                                 actor=users["own representative"])
    assert report.ok  # a representative may change the own firm's need, as on the web page
    db.session.rollback()
    projects = csv_bytes(["Проект", "Заказчики (ИНН)"], [["Проект представителя", own.inn]])
    report = imports.import_file(projects, "projects.csv", actor=users["own representative"])
    assert [problem.row for problem in report.problems] == [2]
