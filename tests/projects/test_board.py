"""The pipeline as a board, the stage rules every move obeys (form, board, API), and project tasks."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from registry.models import AuditEntry, Project, ProjectTask, StageChange
from registry.services import ServiceError, tasks
from registry.services import projects as project_service
from tests.factories import make_company, make_project, make_user, region
from tests.projects.query_counter import count_queries


def two_region_project(official=None, **values):
    supplier, customer = make_company(region_iso="RU-ULY"), make_company(region_iso="RU-MO")
    return make_project((supplier, "supplier"), (customer, "customer"), responsible=official, **values)


def stage_count() -> int:
    return select(func.count(StageChange.id))


# --- The stage rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["agreement", "implementation", "completed"])
def test_from_the_agreement_on_the_value_and_the_responsible_official_are_required(db, stage):
    official = make_user("official")
    project = two_region_project(stage="negotiation")
    with pytest.raises(ServiceError) as refused:
        project_service.change_stage(project, stage, actor=official)
    assert set(refused.value.errors) == {"value_rub", "responsible"}
    assert project.stage == "negotiation" and db.session.scalar(stage_count()) == 0

    project.value_rub, project.responsible = Decimal("1000"), official
    project_service.change_stage(project, stage, actor=official)
    assert project.stage == stage


def test_the_refusal_lists_only_what_is_missing(db):
    official = make_user("official")
    project = two_region_project(official, stage="negotiation")
    with pytest.raises(ServiceError) as refused:
        project_service.change_stage(project, "agreement", actor=official)
    assert set(refused.value.errors) == {"value_rub"}


def test_every_participant_needs_a_known_role(db):
    official = make_user("official")
    project = two_region_project(official, stage="negotiation", value_rub=Decimal("5"))
    project.participants[0].role = ""
    with pytest.raises(ServiceError) as refused:
        project_service.change_stage(project, "agreement", actor=official)
    assert set(refused.value.errors) == {"participants"}


def test_the_early_and_side_stages_need_no_value(db):
    official = make_user("official")
    project = two_region_project(stage="proposal")
    project_service.change_stage(project, "negotiation", actor=official)
    project_service.change_stage(project, "on_hold", note="Ждём бюджет", actor=official)
    assert [c.to_stage for c in project.stage_changes] == ["negotiation", "on_hold"]
    with pytest.raises(ServiceError) as refused:
        project_service.change_stage(project, "cancelled", actor=official)
    assert set(refused.value.errors) == {"note"}


def test_the_stage_form_shows_what_is_missing_in_russian(client, db, login):
    login(make_user("official"))
    project = two_region_project(stage="negotiation")
    db.session.commit()
    response = client.post(f"/projects/{project.id}/stage", data={"stage": "agreement"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "стоимость" in page and "ответственного сотрудника" in page
    db.session.expire_all()
    assert db.session.get(Project, project.id).stage == "negotiation"


# --- The board --------------------------------------------------------------------------------------


def test_the_board_shows_cards_in_stage_columns(client, db, login):
    official = login(make_user("official"))
    two_region_project(official, title="Валы для тележек", stage="agreement", value_rub=Decimal("1500000"),
                       next_step="Подписать договор", next_step_due=date(2030, 3, 1))
    two_region_project(title="Тихий проект", stage="on_hold")
    db.session.commit()
    page = client.get("/projects/board").get_data(as_text=True)
    agreement = page[page.index('data-stage="agreement"'):page.index('data-stage="implementation"')]
    assert "Валы для тележек" in agreement and "1\u00a0500\u00a0000\u00a0₽" in agreement
    assert "Ульяновская область → Республика Мордовия" in agreement
    assert "Подписать договор" in agreement and "1 мар. 2030" in agreement
    side = page[page.index('data-stage="on_hold"'):]
    assert "Тихий проект" in side and 'data-note-required="1"' in side
    assert "<script>" not in page and " style=" not in page  # the CSP allows neither


def test_the_board_marks_stalled_projects_and_keeps_the_filters(client, db, login):
    login(make_user("official"))
    late = two_region_project(title="Просроченный шаг", next_step_due=date.today() - timedelta(days=1))
    other = make_project((make_company(region_iso="RU-SAM"), "supplier"), title="Самарский проект")
    db.session.commit()
    page = client.get(f"/projects/board?supplier_region={region('RU-ULY').id}").get_data(as_text=True)
    assert "Самарский проект" not in page
    card = page[page.index(f'data-project-id="{late.id}"') - 80:]
    assert "stalled" in card[:200]
    assert other.id  # the filter, not an empty board, left it out
    assert 'action="/projects/board"' in page  # the pipeline's filter form, aimed at the board


def test_the_pipeline_links_to_the_board(client, db, login):
    login(make_user("official"))
    assert 'href="/projects/board' in client.get("/projects/?stalled=y").get_data(as_text=True)


def test_the_board_runs_the_same_number_of_queries_for_5_and_50_projects(client, db, login):
    official = login(make_user("official"))
    counts = []
    for total in (5, 50):
        while db.session.scalar(select(func.count(Project.id))) < total:
            stage = ("proposal", "negotiation", "agreement", "on_hold")[total % 4]
            two_region_project(official, value_rub=Decimal("1000"), stage=stage)
        db.session.commit()
        with count_queries(db.engine) as statements:
            response = client.get(f"/projects/board?customer_region={region('RU-MO').id}")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_a_board_move_answers_json_with_the_new_card(client, db, login):
    official = login(make_user("official"))
    project = two_region_project(official, stage="negotiation", value_rub=Decimal("10"))
    db.session.commit()
    response = client.post(f"/projects/{project.id}/stage", data={"stage": "agreement", "next": "/projects/board"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json["stage"] == "agreement"
    assert f'data-project-id="{project.id}"' in response.json["card"]

    refused = client.post(f"/projects/{project.id}/stage", data={"stage": "cancelled"},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 422 and "note" in refused.json["errors"] and refused.json["message"]
    db.session.expire_all()
    assert db.session.get(Project, project.id).stage == "agreement"


def test_the_no_script_form_returns_to_the_board(client, db, login):
    login(make_user("official"))
    project = two_region_project(stage="proposal")
    db.session.commit()
    response = client.post(f"/projects/{project.id}/stage", data={"stage": "negotiation", "next": "/projects/board?stalled=y"})
    assert response.status_code == 302 and response.headers["Location"] == "/projects/board?stalled=y"
    elsewhere = client.post(f"/projects/{project.id}/stage", data={"stage": "proposal", "next": "https://evil.example/"})
    assert elsewhere.headers["Location"] == f"/projects/{project.id}"


# --- Tasks -------------------------------------------------------------------------------------------


def test_the_first_open_task_is_the_next_step(db):
    official, colleague = make_user("official"), make_user("official")
    project = two_region_project(official)
    later = tasks.add_task(project, title="Подписать договор", due_on=date(2030, 5, 1), actor=official)
    assert later.owner is official  # the responsible official by default
    sooner = tasks.add_task(project, title="Согласовать чертежи", due_on=date(2030, 4, 1), owner=colleague,
                            actor=official)
    assert (project.next_step, project.next_step_due) == ("Согласовать чертежи", date(2030, 4, 1))
    tasks.complete_task(sooner, actor=colleague)
    assert sooner.done_at is not None
    assert (project.next_step, project.next_step_due) == ("Подписать договор", date(2030, 5, 1))
    tasks.complete_task(later, actor=official)
    assert (project.next_step, project.next_step_due) == ("", None)
    with pytest.raises(ServiceError):
        tasks.complete_task(later, actor=official)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == project.id)).all()
    assert actions.count("project.task") == 2 and actions.count("project.task_done") == 2


def test_a_task_needs_a_title_and_a_staff_owner(db):
    official = make_user("official")
    project = two_region_project(official)
    with pytest.raises(ServiceError) as refused:
        tasks.add_task(project, title="  ", owner=make_user("company"), actor=official)
    assert set(refused.value.errors) == {"title", "owner"}
    assert project.tasks == []
    with pytest.raises(ServiceError):  # only officials and administrators
        tasks.add_task(project, title="Позвонить", actor=make_user("company"))


def test_writing_the_next_step_edits_the_first_open_task(db):
    official = make_user("official")
    project = project_service.create_project(
        title="Оснастка", participants=[(make_company(), "customer")], actor=official, responsible=official,
        next_step="Созвон", next_step_due=date(2030, 1, 10))
    [task] = project.tasks
    assert (task.title, task.owner, task.due_on) == ("Созвон", official, date(2030, 1, 10))
    project_service.update_project(project, {"next_step": "Встреча", "next_step_due": date(2030, 2, 1)},
                                   actor=official)
    assert [(t.title, t.due_on) for t in project.tasks] == [("Встреча", date(2030, 2, 1))]
    assert (project.next_step, project.next_step_due) == ("Встреча", date(2030, 2, 1))
    project_service.update_project(project, {"next_step": ""}, actor=official)
    assert project.tasks == [] and project.next_step == ""


def test_overdue_reminders_read_the_task_date(app, db):
    from registry.services import alerts

    official = make_user("official")
    project = two_region_project(official)
    tasks.add_task(project, title="Отправить КП", due_on=date.today() - timedelta(days=2), actor=official)
    db.session.commit()
    assert alerts.send_reminders() == 1


def test_the_cabinet_lists_my_open_tasks_and_ticks_them_off(client, db, login):
    official = login(make_user("official"))
    project = two_region_project(official, title="Поставка штампов")
    task = tasks.add_task(project, title="Отправить коммерческое предложение", due_on=date.today() - timedelta(days=1),
                          actor=official)
    tasks.add_task(project, title="Чужая задача", owner=make_user("official"), actor=official)
    db.session.commit()
    page = client.get("/cabinet/").get_data(as_text=True)
    mine = page[page.index('id="tasks"'):page.index('id="verification"')]
    assert "Отправить коммерческое предложение" in mine and "Поставка штампов" in mine
    assert "Чужая задача" not in mine

    response = client.post(f"/projects/tasks/{task.id}/done", data={"next": "/cabinet/"})
    assert response.status_code == 302 and response.headers["Location"] == "/cabinet/"
    db.session.expire_all()
    assert db.session.get(ProjectTask, task.id).done_at is not None
    assert "Отправить коммерческое предложение" not in client.get("/cabinet/").get_data(as_text=True)


def test_tasks_are_added_on_the_project_page(client, db, login):
    official = login(make_user("official"))
    project = two_region_project(official)
    db.session.commit()
    response = client.post(f"/projects/{project.id}/tasks", data={"title": "Созвон", "due_on": "2030-06-01"})
    assert response.status_code == 302
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Созвон" in page[page.index('id="open-tasks"'):]
    refused = client.post(f"/projects/{project.id}/tasks", data={"title": ""})
    assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ProjectTask.id))) == 1
