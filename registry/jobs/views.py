"""«Мои выгрузки»: the jobs a user asked for, their progress, and their files for a day."""

import io

from flask import abort, jsonify, render_template, send_file, url_for
from flask_login import current_user, login_required

from registry.extensions import db
from registry.jobs import bp
from registry.models import Job
from registry.services import jobs


def own_job(job_id: int) -> Job:
    """Only the person who asked sees a job (and its file): the rights of the request carry over."""
    job = db.get_or_404(Job, job_id)
    if job.user_id != current_user.id:
        abort(404)
    return job


def file_of(job: Job):
    """The job's file as a download (the caller has checked `job.has_file` and the asker's rights)."""
    return send_file(io.BytesIO(job.content), mimetype=job.mimetype, as_attachment=True, download_name=job.filename)


def status_of(job: Job, download_endpoint: str = "jobs.download") -> dict:
    status = {"state": job.state, "progress": jobs.live_progress(job)}
    if job.has_file:
        status["download_url"] = url_for(download_endpoint, job_id=job.id)
    if job.error:
        status["error"] = job.error
    return status


@bp.get("/")
@login_required
def index():
    failed = jobs.failed_jobs() if current_user.role == "admin" else []
    return render_template("jobs/index.html", jobs=jobs.jobs_of(current_user), failed=failed)


@bp.get("/<int:job_id>")
@login_required
def detail(job_id: int):
    job = own_job(job_id)
    return render_template("jobs/detail.html", job=job, status=status_of(job))


@bp.get("/<int:job_id>/status")
@login_required
def status(job_id: int):
    return jsonify(status_of(own_job(job_id)))


@bp.get("/<int:job_id>/download")
@login_required
def download(job_id: int):
    job = own_job(job_id)
    if not job.has_file:
        abort(404)
    return file_of(job)
