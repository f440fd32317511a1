"""The outbox as a page: every user reads the mail the registry wrote to them; administrators read all of it.

Without SMTP (the embedded default) this is where notifications can be read at all; with SMTP it shows
what was sent and when."""

from flask import render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import OutboxMessage
from registry.outbox import bp

SHOWN = 100


@bp.get("/")
@login_required
def index():
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(SHOWN)
    everyone = current_user.role == "admin" and request.args.get("mine") is None
    if not everyone:
        query = query.where(func.lower(OutboxMessage.recipient) == current_user.email.lower())
    return render_template("outbox/index.html", messages=db.session.scalars(query).all(), everyone=everyone,
                           shown=SHOWN)
