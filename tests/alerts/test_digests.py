"""Daily and weekly digests, officials' news of their region and reminders, run as the scheduler runs them."""

from datetime import date, timedelta

from sqlalchemy import select

from registry.extensions import db
from registry.models import Job, ProjectReminder
from registry.models.base import utcnow
from registry.policy import SYSTEM
from registry.services import needs
from registry.services.users import create_token
from tests.alerts.conftest import MILLING_NEED, mails_to
from tests.factories import make_company, make_project, make_user, region, valid_inn


def run_periodic(app, run_jobs, kind: str) -> Job:
    """What the worker's scheduler does at the job's hour: submit it, then the worker runs it."""
    app.extensions["jobs"].periodic[kind]()
    while run_jobs():
        pass
    job = db.session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id.desc())).first()
    db.session.refresh(job)
    assert job.state == "done", job.failure
    return job


def post_needs(customer, *titles):
    for title in titles:
        needs.create_need(customer, {**MILLING_NEED, "title": title}, actor=SYSTEM)
    db.session.commit()


def test_the_daily_mode_collects_the_days_alerts_into_one_digest(app, firms, run_jobs):
    companies, people = firms
    people["good"].need_alerts = "daily"
    people["good"].last_digest_at = utcnow() - timedelta(days=1)
    db.session.commit()
    post_needs(companies["customer"], "Фрезерная обработка корпусов на ЧПУ", "Фрезеровка крышек на станках с ЧПУ")
    run_jobs()
    assert mails_to(people["good"]) == []
    run_periodic(app, run_jobs, "daily_digest")
    [digest] = mails_to(people["good"])
    assert digest.subject == f"2 новые потребности для {companies['good'].name}"
    assert "«Фрезерная обработка корпусов на ЧПУ»" in digest.body and "«Фрезеровка крышек на станках с ЧПУ»" in digest.body
    assert digest.body.count("Почему подходит:") == 2
    run_periodic(app, run_jobs, "daily_digest")
    assert len(mails_to(people["good"])) == 1  # nothing new: nothing sent


def test_off_sends_nothing_at_once_or_in_a_digest(app, firms, run_jobs):
    companies, people = firms
    people["good"].need_alerts = "off"
    db.session.commit()
    post_needs(companies["customer"], "Фрезерная обработка корпусов на ЧПУ")
    run_jobs()
    run_periodic(app, run_jobs, "daily_digest")
    assert mails_to(people["good"]) == []


def test_officials_hear_of_their_regions_new_firms_and_needs_as_they_chose(app, client, run_jobs, firms):
    at_once = make_user("official", region=region("RU-MO"), region_alerts="immediate")
    daily = make_user("official", region=region("RU-MO"), region_alerts="daily",
                      last_digest_at=utcnow())  # the firms made before are old news
    elsewhere = make_user("official", region=region("RU-SAM"), region_alerts="immediate")
    headers = {"Authorization": f"Bearer {create_token(make_user('admin'))}"}
    db.session.commit()
    response = client.post("/api/v1/companies", headers=headers,
                           json={"inn": valid_inn("13"), "name": "ООО «Мордовский литейный завод»", "region": "RU-MO"})
    assert response.status_code == 201, response.text
    run_jobs()
    [news] = mails_to(at_once)
    assert news.subject == "Республика Мордовия: 1 новое предприятие"
    assert "ООО «Мордовский литейный завод»" in news.body
    assert f"http://127.0.0.1:5000/catalog/{response.get_json()['id']}" in news.body
    assert mails_to(daily) == [] and mails_to(elsewhere) == []
    post_needs(firms[0]["good"], "Литьё алюминиевых корпусов")
    run_periodic(app, run_jobs, "daily_digest")
    [digest] = mails_to(daily)
    assert digest.subject == "Республика Мордовия: 1 новое предприятие, 1 новая потребность"
    assert "«Литьё алюминиевых корпусов»" in digest.body and "Мордовский литейный завод" in digest.body


def test_a_past_due_next_step_is_reminded_once_per_due_date(app, run_jobs, db):
    official = make_user("official", region=region("RU-ULY"))
    project = make_project((make_company(), "customer"), title="Поставка оснастки", next_step="Согласовать чертежи",
                           next_step_due=date.today() - timedelta(days=2), responsible=official)
    make_project((make_company(), "customer"), title="Вовремя", next_step="Подписать договор",
                 next_step_due=date.today() + timedelta(days=3), responsible=official)
    db.session.commit()
    run_periodic(app, run_jobs, "reminders")
    [reminder] = mails_to(official)
    assert reminder.subject == "Срок следующего шага прошёл: Поставка оснастки"
    assert "Согласовать чертежи" in reminder.body and f"http://127.0.0.1:5000/projects/{project.id}" in reminder.body
    run_periodic(app, run_jobs, "reminders")
    assert len(mails_to(official)) == 1
    project.next_step_due = date.today() - timedelta(days=1)  # a new date, missed again
    db.session.commit()
    run_periodic(app, run_jobs, "reminders")
    assert len(mails_to(official)) == 2
    assert len(db.session.scalars(select(ProjectReminder)).all()) == 2


def test_the_weekly_digest_lists_the_officials_stalled_projects(app, run_jobs, db):
    official = make_user("official", region=region("RU-ULY"))
    unsubscribed = make_user("official", region=region("RU-ULY"), weekly_digest=False)
    late = make_project((make_company(region_iso="RU-ULY"), "customer"), title="Поставка оснастки",
                        next_step="Согласовать чертежи", next_step_due=date.today() - timedelta(days=5))
    quiet = make_project((make_company(region_iso="RU-MO"), "supplier"), title="Ремонт вагонов", responsible=official)
    make_project((make_company(region_iso="RU-ULY"), "customer"), title="Идёт как надо",
                 next_step_due=date.today() + timedelta(days=5))
    make_project((make_company(region_iso="RU-SAM"), "customer"), title="Чужой проект",
                 next_step_due=date.today() - timedelta(days=5))
    db.session.commit()
    quiet.updated_at = utcnow() - timedelta(days=45)
    db.session.commit()
    run_periodic(app, run_jobs, "weekly_digest")
    [digest] = mails_to(official)
    assert digest.subject == "2 проекта без движения на этой неделе"
    assert "«Поставка оснастки»" in digest.body and "Следующий шаг «Согласовать чертежи» был назначен на" in digest.body
    assert "«Ремонт вагонов»" in digest.body and "Нет изменений с" in digest.body
    assert f"http://127.0.0.1:5000/projects/{late.id}" in digest.body
    assert "Идёт как надо" not in digest.body and "Чужой проект" not in digest.body
    assert mails_to(unsubscribed) == []
