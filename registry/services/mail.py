"""Outgoing mail: every message is kept in the outbox; it is sent by SMTP only when MAIL_SERVER is set."""

import smtplib
from email.message import EmailMessage

from flask import current_app

from registry.extensions import db
from registry.models import OutboxMessage
from registry.models.base import utcnow


def send(recipient: str, subject: str, body: str) -> OutboxMessage:
    message = OutboxMessage(recipient=recipient, subject=str(subject), body=str(body))
    db.session.add(message)
    server = current_app.config.get("MAIL_SERVER")
    if server:
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = current_app.config["MAIL_SENDER"], recipient, message.subject
        email.set_content(message.body)
        try:
            with smtplib.SMTP(server, timeout=10) as smtp:
                smtp.send_message(email)
            message.sent_at = utcnow()
        except OSError:  # kept in the outbox; a later run can retry
            current_app.logger.warning("Could not send mail to %s; kept in the outbox", recipient)
    else:
        current_app.logger.info("Mail to %s: %s\n%s", recipient, message.subject, message.body)
    db.session.flush()
    return message
