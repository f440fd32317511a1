"""Every write route of the web pages, walked with every role: who may, and who is refused without
anything changing. A new write route fails this test until its rule is written down here."""

import pytest
from sqlalchemy import func, select

from registry.models import AuditEntry, CapabilityOffer, Event, Introduction, Job
from tests.factories import make_company, make_need, make_project, make_user, region

ROLES = ("anonymous", "own representative", "other representative", "official of the region",
         "official of another region", "admin")
STAFF = {"official of the region", "official of another region", "admin"}
COMPANY_EDITORS = {"own representative", "official of the region", "admin"}
REGION_STAFF = {"official of the region", "admin"}
LOGGED_IN = set(ROLES) - {"anonymous"}
OPEN_TO_ALL = {"auth.login", "auth.logout", "auth.register", "auth.request_reset", "auth.reset", "main.set_language"}

# endpoint -> (url template, who may[, form data])
RULES = {
    "catalog.edit": ("/catalog/{company}/edit", COMPANY_EDITORS),
    "catalog.edit_contacts": ("/catalog/{company}/contacts", COMPANY_EDITORS),
    "catalog.edit_offer": ("/catalog/{company}/offers/{offer}/edit", COMPANY_EDITORS),
    "catalog.edit_offer:new": ("/catalog/{company}/offers/new", COMPANY_EDITORS),
    "catalog.delete_offer": ("/catalog/{company}/offers/{offer}/delete", COMPANY_EDITORS),
    "catalog.verify": ("/catalog/{company}/verification", REGION_STAFF),
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
    "events.create": ("/events/new", STAFF),
    "events.edit": ("/events/{event}/edit", STAFF),
    "transfer.upload": ("/transfer/import", STAFF),
    "transfer.confirm": ("/transfer/import/{token}", STAFF),
    "transfer.export": ("/transfer/export/companies.csv", STAFF),
    "transfer.project_report": ("/transfer/report/projects.xlsx", STAFF),
    "auth.approve": ("/auth/representatives/{pending}/approve", REGION_STAFF),
    "auth.change_password": ("/auth/password", LOGGED_IN),
    "auth.notifications": ("/auth/notifications", LOGGED_IN),
    "auth.edit_user": ("/auth/users/{pending}", {"admin"}),
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
    project = make_project((own, "customer"), (other, "supplier"))
    event = Event(title="Круглый стол")
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
    db.session.commit()
    ids = {"company": own.id, "offer": offer.id, "need": need.id, "project": project.id, "event": event.id,
           "introduction": introduction.id, "pending": pending.id, "token": "0" * 32, "supplier": supplier.id}
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
