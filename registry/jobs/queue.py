"""The job queue: Huey carries job ids from the web to the worker; `JOBS_URL` chooses its storage.

- `sqlite:///path`: a file beside the registry's own (the embedded default: no extra service);
- `redis://host:port/db`: production, shared by web processes and workers on any number of machines;
- `memory://`: tests, where a test drains the queue itself (`run_queued`) or starts a worker.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

from flask import Flask, current_app, has_app_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.signals import SIGNAL_INTERRUPTED

from config import ConfigError

QUEUE_NAME = "registry"


def make_huey(url: str) -> Huey:
    if url == "memory://":
        return MemoryHuey(QUEUE_NAME)
    if url.startswith("sqlite:///"):
        return SqliteHuey(QUEUE_NAME, filename=url.removeprefix("sqlite:///"))
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url)
    raise ConfigError(f"JOBS_URL must be sqlite:///path, redis://host:port/db or memory://, not {url!r}")


@dataclass
class Queue:
    huey: Huey
    run_job: object  # the Huey task that runs one `jobs` row
    periodic: dict  # kind -> the Huey periodic task that submits a job of that kind

    def enqueue(self, job_id: int) -> None:
        self.run_job(job_id)

    def run_queued(self) -> int:
        """Runs what is queued now, in this process, through the queue (tests and `jobs run-queued`)."""
        done = 0
        while (task := self.huey.dequeue()) is not None:
            self.huey.execute(task)
            done += 1
        return done


def init_queue(app: Flask) -> None:
    """One Huey per app: its task runs a job inside this app's context, with this app's settings."""
    from registry.jobs.tasks import PERIODIC
    from registry.services import jobs

    huey = make_huey(app.config["JOBS_URL"])

    def in_app():
        # A test drains the queue inside its own app context; the worker needs one per task.
        same = has_app_context() and current_app._get_current_object() is app
        return nullcontext() if same else app.app_context()

    @huey.task(retries=app.config["JOB_RETRIES"], retry_delay=app.config["JOB_RETRY_DELAY"], context=True,
               name="run_job")
    def run_job(job_id: int, task=None):
        with in_app():
            jobs.execute(job_id, retries_left=task.retries if task is not None else 0)

    @huey.signal(SIGNAL_INTERRUPTED)
    def hand_back(signal, task, *args):
        # The worker was told to stop and its shutdown timeout passed mid-job: another worker takes it up.
        huey.enqueue(task)

    periodic = {}
    for kind, schedule in PERIODIC.items():
        def submit_periodic(kind=kind):
            with in_app():
                jobs.submit_now(kind)

        periodic[kind] = huey.periodic_task(schedule, name=f"every.{kind}")(submit_periodic)
    app.extensions["jobs"] = Queue(huey=huey, run_job=run_job, periodic=periodic)


def queue() -> Queue:
    return current_app.extensions["jobs"]
