"""SMTP runs in the worker: a request only writes the outbox; an SMTP error is retried; sent_at is honest."""

import smtplib

from sqlalchemy import select

from registry.extensions import db
from registry.models import Job, OutboxMessage
from registry.services import accounts
from tests.factories import make_user


class FlakySMTP:
    """An SMTP server that refuses the first message handed to it, then accepts."""

    delivered: list = []
    refusals = 1

    def __init__(self, host, timeout=None):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, email):
        if FlakySMTP.refusals:
            FlakySMTP.refusals -= 1
            raise smtplib.SMTPServerDisconnected("try later")
        FlakySMTP.delivered.append(email)


def approve_with_smtp(app, monkeypatch, refusals: int) -> OutboxMessage:
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setattr(smtplib, "SMTP", FlakySMTP)
    FlakySMTP.delivered, FlakySMTP.refusals = [], refusals
    user = make_user("company", company_approved=False)
    accounts.approve_representative(user, actor=make_user("admin"))
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    assert message.sent_at is None and FlakySMTP.delivered == []  # nothing sent inside the request
    return message


def delivery_job() -> Job:
    job = db.session.scalar(select(Job).where(Job.kind == "deliver_mail"))
    db.session.refresh(job)
    return job


def test_mail_is_delivered_by_the_worker_and_an_smtp_error_retried(app, db, run_jobs, monkeypatch):
    message = approve_with_smtp(app, monkeypatch, refusals=1)
    assert run_jobs() == 2  # refused by the server, then delivered by the retry
    db.session.refresh(message)
    assert message.sent_at is not None and [email["To"] for email in FlakySMTP.delivered] == [message.recipient]
    assert delivery_job().state == "done"


def test_mail_the_server_never_accepts_stays_unsent_and_administrators_see_why(app, db, run_jobs, monkeypatch):
    message = approve_with_smtp(app, monkeypatch, refusals=99)
    assert run_jobs() == 1 + app.config["JOB_RETRIES"]
    db.session.refresh(message)
    assert message.sent_at is None and FlakySMTP.delivered == []
    job = delivery_job()
    assert job.state == "failed" and "try later" in job.failure


def test_without_a_mail_server_mail_stays_in_the_outbox(app, db, run_jobs):
    user = make_user("company", company_approved=False)
    accounts.approve_representative(user, actor=make_user("admin"))
    db.session.commit()
    assert run_jobs() == 0
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    assert message.sent_at is None
