"""The real job worker, `flask --app registry jobs worker`, as its own process on a shared queue: it runs
a job that a web process queued before it even started, and on SIGTERM finishes its job before exiting."""

import socket
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from registry import create_app
from registry.extensions import db
from registry.models import Company, Job
from registry.services import jobs, seeding
from registry.transfer import uploads
from tests.conftest import make_config
from tests.factories import make_company, make_user
from tests.transfer.sheets import COMPANY_HEADERS, company_row, csv_bytes, read_csv
from tests.workers import start_worker, stop_worker

REDIS = ("127.0.0.1", 6379)


def redis_running() -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(REDIS) == 0


@pytest.fixture(params=["sqlite", "redis"])
def jobs_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jobs.db'}"
        return
    if not redis_running():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    import redis

    client = redis.Redis(*REDIS, db=15)
    client.flushdb()
    yield "redis://127.0.0.1:6379/15"
    client.flushdb()


def wait_for(app, job_id: int, states, timeout: float = 90) -> Job:
    deadline = time.monotonic() + timeout
    with app.app_context():
        while True:
            db.session.expire_all()
            job = db.session.get(Job, job_id)
            if job.state in states:
                db.session.expunge(job)
                return job
            assert time.monotonic() < deadline, f"job {job_id} still {job.state}"
            time.sleep(0.1)


def test_the_worker_runs_what_a_web_process_queued_and_stops_cleanly(fresh_database_url, jobs_url):
    database_url = fresh_database_url()
    web = create_app(make_config(database_url, JOBS_URL=jobs_url))
    with web.app_context():
        upgrade()
        seeding.seed_reference()
        official = make_user("official")
        make_company(name="ООО «Волжский литейный завод»")
        db.session.commit()
        rows = [company_row(number) for number in range(1500)]  # enough to be running when SIGTERM comes
        token = uploads.save(csv_bytes(COMPANY_HEADERS, rows), "firms.csv", "companies", official)
        export = jobs.submit("export", {"kind": "companies", "format": "csv", "filters": {}}, user=official)
        long_import = jobs.submit("import", {"token": token, "update_existing": False}, user=official)
        db.session.commit()  # both queued; the web process then goes away
        export_id, import_id = export.id, long_import.id
        db.engine.dispose()

    worker = start_worker(database_url, jobs_url)
    try:
        restarted = create_app(make_config(database_url, JOBS_URL=jobs_url))  # a new web process
        done = wait_for(restarted, export_id, {"done", "failed"})
        assert done.state == "done", done.failure
        with restarted.app_context():
            content = db.session.get(Job, export_id).content
        assert "Волжский литейный завод" in str(read_csv(content))
        assert wait_for(restarted, import_id, {"running", "done"}).state == "running"
        output = stop_worker(worker, timeout=120)  # graceful: the running import finishes first
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "Shutting down gracefully" in output
    finished = wait_for(restarted, import_id, {"done", "failed"}, timeout=1)
    assert finished.state == "done", finished.failure
    with restarted.app_context():
        assert len(db.session.scalars(select(Company.id)).all()) == 1501
        db.engine.dispose()


def test_a_job_still_running_after_the_shutdown_timeout_is_handed_back_to_another_worker(fresh_database_url,
                                                                                         tmp_path):
    database_url, jobs_url = fresh_database_url(), f"sqlite:///{tmp_path / 'jobs.db'}"
    web = create_app(make_config(database_url, JOBS_URL=jobs_url))
    with web.app_context():
        upgrade()
        seeding.seed_reference()
        official = make_user("official")
        token = uploads.save(csv_bytes(COMPANY_HEADERS, [company_row(number) for number in range(1500)]), "firms.csv",
                             "companies", official)
        import_id = jobs.submit("import", {"token": token, "update_existing": False}, user=official).id
        db.session.commit()
        db.engine.dispose()
    first = start_worker(database_url, jobs_url, "--shutdown-timeout", "0.2")
    try:
        assert wait_for(web, import_id, {"running", "done"}).state == "running"
        output = stop_worker(first)
    finally:
        if first.poll() is None:
            first.kill()
    assert "interrupting workers" in output, output[-2000:]  # it did not wait for the import …
    second = start_worker(database_url, jobs_url)  # … which the next worker takes up from the queue
    try:
        finished = wait_for(web, import_id, {"done", "failed"})
    finally:
        stop_worker(second)
    assert finished.state == "done", finished.failure
    with web.app_context():
        assert len(db.session.scalars(select(Company.id)).all()) == 1500  # once, all or nothing
        db.engine.dispose()


def test_quickstart_serves_with_its_worker_beside_it(tmp_path):
    """The README's first command ends in `flask quickstart`: the server and a job worker that runs jobs."""
    import os
    import subprocess
    import sys
    import urllib.request

    from tests.workers import PROJECT

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    database_url, jobs_url = f"sqlite:///{tmp_path / 'registry.db'}", f"sqlite:///{tmp_path / 'jobs.db'}"
    env = {**os.environ, "REGISTRY_CONFIG": "development", "DATABASE_URL": database_url, "JOBS_URL": jobs_url}
    server = subprocess.Popen([sys.executable, "-m", "flask", "--app", "registry", "quickstart", "--port", str(port)],
                              env=env, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "quickstart did not serve"
                time.sleep(0.3)
        web = create_app(make_config(database_url, JOBS_URL=jobs_url))
        with web.app_context():
            job_id = jobs.submit("cleanup").id
            db.session.commit()
        assert wait_for(web, job_id, {"done", "failed"}, timeout=60).state == "done"
        with web.app_context():
            db.engine.dispose()
    finally:
        server.terminate()  # the server stops its worker with SIGTERM on the way out
        output, _ = server.communicate(timeout=60)
    assert "Shutting down gracefully" in output or "Consumer exiting" in output, output[-2000:]
