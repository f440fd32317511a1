"""Importing needs and projects: companies found by INN, natural keys, stages, dates and values."""

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from registry.models import AuditEntry, Need, Project, StageChange
from registry.policy import SYSTEM
from registry.services import imports
from tests.factories import make_company, make_need, make_project, make_user, valid_inn
from tests.transfer.sheets import csv_bytes, xlsx_bytes

NEED_HEADERS = ["ИНН предприятия", "Потребность", "Описание", "Объём", "Срок", "ОКВЭД", "Компетенции"]
PROJECT_HEADERS = ["Проект", "Заказчики (ИНН)", "Поставщики (ИНН)", "Партнёры (ИНН)", "Стадия", "Стоимость, руб.",
                   "Следующий шаг", "Срок следующего шага", "Направление"]


def test_needs_are_created_for_companies_found_by_inn(db):
    company = make_company()
    db.session.commit()
    rows = [[company.inn, "Литьё алюминия", "Корпуса редукторов", "500 шт.", "31.12.2030", "24.53", "Литьё"],
            [company.inn, "Пресс-формы", "", "", date(2030, 6, 1), "", ""]]
    report = imports.import_file(xlsx_bytes(NEED_HEADERS, rows), "needs.xlsx", actor=SYSTEM)
    db.session.commit()
    assert report.ok and report.kind == "needs" and report.created == 2, report.lines()
    needs = db.session.scalars(select(Need).order_by(Need.id)).all()
    assert [(n.title, n.volume, n.deadline, n.status) for n in needs] == [
        ("Литьё алюминия", "500 шт.", date(2030, 12, 31), "open"), ("Пресс-формы", "", date(2030, 6, 1), "open")]
    assert [code.code for code in needs[0].okved_codes] == ["24.53"]
    assert needs[0].capabilities and needs[0].company_id == company.id


def test_bad_need_rows_are_reported(db):
    company = make_company()
    db.session.commit()
    rows = [["7300000001", "Что-то", "", "", "", "", ""],  # bad checksum
            [valid_inn(), "Что-то", "", "", "", "", ""],  # no such company
            [company.inn, "", "", "", "", "", ""],  # no title
            [company.inn, "Срок", "", "", "завтра", "", ""],
            [company.inn, "ОКВЭД", "", "", "", "00.00", ""],
            [company.inn, "Дважды", "", "", "", "", ""],
            [company.inn, "дважды ", "", "", "", "", ""]]
    report = imports.import_file(csv_bytes(NEED_HEADERS, rows), "needs.csv", actor=SYSTEM)
    assert [(p.row, p.column) for p in report.problems] == [
        (2, "ИНН предприятия"), (3, "ИНН предприятия"), (4, "Потребность"), (5, "Срок"), (6, "ОКВЭД"), (8, "Потребность")]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Need)) == 0


def test_a_need_again_updates_it_only_when_asked_and_only_what_differs(db):
    need = make_need(title="Литьё", volume="100 шт.")
    db.session.commit()
    row = [need.company.inn, "Литьё", "", "200 шт.", "", "", ""]
    refused = imports.import_file(xlsx_bytes(NEED_HEADERS, [row]), "needs.xlsx", actor=SYSTEM)
    assert [(p.row, p.column) for p in refused.problems] == [(2, "Потребность")]
    db.session.rollback()
    report = imports.import_file(xlsx_bytes(NEED_HEADERS, [row]), "needs.xlsx", update_existing=True, actor=SYSTEM)
    db.session.commit()
    assert (report.created, report.updated) == (0, 1)
    assert db.session.get(Need, need.id).volume == "200 шт."
    again = imports.import_file(xlsx_bytes(NEED_HEADERS, [row]), "needs.xlsx", update_existing=True, actor=SYSTEM)
    assert (again.updated, again.unchanged) == (0, 1)


def test_projects_with_participants_by_inn_stage_value_and_next_step(db):
    customer, supplier = make_company(region_iso="RU-ULY"), make_company(region_iso="RU-MO")
    db.session.commit()
    rows = [["Поставка оснастки", customer.inn, supplier.inn, "", "Переговоры", "1 250 000,50", "Встреча", "15.03.2030",
             "tooling"],
            ["Ремонт тележек", customer.inn, f"{supplier.inn}; {customer.inn}", "", "", "", "", "", ""]]
    report = imports.import_file(xlsx_bytes(PROJECT_HEADERS, rows), "projects.xlsx", actor=SYSTEM)
    db.session.commit()
    assert report.ok and report.kind == "projects" and report.created == 2, report.lines()
    first, second = db.session.scalars(select(Project).order_by(Project.id)).all()
    assert (first.stage, first.value_rub, first.next_step, first.next_step_due) == (
        "negotiation", Decimal("1250000.50"), "Встреча", date(2030, 3, 15))
    assert first.direction.code == "tooling"
    assert [(p.company_id, p.role) for p in first.participants] == [(customer.id, "customer"), (supplier.id, "supplier")]
    assert second.stage == "proposal" and len(second.participants) == 3


def test_bad_project_rows_are_reported(db):
    company = make_company()
    db.session.commit()
    rows = [["", company.inn, "", "", "", "", "", "", ""],
            ["Без участников", "", "", "", "", "", "", "", ""],
            ["Чужой ИНН", valid_inn(), "", "", "", "", "", "", ""],
            ["Стадия", company.inn, "", "", "Почти готово", "", "", "", ""],
            ["Стоимость", company.inn, "", "", "", "много", "", "", ""],
            ["Срок", company.inn, "", "", "", "", "", "вчера", ""],
            ["Направление", company.inn, "", "", "", "", "", "", "астрология"]]
    report = imports.import_file(xlsx_bytes(PROJECT_HEADERS, rows), "projects.xlsx", actor=SYSTEM)
    assert [(p.row, p.column) for p in report.problems] == [
        (2, "Проект"), (3, "Заказчики (ИНН)"), (4, "Заказчики (ИНН)"), (5, "Стадия"), (6, "Стоимость, руб."),
        (7, "Срок следующего шага"), (8, "Направление")]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0


def test_a_project_again_updates_stage_and_values_keeping_history(db):
    customer = make_company()
    # Its responsible official is set: from the agreement on a project needs one (the value comes with the row).
    project = make_project((customer, "customer"), title="Поставка", stage="negotiation", responsible=make_user("official"))
    db.session.commit()
    row = ["Поставка", customer.inn, "", "", "agreement", "1000", "", "", ""]
    report = imports.import_file(xlsx_bytes(PROJECT_HEADERS, [row]), "projects.xlsx", update_existing=True, actor=SYSTEM)
    db.session.commit()
    assert report.updated == 1, report.lines()
    project = db.session.get(Project, project.id)
    assert project.stage == "agreement" and project.value_rub == Decimal("1000.00")
    change = db.session.scalar(select(StageChange).where(StageChange.project_id == project.id))
    assert (change.from_stage, change.to_stage) == ("negotiation", "agreement")
    again = imports.import_file(xlsx_bytes(PROJECT_HEADERS, [row]), "projects.xlsx", update_existing=True, actor=SYSTEM)
    db.session.commit()
    assert (again.updated, again.unchanged) == (0, 1)
    assert db.session.scalar(select(func.count()).where(AuditEntry.action.in_(["project.update", "project.stage"]))) == 2


def test_english_stage_names_are_understood(db):
    company = make_company()
    db.session.commit()
    row = ["Project", company.inn, "", "", "Implementation", "", "", "", ""]
    report = imports.import_file(xlsx_bytes(PROJECT_HEADERS, [row]), "projects.xlsx", actor=SYSTEM)
    db.session.commit()
    assert report.ok and db.session.scalar(select(Project.stage)) == "implementation"
