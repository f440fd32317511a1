"""Outgoing mail: every message is kept in the outbox; with MAIL_SERVER set, the job worker delivers it.

SMTP never runs in a web request: `send` writes the outbox row and submits a delivery job, queued when
the caller commits. An SMTP error fails the job, which the job machinery retries; `sent_at` is set only
once the server accepted the message.
"""

import smtplib
from email.message import EmailMessage

from flask import current_app

from registry.extensions import db
from registry.models import OutboxMessage
from registry.models.base import utcnow
from registry.services import jobs


def send(recipient: str, subject: str, body: str) -> OutboxMessage:
    message = OutboxMessage(recipient=recipient, subject=str(subject), body=str(body))
    db.session.add(message)
    db.session.flush()
    if current_app.config.get("MAIL_SERVER"):
        jobs.submit("deliver_mail", {"message_id": message.id})
    else:
        current_app.logger.info("Mail to %s: %s\n%s", recipient, message.subject, message.body)
    return message


def deliver(message_id: int) -> bool:
    """Hands one outbox message to SMTP; raises on an SMTP error so that the job is retried."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.sent_at is not None:
        return False  # gone, or delivered by an earlier attempt
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = current_app.config["MAIL_SENDER"], message.recipient, message.subject
    email.set_content(message.body)
    with smtplib.SMTP(current_app.config["MAIL_SERVER"], timeout=10) as smtp:
        smtp.send_message(email)
    message.sent_at = utcnow()
    return True
