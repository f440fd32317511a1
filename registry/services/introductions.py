"""Interest on a match becomes an introduction; an official turns an introduction into a project."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry.extensions import db
from registry.models import Company, Introduction, Need, User
from registry.services import ServiceError, audit, mail, projects


def express_interest(need: Need, supplier: Company, *, actor, score: float | None = None, note: str = "") -> Introduction:
    """Records interest in putting a need's company and a supplier in touch, and tells the other side.

    Asking twice about the same pair returns the first introduction: interest is a fact, not a counter.
    """
    if supplier.id == need.company_id:
        raise ServiceError(_l("A company cannot be introduced to itself."))
    if need.status == "closed":
        raise ServiceError(_l("This need is closed."))
    existing = db.session.scalar(select(Introduction).where(Introduction.need_id == need.id,
                                                            Introduction.supplier_id == supplier.id))
    if existing is not None:
        return existing
    introduction = Introduction(need=need, supplier=supplier, requested_by=actor, score=score, note=note or "")
    db.session.add(introduction)
    db.session.flush()
    audit.record(actor, "introduction.create", introduction, need_id=need.id, supplier_id=supplier.id)
    for recipient in _other_side(need, supplier, actor):
        mail.send(recipient.email, _l("Interest in cooperation: %(need)s", need=need.title),
                  _l("%(customer)s and %(supplier)s were matched on the need «%(need)s». "
                     "Interest has been expressed; an official will help to start a project.",
                     customer=need.company.name, supplier=supplier.name, need=need.title))
    return introduction


def _other_side(need: Need, supplier: Company, actor) -> list[User]:
    """Representatives of the side that did not ask (both sides when an official asked)."""
    sides = []
    if getattr(actor, "company_id", None) != need.company_id:
        sides.append(need.company_id)
    if getattr(actor, "company_id", None) != supplier.id:
        sides.append(supplier.id)
    return list(db.session.scalars(select(User).where(User.company_id.in_(sides), User.role == "company",
                                                      User.active.is_(True))))


def start_project(introduction: Introduction, *, actor):
    """Turns an introduction into a cooperation project at the proposal stage, keeping the link."""
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
        source=f"introduction #{introduction.id}",
        actor=actor,
    )
    introduction.project = project
    introduction.status = "project"
    db.session.flush()
    audit.record(actor, "introduction.project", introduction, project_id=project.id)
    return project
