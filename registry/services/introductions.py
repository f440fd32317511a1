"""Interest on a match becomes an introduction; the receiving firm answers it, both firms write to each
other beside it, and an official turns it into a project. Every step tells the other side (see
`services/notifications.py`) and returns whom it told, so that pages say exactly that."""


from flask_babel import format_datetime
from sqlalchemy import select

from registry.extensions import db
from registry.labels import INTRODUCTION_STATUS_LABELS
from registry.links import external_url
from registry.models import Company, Introduction, IntroductionMessage, Need
from registry.models.base import utcnow
from registry.models.introduction import ANSWERS
from registry.policy import (
    authorize,
    can_answer_introduction,
    can_express_interest,
    can_manage_projects,
    can_view_introduction,
)
from registry.services import ServiceError, audit, projects
from registry.services.notifications import Recipients, notify_company
from registry.translation import lazy_gettext as _l

MESSAGE_MAX_LENGTH = 2000
ANSWER_NOTE_MAX_LENGTH = 1000

# Builds the absolute address of an introduction's page for e-mails (the caller knows the host).


def express_interest(need: Need, supplier: Company, *, actor, score: float | None = None, note: str = "") -> tuple[Introduction, list[Recipients]]:
    """Records interest in putting a need's company and a supplier in touch, and tells the other side.

    Asking twice about the same pair returns the first introduction and tells nobody again: interest
    is a fact, not a counter. Returns the introduction and whom this call told.
    """
    authorize(can_express_interest(actor, need, supplier))
    if supplier.id == need.company_id:
        raise ServiceError(_l("A company cannot be introduced to itself."))
    if need.status == "closed":
        raise ServiceError(_l("This need is closed."))
    existing = db.session.scalar(select(Introduction).where(Introduction.need_id == need.id,
                                                            Introduction.supplier_id == supplier.id))
    if existing is not None:
        return existing, []
    introduction = Introduction(need=need, supplier=supplier, requested_by=actor, score=score, note=note or "")
    db.session.add(introduction)
    db.session.flush()
    audit.record(actor, "introduction.create", introduction, need_id=need.id, supplier_id=supplier.id)
    subject = _l("Interest in cooperation: %(need)s", need=need.title)
    body = _l("%(customer)s and %(supplier)s were matched on the need «%(need)s», and interest has been "
              "expressed. Please answer on the introduction's page: accept or decline, and write to the other firm.",
              customer=need.company.name, supplier=supplier.name, need=need.title)
    return introduction, _notify(introduction, _other_firms(introduction, actor), subject, body)


def answer(introduction: Introduction, decision: str, *, actor, note: str = "") -> list[Recipients]:
    """The receiving firm accepts or declines an introduction, once; both firms are told."""
    authorize(can_answer_introduction(actor, introduction))
    if decision not in ANSWERS:
        raise ServiceError(_l("Choose to accept or to decline."), field="decision")
    if introduction.status == "project":
        raise ServiceError(_l("This introduction has already been turned into a project; it needs no answer."))
    if introduction.status in ANSWERS:
        raise ServiceError(_l("This introduction has already been answered (%(status)s, %(date)s).",
                              status=INTRODUCTION_STATUS_LABELS[introduction.status],
                              date=format_datetime(introduction.answered_at, "short")
                              if introduction.answered_at else "—"))
    note = (note or "").strip()
    if len(note) > ANSWER_NOTE_MAX_LENGTH:
        raise ServiceError(_l("The note is too long (at most %(max)d characters).", max=ANSWER_NOTE_MAX_LENGTH),
                           field="note")
    introduction.status = decision
    introduction.answered_by = actor
    introduction.answered_at = utcnow()
    introduction.answer_note = note
    db.session.flush()
    audit.record(actor, "introduction.answer", introduction, status=decision)
    need = introduction.need
    subject = _l("Introduction %(status)s: %(need)s", status=INTRODUCTION_STATUS_LABELS[decision], need=need.title)
    body = [_l("The introduction of %(customer)s and %(supplier)s on the need «%(need)s» is now: %(status)s.",
               customer=need.company.name, supplier=introduction.supplier.name, need=need.title,
               status=INTRODUCTION_STATUS_LABELS[decision])]
    if note:
        body.append(note)
    return _notify(introduction, _firms(introduction), subject, body)


def post_message(introduction: Introduction, body: str, *, actor) -> tuple[IntroductionMessage, list[Recipients]]:
    """Adds a message to an introduction's thread and tells the other firm (both firms when an official
    writes)."""
    authorize(can_view_introduction(actor, introduction))
    body = (body or "").strip()
    if not body:
        raise ServiceError(_l("Write a message."), field="body")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ServiceError(_l("The message is too long (at most %(max)d characters).", max=MESSAGE_MAX_LENGTH),
                           field="body")
    message = IntroductionMessage(introduction=introduction, author=actor, body=body)
    db.session.add(message)
    db.session.flush()
    audit.record(actor, "introduction.message", introduction, message_id=message.id)
    author_firm = next((firm for firm in _firms(introduction) if firm.id == getattr(actor, "company_id", None)), None)
    author = author_firm.name if author_firm is not None else _l("An official of the registry")
    subject = _l("New message about «%(need)s»", need=introduction.need.title)
    text = [_l("%(author)s wrote about the introduction on the need «%(need)s»:", author=author,
               need=introduction.need.title), body]
    return message, _notify(introduction, _other_firms(introduction, actor), subject, text)


def _firms(introduction: Introduction) -> list[Company]:
    return [introduction.need.company, introduction.supplier]


def _other_firms(introduction: Introduction, actor) -> list[Company]:
    """The firms the actor does not speak for (both when an official acts)."""
    return [firm for firm in _firms(introduction) if firm.id != getattr(actor, "company_id", None)
            or getattr(actor, "role", None) != "company"]


def _notify(introduction: Introduction, firms: list[Company], subject, body) -> list[Recipients]:
    address = external_url("introductions.detail", introduction_id=introduction.id)
    return [notify_company(firm, subject, body, link=address) for firm in firms]


def start_project(introduction: Introduction, *, actor):
    """Turns an introduction into a cooperation project at the proposal stage, keeping the link."""
    authorize(can_manage_projects(actor))
    if introduction.project is not None:
        raise ServiceError(_l("This introduction already has a project."))
    need = introduction.need
    project = projects.create_project(
        title=need.title,
        description=need.text,
        participants=[(need.company, "customer"), (introduction.supplier, "supplier")],
        direction=need.capabilities[0] if need.capabilities else None,
        stage="proposal",
        responsible=actor if actor.role == "official" else None,
        actor=actor,  # no `source` note: the introduction itself (its project_id) says where the project came from
    )
    introduction.project = project
    introduction.status = "project"
    db.session.flush()
    audit.record(actor, "introduction.project", introduction, project_id=project.id)
    return project
