"""Exports: contents read back with openpyxl and csv, the catalogue's filters, formula neutralisation."""

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from registry.models import AuditEntry, CapabilityOffer, CompanyOkved, Contact
from registry.policy import SYSTEM
from registry.services import exports, imports
from tests.factories import capability, make_company, make_need, make_project
from tests.transfer.sheets import read_csv, read_xlsx


def export(kind, fmt, **args):
    stream = io.BytesIO()
    count = exports.export(stream, kind, fmt, args=args)
    return count, stream.getvalue()


def test_neutralise_guards_every_formula_start():
    for text in ("=1+1", "+7 900", "-5", "@SUM(A1)", "\tx", "\rx"):
        assert exports.neutralise(text) == "'" + text
    assert exports.neutralise("ООО «Орбита»") == "ООО «Орбита»"
    assert exports.neutralise(-5) == -5 and exports.neutralise(None) is None


@pytest.fixture
def firms(db):
    risky = make_company(name='=HYPERLINK("http://evil.example","click")', city="@Ульяновск",
                         description="-2+3", website="https://example.ru")
    risky.okveds = [CompanyOkved(okved_code="25.62", is_main=True), CompanyOkved(okved_code="28.41")]
    risky.offers = [CapabilityOffer(text="Токарная обработка", capability=capability("metalworking.turning"))]
    risky.contacts = [Contact(name="Иван", phone="+7 8422 000000", email="ivan@example.ru")]
    verified = make_company(name="ООО «Проверенное»", region_iso="RU-MO", verification="verified")
    db.session.commit()
    return risky, verified


def test_company_xlsx_has_the_import_headers_and_no_live_formula(firms):
    risky, verified = firms
    count, content = export("companies", "xlsx")
    rows = read_xlsx(content)
    assert count == 2 and rows[0] == exports.COMPANY_HEADERS
    by_inn = {row[0]: row for row in rows[1:]}
    row = dict(zip(rows[0], by_inn[risky.inn], strict=True))
    assert row["Наименование"] == "'" + risky.name
    assert row["Город"] == "'@Ульяновск" and row["Описание"] == "'-2+3" and row["Телефон"] == "'+7 8422 000000"
    assert row["ОКВЭД"] == "25.62; 28.41" and row["Компетенции"] == "Токарная обработка"
    assert row["Регион"] == "Ульяновская область" and row["Проверено"] == "Не проверено"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)
    assert sheet.freeze_panes == "A2"


def test_company_csv_is_utf8_with_bom_semicolons_and_neutralised(firms):
    risky, _ = firms
    count, content = export("companies", "csv")
    rows = read_csv(content)
    assert count == 2 and tuple(rows[0]) == exports.COMPANY_HEADERS
    row = next(row for row in rows if row[0] == risky.inn)
    assert row[1].startswith("'=HYPERLINK") and row[3] == "'@Ульяновск"


def test_an_exported_file_imports_back(firms, db):
    _, content = export("companies", "xlsx")
    report = imports.import_file(content, "back.xlsx", update_existing=True, actor=SYSTEM)
    assert report.ok, report.lines()
    assert report.kind == "companies" and report.existing == 2


@pytest.mark.parametrize(("args", "expected"), [
    ({"region": "RU-MO"}, {"ООО «Проверенное»"}),
    ({"verified": "1"}, {"ООО «Проверенное»"}),
    ({"q": "проверенн"}, {"ООО «Проверенное»"}),
    ({"okved": "25"}, {'=HYPERLINK("http://evil.example","click")'}),
    ({"okved": "28.41"}, {'=HYPERLINK("http://evil.example","click")'}),
    ({"capability": "metalworking"}, {'=HYPERLINK("http://evil.example","click")'}),
    ({"capability": "casting"}, set()),
    ({}, {"ООО «Проверенное»", '=HYPERLINK("http://evil.example","click")'}),
])
def test_company_export_applies_the_catalogue_filters(firms, db, args, expected):
    from registry.services import search

    for company in firms:
        search.refresh_company(company)
    db.session.commit()
    _, content = export("companies", "csv", **args)
    assert {row[1].removeprefix("'") for row in read_csv(content)[1:]} == expected


def test_needs_and_projects_export(db):
    customer, supplier = make_company(region_iso="RU-ULY"), make_company(region_iso="RU-MO")
    make_need(customer, title="Литьё", volume="100 шт.", deadline=date(2030, 1, 31))
    make_project((customer, "customer"), (supplier, "supplier"), title="+Оснастка", value_rub=Decimal("1500000"),
                 next_step="Договор", next_step_due=date(2030, 2, 1))
    db.session.commit()
    _, content = export("needs", "xlsx")
    rows = read_xlsx(content)
    assert rows[0] == exports.NEED_HEADERS
    assert rows[1][:6] == (customer.inn, customer.name, "Ульяновская область", "Литьё", None, "100 шт.")
    assert rows[1][6].date() == date(2030, 1, 31)
    _, content = export("projects", "xlsx")
    rows = read_xlsx(content)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Проект"] == "'+Оснастка" and row["Стадия"] == "Переговоры"
    assert row["Заказчики (ИНН)"] == customer.inn and row["Поставщики (ИНН)"] == supplier.inn
    assert row["Регионы"] == "Ульяновская область; Республика Мордовия" and row["Стоимость, руб."] == 1500000
    _, content = export("projects", "csv")
    row = dict(zip(*read_csv(content)[:2], strict=True))
    assert row["Стоимость, руб."] == "1500000,00" and row["Срок следующего шага"] == "01.02.2030"
    assert imports.import_file(content, "projects.csv", update_existing=True, actor=SYSTEM).ok


def test_exports_are_audited(firms, db):
    export("companies", "csv", region="RU-MO")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.companies"))
    assert entry.changes["rows"] == 1 and entry.changes["filters"] == ["region=RU-MO"]


def test_cli_export_writes_the_file(runner, firms, tmp_path):
    path = tmp_path / "firms.csv"
    result = runner.invoke(args=["export", "companies", "-o", str(path), "--region", "RU-MO"])
    assert result.exit_code == 0, result.output
    assert [row[1] for row in read_csv(path.read_bytes())[1:]] == ["ООО «Проверенное»"]
    path = tmp_path / "projects.out"
    result = runner.invoke(args=["export", "projects", "--format", "xlsx", "-o", str(path)])
    assert result.exit_code == 0 and read_xlsx(path.read_bytes())[0] == exports.PROJECT_HEADERS


def test_templates_carry_the_documented_headers(db):
    for kind in imports.KINDS:
        stream = io.BytesIO()
        exports.write_template(stream, kind, "xlsx")
        headers = [column.header_ru for column in imports.COLUMNS[kind]]
        assert list(read_xlsx(stream.getvalue())[0]) == headers
        assert imports.guess_kind(headers) == kind
        stream = io.BytesIO()
        exports.write_template(stream, kind, "csv")
        assert read_csv(stream.getvalue()) == [headers]
