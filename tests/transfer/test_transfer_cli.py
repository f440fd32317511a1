"""`flask import`: the report printed, the exit code, dry runs, updates and the kind guessed from headers."""

from sqlalchemy import func, select

from registry.models import Company, Need
from tests.factories import make_company
from tests.transfer.sheets import COMPANY_HEADERS, company_row, csv_bytes, xlsx_bytes


def companies(db):
    return db.session.scalar(select(func.count()).select_from(Company))


def test_bad_rows_are_printed_and_the_exit_code_is_not_zero(runner, db, tmp_path):
    path = tmp_path / "firms.xlsx"
    path.write_bytes(xlsx_bytes(COMPANY_HEADERS, [company_row(1), company_row(2, okved="12.34.56")]))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert "строка 3, ОКВЭД: Неизвестные коды ОКВЭД2: 12.34.56." in result.output
    assert "ничего не импортировано" in result.output
    assert companies(db) == 0


def test_a_dry_run_reports_and_writes_nothing(runner, db, tmp_path):
    path = tmp_path / "firms.csv"
    path.write_bytes(csv_bytes(COMPANY_HEADERS, [company_row(1), company_row(2)]))
    result = runner.invoke(args=["import", str(path), "--dry-run"])
    assert result.exit_code == 0 and "новых — 2" in result.output
    assert companies(db) == 0


def test_import_then_update_existing(runner, db, tmp_path):
    company = make_company(city="Ульяновск")
    db.session.commit()
    path = tmp_path / "firms.xlsx"
    path.write_bytes(xlsx_bytes(COMPANY_HEADERS, [company_row(1, inn=company.inn, city="Инза"), company_row(2)]))
    refused = runner.invoke(args=["import", str(path)])
    assert refused.exit_code == 1 and "уже зарегистрировано" in refused.output
    done = runner.invoke(args=["import", str(path), "--update-existing"])
    assert done.exit_code == 0, done.output
    assert "Импортировано: новых — 1, изменено — 1, без изменений — 0." in done.output
    db.session.expire_all()
    assert companies(db) == 2 and db.session.get(Company, company.id).city == "Инза"


def test_the_kind_comes_from_the_headers_or_the_option(runner, db, tmp_path):
    company = make_company()
    db.session.commit()
    path = tmp_path / "needs.csv"
    path.write_bytes(csv_bytes(["inn", "title"], [[company.inn, "Литьё"]], delimiter=","))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Need.title)) == "Литьё"
    wrong = runner.invoke(args=["import", str(path), "--kind", "projects"])
    assert wrong.exit_code == 1 and "Файл needs.csv: проекты" in wrong.output
    assert "У проекта должен быть хотя бы один участник" in wrong.output


def test_an_unreadable_file_is_explained(runner, db, tmp_path):
    path = tmp_path / "firms.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0old excel")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1 and ".xlsx" in result.output
