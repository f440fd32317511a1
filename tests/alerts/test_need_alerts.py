"""Alerts on new needs, through the app's real queue: the matching firm hears once, in its own language."""

from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Job, NeedAlert
from registry.policy import SYSTEM
from registry.services import matching, needs
from registry.services.users import create_token
from tests.alerts.conftest import MILLING_NEED, mails_to


def post_need(client, login, customer_rep, **changes) -> int:
    login(customer_rep)
    response = client.post(f"/needs/new?company_id={customer_rep.company_id}", data={**MILLING_NEED, **changes})
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def test_a_well_matching_firm_hears_of_a_need_once_and_no_one_else_does(app, client, login, firms, run_jobs):
    companies, people = firms
    need_id = post_need(client, login, people["customer"])
    run_jobs()
    [mail] = mails_to(people["good"])
    assert mail.subject == f"Новая потребность для {companies['good'].name}: {MILLING_NEED['title']}"
    assert "АО «Ульяновский приборный завод», Ульяновская область" in mail.body
    assert "Фрезерная обработка" in mail.body and "Почему подходит:" in mail.body
    assert f"http://127.0.0.1:5000/needs/{need_id}" in mail.body
    assert "http://127.0.0.1:5000/auth/notifications" in mail.body
    assert mails_to(people["poor"]) == [] and mails_to(people["customer"]) == []
    alert = db.session.scalar(select(NeedAlert).where(NeedAlert.company_id == companies["good"].id))
    assert alert.score > app.config["ALERT_MIN_SCORE"] and alert.reasons

    client.post(f"/needs/{need_id}/edit", data={**MILLING_NEED, "text": MILLING_NEED["text"] + " Срочно."})
    run_jobs()
    assert db.session.scalar(select(func.count(Job.id)).where(Job.kind == "need_alerts", Job.state == "done")) == 2
    assert len(mails_to(people["good"])) == 1  # the changed need does not alert the firm again
    assert db.session.scalar(select(func.count(NeedAlert.id))) == 1


def test_the_alert_names_what_the_need_page_shows(app, client, login, firms, run_jobs):
    companies, people = firms
    need_id = post_need(client, login, people["customer"])
    run_jobs()
    [mail] = mails_to(people["good"])
    page = client.get(f"/needs/{need_id}").text
    match = matching.explain_supplier(db.session.get(needs.Need, need_id), companies["good"])
    for reason in match.reasons:
        if reason.kind.startswith("capability"):
            assert reason.data["node_name_ru"] in page and reason.data["node_name_ru"] in mail.body


def test_the_mail_is_in_the_readers_language(client, login, firms, run_jobs):
    companies, people = firms
    people["good"].locale = "en"
    db.session.commit()
    post_need(client, login, people["customer"])
    run_jobs()
    [mail] = mails_to(people["good"])
    assert mail.subject.startswith(f"A new need for {companies['good'].name}")
    assert "Why it matches:" in mail.body and "Почему" not in mail.body


def test_a_need_reopened_alerts_only_firms_not_yet_alerted(client, login, firms, run_jobs):
    companies, people = firms
    need_id = post_need(client, login, people["customer"])
    run_jobs()
    need = db.session.get(needs.Need, need_id)
    needs.set_status(need, "closed", actor=SYSTEM)
    db.session.commit()
    needs.set_status(need, "open", actor=SYSTEM)
    db.session.commit()
    assert run_jobs() == 1  # reopening ranks the need again …
    assert len(mails_to(people["good"])) == 1  # … but the firm already heard of it


def test_unapproved_inactive_and_unwilling_representatives_get_nothing(client, login, firms, run_jobs):
    from tests.factories import make_user

    companies, people = firms
    others = [make_user("company", company=companies["good"], company_approved=False),
              make_user("company", company=companies["good"], active=False),
              make_user("company", company=companies["good"], need_alerts="off")]
    db.session.commit()
    post_need(client, login, people["customer"])
    run_jobs()
    assert len(mails_to(people["good"])) == 1
    assert all(mails_to(user) == [] for user in others)


def test_posting_through_the_api_only_queues_the_alert(app, client, firms, run_jobs, monkeypatch):
    companies, people = firms
    ranked = []
    real = matching.suppliers_for
    monkeypatch.setattr(matching, "suppliers_for", lambda *args, **kw: ranked.append(1) or real(*args, **kw))
    headers = {"Authorization": f"Bearer {create_token(people['customer'])}"}
    db.session.commit()
    response = client.post("/api/v1/needs", headers=headers, json={
        "company_id": companies["customer"].id, "title": MILLING_NEED["title"], "description": MILLING_NEED["text"]})
    assert response.status_code == 201
    assert ranked == [] and mails_to(people["good"]) == []
    queued = db.session.scalars(select(Job.kind).where(Job.state == "queued")).all()
    assert sorted(queued) == ["need_alerts", "region_alerts"]
    run_jobs()
    assert ranked and len(mails_to(people["good"])) == 1
