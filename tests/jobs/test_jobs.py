"""Jobs through the app's real Huey queue: queued after commit, run like the worker runs them, retried,
failed for administrators to see, files for their owner only, and the API's exports."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.jobs import tasks
from registry.models import Job
from registry.models.base import utcnow
from registry.services import ServiceError, jobs
from registry.services.users import create_token
from tests.factories import make_company, make_user, valid_inn
from tests.transfer.sheets import read_csv


def test_a_job_is_queued_only_when_its_row_is_committed(app, db, run_jobs):
    jobs.submit("cleanup")
    db.session.rollback()
    assert run_jobs() == 0 and db.session.scalar(select(func.count(Job.id))) == 0
    job = jobs.submit("cleanup")
    assert run_jobs() == 0  # not yet committed: a worker could not see the row
    db.session.commit()
    assert run_jobs() == 1
    db.session.refresh(job)
    assert job.state == "done" and job.attempts == 1 and job.result == {"files_dropped": 0, "stuck_jobs": 0}


def test_an_unexpected_failure_is_retried_then_shown_to_administrators(app, db, client, login, run_jobs, monkeypatch):
    calls = []

    def broken(job):
        calls.append(job.id)
        raise RuntimeError("disk full")

    monkeypatch.setitem(tasks.HANDLERS, "cleanup", broken)
    jobs.submit("cleanup")
    db.session.commit()
    while run_jobs():  # each failed attempt goes back to the queue until the retries are spent
        pass
    assert len(calls) == 1 + app.config["JOB_RETRIES"]
    job = db.session.scalar(select(Job))
    db.session.refresh(job)
    assert job.state == "failed" and job.attempts == 3 and "disk full" in job.failure
    assert job.error == "Задание не выполнено. Причина видна администраторам."
    login(make_user("admin"))
    page = client.get("/jobs/")
    assert 'id="failed-jobs"' in page.text and "disk full" in page.text
    login(make_user("official"))
    assert 'id="failed-jobs"' not in client.get("/jobs/").text


def test_a_refusal_fails_at_once_with_the_askers_message(app, db, run_jobs, monkeypatch):
    def refuse(job):
        raise ServiceError("Файл не читается.")

    monkeypatch.setitem(tasks.HANDLERS, "cleanup", refuse)
    jobs.submit("cleanup")
    db.session.commit()
    assert run_jobs() == 1  # no retry
    job = db.session.scalar(select(Job))
    db.session.refresh(job)
    assert (job.state, job.error, job.attempts, job.failure) == ("failed", "Файл не читается.", 1, None)


def test_an_export_shows_progress_and_its_file_waits_a_day_for_its_owner_only(app, db, client, login, run_jobs):
    for number in range(3):
        make_company(region_iso="RU-MO", inn=valid_inn("13"), name=f"Завод {number}")
    owner = login(make_user("official"))
    started = client.post("/transfer/export/companies.csv", data={"region": "RU-MO"})
    page = client.get(started.headers["Location"])
    assert page.status_code == 200 and "Ждёт обработчика заданий" in page.text and 'role="progressbar"' in page.text
    status_url = started.headers["Location"] + "/status"
    assert client.get(status_url).get_json() == {"state": "queued", "progress": 0}
    run_jobs()
    status = client.get(status_url).get_json()
    assert status["state"] == "done" and status["progress"] == 100
    assert len(read_csv(client.get(status["download_url"]).data)) == 4
    listing = client.get("/jobs/")
    assert "Мои выгрузки" in listing.text and "Экспорт: предприятия, CSV" in listing.text
    login(make_user("official"))  # another official of the same rights still may not take someone's file
    assert client.get(status["download_url"]).status_code == 404
    assert client.get(status_url).status_code == 404
    job = db.session.scalar(select(Job).where(Job.user_id == owner.id))
    job.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert jobs.drop_expired_files() == 1
    db.session.commit()
    login(owner)
    assert client.get(status["download_url"]).status_code == 404
    assert "хранился сутки" in client.get("/jobs/").text


def test_the_api_exports_through_a_job(app, db, client, run_jobs):
    official = make_user("official")
    make_company(region_iso="RU-ULY", name="ООО «Станкомаш»")
    headers = {"Authorization": f"Bearer {create_token(official)}"}
    db.session.commit()
    response = client.post("/api/v1/exports", headers=headers,
                           json={"kind": "companies", "format": "csv", "filters": {"region": "RU-ULY"}})
    assert response.status_code == 202
    body = response.get_json()
    assert set(body) == {"id", "status_url"}
    assert client.get(body["status_url"], headers=headers).get_json() == {"state": "queued", "progress": 0}
    run_jobs()
    status = client.get(body["status_url"], headers=headers).get_json()
    assert status["state"] == "done" and status["progress"] == 100
    file = client.get(status["download_url"], headers=headers)
    assert file.status_code == 200 and "Станкомаш" in file.data.decode("utf-8-sig")
    other = {"Authorization": f"Bearer {create_token(make_user('official'))}"}
    db.session.commit()
    assert client.get(body["status_url"], headers=other).status_code == 404
    assert client.get(status["download_url"], headers=other).status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "users", "format": "csv"}, "kind"),
    ({"kind": "companies", "format": "pdf"}, "format"),
    ({"kind": "companies", "format": "csv", "filters": {"colour": "red"}}, "filters"),
    ({"kind": "needs", "format": "csv", "filters": {"status": "lost"}}, "filters"),
    ({"kind": "companies", "format": "csv", "filters": {"verified": 0}}, "filters"),  # schemathesis found it
])
def test_a_bad_export_request_names_the_field_and_queues_nothing(app, db, client, run_jobs, body, field):
    headers = {"Authorization": f"Bearer {create_token(make_user('official'))}"}
    db.session.commit()
    response = client.post("/api/v1/exports", headers=headers, json=body)
    assert response.status_code == 422 and field in str(response.get_json()["errors"])
    assert run_jobs() == 0


def test_representatives_cannot_export_through_the_api(app, db, client):
    headers = {"Authorization": f"Bearer {create_token(make_user('company'))}"}
    db.session.commit()
    assert client.post("/api/v1/exports", headers=headers, json={"kind": "companies", "format": "csv"}).status_code == 403
    assert client.post("/api/v1/exports", json={"kind": "companies", "format": "csv"}).status_code == 401


def test_the_schedule_submits_clean_up_as_a_job(app, db, run_jobs):
    queue = app.extensions["jobs"]
    assert set(queue.periodic) == set(tasks.PERIODIC)
    queue.periodic["cleanup"]()  # what the worker's scheduler does on the hour
    run_jobs()  # the periodic task submits a job row, which is queued on commit …
    run_jobs()  # … and then run
    job = db.session.scalar(select(Job).where(Job.kind == "cleanup"))
    assert job is not None and job.state == "done"
