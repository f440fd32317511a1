"""Long work in the job worker, measured on a PostgreSQL registry of N companies (issue 9's targets).

    PYTHONPATH=. .venv/bin/python benchmarks/jobs_speed.py \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/bench_100k [--jobs-url redis://127.0.0.1:6379/14] \\
        [--needs 1000]

Fill the database first (`flask db upgrade && flask seed && flask demo-data --companies 100000`, or
benchmarks/match_speed.py). The script starts the real worker (`flask --app registry jobs worker`) on a
Redis queue and then, through the app's WSGI interface (Flask's test client, no network):

1. an official exports every company to XLSX from the web page: the request's time, the job's time, the
   progress values the status URL showed while it ran, the download;
2. the same through the API (`POST /api/v1/exports`, XLSX and CSV);
3. posts `--needs` needs through `POST /api/v1/needs` one after the other: request times of the first and
   the last hundred (the alerts must not slow the answers), then how long the worker takes to finish the
   alert jobs the needs queued, and the mails they wrote to the outbox. The needs are deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, func, select  # noqa: E402

from registry import create_app  # noqa: E402
from registry.extensions import db  # noqa: E402
from registry.models import Company, Job, Need, NeedAlert, OutboxMessage, User  # noqa: E402
from registry.services import users as user_service  # noqa: E402

OFFICIAL = "bench-official@example.org"
PASSWORD = "benchmark password 1"
NEED_TITLES = [
    "Токарная обработка валов из стали 40Х", "Фрезеровка корпусов из алюминия Д16Т на ЧПУ",
    "Лазерная резка листа 09Г2С толщиной 10 мм", "Изготовление пресс-формы для литья ПНД",
    "Резиновые уплотнения по ГОСТ 9833", "Гальваническое цинкование крепежа", "Поковки из стали 45",
    "Ремонт тележек грузовых вагонов 18-100", "Теплообменник кожухотрубный по чертежу",
    "Порошковая окраска металлоконструкций", "Штамповка деталей из листа 08пс", "Шестерни по образцу, модуль 3",
]


def percentile(values, share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timings(values) -> str:
    return (f"median {statistics.median(values) * 1000:.1f} ms, p95 {percentile(values, 0.95) * 1000:.1f} ms, "
            f"max {max(values) * 1000:.1f} ms (n={len(values)})")


def start_worker(database: str, jobs_url: str) -> subprocess.Popen:
    env = {**os.environ, "REGISTRY_CONFIG": "development", "DATABASE_URL": database, "JOBS_URL": jobs_url,
           "SECRET_KEY": "benchmark-secret"}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "registry", "jobs", "worker", "--workers", "2"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def follow(client, status_url: str, headers=None, timeout: float = 600) -> tuple[dict, float, list[int]]:
    """Polls a job's status until it finishes: the last status, the seconds it took, the progress seen."""
    started, seen = time.perf_counter(), []
    while True:
        status = client.get(status_url, headers=headers).get_json()
        if not seen or seen[-1] != status["progress"]:
            seen.append(status["progress"])
        if status["state"] in ("done", "failed"):
            return status, time.perf_counter() - started, seen
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"the job did not finish in {timeout} s: {status}")
        time.sleep(0.25)


def report_export(label: str, request_seconds: float, status: dict, job_seconds: float, seen: list[int], file) -> None:
    assert status["state"] == "done", status
    print(f"{label}: request answered in {request_seconds * 1000:.0f} ms; job done {job_seconds:.1f} s later; "
          f"progress seen {seen}; file {len(file.data) / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--jobs-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--needs", type=int, default=1000)
    args = parser.parse_args()

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "JOBS_URL": args.jobs_url,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    app.extensions["jobs"].huey.flush()
    with app.app_context():
        companies = db.session.scalar(select(func.count(Company.id)))
        official = db.session.scalar(select(User).where(User.email == OFFICIAL))
        if official is None:
            official = user_service.create_user(OFFICIAL, PASSWORD, "official", region_iso="RU-ULY")
        token = user_service.create_token(official)
        db.session.commit()
        region_id = official.region_id
    print(f"{companies:,} companies; queue {args.jobs_url}; worker: flask jobs worker --workers 2")
    worker = start_worker(args.database, args.jobs_url)
    api = {"Authorization": f"Bearer {token}"}
    try:
        with app.test_client() as client:
            client.post("/auth/login", data={"email": OFFICIAL, "password": PASSWORD})
            started = time.perf_counter()
            response = client.post("/transfer/export/companies.xlsx")
            request_seconds = time.perf_counter() - started
            page = response.headers["Location"]
            status, job_seconds, seen = follow(client, page + "/status")
            report_export("web, companies XLSX", request_seconds, status, job_seconds, seen,
                          client.get(status["download_url"]))

            for fmt in ("xlsx", "csv"):
                started = time.perf_counter()
                response = client.post("/api/v1/exports", headers=api, json={"kind": "companies", "format": fmt})
                request_seconds = time.perf_counter() - started
                assert response.status_code == 202, response.get_json()
                status, job_seconds, seen = follow(client, response.get_json()["status_url"], headers=api)
                report_export(f"API, companies {fmt.upper()}", request_seconds, status, job_seconds, seen,
                              client.get(status["download_url"], headers=api))

            with app.app_context():
                customer_id = db.session.scalar(select(Company.id).where(Company.region_id == region_id)
                                                .order_by(Company.id).limit(1))
                outbox_before = db.session.scalar(select(func.count(OutboxMessage.id)))
                first_job = db.session.scalar(select(func.max(Job.id))) or 0
            latencies, created = [], []
            for number in range(args.needs):
                body = {"company_id": customer_id, "title": f"{NEED_TITLES[number % len(NEED_TITLES)]} ({number})",
                        "description": "Заявка для замера скорости (benchmark)"}
                started = time.perf_counter()
                response = client.post("/api/v1/needs", headers=api, json=body)
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 201, response.get_json()
                created.append(response.get_json()["id"])
            posted = time.perf_counter()
            print(f"POST /api/v1/needs ×{args.needs}: first 100 {timings(latencies[:100])}; "
                  f"last 100 {timings(latencies[-100:])}")
            with app.app_context():
                while True:
                    db.session.expire_all()
                    pending = db.session.scalar(select(func.count(Job.id)).where(
                        Job.id > first_job, Job.state.in_(("queued", "running"))))
                    if not pending:
                        break
                    time.sleep(0.5)
                kinds = dict(db.session.execute(select(Job.kind, func.count(Job.id)).where(Job.id > first_job)
                                                .group_by(Job.kind)).all())
                mails = db.session.scalar(select(func.count(OutboxMessage.id))) - outbox_before
                alerted = db.session.scalar(select(func.count(NeedAlert.id)).where(NeedAlert.need_id.in_(created)))
                print(f"the worker finished the jobs the needs queued {time.perf_counter() - posted:.1f} s after the "
                      f"last answer: {kinds or 'none'}; {alerted} firm alerts recorded above ALERT_MIN_SCORE, "
                      f"{mails} mails in the outbox (demo firms have no representatives to mail)")
                for need in db.session.scalars(select(Need).where(Need.id.in_(created))):
                    db.session.delete(need)
                db.session.execute(delete(Job).where(Job.id > first_job, Job.kind != "export"))
                db.session.commit()
    finally:
        worker.terminate()
        worker.wait(timeout=120)


if __name__ == "__main__":
    main()
