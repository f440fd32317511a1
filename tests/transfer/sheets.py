"""Spreadsheets made in the tests: XLSX through openpyxl, CSV as Russian Excel writes it."""

import csv
import io

from openpyxl import Workbook, load_workbook

from tests.factories import valid_inn

COMPANY_HEADERS = ["ИНН", "Наименование", "Регион", "Город", "ОКВЭД", "Компетенции", "Описание", "Сайт",
                   "Контактное лицо", "Телефон", "Email"]


def xlsx_bytes(headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def csv_bytes(headers, rows, *, delimiter=";", bom=True) -> bytes:
    stream = io.StringIO(newline="")
    writer = csv.writer(stream, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return stream.getvalue().encode("utf-8-sig" if bom else "utf-8")


def company_row(number: int, *, inn=None, region="Ульяновская область", **values) -> list:
    """A good row of COMPANY_HEADERS; keyword values replace cells by field name."""
    row = {
        "inn": valid_inn("73") if inn is None else inn, "name": f"ООО «Станкозавод {number}»", "region": region, "city": "Ульяновск",
        "okved": "25.62; 28.41", "capabilities": "Токарная обработка на станках с ЧПУ; Сварка металлоконструкций",
        "description": "Механообработка", "website": "https://example.ru", "contact_name": "Иван Петров",
        "phone": "+7 842 241-23-45", "email": f"info{number}@example.ru",
    }
    row.update(values)
    return list(row.values())


def read_xlsx(content: bytes, sheet=None) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content))
    return list((workbook[sheet] if sheet else workbook.worksheets[0]).iter_rows(values_only=True))


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Russian Excel needs to see UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
