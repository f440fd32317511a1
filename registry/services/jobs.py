"""Jobs as the people who ask for them see them: submitted in a request, run by the worker, kept a day.

A request calls `submit`, which adds a `jobs` row; the row's id is queued only once the request's
transaction commits, so a worker never looks for a row it cannot see yet, and a rolled-back request
queues nothing. The worker calls `execute`, which runs the kind's handler (`registry.jobs.tasks`),
records the outcome on the row, and lets Huey retry an unexpected failure a bounded number of times.
While a job runs, its progress lives in the queue's own storage (Redis, or the queue's SQLite file),
not in the registry's database: a long export reads in one transaction that progress must not end.
"""

from __future__ import annotations

import traceback
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import event, select

from registry.extensions import db
from registry.jobs.queue import queue
from registry.models import Job
from registry.models.base import utcnow
from registry.services import ServiceError
from registry.translation import lazy_gettext as _l

TO_QUEUE = "jobs_to_queue"  # ids in session.info, queued after the commit
COLLECTING = "jobs_collecting"  # kind -> this transaction's job that collects ids (submit_collected)
FINISHED = ("done", "failed")


def submit(kind: str, params: dict | None = None, *, user=None) -> Job:
    job = Job(kind=kind, params=params or {}, user=user, state="queued", progress=0)
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault(TO_QUEUE, []).append(job.id)
    return job


def submit_collected(kind: str, **ids: list) -> Job:
    """One job per transaction and kind whose id lists grow: an import of thousands of rows queues one job."""
    collecting = db.session.info.setdefault(COLLECTING, {})
    job = collecting.get(kind)
    if job is None or job.id not in db.session.info.get(TO_QUEUE, ()):
        job = collecting[kind] = submit(kind, {})
    job.params = {key: [*job.params.get(key, ()), *ids.get(key, ())] for key in {*job.params, *ids}}
    return job


def submit_now(kind: str, params: dict | None = None) -> Job:
    """For the schedule: a periodic job is a row like any other, so its failures show the same way."""
    job = submit(kind, params)
    db.session.commit()
    return job


def _queue_committed(session) -> None:
    session.info.pop(COLLECTING, None)
    for job_id in session.info.pop(TO_QUEUE, ()):
        queue().enqueue(job_id)


def _forget(session) -> None:
    session.info.pop(TO_QUEUE, None)
    session.info.pop(COLLECTING, None)


def queue_after_commit(scoped_session) -> None:
    """Registers the hooks that queue submitted jobs once their rows are committed (idempotent)."""
    if getattr(scoped_session, "_job_hooks", False):
        return
    event.listen(scoped_session, "after_commit", _queue_committed)
    event.listen(scoped_session, "after_rollback", _forget)
    scoped_session._job_hooks = True


# --- the worker's side ---------------------------------------------------------------------------


def progress_key(job_id: int) -> str:
    return f"progress:{job_id}"


def report_progress(job: Job, percent: int) -> None:
    queue().huey.put(progress_key(job.id), max(0, min(99, int(percent))))


def live_progress(job: Job) -> int:
    if job.state == "running":
        return max(job.progress, queue().huey.get(progress_key(job.id), peek=True) or 0)
    return 100 if job.state == "done" else job.progress


def attach_file(job: Job, filename: str, mimetype: str, content: bytes) -> None:
    job.filename, job.mimetype, job.content, job.size = filename, mimetype, content, len(content)
    job.expires_at = utcnow() + timedelta(hours=current_app.config["JOB_FILES_KEPT_HOURS"])


def execute(job_id: int, *, retries_left: int = 0) -> None:
    from registry.jobs.tasks import HANDLERS

    job = db.session.get(Job, job_id)
    if job is None or job.state in FINISHED:
        return  # deleted meanwhile, or a message delivered twice
    job.state, job.started_at, job.attempts = "running", utcnow(), job.attempts + 1
    db.session.commit()
    locale = job.user.locale if job.user and job.user.locale else current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        try:
            HANDLERS[job.kind](job)
        except ServiceError as refusal:  # the asker's input: retrying would not help
            _finish(job_id, "failed", error=str(refusal.message), result=getattr(refusal, "result", None))
        except Exception:
            retry = retries_left > 0
            _finish(job_id, "queued" if retry else "failed", failure=traceback.format_exc()[-4000:],
                    error=None if retry else str(_l("The job failed. The administrators have been told why.")))
            raise  # Huey retries it, or logs it as failed
        else:
            job.state, job.progress, job.finished_at = "done", 100, utcnow()
            db.session.commit()
    queue().huey.delete(progress_key(job_id))


def _finish(job_id: int, state: str, *, error=None, failure=None, result=None) -> None:
    db.session.rollback()  # nothing the handler wrote is kept
    job = db.session.get(Job, job_id)
    job.state, job.error, job.failure = state, error, failure or job.failure
    if result is not None:
        job.result = result
    if state in FINISHED:
        job.finished_at = utcnow()
    db.session.commit()


# --- reading -------------------------------------------------------------------------------------


def jobs_of(user, limit: int = 50) -> list[Job]:
    return list(db.session.scalars(select(Job).where(Job.user_id == user.id)
                                   .order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)))


def failed_jobs(limit: int = 50) -> list[Job]:
    """What administrators look at: jobs that failed after their retries, newest first."""
    return list(db.session.scalars(select(Job).where(Job.state == "failed", Job.failure.is_not(None))
                                   .order_by(Job.finished_at.desc(), Job.id.desc()).limit(limit)))


def drop_expired_files() -> int:
    """Files are kept for a day; then the row stays (the history) and the content goes."""
    expired = list(db.session.scalars(select(Job).where(Job.expires_at < utcnow(), Job.size.is_not(None))))
    for job in expired:
        job.content, job.size = None, None
    return len(expired)
