"""Moderation of self-registered firms: an official of the firm's region publishes it or refuses it.

A firm that registers itself (`accounts.register_representative` with a new INN) starts as
`publication = "pending"`: the public does not see it (`Company.is_public` is the one rule), only its own
representative and the staff do. Firms created by officials, imports and seeds are published at once.
The applicant's representative hears of the decision; the function returns whom it told.
"""

from sqlalchemy import select

from registry.extensions import db
from registry.links import external_url
from registry.models import Company, Need, User
from registry.models.company import PUBLISHED, REJECTED
from registry.policy import authorize, can_moderate_company
from registry.services import ServiceError, alerts, audit
from registry.services.notifications import (
    REPRESENTATIVES,
    Recipient,
    Recipients,
    notify_company,
    recipients_for,
)
from registry.translation import lazy_gettext as _l

NOTE_MAX_LENGTH = 2000
DECISIONS = (PUBLISHED, REJECTED)


def applicants(company: Company) -> Recipients:
    """Whoever registered the firm (its representatives, approved or not: the applicant is not approved yet);
    failing them, whoever `recipients_for` names."""
    users = db.session.scalars(
        select(User).where(User.company_id == company.id, User.role == "company", User.active.is_(True))
        .order_by(User.id)).all()
    if users:
        return Recipients(company, REPRESENTATIVES, [Recipient(user.email, user.locale) for user in users])
    return recipients_for(company)


def decide(company: Company, decision: str, *, note: str = "", actor) -> Recipients:
    """Publishes the firm (`decision` "published") or refuses it ("rejected", which needs a note saying why).

    A firm already published is not moderated again. Returns whom the decision was told."""
    authorize(can_moderate_company(actor, company))
    note = (note or "").strip()
    if decision not in DECISIONS:
        raise ServiceError(_l("Choose whether to publish the company or to refuse it."), "decision")
    if company.publication == PUBLISHED:
        raise ServiceError(_l("This company is already published."), "decision")
    if decision == REJECTED and not note:
        raise ServiceError(_l("Say why the company is refused: its representative reads it."), "note")
    if len(note) > NOTE_MAX_LENGTH:
        raise ServiceError(_l("Too long: at most %(limit)d characters.", limit=NOTE_MAX_LENGTH), "note")
    if company.publication == decision and (company.publication_note or "") == note:
        raise ServiceError(_l("The company already has this decision and note."), "note")
    company.publication, company.publication_note = decision, note or None
    db.session.flush()
    audit.record(actor, "company.publication", company, publication=decision, note=note or None)
    link = external_url("catalog.detail", company_id=company.id)
    if decision == PUBLISHED:
        for need in db.session.scalars(select(Need).where(Need.company_id == company.id, Need.status == "open")):
            alerts.need_posted_or_changed(need)  # its needs reach matching firms now, as a new need would
        subject = _l("%(company)s is published in the registry", company=company.name)
        body = [_l("An official checked %(company)s: the catalogue, the search and matching show it now.",
                   company=company.name)]
    else:
        subject = _l("%(company)s is not published in the registry", company=company.name)
        body = [_l("An official refused to publish %(company)s in the catalogue.", company=company.name)]
    if note:
        body.append(_l("The official's note: %(note)s", note=note))
    return notify_company(company, subject, body, link=link, recipients=applicants(company))


__all__ = ["DECISIONS", "applicants", "decide"]
