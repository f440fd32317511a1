from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from registry.models import AuditEntry, Project, StageChange
from registry.models.base import utcnow
from tests.factories import capability, make_company, make_project, make_user, region
from tests.projects.query_counter import count_queries


def two_region_project(official=None, **values):
    supplier = make_company(region_iso="RU-ULY")
    customer = make_company(region_iso="RU-MO")
    values.setdefault("direction", capability("metalworking.turning"))
    return make_project((supplier, "supplier"), (customer, "customer"), responsible=official, **values)


def test_pipeline_runs_the_same_number_of_queries_for_5_and_50_projects(client, db, login):
    official = login(make_user("official"))
    counts = []
    for total in (5, 50):
        while db.session.scalar(select(func.count(Project.id))) < total:
            two_region_project(official, value_rub=Decimal("1000"))
        db.session.commit()
        with count_queries(db.engine) as statements:
            response = client.get(f"/projects/?supplier_region={region('RU-ULY').id}")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_pipeline_groups_by_stage_and_shows_russian_counts_and_roubles(client, db, login):
    login(make_user("official"))
    two_region_project(title="Валы для тележек", stage="agreement", value_rub=Decimal("1500000"))
    two_region_project(title="Кронштейны", stage="negotiation")
    db.session.commit()
    page = client.get("/projects/").get_data(as_text=True)
    assert "Найдено 2 проекта" in page
    assert "Соглашение" in page and "Переговоры" in page
    assert "1\u00a0500\u00a0000\u00a0₽" in page
    assert "Ульяновская область → Республика Мордовия" in page
    # negotiation comes before agreement in the pipeline
    assert page.index("Кронштейны") < page.index("Валы для тележек")


def test_pipeline_filters_by_region_pair_direction_and_official(client, db, login):
    official = login(make_user("official"))
    other = make_user("official")
    two_region_project(official, title="Из Ульяновска в Саранск")
    make_project((make_company(region_iso="RU-MO"), "supplier"), (make_company(region_iso="RU-ULY"), "customer"),
                 title="Из Саранска в Ульяновск", direction=capability("casting"), responsible=other)
    db.session.commit()
    uly, mo = region("RU-ULY").id, region("RU-MO").id

    page = client.get(f"/projects/?supplier_region={uly}&customer_region={mo}").get_data(as_text=True)
    assert "Из Ульяновска в Саранск" in page and "Из Саранска в Ульяновск" not in page

    # a parent direction finds projects on its child nodes
    page = client.get(f"/projects/?direction={capability('metalworking').id}").get_data(as_text=True)
    assert "Из Ульяновска в Саранск" in page and "Из Саранска в Ульяновск" not in page

    page = client.get(f"/projects/?responsible={other.id}").get_data(as_text=True)
    assert "Из Саранска в Ульяновск" in page and "Из Ульяновска в Саранск" not in page


def test_stalled_projects_are_marked_in_the_list(client, db, login):
    login(make_user("official"))
    long_ago = utcnow() - timedelta(days=45)
    quiet = two_region_project(title="Тихий проект")
    late = two_region_project(title="Просроченный шаг", next_step_due=utcnow().date() - timedelta(days=1))
    fresh = two_region_project(title="Живой проект", next_step_due=utcnow().date() + timedelta(days=5))
    done = two_region_project(title="Давно завершён", stage="completed")
    db.session.flush()
    quiet.updated_at = long_ago
    done.updated_at = long_ago
    db.session.commit()

    page = client.get("/projects/").get_data(as_text=True)
    stalled_rows = {p.id for p in (quiet, late, fresh, done) if f'stalled" data-project-id="{p.id}"' in page}
    assert stalled_rows == {quiet.id, late.id}

    only_stalled = client.get("/projects/?stalled=y").get_data(as_text=True)
    assert "Тихий проект" in only_stalled and "Живой проект" not in only_stalled


def test_official_changes_a_stage_and_the_history_shows_who_and_when(client, db, login):
    official = login(make_user("official", email="steer@example.org"))
    project = two_region_project(official, stage="negotiation", value_rub=Decimal("1000"))
    db.session.commit()

    response = client.post(f"/projects/{project.id}/stage", data={"stage": "agreement", "note": "Подписали протокол"})
    assert response.status_code == 302

    db.session.expire_all()
    assert db.session.get(Project, project.id).stage == "agreement"
    change = db.session.scalar(select(StageChange).where(StageChange.project_id == project.id))
    assert (change.from_stage, change.to_stage, change.actor_id) == ("negotiation", "agreement", official.id)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    history = page[page.index('id="stage-history"'):]
    assert "steer@example.org" in history
    assert "Переговоры" in history and "Соглашение" in history and "Подписали протокол" in history
    assert change.changed_at.strftime("%y") in history  # the date is shown
    assert "Стадия проекта изменена" in page  # in the audit history too


@pytest.mark.parametrize("stage", ["on_hold", "cancelled"])
def test_a_note_is_required_to_put_a_project_on_hold_or_cancel_it(client, db, login, stage):
    login(make_user("official"))
    project = two_region_project(stage="negotiation")
    db.session.commit()

    response = client.post(f"/projects/{project.id}/stage", data={"stage": stage, "note": "  "})

    assert response.status_code == 400
    assert "Укажите причину перевода на эту стадию." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Project, project.id).stage == "negotiation"
    assert db.session.scalar(select(func.count(StageChange.id))) == 0


def test_official_creates_a_project_with_participants_by_inn_and_name(client, db, login):
    login(make_user("official"))
    supplier = make_company(region_iso="RU-ULY")
    customer = make_company(region_iso="RU-MO", inn=None, name="Саранский приборостроительный завод")
    db.session.commit()

    response = client.post("/projects/new", data={
        "title": "Корпуса приборов", "stage": "proposal", "value_rub": "2 500 000,50",
        "suppliers": supplier.inn, "customers": "Саранский приборостроительный завод\n",
        "next_step_due": "2030-03-01",
    })

    assert response.status_code == 302
    project = db.session.scalar(select(Project).where(Project.title == "Корпуса приборов"))
    assert project.value_rub == Decimal("2500000.50")
    assert sorted((p.company_id, p.role) for p in project.participants) == sorted(
        [(supplier.id, "supplier"), (customer.id, "customer")])
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.entity_id == project.id)) == "project.create"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2\u00a0500\u00a0000,50\u00a0₽" in page
    assert "1 марта 2030" in page


def test_unknown_participant_is_refused_in_russian_and_nothing_is_created(client, db, login):
    login(make_user("official"))
    db.session.commit()
    response = client.post("/projects/new", data={"title": "Призрак", "stage": "proposal", "suppliers": "7300000000"})
    assert response.status_code == 400
    assert "Не найдено предприятие с таким ИНН или названием: 7300000000" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Project.id))) == 0


def test_every_problem_of_the_project_form_shows_at_once(client, db, login):
    """An unknown participant (the form's check) and a negative value (the service's) in one answer."""
    login(make_user("official"))
    db.session.commit()
    response = client.post("/projects/new", data={"title": "Призрак", "stage": "proposal", "suppliers": "7300000000",
                                                  "value_rub": "-100"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Не найдено предприятие" in page and "Стоимость не может быть отрицательной" in page
    assert db.session.scalar(select(func.count(Project.id))) == 0


def test_editing_a_project_is_kept_in_its_history(client, db, login):
    login(make_user("official", email="editor@example.org"))
    project = two_region_project(title="Старое название")
    suppliers = [p.company for p in project.participants if p.role == "supplier"]
    partner = make_company()
    db.session.commit()

    form = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    assert suppliers[0].inn in form  # participants come prefilled, by INN
    response = client.post(f"/projects/{project.id}/edit", data={
        "title": "Новое название", "value_rub": "300000", "suppliers": suppliers[0].inn, "partners": partner.inn,
    })

    assert response.status_code == 302
    db.session.expire_all()
    project = db.session.get(Project, project.id)
    assert project.title == "Новое название"
    assert sorted(p.role for p in project.participants) == ["partner", "supplier"]
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    audit = page[page.index('id="audit-history"'):]
    assert "Проект изменён" in audit and "editor@example.org" in audit and "Новое название" in audit


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    project = two_region_project()
    db.session.commit()
    for url in ("/projects/", f"/projects/{project.id}", "/projects/new", f"/projects/{project.id}/edit"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url
    response = client.post(f"/projects/{project.id}/stage", data={"stage": "agreement"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).stage == "negotiation"


def test_company_representatives_may_not_open_or_change_projects(client, db, login):
    representative = login(make_user("company"))
    project = two_region_project()
    project.participants[0].company = representative.company  # even their own company's project
    db.session.commit()

    for url in ("/projects/", f"/projects/{project.id}", "/projects/new", f"/projects/{project.id}/edit"):
        assert client.get(url).status_code == 403, url
    writes = [
        (f"/projects/{project.id}/stage", {"stage": "agreement"}),
        (f"/projects/{project.id}/edit", {"title": "Чужое"}),
        ("/projects/new", {"title": "Чужое", "stage": "proposal", "suppliers": representative.company.inn}),
    ]
    for url, data in writes:
        assert client.post(url, data=data).status_code == 403, url
    db.session.expire_all()
    assert db.session.get(Project, project.id).stage == "negotiation"
    assert db.session.scalar(select(func.count(Project.id))) == 1
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_unknown_project_is_a_russian_404(client, db, login):
    login(make_user("admin"))
    response = client.get("/projects/999999")
    assert response.status_code == 404
    assert "Страница не найдена" in response.get_data(as_text=True)
