"""Files that would exhaust a worker are refused before they are parsed: zip bombs, too many rows or columns.

The check runs in the import service, so the page's check (in the job worker), the confirmed import and the
CLI refuse alike; a refused upload is deleted at once.
"""

import io
import resource
import zipfile

import pytest
from flask import current_app
from sqlalchemy import func, select

from registry.models import Company, PendingUpload
from registry.policy import SYSTEM
from registry.services import imports
from tests.factories import make_user
from tests.transfer.sheets import COMPANY_HEADERS, company_row, csv_bytes, xlsx_bytes

MB = 1024 * 1024


SHARED_STRINGS = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                  b'spreadsheetml.sharedStrings+xml"/></Types>')


def bomb(unpacked_mb: int, *, declared_bytes: int | None = None) -> bytes:
    """A good little workbook with a shared string that unpacks to `unpacked_mb` (a few KB packed).

    With `declared_bytes` the archive lies: its directory declares that size for the shared strings."""
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes(COMPANY_HEADERS, [company_row(1)])))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in good.infolist():
            content = good.read(item.filename)
            if item.filename == "[Content_Types].xml":  # openpyxl reads the strings the content types name
                content = content.replace(b"</Types>", SHARED_STRINGS)
            archive.writestr(item, content)
        with archive.open("xl/sharedStrings.xml", "w") as member:  # a megabyte at a time: the test stays small
            member.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            for _ in range(unpacked_mb):
                member.write(b"A" * MB)
            member.write(b"</t></si></sst>")
    content = stream.getvalue()
    if declared_bytes is not None:  # patch the unpacked size in the local header and the central directory
        info = zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/sharedStrings.xml")
        content = content.replace(info.file_size.to_bytes(4, "little"), declared_bytes.to_bytes(4, "little"))
    assert len(content) < MB // 4
    return content


@pytest.fixture
def limits(app):
    saved = {key: app.config[key] for key in ("IMPORT_MAX_UNPACKED_MB", "IMPORT_MAX_ROWS", "IMPORT_MAX_COLUMNS")}
    app.config.update(IMPORT_MAX_UNPACKED_MB=5, IMPORT_MAX_ROWS=5, IMPORT_MAX_COLUMNS=20)
    yield app.config
    app.config.update(saved)


def upload(client, content, filename):
    response = client.post("/transfer/import", data={"file": (io.BytesIO(content), filename), "kind": ""},
                           content_type="multipart/form-data")
    current_app.extensions["jobs"].run_queued()
    return response


def test_the_default_unpacked_limit_is_fifty_times_the_upload_limit(app):
    assert app.config["IMPORT_MAX_UNPACKED_MB"] == 50 * app.config["TRANSFER_MAX_UPLOAD_MB"]


def test_a_zip_bomb_is_refused_before_parsing_without_eating_memory(db, limits):
    limits["IMPORT_MAX_UNPACKED_MB"] = 50
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(imports.ImportFileError) as refusal:
        imports.import_file(bomb(100), "bomb.xlsx", dry_run=True)
    assert "более чем в 50 МБ" in str(refusal.value.message)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100  # parsing 100 MB of shared strings would take gigabytes


def test_a_workbook_lying_about_its_unpacked_size_is_refused(db, limits):
    with pytest.raises(imports.ImportFileError):
        imports.import_file(bomb(20, declared_bytes=1000), "liar.xlsx", dry_run=True)


def test_a_workbook_within_the_limits_imports(db, limits):
    report = imports.import_file(bomb(1), "small.xlsx", dry_run=True, actor=SYSTEM)
    assert report.ok and report.rows == 1


def test_the_page_refuses_a_bomb_in_russian_and_deletes_the_upload(client, login, db, limits):
    login(make_user("official"))
    db.session.commit()
    response = upload(client, bomb(20), "bomb.xlsx")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "более чем в 5 МБ" in page.text and "Загрузить другой файл" in page.text
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 0
    assert db.session.scalar(select(func.count()).select_from(Company)) == 0


def test_the_cli_refuses_a_bomb(runner, limits, tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb(20))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1 and "более чем в 5 МБ" in result.output


@pytest.mark.parametrize("make", [xlsx_bytes, csv_bytes], ids=["xlsx", "csv"])
def test_too_many_rows_are_refused(db, limits, make):
    content = make(COMPANY_HEADERS, [company_row(n) for n in range(6)])
    with pytest.raises(imports.ImportFileError) as refusal:
        imports.import_file(content, "firms." + ("xlsx" if make is xlsx_bytes else "csv"), dry_run=True)
    assert "больше 5 строк" in str(refusal.value.message)
    report = imports.import_file(make(COMPANY_HEADERS, [company_row(n) for n in range(5)]),
                                 "firms." + ("xlsx" if make is xlsx_bytes else "csv"), dry_run=True, actor=SYSTEM)
    assert report.ok and report.rows == 5


@pytest.mark.parametrize("make", [xlsx_bytes, csv_bytes], ids=["xlsx", "csv"])
def test_too_many_columns_are_refused(db, limits, make):
    headers = COMPANY_HEADERS + [f"Лишний {n}" for n in range(10)]  # 21 columns
    content = make(headers, [company_row(1) + [""] * 10])
    with pytest.raises(imports.ImportFileError) as refusal:
        imports.import_file(content, "firms." + ("xlsx" if make is xlsx_bytes else "csv"), dry_run=True)
    assert "больше 20 столбцов" in str(refusal.value.message)
