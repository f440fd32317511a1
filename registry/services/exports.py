"""Exports of companies (the catalogue's filtered view), needs and projects to XLSX and CSV.

Columns carry the import's Russian headers, so an exported file imports back as it is. Every text cell
that a spreadsheet program would run as a formula (it starts with =, +, -, @, a tab or a carriage
return) gets a leading quote. Rows are read with a fixed number of queries (one per table) and
streamed into the file, so 100,000 companies export in seconds.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from sqlalchemy import Select, func, select

from registry.catalog.queries import CatalogFilters, company_query
from registry.extensions import db
from registry.labels import NEED_STATUS_LABELS, STAGE_LABELS, VERIFICATION_LABELS
from registry.models import (
    Capability,
    CapabilityOffer,
    Company,
    CompanyOkved,
    Contact,
    Need,
    Project,
    ProjectParticipant,
    Region,
    need_capability,
    need_okved,
)
from registry.services import ServiceError, audit
from registry.services.cells import neutralise
from registry.services.imports import FORMATS, KINDS
from registry.translation import lazy_gettext as _l

DATE_FORMAT = "DD.MM.YYYY"
MONEY_FORMAT = "#,##0.00"
CSV_DELIMITER = ";"  # what Russian Excel writes and reads


# --- filters -------------------------------------------------------------------------------------

TRUE_WORDS = {"1", "true", "yes", "on", "y"}


def chosen_companies(args) -> Select:
    """Ids of the companies the catalogue page shows for the same query-string filters: region (ISO
    code), district, q (words in any form), capability (node code, its subtree included), okved (code or
    group), verified. One filter for the page, the API and the export."""
    filters = CatalogFilters(
        q=(args.get("q") or "").strip(), region=(args.get("region") or "").strip().upper(),
        district=(args.get("district") or "").strip(), capability=(args.get("capability") or "").strip(),
        okved=(args.get("okved") or "").strip(),
        verified_only=str(args.get("verified") or "").strip().lower() in TRUE_WORDS,
    )
    return company_query(filters).with_only_columns(Company.id).order_by(None)


COMPANY_HEADERS = ("ИНН", "Наименование", "Регион", "Город", "ОКВЭД", "Компетенции", "Описание", "Сайт",
                   "Контактное лицо", "Должность", "Телефон", "Email", "ОГРН", "Численность", "Проверено")
NEED_HEADERS = ("ИНН предприятия", "Предприятие", "Регион", "Потребность", "Описание", "Объём", "Срок",
                "ОКВЭД", "Компетенции", "Статус")
PROJECT_HEADERS = ("Проект", "Стадия", "Заказчики (ИНН)", "Поставщики (ИНН)", "Партнёры (ИНН)", "Участники",
                   "Регионы", "Стоимость, руб.", "Следующий шаг", "Срок следующего шага", "Направление",
                   "Описание", "Изменён")


def company_rows(args=None):
    chosen = chosen_companies(args or {})
    okveds, offers, contacts = defaultdict(list), defaultdict(list), {}
    query = (select(CompanyOkved.company_id, CompanyOkved.okved_code).where(CompanyOkved.company_id.in_(chosen))
             .order_by(CompanyOkved.company_id, CompanyOkved.is_main.desc(), CompanyOkved.okved_code))
    for company_id, code in db.session.execute(query):
        okveds[company_id].append(code)
    query = (select(CapabilityOffer.company_id, CapabilityOffer.text).where(CapabilityOffer.company_id.in_(chosen))
             .order_by(CapabilityOffer.id))
    for company_id, text in db.session.execute(query):
        if text:
            offers[company_id].append(text)
    query = (select(Contact.company_id, Contact.name, Contact.position, Contact.phone, Contact.email)
             .where(Contact.company_id.in_(chosen)).order_by(Contact.id))
    for company_id, *person in db.session.execute(query):
        contacts.setdefault(company_id, person)
    verification = {code: str(text) for code, text in VERIFICATION_LABELS.items()}
    query = (select(Company.id, Company.inn, Company.name, Region.name_ru, Company.city, Company.description,
                    Company.website, Company.ogrn, Company.employees, Company.verification)
             .join(Region, Company.region_id == Region.id).where(Company.id.in_(chosen)).order_by(Company.name, Company.id))
    for (company_id, inn, name, region, city, description, website, ogrn, employees,
         state) in db.session.execute(query).yield_per(2000):
        person = contacts.get(company_id) or ("", "", "", "")
        yield [inn, name, region, city, "; ".join(okveds[company_id]), "; ".join(offers[company_id]), description,
               website, *person, ogrn, employees, verification.get(state, state)]


def need_conditions(args) -> list:
    conditions = []
    if args.get("status"):
        conditions.append(Need.status == args["status"])
    if args.get("region"):
        conditions.append(Need.company_id.in_(select(Company.id).join(Region, Company.region_id == Region.id)
                                              .where(Region.iso_code == str(args["region"]).upper())))
    return conditions


def need_rows(args=None):
    conditions = need_conditions(args or {})
    chosen = select(Need.id).where(*conditions)
    okveds, nodes = defaultdict(list), defaultdict(list)
    for need_id, code in db.session.execute(select(need_okved.c.need_id, need_okved.c.okved_code)
                                            .where(need_okved.c.need_id.in_(chosen)).order_by(need_okved.c.okved_code)):
        okveds[need_id].append(code)
    query = (select(need_capability.c.need_id, Capability.name_ru)
             .join(Capability, Capability.id == need_capability.c.capability_id)
             .where(need_capability.c.need_id.in_(chosen)).order_by(Capability.position))
    for need_id, name in db.session.execute(query):
        nodes[need_id].append(name)
    statuses = {code: str(text) for code, text in NEED_STATUS_LABELS.items()}
    query = (select(Need.id, Company.inn, Company.name, Region.name_ru, Need.title, Need.text, Need.volume,
                    Need.deadline, Need.status)
             .join(Company, Need.company_id == Company.id).join(Region, Company.region_id == Region.id)
             .where(*conditions).order_by(Need.id))
    for need_id, inn, company, region, title, text, volume, deadline, status in db.session.execute(query).yield_per(2000):
        yield [inn, company, region, title, text, volume, deadline, "; ".join(okveds[need_id]),
               "; ".join(nodes[need_id]), statuses.get(status, status)]


def project_conditions(args) -> list:
    return [Project.stage == args["stage"]] if args.get("stage") else []


def project_rows(args=None):
    conditions = project_conditions(args or {})
    chosen = select(Project.id).where(*conditions)
    people = defaultdict(list)
    query = (select(ProjectParticipant.project_id, ProjectParticipant.role, Company.inn, Company.name, Region.name_ru)
             .join(Company, ProjectParticipant.company_id == Company.id).join(Region, Company.region_id == Region.id)
             .where(ProjectParticipant.project_id.in_(chosen)).order_by(ProjectParticipant.id))
    for project_id, role, inn, name, region in db.session.execute(query):
        people[project_id].append((role, inn or "", name, region))
    stages = {code: str(text) for code, text in STAGE_LABELS.items()}
    query = (select(Project.id, Project.title, Project.stage, Project.value_rub, Project.next_step, Project.next_step_due,
                    Capability.name_ru, Project.description, Project.updated_at)
             .outerjoin(Capability, Project.direction_id == Capability.id).where(*conditions).order_by(Project.id))
    for project_id, title, stage, value, next_step, due, direction, description, updated in db.session.execute(query):
        members = people[project_id]

        def inns(wanted, members=members):
            return "; ".join(inn for role, inn, _, _ in members if role == wanted)

        yield [title, stages.get(stage, stage), inns("customer"), inns("supplier"), inns("partner"),
               "; ".join(name for _, _, name, _ in members),
               "; ".join(dict.fromkeys(region for _, _, _, region in members)), value, next_step, due, direction,
               description, updated.date() if updated else None]


EXPORTS = {
    "companies": (COMPANY_HEADERS, company_rows, _l("Companies"), (38, 60, 28, 18, 24, 60, 60, 28, 28, 24, 20, 28, 16, 12, 16)),
    "needs": (NEED_HEADERS, need_rows, _l("Needs"), (16, 40, 28, 48, 60, 20, 12, 20, 40, 14)),
    "projects": (PROJECT_HEADERS, project_rows, _l("Projects"), (48, 16, 28, 28, 28, 60, 40, 18, 40, 14, 28, 60, 12)),
}


# --- writers -------------------------------------------------------------------------------------


def write_csv(stream: IO[bytes], headers, rows) -> int:
    """UTF-8 with a BOM and `;`: Russian Excel opens it without asking."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, delimiter=CSV_DELIMITER)
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
        count += 1
    text.flush()
    text.detach()
    return count


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal | float):
        return f"{value:.2f}".replace(".", ",")
    return neutralise(value)


def write_xlsx(stream: IO[bytes], headers, rows, *, title: str, widths=()) -> int:
    """A streamed (write-only) workbook: bold frozen header, column widths, dates and money formatted."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    bold = Font(bold=True)
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_xlsx_value(sheet, value, WriteOnlyCell) for value in row])
        count += 1
    workbook.save(stream)
    return count


def _xlsx_value(sheet, value, cell_type):
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, datetime | date):
        cell = cell_type(sheet, value=value.date() if isinstance(value, datetime) else value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, Decimal):
        cell = cell_type(sheet, value=value)
        cell.number_format = MONEY_FORMAT
        return cell
    return value


def count_rows(kind: str, args=None) -> int:
    args = args or {}
    chosen = {"companies": lambda: chosen_companies(args).subquery(),
              "needs": lambda: select(Need.id).where(*need_conditions(args)).subquery(),
              "projects": lambda: select(Project.id).where(*project_conditions(args)).subquery()}[kind]()
    return db.session.scalar(select(func.count()).select_from(chosen))


def reporting(rows, total: int, progress):
    """Passes rows through, telling `progress` the share written about a hundred times in all."""
    step = max(1, total // 100)
    for number, row in enumerate(rows, start=1):
        if number % step == 0:
            progress(number * 95 // max(total, 1))  # the last few percent: the workbook is zipped
        yield row


def export(stream: IO[bytes], kind: str, fmt: str, *, args=None, actor=None, filename: str = "",
           progress=None) -> int:
    """Writes `kind` in `fmt` to `stream`, records the export in the audit log; returns the row count."""
    if kind not in KINDS:
        raise ServiceError(_l("Unknown export: %(kind)s.", kind=kind))
    if fmt not in FORMATS:
        raise ServiceError(_l("Unknown format: %(format)s; choose xlsx or csv.", format=fmt))
    headers, rows, title, widths = EXPORTS[kind]
    rows = rows(args)
    if progress is not None:
        rows = reporting(rows, count_rows(kind, args), progress)
    if fmt == "csv":
        count = write_csv(stream, headers, rows)
    else:
        count = write_xlsx(stream, headers, rows, title=str(title), widths=widths)
    filters = [f"{key}={value}" for key, value in (args or {}).items() if value]
    audit.record(actor, f"export.{kind}", None, file=filename or f"{kind}.{fmt}", rows=count, format=fmt, filters=filters)
    db.session.flush()
    return count


def write_template(stream: IO[bytes], kind: str, fmt: str) -> None:
    """An empty file with the import's headers; the XLSX one explains every column on a second sheet."""
    from registry.services.imports import COLUMNS

    columns = COLUMNS[kind]
    headers = [column.header_ru for column in columns]
    if fmt == "csv":
        write_csv(stream, headers, [])
        return
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(EXPORTS[kind][2])[:31]
    sheet.append([neutralise(header) for header in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(cell.value) + 4)
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("Пояснения")
    notes.append(["Столбец", "Также понимается", "Обязательный"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in columns:
        notes.append([neutralise(value) for value in
                      (column.header_ru, ", ".join((column.header_en, *column.aliases)), "да" if column.required else "")])
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 26, 60
    workbook.save(stream)
