"""Spreadsheet import of companies, needs and projects (XLSX or CSV): read, check every row, then write
all of it or nothing.

Rows are checked first, without writing anything; a single bad row refuses the whole file with a report
of every problem (row number as the spreadsheet shows it, the column as the file names it, the reason).
Only a file without problems is written, in the caller's transaction: the caller commits once, or rolls
back if anything fails on the way, so an interrupted import leaves the database as it was.
"""

from __future__ import annotations

import csv
import difflib
import gc
import io
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from zipfile import BadZipFile, ZipFile

from charset_normalizer import from_bytes
from flask import current_app
from flask_babel import force_locale, format_decimal
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.extensions import db
from registry.i18n import localized
from registry.labels import STAGE_LABELS
from registry.models import Capability, Company, Need, Project
from registry.models.project import STAGES
from registry.policy import authorize, can_manage_need, can_manage_projects, can_post_need
from registry.services import Forbidden, ServiceError, audit
from registry.services import companies as company_service
from registry.services import matching as matching_service
from registry.services import needs as need_service
from registry.services import projects as project_service
from registry.services.cells import FORMULA_STARTS
from registry.translation import lazy_gettext as _l
from registry.validators import IdentifierError, validate_inn

KINDS = ("companies", "needs", "projects")
KIND_TITLES = {"companies": _l("Companies"), "needs": _l("Needs"), "projects": _l("Projects")}
FORMATS = ("xlsx", "csv")
LIKELY_DUPLICATE_RATIO = 0.85
CHUNK = 500  # ids per IN (...) query: well under every database's parameter limit


class ImportFileError(ServiceError):
    """The file as a whole cannot be read (wrong type, not UTF-8, no header row)."""


@dataclass(frozen=True)
class Column:
    field: str
    header_ru: str  # what templates and exports write
    header_en: str
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS: dict[str, tuple[Column, ...]] = {
    "companies": (
        Column("inn", "ИНН", "inn"),
        Column("name", "Наименование", "name", ("Название", "Наименование предприятия", "company"), True),
        Column("region", "Регион", "region", ("Субъект РФ",), True),
        Column("city", "Город", "city"),
        Column("okved", "ОКВЭД", "okved", ("ОКВЭД2", "Коды ОКВЭД")),
        Column("capabilities", "Компетенции", "capabilities", ("Возможности",)),
        Column("description", "Описание", "description"),
        Column("website", "Сайт", "website"),
        Column("contact_name", "Контактное лицо", "contact_name", ("Контакт", "contact")),
        Column("contact_position", "Должность", "contact_position", ("position",)),
        Column("phone", "Телефон", "phone"),
        Column("email", "Email", "email", ("E-mail", "Электронная почта", "Почта")),
        Column("ogrn", "ОГРН", "ogrn"),
        Column("employees", "Численность", "employees", ("Численность сотрудников",)),
    ),
    "needs": (
        Column("company_inn", "ИНН предприятия", "company_inn", ("ИНН", "inn"), True),
        Column("title", "Потребность", "title", ("Название", "need"), True),
        Column("text", "Описание", "text", ("description",)),
        Column("volume", "Объём", "volume"),
        Column("deadline", "Срок", "deadline"),
        Column("okved", "ОКВЭД", "okved"),
        Column("capabilities", "Компетенции", "capabilities"),
    ),
    "projects": (
        Column("title", "Проект", "title", ("Название проекта", "Название", "project"), True),
        Column("customers", "Заказчики (ИНН)", "customers", ("Заказчик", "Заказчики", "customer_inn")),
        Column("suppliers", "Поставщики (ИНН)", "suppliers", ("Поставщик", "Поставщики", "supplier_inn")),
        Column("partners", "Партнёры (ИНН)", "partners", ("Партнёр", "Партнёры", "partner_inn")),
        Column("stage", "Стадия", "stage"),
        Column("value_rub", "Стоимость, руб.", "value_rub", ("Стоимость", "value")),
        Column("next_step", "Следующий шаг", "next_step"),
        Column("next_step_due", "Срок следующего шага", "next_step_due", ("Срок", "due")),
        Column("direction", "Направление", "direction"),
        Column("description", "Описание", "description"),
    ),
}
PARTICIPANT_COLUMNS = {"customers": "customer", "suppliers": "supplier", "partners": "partner"}


def header_key(text) -> str:
    """Headers compare without case, spaces or punctuation: «Контактное лицо» = «контактное_лицо»."""
    return re.sub(r"[\W_]+", "", str(text or "").lower().replace("ё", "е"))


def header_index(kind: str) -> dict[str, str]:
    index = {}
    for column in COLUMNS[kind]:
        for name in (column.header_ru, column.header_en, *column.aliases):
            index.setdefault(header_key(name), column.field)
    return index


# --- the report ------------------------------------------------------------------------------------


@dataclass
class Problem:
    row: int
    column: str  # the header as the file writes it; "" when the problem is the whole row or file
    message: object  # a lazy string: shown in the reader's language

    def __str__(self) -> str:
        place = _l("row %(row)s", row=self.row)
        return f"{place}, {self.column}: {self.message}" if self.column else f"{place}: {self.message}"


@dataclass
class LikelyDuplicate:
    row: int
    name: str
    company_id: int
    company_name: str
    similarity: float


@dataclass
class PreviewRow:
    """A row as the import will write it: what it names, whether it updates a registered record, and the
    capability nodes its text is placed in (what matching will read)."""

    row: int
    name: str
    update: bool
    capabilities: list = field(default_factory=list)  # Capability


@dataclass
class ImportReport:
    filename: str
    kind: str = ""
    rows: int = 0  # data rows read (blank rows are skipped)
    new: int = 0  # rows that make new records
    existing: int = 0  # rows that name records already registered
    created: int = 0
    updated: int = 0  # existing records that really changed
    unchanged: int = 0
    written: bool = False
    problems: list[Problem] = field(default_factory=list)
    likely_duplicates: list[LikelyDuplicate] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # field -> the header as the file writes it
    preview: list[PreviewRow] = field(default_factory=list)  # the first good rows, as they will be written

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self, problems_kept: int = 1000) -> dict:
        """The report as plain data (messages in the current language), for a job's result and its page."""
        return {
            "filename": self.filename, "kind": self.kind, "rows": self.rows, "new": self.new,
            "existing": self.existing, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "written": self.written, "ok": self.ok, "ignored_columns": list(self.ignored_columns),
            "problem_count": len(self.problems),
            "problems": [{"row": p.row, "column": p.column, "message": str(p.message)}
                         for p in self.problems[:problems_kept]],
            "likely_duplicates": [{"row": d.row, "name": d.name, "company_name": d.company_name,
                                   "similarity": d.similarity} for d in self.likely_duplicates],
            "preview": [{"row": p.row, "name": p.name, "updates": p.update,
                         "capabilities": [localized(node) for node in p.capabilities]} for p in self.preview],
        }

    def problem(self, row: int, column: str, message) -> None:
        self.problems.append(Problem(row, column, message))

    def lines(self) -> list[str]:
        """The report as plain text lines (the CLI prints them)."""
        kind = str(KIND_TITLES[self.kind]).lower() if self.kind in KIND_TITLES else "?"
        lines = [str(_l("File %(file)s: %(kind)s, %(rows)s rows.", file=self.filename, kind=kind, rows=self.rows))]
        if self.ignored_columns:
            lines.append(str(_l("Columns ignored: %(columns)s", columns=", ".join(self.ignored_columns))))
        if self.problems:
            lines.append(str(_l("Refused: %(count)s problems; nothing was imported.", count=len(self.problems))))
            lines += [f"  {problem}" for problem in self.problems]
        elif self.written:
            lines.append(str(_l("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.",
                                created=self.created, updated=self.updated, unchanged=self.unchanged)))
        else:
            lines.append(str(_l("Checked, nothing written: %(new)s new, %(existing)s already registered.",
                                new=self.new, existing=self.existing)))
        for duplicate in self.likely_duplicates:
            lines.append("  " + str(_l("row %(row)s: «%(name)s» looks like «%(other)s», already registered (%(percent)s%%)",
                                       row=duplicate.row, name=duplicate.name, other=duplicate.company_name,
                                       percent=round(duplicate.similarity * 100))))
        return lines


# --- reading files -------------------------------------------------------------------------------


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list]]  # (row number as the spreadsheet shows it, cell values)


def read_table(content: bytes, filename: str) -> Table:
    """The first sheet of an XLSX file or a CSV file: header row, then the non-blank data rows.

    Bounded by IMPORT_MAX_UNPACKED_MB, IMPORT_MAX_ROWS and IMPORT_MAX_COLUMNS: a file beyond them is
    refused before it can take a worker's memory and time (every door, web, job and CLI, reads here)."""
    limits = Limits.configured()
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xlsx" or (extension != "csv" and content[:4] == b"PK\x03\x04"):
        rows = _xlsx_rows(content, limits)
    elif extension == "csv":
        rows = _csv_rows(content)
    elif extension == "xls":
        raise ImportFileError(_l("This is an old Excel file (.xls): save it as .xlsx or CSV and upload it again."))
    else:
        raise ImportFileError(_l("Upload an Excel file (.xlsx) or a CSV file (.csv)."))
    try:
        header = next(rows)
    except StopIteration:
        raise ImportFileError(_l("The file is empty: the first row must hold the column headers.")) from None
    except csv.Error:
        raise ImportFileError(_l("The CSV file cannot be read: save it again as «CSV UTF-8».")) from None
    if any(cell not in (None, "") for cell in header[limits.columns:]):
        raise ImportFileError(_l("The file has more than %(limit)s columns: keep only the columns of the template.",
                                 limit=format_decimal(limits.columns)))
    headers = [str(cell).strip() if cell is not None else "" for cell in header[:limits.columns]]
    data = []
    try:
        for number, values in enumerate(rows, start=2):
            if number > limits.rows + 1:
                raise ImportFileError(_l("The file has more than %(limit)s rows: split it into files of at most "
                                         "%(limit)s rows.", limit=format_decimal(limits.rows)))
            cells = [_cell(value) for value in values[:limits.columns]]
            if any(cells):
                data.append((number, cells))
    except csv.Error:
        raise ImportFileError(_l("The CSV file cannot be read: save it again as «CSV UTF-8».")) from None
    return Table(headers, data)


@dataclass(frozen=True)
class Limits:
    unpacked_bytes: int
    rows: int
    columns: int

    @classmethod
    def configured(cls) -> Limits:
        config = current_app.config
        return cls(config["IMPORT_MAX_UNPACKED_MB"] * 1024 * 1024, config["IMPORT_MAX_ROWS"],
                   config["IMPORT_MAX_COLUMNS"])


def _xlsx_rows(content: bytes, limits: Limits) -> Iterator[tuple]:
    from openpyxl import load_workbook

    try:
        _check_unpacked_size(content, limits.unpacked_bytes)
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except (BadZipFile, KeyError, OSError, ValueError, EOFError, zlib.error):
        raise ImportFileError(_l("The file cannot be read as an Excel workbook (.xlsx).")) from None
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()  # some programs write a wrong sheet size; read every row there is, within the limits

    def rows():
        try:
            # One row past each limit: enough to tell that the file goes beyond it.
            yield from sheet.iter_rows(max_row=limits.rows + 2, max_col=limits.columns + 1, values_only=True)
        finally:
            workbook.close()

    return rows()


def _check_unpacked_size(content: bytes, limit: int) -> None:
    """Refuses a workbook whose members unpack to more than `limit` bytes in all: first by the sizes its
    directory declares, then by unpacking it (a forged directory cannot hide a bomb), a megabyte at a time."""
    with ZipFile(io.BytesIO(content)) as archive:
        members = archive.infolist()
        if sum(member.file_size for member in members) > limit:
            raise _too_large(limit)
        unpacked = 0
        for member in members:
            with archive.open(member) as stream:
                while chunk := stream.read(1024 * 1024):
                    unpacked += len(chunk)
                    if unpacked > limit:
                        raise _too_large(limit)


def _too_large(limit: int) -> ImportFileError:
    return ImportFileError(_l("The workbook unpacks to more than %(limit)s MB and was refused: split it into "
                              "smaller files or save it as CSV.", limit=format_decimal(limit // (1024 * 1024))))


# What Russian spreadsheets are saved in: Excel on Russian Windows writes Windows-1251, «CSV UTF-8» and
# LibreOffice write UTF-8, «Unicode text» is UTF-16; KOI8-R and DOS (866) come from older systems.
CSV_ENCODINGS = ["utf_8", "cp1251", "utf_16", "koi8_r", "cp866"]


def decode_csv(content: bytes) -> str:
    """The text of a CSV file in whichever of CSV_ENCODINGS it is (charset-normalizer decides); refused only
    when none reads it as text."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(content, cp_isolation=CSV_ENCODINGS).best()
    if best is None:
        raise ImportFileError(_l("The file cannot be read as text in any encoding used for Russian spreadsheets "
                                 "(UTF-8, Windows-1251, UTF-16, KOI8-R, DOS). Save it as «CSV UTF-8» or as XLSX "
                                 "and upload it again."))
    return str(best).lstrip("\ufeff")


def _csv_rows(content: bytes) -> Iterator[list]:
    text = decode_csv(content)
    sample = "\n".join(text.splitlines()[:20])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,").delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        delimiter = ";" if first.count(";") >= first.count(",") else ","
    return iter(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        text = text[1:]  # our own exports guard such cells with a quote: take it off again
    return text


def parse_date(text: str) -> date:
    """YYYY-MM-DD (and spreadsheet dates) or DD.MM.YYYY, as Russian spreadsheets write it."""
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def normalise_inn(text: str) -> str:
    """Digits only; restores the leading zero a spreadsheet drops from INNs stored as numbers (01…09)."""
    digits = re.sub(r"\s+", "", text)
    if digits.isdigit() and len(digits) in (9, 11):
        digits = "0" + digits
    return digits


def split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,\n]+", text) if part.strip()]


# --- the import ----------------------------------------------------------------------------------


def guess_kind(headers: list[str]) -> str | None:
    """The kind whose required columns are all there and which recognises the most columns."""
    best, best_score = None, 0
    keys = {header_key(h) for h in headers}
    for kind in KINDS:
        index = header_index(kind)
        fields = {index[key] for key in keys if key in index}
        required = {column.field for column in COLUMNS[kind] if column.required}
        if required <= fields and len(fields) > best_score:
            best, best_score = kind, len(fields)
    return best


def import_file(content: bytes, filename: str, *, kind: str | None = None, update_existing: bool = False,
                dry_run: bool = False, actor=None) -> ImportReport:
    """Checks the file and, when every row is right and this is no dry run, writes it (the caller commits).

    Raises ImportFileError when the file cannot be read at all."""
    with paused_gc():
        return _import(content, filename, kind=kind, update_existing=update_existing, dry_run=dry_run, actor=actor)


@contextmanager
def paused_gc():
    """Python's cycle collector walks every live object again and again while an import builds tens of
    thousands of them (none cyclic garbage): pausing it saves about a third of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(content: bytes, filename: str, *, kind, update_existing, dry_run, actor) -> ImportReport:
    table = read_table(content, filename)
    report = ImportReport(filename=filename, rows=len(table.rows))
    report.kind = kind or guess_kind(table.headers) or ""
    if report.kind not in KINDS:
        raise ImportFileError(_l("The columns do not tell what the file holds: use the headers of a template "
                                 "(companies, needs or projects) or choose the kind."))
    columns = _map_columns(table.headers, report)
    if report.problems:
        return report
    importer = IMPORTERS[report.kind](report, columns, update_existing=update_existing, actor=actor)
    records = [(number, {name: values[i] if i < len(values) else "" for name, i in columns.items()})
               for number, values in table.rows]
    importer.check(records)
    if dry_run:
        report.preview = preview_rows(importer.good_rows[:PREVIEW_ROWS])
    if report.ok and not dry_run:
        importer.write()
        report.written = True
        audit.record(actor, f"import.{report.kind}", None, file=filename, rows=report.rows, created=report.created,
                     updated=report.updated)
        db.session.flush()
    return report


PREVIEW_ROWS = 200  # the check lists this many rows as they will be written


def preview_rows(rows: list[tuple]) -> list[PreviewRow]:
    """Each row with the capability nodes its text is placed in: every listed capability, or else what the
    description or need text reads as (the same classification the import itself uses)."""
    classify = cached_classifier()
    taxonomy = matching_service.load_taxonomy()
    nodes = {node.code: node for node in db.session.scalars(select(Capability))}
    preview = []
    for row, name, update, values in rows:
        placed = [classify(statement) for statement in split_list((values.get("capabilities") or "").replace(",", ";"))]
        if not any(placed):
            text = values.get("description") or values.get("text") or ""
            placed = [nodes.get(code) for code, _ in taxonomy.classify(text, limit=2)] if text else []
        preview.append(PreviewRow(row, name, update, list(dict.fromkeys(node for node in placed if node is not None))))
    return preview


def _map_columns(headers: list[str], report: ImportReport) -> dict[str, int]:
    """field -> position in the row; unknown headers are listed, missing required ones are problems."""
    index = header_index(report.kind)
    columns: dict[str, int] = {}
    for position, header in enumerate(headers):
        name = index.get(header_key(header))
        if name is None:
            if header:
                report.ignored_columns.append(header)
        elif name not in columns:
            columns[name] = position
    for column in COLUMNS[report.kind]:
        if column.required and column.field not in columns:
            report.problem(1, column.header_ru, _l("This column is missing."))
    report.headers = {name: headers[position] for name, position in columns.items()}
    return columns


class Importer:
    def __init__(self, report: ImportReport, columns: dict[str, int], *, update_existing: bool, actor):
        self.report = report
        self.update_existing = update_existing
        self.actor = actor
        self.good_rows: list[tuple] = []  # (row, name, updates a registered record, the row's values)

    def column(self, name: str) -> str:
        """The header of a field as the file writes it (for the report)."""
        if name in self.report.headers:
            return self.report.headers[name]
        return next((c.header_ru for c in COLUMNS[self.report.kind] if c.field == name), name)

    def service_problems(self, row: int, error: ServiceError, fields: dict[str, str] | None = None) -> None:
        if not error.errors:
            self.report.problem(row, "", error.message)
        for name, messages in error.errors.items():
            for message in messages:
                self.report.problem(row, self.column((fields or {}).get(name, name)), message)

    def permitted(self, row: int, column: str, check, *args) -> bool:
        """Asks the policy for the importing user, row by row: a refused row is a problem of the report."""
        try:
            check(*args)
        except Forbidden as refusal:
            self.report.problem(row, self.column(column), refusal.message)
            return False
        return True

    def companies_by_inn(self, inns) -> dict[str, Company]:
        found = {}
        inns = sorted(set(inns))
        for start in range(0, len(inns), CHUNK):
            chunk = inns[start:start + CHUNK]
            found.update({c.inn: c for c in db.session.scalars(select(Company).where(Company.inn.in_(chunk)))})
        return found


class CompanyImporter(Importer):
    def check(self, records) -> None:
        self.lookups = company_service.PreloadedLookups()
        inns = {normalise_inn(values.get("inn", "")) for _, values in records} - {""}
        existing = self._load_existing(inns & self.lookups.inns.keys())
        self.new, self.changes = [], []
        seen: dict[str, int] = {}
        without_inn = []
        for row, values in records:
            inn = normalise_inn(values.get("inn", ""))
            company = existing.get(inn)
            problems_before = len(self.report.problems)
            if inn and inn in seen:
                self.report.problem(row, self.column("inn"),
                                    _l("INN %(inn)s is also in row %(row)s.", inn=inn, row=seen[inn]))
            seen.setdefault(inn, row)
            if company is not None and not self.update_existing:
                self.report.problem(row, self.column("inn"), _l(
                    "A company with INN %(inn)s is already registered: choose to update existing companies "
                    "to change it.", inn=inn))
            try:
                clean = company_service.validate_company_data(self._data(values, inn), company=company, partial=True,
                                                              lookups=self.lookups)
            except ServiceError as error:
                self.service_problems(row, error, {"contacts": "email"})
                continue
            if company is None:
                self.permitted(row, "region", company_service.authorize_new, clean, self.actor)
            else:
                self.permitted(row, "region", company_service.authorize_changes, company, clean, self.actor)
            if len(self.report.problems) > problems_before:
                continue
            if company is None:
                self.new.append(clean)
                if not inn:
                    without_inn.append((row, clean))
            else:
                self.changes.append((company, clean))
            self.good_rows.append((row, clean["name"], company is not None, values))
        self.report.new, self.report.existing = len(self.new), len(self.changes)
        if without_inn:
            self._flag_likely_duplicates(without_inn)

    def _data(self, values: dict, inn: str) -> dict:
        def optional(name):
            return values.get(name) or None

        data = {"inn": inn or None, "name": values.get("name", ""), "region": values.get("region", "")}
        for name in ("ogrn", "city", "description", "website", "employees", "okved", "capabilities"):
            data[name] = optional(name)
        if any(values.get(name) for name in ("contact_name", "contact_position", "phone", "email")):
            data["contacts"] = [{"name": values.get("contact_name", ""), "position": values.get("contact_position", ""),
                                 "phone": values.get("phone", ""), "email": values.get("email", "")}]
        return data

    def _load_existing(self, inns: set[str]) -> dict[str, Company]:
        found = {}
        inns = sorted(inns)
        for start in range(0, len(inns), CHUNK):
            query = (select(Company).where(Company.inn.in_(inns[start:start + CHUNK]))
                     .options(selectinload(Company.okveds), selectinload(Company.offers), selectinload(Company.contacts)))
            found.update({company.inn: company for company in db.session.scalars(query)})
        return found

    def _flag_likely_duplicates(self, rows: list[tuple[int, dict]]) -> None:
        regions = {clean["region"].id for _, clean in rows}
        by_region: dict[int, list] = {}
        query = select(Company.id, Company.name, Company.region_id).where(Company.region_id.in_(regions))
        for company_id, name, region_id in db.session.execute(query):
            by_region.setdefault(region_id, []).append((company_id, name, comparable_name(name)))
        for row, clean in rows:
            wanted = comparable_name(clean["name"])
            matcher = difflib.SequenceMatcher(None, "", wanted)  # seq2 is the one it indexes: set once
            best = None
            for company_id, name, comparable in by_region.get(clean["region"].id, []):
                matcher.set_seq1(comparable)
                if matcher.real_quick_ratio() < LIKELY_DUPLICATE_RATIO or matcher.quick_ratio() < LIKELY_DUPLICATE_RATIO:
                    continue
                ratio = matcher.ratio()
                if ratio >= LIKELY_DUPLICATE_RATIO and (best is None or ratio > best.similarity):
                    best = LikelyDuplicate(row, clean["name"], company_id, name, ratio)
            if best:
                self.report.likely_duplicates.append(best)

    def write(self) -> None:
        classify = cached_classifier()
        company_service.add_companies(self.new, actor=self.actor, classify=classify)
        self.report.created = len(self.new)
        for company, clean in self.changes:
            if company_service.apply_changes(company, clean, actor=self.actor, classify=classify):
                self.report.updated += 1
            else:
                self.report.unchanged += 1


LEGAL_FORMS = re.compile(
    r"\b(ооо|оао|зао|пао|ао|нао|ип|ук|гуп|муп|фгуп|нпо|нпп|пк|llc|jsc|ltd|pjsc|inc|"
    r"общество с ограниченной ответственностью|(?:публичное |закрытое |открытое |непубличное )?акционерное общество|"
    r"управляющая компания|индивидуальный предприниматель)\b")


def comparable_name(name: str) -> str:
    """A company name without quotes, legal form, case and extra spaces: «ООО "Орбита"» ~ «Орбита»."""
    text = str(name or "").lower().replace("ё", "е")
    text = re.sub(r"[«»\"'“”„]", " ", text)
    text = LEGAL_FORMS.sub(" ", text)
    return " ".join(re.findall(r"\w+", text))


def cached_classifier():
    """Statement -> capability node, classified once per distinct text: the same engine as
    `matching.classify`, without its two queries per call (measured: those, not the engine, are the cost)."""
    taxonomy = matching_service.load_taxonomy()
    nodes = {node.code: node for node in db.session.scalars(select(Capability))}
    cache: dict[str, Capability | None] = {}

    def classify(statement: str):
        if statement not in cache:
            found = taxonomy.classify(statement, limit=1)
            cache[statement] = nodes.get(found[0][0]) if found else None
        return cache[statement]

    return classify


class NeedImporter(Importer):
    """Needs are known by their company and title: the same pair again updates that need."""

    def check(self, records) -> None:
        inns = {normalise_inn(values.get("company_inn", "")) for _, values in records} - {""}
        companies = self.companies_by_inn(inns)
        existing = {}
        ids = sorted(c.id for c in companies.values())
        for start in range(0, len(ids), CHUNK):
            query = select(Need).where(Need.company_id.in_(ids[start:start + CHUNK])).options(
                selectinload(Need.capabilities), selectinload(Need.okved_codes))
            existing.update({(need.company_id, need.title.strip().lower()): need for need in db.session.scalars(query)})
        self.writes = []
        seen: dict[tuple, int] = {}
        for row, values in records:
            before = len(self.report.problems)
            company = self._company(row, values, companies)
            data = {"title": values.get("title", "")}
            for name in ("text", "volume", "okved"):
                if values.get(name):
                    data[name] = values[name]
            if values.get("capabilities"):
                data["capabilities"] = split_list(values["capabilities"].replace(",", ";"))
            if values.get("deadline"):
                try:
                    data["deadline"] = parse_date(values["deadline"])
                except ValueError:
                    self.report.problem(row, self.column("deadline"), _l("Give the date as DD.MM.YYYY or YYYY-MM-DD."))
            try:
                need_service.validate_need_data(data)
            except ServiceError as error:
                self.service_problems(row, error)
            if company is None or len(self.report.problems) > before:
                continue
            key = (company.id, data["title"].strip().lower())
            if key in seen:
                self.report.problem(row, self.column("title"), _l("The same need of this company is also in row %(row)s.",
                                                                  row=seen[key]))
                continue
            seen[key] = row
            need = existing.get(key)
            if need is not None and not self.update_existing:
                self.report.problem(row, self.column("title"), _l(
                    "This company already has this need: choose to update existing records to change it."))
                continue
            allowed = can_post_need(self.actor, company) if need is None else can_manage_need(self.actor, need)
            if not self.permitted(row, "company_inn", authorize, allowed):
                continue
            self.writes.append((company, need, data))
            self.good_rows.append((row, f"{data['title']} ({company.name})", need is not None, values))
        self.report.existing = sum(1 for _, need, _ in self.writes if need is not None)
        self.report.new = len(self.writes) - self.report.existing

    def _company(self, row, values, companies):
        inn = normalise_inn(values.get("company_inn", ""))
        try:
            validate_inn(inn)
        except IdentifierError as error:
            self.report.problem(row, self.column("company_inn"), error.message)
            return None
        company = companies.get(inn)
        if company is None:
            self.report.problem(row, self.column("company_inn"),
                                _l("No company with INN %(inn)s in the registry: import the company first.", inn=inn))
        return company

    def write(self) -> None:
        for company, need, data in self.writes:
            if need is None:
                need_service.create_need(company, data, actor=self.actor)
                self.report.created += 1
                continue
            before = need.updated_at  # the service moves it (and audits) only on a real change
            need_service.update_need(need, data, actor=self.actor)
            changed = need.updated_at != before
            self.report.updated += changed
            self.report.unchanged += not changed


class ProjectImporter(Importer):
    """Projects are known by their title: the same title again updates that project."""

    def check(self, records) -> None:
        inns = set()
        for _, values in records:
            for name in PARTICIPANT_COLUMNS:
                inns |= {normalise_inn(inn) for inn in split_list(values.get(name, ""))}
        companies = self.companies_by_inn(inns)
        titles = {values.get("title", "").strip().lower() for _, values in records} - {""}
        # Titles compare without case in Python: SQLite's lower() leaves Cyrillic letters as they are.
        ids = sorted(project_id for project_id, title in db.session.execute(select(Project.id, Project.title))
                     if title.strip().lower() in titles)
        existing = {}
        for start in range(0, len(ids), CHUNK):
            query = select(Project).where(Project.id.in_(ids[start:start + CHUNK])).options(
                selectinload(Project.participants))
            existing.update({project.title.strip().lower(): project for project in db.session.scalars(query)})
        directions = {}
        for node in db.session.scalars(select(Capability)):
            for key in (node.code, node.name_ru, node.name_en):
                directions[key.strip().lower()] = node
        stages = {code: code for code in STAGES}
        for language in ("ru", "en"):  # stage names are accepted in both languages, whoever imports
            with force_locale(language):
                stages.update({str(STAGE_LABELS[code]).lower(): code for code in STAGES})
        self.writes = []
        seen: dict[str, int] = {}
        for row, values in records:
            before = len(self.report.problems)
            title = values.get("title", "").strip()
            data: dict = {"title": title}
            if not self.permitted(row, "title", authorize, can_manage_projects(self.actor)):
                continue
            if not title:
                self.report.problem(row, self.column("title"), _l("The title is required."))
            participants = self._participants(row, values, companies)
            stage = values.get("stage", "").strip().lower()
            if stage and stage not in stages:
                self.report.problem(row, self.column("stage"), _l(
                    "Unknown stage «%(value)s»: use one of %(stages)s.", value=values["stage"],
                    stages=", ".join(str(STAGE_LABELS[c]) for c in STAGES)))
            data["stage"] = stages.get(stage)  # None: a new project starts as a proposal, an old one stays
            if values.get("value_rub"):
                try:
                    data["value_rub"] = project_service.parse_value(values["value_rub"])
                except ServiceError as error:
                    self.report.problem(row, self.column("value_rub"), error.message)
            if values.get("next_step_due"):
                try:
                    data["next_step_due"] = parse_date(values["next_step_due"])
                except ValueError:
                    self.report.problem(row, self.column("next_step_due"), _l("Give the date as DD.MM.YYYY or YYYY-MM-DD."))
            if values.get("direction"):
                data["direction"] = directions.get(values["direction"].strip().lower())
                if data["direction"] is None:
                    self.report.problem(row, self.column("direction"), _l(
                        "Unknown direction «%(value)s»: give a capability code or name.", value=values["direction"]))
            for name in ("next_step", "description"):
                if values.get(name):
                    data[name] = values[name]
            if len(self.report.problems) > before:
                continue
            key = title.lower()
            if key in seen:
                self.report.problem(row, self.column("title"), _l("A project with this title is also in row %(row)s.",
                                                                  row=seen[key]))
                continue
            seen[key] = row
            project = existing.get(key)
            if project is not None and not self.update_existing:
                self.report.problem(row, self.column("title"), _l(
                    "A project with this title is already registered: choose to update existing records to change it."))
                continue
            self.writes.append((project, data, participants))
        self.report.existing = sum(1 for project, _, _ in self.writes if project is not None)
        self.report.new = len(self.writes) - self.report.existing

    def _participants(self, row, values, companies) -> list[tuple[Company, str]]:
        participants = []
        for name, role in PARTICIPANT_COLUMNS.items():
            for inn in split_list(values.get(name, "")):
                inn = normalise_inn(inn)
                company = companies.get(inn)
                if company is None:
                    self.report.problem(row, self.column(name), _l("No company with INN %(inn)s in the registry.", inn=inn))
                elif (company, role) not in participants:
                    participants.append((company, role))
        if not participants and not any(values.get(name) for name in PARTICIPANT_COLUMNS):
            self.report.problem(row, self.column("customers"), _l("A project needs at least one participant."))
        return participants

    def write(self) -> None:
        note = str(_l("Imported from %(file)s", file=self.report.filename))
        for project, data, participants in self.writes:
            if project is None:
                data["stage"] = data["stage"] or "proposal"
                project_service.create_project(participants=participants, actor=self.actor, **data)
                self.report.created += 1
                continue
            stage = data.pop("stage")
            data.pop("title")  # the key that found the project: keep its spelling
            have = {(p.company_id, p.role) for p in project.participants}
            if have != {(company.id, role) for company, role in participants}:
                data["participants"] = participants
            before = project.updated_at  # the service moves it (and audits) only on a real change
            project_service.update_project(project, data, actor=self.actor)
            changed = project.updated_at != before
            if stage and stage != project.stage:
                project_service.change_stage(project, stage, note=note, actor=self.actor)
                changed = True
            self.report.updated += changed
            self.report.unchanged += not changed


IMPORTERS = {"companies": CompanyImporter, "needs": NeedImporter, "projects": ProjectImporter}
