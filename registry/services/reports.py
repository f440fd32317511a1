"""The project report for the governor's office: one XLSX workbook that prints as it is.

Sheets: «Сводка» (projects and value by stage, the supplier region → customer region matrix, stalled
projects), «Проекты» (every project with participants, regions, stage, next step and due date) and
«Смены стадий» (stage changes in the chosen period). Headers are Russian whatever the reader's
language: the report goes upward as a document.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO

from flask import current_app
from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from registry.extensions import db
from registry.i18n import local_zone  # days in the report are the registry's days, not UTC ones
from registry.labels import STAGE_LABELS
from registry.models import Company, Project, ProjectParticipant, StageChange
from registry.models.base import utcnow
from registry.models.project import CLOSED_STAGES, STAGES
from registry.services import audit
from registry.services.cells import neutralise

SUMMARY, PROJECTS, CHANGES = "Сводка", "Проекты", "Смены стадий"
PROJECT_COLUMNS = (  # header, width
    ("№", 6), ("Проект", 44), ("Стадия", 16), ("Стоимость, руб.", 18), ("Заказчики", 36), ("Поставщики", 36),
    ("Партнёры", 30), ("Регионы", 32), ("Направление", 26), ("Следующий шаг", 40), ("Срок", 12),
    ("Ответственный", 26), ("Изменён", 12),
)
CHANGE_COLUMNS = (("Дата", 12), ("Проект", 44), ("Было", 16), ("Стало", 16), ("Примечание", 50), ("Кто", 28))
DATE_FORMAT, MONEY_FORMAT = "DD.MM.YYYY", "#,##0.00"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass
class Period:
    start: date
    end: date

    @classmethod
    def around(cls, start: date | None, end: date | None) -> Period:
        """The period asked for; without dates, the last 30 days up to today."""
        end = end or date.today()
        return cls(start or end - timedelta(days=30), end)


def stalled_reason(project: Project, today: date, after_days: int) -> str | None:
    """Why an open project counts as stalled, or None: no change for `after_days`, or its next step is late."""
    if project.stage in CLOSED_STAGES:
        return None
    if project.next_step_due and project.next_step_due < today:
        return f"срок следующего шага прошёл {project.next_step_due:%d.%m.%Y}"
    if project.updated_at and (today - project.updated_at.date()).days >= after_days:
        return f"нет изменений с {project.updated_at:%d.%m.%Y}"
    return None


def build_report(stream: IO[bytes], *, start: date | None = None, end: date | None = None, actor=None) -> Period:
    """Writes the workbook to `stream` and records it in the audit log."""
    period = Period.around(start, end)
    projects = db.session.scalars(select(Project).order_by(Project.id).options(
        selectinload(Project.participants).joinedload(ProjectParticipant.company).joinedload(Company.region),
        joinedload(Project.direction), joinedload(Project.responsible))).unique().all()
    zone = local_zone()
    since = datetime.combine(period.start, time.min, zone)
    until = datetime.combine(period.end + timedelta(days=1), time.min, zone)
    changes = db.session.scalars(
        select(StageChange).where(StageChange.changed_at >= since, StageChange.changed_at < until)
        .order_by(StageChange.changed_at, StageChange.id)
        .options(joinedload(StageChange.project), joinedload(StageChange.actor))).all()
    workbook = Workbook()
    with force_locale("ru"):
        _summary_sheet(workbook.active, projects, period)
        _projects_sheet(workbook.create_sheet(PROJECTS), projects)
        _changes_sheet(workbook.create_sheet(CHANGES), changes)
    for sheet in workbook.worksheets:
        _print_setup(sheet)
    workbook.save(stream)
    audit.record(actor, "export.project_report", None, file="projects-report.xlsx", rows=len(projects),
                 start=period.start.isoformat(), end=period.end.isoformat())
    db.session.flush()
    return period


def _stage(code: str | None) -> str:
    return str(STAGE_LABELS.get(code, code or ""))


def _summary_sheet(sheet, projects: list[Project], period: Period) -> None:
    sheet.title = SUMMARY
    today = date.today()
    _append(sheet, ["Отчёт о проектах межрегиональной кооперации"])
    sheet["A1"].font = TITLE
    _append(sheet, [f"Период смен стадий: {period.start:%d.%m.%Y} – {period.end:%d.%m.%Y}; "
                  f"сформирован {utcnow().astimezone(local_zone()):%d.%m.%Y %H:%M}"])
    _append(sheet, [])

    _append(sheet, ["Проекты по стадиям"])
    sheet.cell(sheet.max_row, 1).font = BOLD
    _header(sheet, ["Стадия", "Проектов", "Стоимость, руб."])
    counts, values = Counter(), defaultdict(Decimal)
    for project in projects:
        counts[project.stage] += 1
        values[project.stage] += project.value_rub or Decimal(0)
    for stage in STAGES:
        _append(sheet, [_stage(stage), counts[stage], values[stage]])
        sheet.cell(sheet.max_row, 3).number_format = MONEY_FORMAT
    _append(sheet, ["Итого", len(projects), sum(values.values(), Decimal(0))])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    sheet.cell(sheet.max_row, 3).number_format = MONEY_FORMAT
    _append(sheet, [])

    _append(sheet, ["Регионы: поставщик → заказчик (число проектов)"])
    sheet.cell(sheet.max_row, 1).font = BOLD
    pairs = region_pairs(projects)
    suppliers = sorted({supplier for supplier, _ in pairs})
    customers = sorted({customer for _, customer in pairs})
    if pairs:
        _header(sheet, ["Поставщик \\ Заказчик", *customers])
        for supplier in suppliers:
            _append(sheet, [supplier, *[pairs.get((supplier, customer)) or None for customer in customers]])
    else:
        _append(sheet, ["Нет проектов, где есть и поставщик, и заказчик."])
    _append(sheet, [])

    after_days = current_app.config.get("STALLED_AFTER_DAYS", 30)
    _append(sheet, [f"Застопорившиеся проекты (нет изменений {after_days} дней или прошёл срок следующего шага)"])
    sheet.cell(sheet.max_row, 1).font = BOLD
    _header(sheet, ["Проект", "Стадия", "Изменён", "Срок следующего шага", "Причина"])
    stalled = [(project, reason) for project in projects
               if (reason := stalled_reason(project, today, after_days))]
    for project, reason in stalled:
        _append(sheet, [project.title, _stage(project.stage), project.updated_at.date() if project.updated_at else None,
                      project.next_step_due, reason])
        for column in (3, 4):
            sheet.cell(sheet.max_row, column).number_format = DATE_FORMAT
    if not stalled:
        _append(sheet, ["Таких проектов нет."])
    widths = [44, 16, 18, 20, 40] + [18] * max(0, len(customers) - 4)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def region_pairs(projects: list[Project]) -> dict[tuple[str, str], int]:
    """(supplier region, customer region) -> number of projects linking them."""
    pairs: Counter = Counter()
    for project in projects:
        suppliers = {p.company.region.name_ru for p in project.participants if p.role == "supplier"}
        customers = {p.company.region.name_ru for p in project.participants if p.role == "customer"}
        for pair in {(s, c) for s in suppliers for c in customers}:
            pairs[pair] += 1
    return dict(pairs)


def _projects_sheet(sheet, projects: list[Project]) -> None:
    _header(sheet, [header for header, _ in PROJECT_COLUMNS])
    for number, project in enumerate(projects, start=1):
        def names(role, project=project):
            return "\n".join(f"{p.company.name} ({p.company.inn})" if p.company.inn else p.company.name
                             for p in project.participants if p.role == role)

        regions = "\n".join(dict.fromkeys(p.company.region.name_ru for p in project.participants))
        _append(sheet, [number, project.title, _stage(project.stage), project.value_rub, names("customer"),
                      names("supplier"), names("partner"), regions,
                      project.direction.name_ru if project.direction else "", project.next_step, project.next_step_due,
                      project.responsible.email if project.responsible else "",
                      project.updated_at.date() if project.updated_at else None])
        row = sheet[sheet.max_row]
        for cell in row:
            cell.alignment = WRAP
        row[3].number_format = MONEY_FORMAT
        row[10].number_format = row[12].number_format = DATE_FORMAT
    _widths(sheet, PROJECT_COLUMNS)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(PROJECT_COLUMNS))}{max(sheet.max_row, 1)}"


def _changes_sheet(sheet, changes: list[StageChange]) -> None:
    _header(sheet, [header for header, _ in CHANGE_COLUMNS])
    for change in changes:
        _append(sheet, [change.changed_at.astimezone(local_zone()).date(), change.project.title, _stage(change.from_stage),
                      _stage(change.to_stage), change.note, change.actor.email if change.actor else ""])
        row = sheet[sheet.max_row]
        row[0].number_format = DATE_FORMAT
        for cell in row:
            cell.alignment = WRAP
    _widths(sheet, CHANGE_COLUMNS)
    sheet.freeze_panes = "A2"


def _append(sheet, values) -> None:
    """Every row goes through the exports' neutraliser: titles and names are input, never formulas."""
    sheet.append([neutralise(value) for value in values])


def _header(sheet, headers: list[str]) -> None:
    _append(sheet, headers)
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(sheet, columns) -> None:
    for index, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _print_setup(sheet) -> None:
    """Landscape A4, one page wide, the header row repeated on every printed page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    if sheet.title != SUMMARY:
        sheet.print_title_rows = "1:1"

