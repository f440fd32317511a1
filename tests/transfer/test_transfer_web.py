"""The import and export pages: who may use them, upload → preview → confirm, downloads."""

import io

import pytest
from flask import current_app
from sqlalchemy import func, select

from registry.models import AuditEntry, Company, PendingUpload
from tests.factories import make_company, make_project, make_user, valid_inn
from tests.transfer.sheets import COMPANY_HEADERS, company_row, csv_bytes, read_csv, read_xlsx, xlsx_bytes

PAGES = ["/transfer/", "/transfer/template/companies.xlsx"]


def companies(db):
    return db.session.scalar(select(func.count()).select_from(Company))


def upload(client, content, filename="firms.xlsx", kind=""):
    """Uploads a file; its check then runs through the queue, as the worker would run it."""
    response = client.post("/transfer/import", data={"file": (io.BytesIO(content), filename), "kind": kind},
                           content_type="multipart/form-data")
    current_app.extensions["jobs"].run_queued()
    return response


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_users_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert "login" in response.headers["Location"]


@pytest.mark.parametrize("path", PAGES)
def test_company_representatives_are_refused(client, login, db, path):
    login(make_user("company"))
    db.session.commit()
    assert client.get(path).status_code == 403


def test_a_representative_cannot_upload(client, login, db):
    login(make_user("company"))  # with the company they represent
    db.session.commit()
    assert upload(client, xlsx_bytes(COMPANY_HEADERS, [company_row(1)])).status_code == 403
    assert companies(db) == 1


def test_upload_preview_confirm(client, login, db, run_jobs):
    official = login(make_user("official"))
    db.session.commit()
    page = client.get("/transfer/")
    assert page.status_code == 200 and "Импорт и экспорт" in page.text
    response = upload(client, xlsx_bytes(COMPANY_HEADERS, [company_row(n) for n in range(3)]))
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    preview = client.get(preview_url)
    assert preview.status_code == 200
    assert "firms.xlsx" in preview.text and "Новых записей" in preview.text
    assert companies(db) == 0  # the preview writes nothing
    confirmed = client.post(preview_url)
    assert confirmed.status_code == 302 and "/jobs/" in confirmed.headers["Location"]
    assert companies(db) == 0  # the job worker imports
    assert run_jobs() == 2  # the import, then the officials' news of the region's new firms
    done = client.get(confirmed.headers["Location"])
    assert done.status_code == 200 and 'id="import-outcome"' in done.text and "Готово" in done.text
    assert companies(db) == 3
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "import.companies"))
    assert entry.actor_id == official.id and entry.changes["rows"] == 3
    assert client.get(preview_url).status_code == 404  # the kept file is gone once imported


def test_the_preview_lists_the_rows_with_the_capabilities_their_text_is_placed_in(client, login, db):
    login(make_user("official"))
    registered = make_company(inn=valid_inn("73"), name="ООО «Уже есть»")
    rows = [company_row(1, name="ООО «Литейщик»", capabilities="Литьё алюминия в кокиль"),
            company_row(2, inn=registered.inn, name="ООО «Уже есть»", capabilities="",
                        description="Изготавливаем пресс-формы и штампы для листовой штамповки")]
    db.session.commit()
    preview = client.get(upload(client, xlsx_bytes(COMPANY_HEADERS, rows), kind="companies").headers["Location"]).text
    table = preview[preview.index('id="preview-rows"'):]
    first, second = (table.split(f"<tr><td>{row}</td>", 1)[1].split("</tr>")[0] for row in (2, 3))
    assert "ООО «Литейщик»" in first and "новая запись" in first and "Литьё" in first
    assert "обновит" in second and "штамп" in second.lower()  # placed by its description


def test_the_preview_lists_bad_rows_and_offers_no_import(client, login, db):
    login(make_user("admin"))
    db.session.commit()
    rows = [company_row(1), company_row(2, region="Атлантида"), company_row(3, email="x@")]
    preview = client.get(upload(client, csv_bytes(COMPANY_HEADERS, rows), "firms.csv").headers["Location"])
    assert preview.status_code == 200
    assert "Неизвестный регион Атлантида" in preview.text and "Это не адрес электронной почты" in preview.text
    assert 'id="bad-rows"' in preview.text and ">3</td>" in preview.text and ">4</td>" in preview.text
    assert "Импортировать</button>" not in preview.text


def test_existing_companies_need_the_update_choice(client, login, db, run_jobs):
    login(make_user("official"))
    company = make_company(city="Ульяновск")
    db.session.commit()
    url = upload(client, xlsx_bytes(COMPANY_HEADERS, [company_row(1, inn=company.inn, city="Димитровград")])).headers["Location"]
    preview = client.get(url)
    assert 'name="update_existing"' in preview.text
    refused = client.post(url, data={})
    run_jobs()
    outcome = client.get(refused.headers["Location"])
    assert "Ничего не импортировано" in outcome.text and "уже зарегистрировано" in outcome.text
    assert db.session.get(Company, company.id).city == "Ульяновск"
    assert client.get(url).status_code == 200  # a refused import keeps the upload for another try
    client.post(url, data={"update_existing": "y"})
    run_jobs()
    db.session.expire_all()
    assert db.session.get(Company, company.id).city == "Димитровград"


def test_likely_duplicates_are_shown_in_the_preview(client, login, db):
    login(make_user("official"))
    make_company(name="ООО «Орбита»")
    db.session.commit()
    url = upload(client, xlsx_bytes(COMPANY_HEADERS, [company_row(1, inn="", name="Орбита")])).headers["Location"]
    preview = client.get(url)
    assert 'id="likely-duplicates"' in preview.text and "ООО «Орбита»" in preview.text


@pytest.mark.parametrize(("filename", "message"), [("firms.txt", "Загрузите файл Excel"), ("firms.xls", "Загрузите файл Excel")])
def test_a_wrong_file_type_is_refused_on_the_form(client, login, db, filename, message):
    login(make_user("official"))
    db.session.commit()
    response = upload(client, b"whatever", filename)
    assert response.status_code == 400 and message in response.text


def test_a_file_too_large_is_refused(app, client, login, db):
    login(make_user("official"))
    db.session.commit()
    limit, app.config["TRANSFER_MAX_UPLOAD_MB"] = app.config["TRANSFER_MAX_UPLOAD_MB"], 1
    try:
        response = upload(client, b"x" * (1024 * 1024 + 10), "firms.csv")
    finally:
        app.config["TRANSFER_MAX_UPLOAD_MB"] = limit
    assert response.status_code == 400 and "Файл больше 1 МБ" in response.text


def test_an_unreadable_workbook_is_explained_after_upload(client, login, db):
    login(make_user("official"))
    db.session.commit()
    response = client.get(upload(client, b"PK\x03\x04broken", "firms.xlsx").headers["Location"])
    assert response.status_code == 200 and "Excel" in response.text and "Загрузить другой файл" in response.text


def test_another_users_upload_cannot_be_seen_or_confirmed(app, client, login, db):
    login(make_user("official"))
    db.session.commit()
    url = upload(client, xlsx_bytes(COMPANY_HEADERS, [company_row(1)])).headers["Location"]
    login(make_user("official"))
    db.session.commit()
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert client.get("/transfer/import/../../etc/passwd").status_code == 404
    assert companies(db) == 0
    token = url.split("?")[0].rsplit("/", 1)[-1]
    assert db.session.scalar(select(PendingUpload).where(PendingUpload.token == token)) is not None  # still theirs


def download(client, run_jobs, response):
    """Follows an export or report from its form to its file, running the queued job like the worker."""
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_page = response.headers["Location"]
    assert run_jobs() == 1
    status = client.get(job_page + "/status").get_json()
    assert status["state"] == "done" and status["progress"] == 100
    file = client.get(status["download_url"])
    assert file.status_code == 200 and "attachment" in file.headers["Content-Disposition"]
    return file


def test_templates_exports_and_report_download(client, login, db, run_jobs):
    login(make_user("official"))
    customer = make_company(region_iso="RU-ULY")
    make_company(region_iso="RU-MO", inn=valid_inn("13"))
    make_project((customer, "customer"), title="Проект")
    db.session.commit()
    response = client.get("/transfer/template/needs.xlsx")
    assert response.status_code == 200 and read_xlsx(response.data)[0][:2] == ("ИНН предприятия", "Потребность")
    response = client.get("/transfer/template/projects.csv")
    assert read_csv(response.data)[0][0] == "Проект"
    response = download(client, run_jobs, client.post("/transfer/export/companies.csv", data={"region": "RU-MO"}))
    assert len(read_csv(response.data)) == 2
    assert len(read_xlsx(download(client, run_jobs, client.post("/transfer/export/projects.xlsx")).data)) == 2
    response = download(client, run_jobs, client.post("/transfer/report/projects.xlsx",
                                                      data={"start": "2020-01-01", "end": "2040-01-01"}))
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(response.data)).sheetnames == ["Сводка", "Проекты", "Смены стадий"]
    assert client.post("/transfer/export/users.csv").status_code == 404
    assert client.post("/transfer/report/projects.xlsx", data={"start": "2030-01-01", "end": "2020-01-01"}).status_code == 400
    assert run_jobs() == 0  # refused requests queue nothing


def test_the_preview_waits_for_the_check_run_by_the_worker(client, login, db, run_jobs):
    login(make_user("official"))
    response = client.post("/transfer/import", data={"file": (io.BytesIO(xlsx_bytes(COMPANY_HEADERS, [company_row(1)])),
                                                               "firms.xlsx"), "kind": ""},
                           content_type="multipart/form-data")
    waiting = client.get(response.headers["Location"])
    assert waiting.status_code == 200 and 'role="progressbar"' in waiting.text and "data-reload-on-finish" in waiting.text
    assert "Новых записей" not in waiting.text
    run_jobs()
    assert "Новых записей" in client.get(response.headers["Location"]).text
    bookmarked = client.get(response.headers["Location"].split("?")[0])  # without its check: a new check starts
    assert bookmarked.status_code == 302 and "check=" in bookmarked.headers["Location"]
