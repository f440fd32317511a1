"""The governor's project report: sheets, columns, formats, print setup, stalled projects, region pairs."""

import io
from datetime import date, timedelta
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from registry.models import AuditEntry, StageChange
from registry.models.base import utcnow
from registry.services import reports
from tests.factories import make_company, make_project


def build(**period):
    stream = io.BytesIO()
    reports.build_report(stream, **period)
    return load_workbook(io.BytesIO(stream.getvalue()))


def column(sheet, title):
    return [row for row in sheet.iter_rows(values_only=True) if row and row[0] == title]


def seeded(db):
    uly, mo = make_company(region_iso="RU-ULY", name="ООО «Заказчик»"), make_company(region_iso="RU-MO", name="АО «Поставщик»")
    fresh = make_project((uly, "customer"), (mo, "supplier"), title="Оснастка", stage="negotiation",
                         value_rub=Decimal("2000000"), next_step="Договор", next_step_due=date.today() + timedelta(days=10))
    late = make_project((uly, "customer"), (mo, "supplier"), title="Тележки", stage="agreement",
                        value_rub=Decimal("500000.50"), next_step_due=date.today() - timedelta(days=1))
    old = make_project((mo, "customer"), (uly, "supplier"), title="Штампы", stage="proposal")
    old.updated_at = utcnow() - timedelta(days=45)
    done = make_project((uly, "customer"), title="Готово", stage="completed")
    done.updated_at = utcnow() - timedelta(days=90)
    fresh.stage_changes.append(StageChange(from_stage="proposal", to_stage="negotiation", note="встреча"))
    late.stage_changes.append(StageChange(from_stage="negotiation", to_stage="agreement",
                                          changed_at=utcnow() - timedelta(days=60)))
    db.session.commit()
    return fresh, late, old, done


def test_the_workbook_has_its_three_sheets_with_russian_headers(db):
    seeded(db)
    workbook = build()
    assert workbook.sheetnames == ["Сводка", "Проекты", "Смены стадий"]
    projects = workbook["Проекты"]
    assert [cell.value for cell in projects[1]] == [header for header, _ in reports.PROJECT_COLUMNS]
    assert projects.freeze_panes == "A2" and workbook["Смены стадий"].freeze_panes == "A2"
    assert [cell.value for cell in workbook["Смены стадий"][1]] == [header for header, _ in reports.CHANGE_COLUMNS]
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert projects.column_dimensions["B"].width == 44
    assert projects.print_title_rows == "$1:$1"


def test_the_project_list_has_participants_regions_stage_and_formats(db):
    seeded(db)
    sheet = build()["Проекты"]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    fresh = rows["Оснастка"]
    assert fresh[2].value == "Переговоры" and fresh[3].value == 2000000 and fresh[3].number_format == "#,##0.00"
    assert "ООО «Заказчик»" in fresh[4].value and "АО «Поставщик»" in fresh[5].value
    assert fresh[7].value == "Ульяновская область\nРеспублика Мордовия"
    assert fresh[9].value == "Договор" and fresh[10].number_format == "DD.MM.YYYY"
    assert len(rows) == 4


def test_the_summary_counts_stages_values_region_pairs_and_stalled_projects(db):
    seeded(db)
    sheet = build()["Сводка"]
    assert column(sheet, "Переговоры")[0][1:3] == (1, 2000000)
    assert column(sheet, "Соглашение")[0][1:3] == (1, 500000.5)
    assert column(sheet, "Итого")[0][1] == 4
    header = column(sheet, "Поставщик \\ Заказчик")[0]
    matrix = {row[0]: dict(zip(header[1:], row[1:], strict=False)) for row in sheet.iter_rows(values_only=True)
              if row[0] in ("Республика Мордовия", "Ульяновская область")}
    assert matrix["Республика Мордовия"]["Ульяновская область"] == 2
    assert matrix["Ульяновская область"]["Республика Мордовия"] == 1
    stalled = {row[0]: row[4] for row in sheet.iter_rows(values_only=True)
               if row[0] in ("Оснастка", "Тележки", "Штампы", "Готово")}
    assert set(stalled) == {"Тележки", "Штампы"}
    assert "срок следующего шага прошёл" in stalled["Тележки"] and "нет изменений" in stalled["Штампы"]


def test_stage_changes_are_those_of_the_period(db):
    seeded(db)
    rows = list(build()["Смены стадий"].iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[2], row[3], row[4]) for row in rows] == [("Оснастка", "Предложение", "Переговоры", "встреча")]
    rows = list(build(start=date.today() - timedelta(days=90), end=date.today())["Смены стадий"].iter_rows(
        min_row=2, values_only=True))
    assert [row[1] for row in rows] == ["Тележки", "Оснастка"]
    assert list(build(start=date(2001, 1, 1), end=date(2001, 12, 31))["Смены стадий"].iter_rows(min_row=2)) == []


def test_cli_report_and_its_audit_entry(runner, db, tmp_path):
    seeded(db)
    path = tmp_path / "report.xlsx"
    result = runner.invoke(args=["report", "projects", "-o", str(path), "--from", "2020-01-01", "--to", "31.12.2040"])
    assert result.exit_code == 0, result.output
    assert load_workbook(path).sheetnames == ["Сводка", "Проекты", "Смены стадий"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.project_report"))
    assert entry.changes["start"] == "2020-01-01" and entry.changes["end"] == "2040-12-31"
    bad = runner.invoke(args=["report", "projects", "-o", str(path), "--from", "2030-01-01", "--to", "2020-01-01"])
    assert bad.exit_code != 0
