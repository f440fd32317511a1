"""What each kind of job does: as thin as a view, it reads the job's parameters and calls a service.

`HANDLERS` maps a job's kind to its handler; `PERIODIC` says which kinds the worker's scheduler submits
and when (UTC). A handler raises ServiceError for what the asker can fix: that fails the job at once,
with the message shown to them; any other exception is retried (JOB_RETRIES) and then shown to
administrators.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from huey import crontab
from sqlalchemy import update

from registry.extensions import db
from registry.models import Job, Need
from registry.models.base import utcnow
from registry.services import ServiceError, alerts, exports, imports, jobs, mail, meetings, reports
from registry.transfer import uploads
from registry.translation import lazy_gettext as _l

MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}
STUCK_AFTER = timedelta(hours=6)  # a job "running" this long lost its worker (killed, machine gone)


class ImportRefused(ServiceError):
    def __init__(self, message, result: dict):
        super().__init__(message)
        self.result = result


def export_file(job: Job) -> None:
    kind, fmt, filters = job.params["kind"], job.params["format"], job.params.get("filters") or {}
    filename = f"{kind}-{date.today():%Y-%m-%d}.{fmt}"
    stream = io.BytesIO()
    count = exports.export(stream, kind, fmt, args=filters, actor=job.user, filename=filename,
                           progress=lambda percent: jobs.report_progress(job, percent))
    jobs.attach_file(job, filename, MIME[fmt], stream.getvalue())
    job.result = {"rows": count}


def project_report(job: Job) -> None:
    start, end = (date.fromisoformat(job.params[key]) if job.params.get(key) else None for key in ("start", "end"))
    stream = io.BytesIO()
    period = reports.build_report(stream, start=start, end=end, actor=job.user)
    jobs.attach_file(job, f"projects-report-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}.xlsx", MIME["xlsx"],
                     stream.getvalue())


def own_upload(job: Job) -> uploads.Upload:
    upload = uploads.load(job.params["token"], job.user)
    if upload is None:
        raise ServiceError(_l("The uploaded file is no longer there (files wait a day); upload it again."))
    return upload


def check_import(job: Job) -> None:
    """The preview: a dry run that counts registered records as updates (the official then chooses)."""
    upload = own_upload(job)
    try:
        report = imports.import_file(upload.content, upload.filename, kind=upload.kind or None, update_existing=True,
                                     dry_run=True, actor=job.user)
    except imports.ImportFileError:
        # A file that cannot be imported (unreadable, or beyond the limits: a zip bomb) is not kept either.
        db.session.rollback()
        uploads.discard(upload.token)
        db.session.commit()
        raise
    db.session.rollback()  # a dry run keeps nothing, whatever it touched
    job.result = report.summary()


def import_upload(job: Job) -> None:
    """All or nothing: the import writes in the job's one transaction, committed only when every row is right."""
    upload = own_upload(job)
    jobs.report_progress(job, 10)
    report = imports.import_file(upload.content, upload.filename, kind=upload.kind or None,
                                 update_existing=bool(job.params.get("update_existing")), actor=job.user)
    if not report.ok:
        raise ImportRefused(_l("Nothing was imported: the file has problems; fix them and upload it again."),
                            report.summary())
    uploads.discard(upload.token)
    job.result = report.summary()


def clean_up(job: Job) -> None:
    """Drops day-old files and marks jobs whose worker vanished as failed, for administrators to see."""
    dropped = jobs.drop_expired_files()
    stuck = db.session.execute(
        update(Job).where(Job.state == "running", Job.started_at < utcnow() - STUCK_AFTER)
        .values(state="failed", finished_at=utcnow(), failure="The worker stopped while running it.",
                error=str(_l("The job failed. The administrators have been told why.")))).rowcount
    job.result = {"files_dropped": dropped, "stuck_jobs": stuck}


def need_alerts(job: Job) -> None:
    need = db.session.get(Need, job.params["need_id"])
    job.result = {"firms_alerted": alerts.alert_matching_firms(need) if need is not None else 0}


def region_alerts(job: Job) -> None:
    job.result = {"mails": alerts.alert_region_officials(job.params.get("company_ids", ()),
                                                         job.params.get("need_ids", ()))}


def daily_digest(job: Job) -> None:
    job.result = {"mails": alerts.send_daily_digests()}


def weekly_digest(job: Job) -> None:
    job.result = {"mails": alerts.send_weekly_digests()}


def reminders(job: Job) -> None:
    job.result = {"mails": alerts.send_reminders()}


def meeting_requests(job: Job) -> None:
    job.result = {"expired": meetings.expire_requests()}


def event_follow_ups(job: Job) -> None:
    job.result = {"firms_asked": meetings.send_follow_ups(date.today())}


def deliver_mail(job: Job) -> None:
    job.result = {"sent": mail.deliver(job.params["message_id"])}


HANDLERS = {
    "export": export_file,
    "report": project_report,
    "check_import": check_import,
    "import": import_upload,
    "cleanup": clean_up,
    "need_alerts": need_alerts,
    "region_alerts": region_alerts,
    "daily_digest": daily_digest,
    "weekly_digest": weekly_digest,
    "reminders": reminders,
    "deliver_mail": deliver_mail,
    "meeting_requests": meeting_requests,
    "event_follow_ups": event_follow_ups,
}

PERIODIC = {  # UTC; Moscow is UTC+3
    "cleanup": crontab(minute="7"),  # hourly
    "reminders": crontab(minute="30", hour="5"),  # 08:30 Moscow, before the working day
    "weekly_digest": crontab(minute="0", hour="5", day_of_week="1"),  # Mondays, 08:00 Moscow
    "daily_digest": crontab(minute="0", hour="6"),  # 09:00 Moscow
    "meeting_requests": crontab(minute="*/10"),  # unanswered requests lapse within ten minutes of the deadline
    "event_follow_ups": crontab(minute="0", hour="7"),  # 10:00 Moscow
}
