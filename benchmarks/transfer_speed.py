"""Speed of spreadsheet import and export on a fresh SQLite database (the issue's target: 10,000 companies
imported from XLSX in at most 20 s).

    .venv/bin/python benchmarks/transfer_speed.py [--companies 10000] [--export-companies 100000]

1. builds a fresh database with the migrations and the seed data;
2. writes an XLSX of N companies (valid INNs of several regions, OKVED codes, capability statements,
   a contact each) and imports it through the CLI command (`flask import FILE`), timed end to end;
3. adds companies with bulk INSERTs up to M in all and times the export of all of them to XLSX and CSV.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select  # noqa: E402
from stdnum.ru import inn as stdnum_inn  # noqa: E402

import registry.extensions  # noqa: E402,F401  (extensions before the areas that import them)
from registry import create_app  # noqa: E402
from registry.extensions import db  # noqa: E402
from registry.models import CapabilityOffer, Company, CompanyOkved, Contact, Region  # noqa: E402
from registry.models.base import utcnow  # noqa: E402
from registry.services import exports, seeding  # noqa: E402

REGIONS = ["73", "13", "16", "63", "52", "77"]
OKVED = ["25.62", "28.41", "25.11", "22.19", "27.11", "30.20", "33.12", "26.51"]
STATEMENTS = [
    "Токарная обработка на станках с ЧПУ", "Фрезерная обработка", "Лазерная резка листового металла",
    "Сварка металлоконструкций", "Изготовление пресс-форм", "Штампы и оснастка", "Литьё алюминия под давлением",
    "Резинотехнические изделия (РТИ)", "Ремонт тележек грузовых вагонов", "Теплообменники кожухотрубные",
    "Гальванические покрытия", "Сборка электронных модулей", "Ремонт электродвигателей", "Насосы и арматура",
]


def inn_for(region_code: str, serial: int) -> str:
    body = f"{region_code}{serial:07d}"
    return body + stdnum_inn.calc_company_check_digit(body)


def company_rows(count: int, start: int = 0):
    rng = random.Random(start)
    for n in range(start, start + count):
        region = REGIONS[n % len(REGIONS)]
        statements = rng.sample(STATEMENTS, rng.randint(1, 3))
        yield {
            "inn": inn_for(region, n + 1), "name": f"ООО «Предприятие {n}»", "region": region,
            "city": "Город", "okved": "; ".join(rng.sample(OKVED, rng.randint(1, 3))),
            "capabilities": "; ".join(f"{s} {n % 300}" for s in statements),  # many distinct statements
            "description": "Производственное предприятие", "website": f"https://firm{n}.example.ru",
            "contact_name": "Иван Иванов", "phone": "+7 900 000-00-00", "email": f"info{n}@example.ru",
        }


def write_xlsx(path: str, count: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Предприятия")
    sheet.append(["ИНН", "Наименование", "Регион", "Город", "ОКВЭД", "Компетенции", "Описание", "Сайт",
                  "Контактное лицо", "Телефон", "Email"])
    for row in company_rows(count):
        sheet.append(list(row.values()))
    workbook.save(path)


def bulk_add_companies(total: int) -> None:
    """Tops the registry up to `total` companies with plain bulk INSERTs (only to have something to export)."""
    have = db.session.scalar(select(func.count()).select_from(Company))
    regions = dict(db.session.execute(select(Region.inn_code, Region.id)).all())
    now = utcnow()
    batch = 5000
    for start in range(have, total, batch):
        rows = list(company_rows(min(batch, total - start), start=start + 1_000_000))
        ids = db.session.scalars(insert(Company).returning(Company.id, sort_by_parameter_order=True), [
            {"inn": r["inn"], "name": r["name"], "region_id": regions[r["region"]], "city": r["city"],
             "description": r["description"], "website": r["website"], "search_text": "", "created_at": now,
             "updated_at": now} for r in rows]).all()
        db.session.execute(insert(CompanyOkved), [
            {"company_id": i, "okved_code": code, "is_main": k == 0}
            for i, r in zip(ids, rows, strict=True) for k, code in enumerate(dict.fromkeys(r["okved"].split("; ")))])
        db.session.execute(insert(CapabilityOffer), [
            {"company_id": i, "text": text, "created_at": now, "updated_at": now}
            for i, r in zip(ids, rows, strict=True) for text in r["capabilities"].split("; ")])
        db.session.execute(insert(Contact), [
            {"company_id": i, "name": r["contact_name"], "phone": r["phone"], "email": r["email"]}
            for i, r in zip(ids, rows, strict=True)])
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--export-companies", type=int, default=100_000)
    options = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="transfer-bench-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(workdir, "registry.db")})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        seeding.seed_all()
        db.session.commit()
        xlsx = os.path.join(workdir, "companies.xlsx")
        write_xlsx(xlsx, options.companies)
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI']}")
        print(f"file: {options.companies} companies, {os.path.getsize(xlsx) / 1e6:.1f} MB")

        started = time.perf_counter()
        result = app.test_cli_runner().invoke(args=["import", xlsx])
        elapsed = time.perf_counter() - started
        print(result.output.strip())
        assert result.exit_code == 0, result.output
        print(f"IMPORT {options.companies} companies from XLSX: {elapsed:.1f} s (target ≤ 20 s)")

        bulk_add_companies(options.export_companies)
        total = db.session.scalar(select(func.count()).select_from(Company))
        for fmt in ("xlsx", "csv"):
            path = os.path.join(workdir, f"export.{fmt}")
            started = time.perf_counter()
            with open(path, "wb") as stream:
                count = exports.export(stream, "companies", fmt)
            db.session.commit()
            elapsed = time.perf_counter() - started
            print(f"EXPORT {count} companies (of {total}) to {fmt.upper()}: {elapsed:.1f} s, "
                  f"{os.path.getsize(path) / 1e6:.1f} MB")
    print(f"files kept in {workdir}")


if __name__ == "__main__":
    main()
