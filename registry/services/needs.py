"""Posting, editing and closing needs."""

from datetime import date

from registry.extensions import db
from registry.i18n import local_today
from registry.models import Company, Need
from registry.models.base import utcnow
from registry.models.need import NEED_STATUSES
from registry.policy import authorize, can_manage_need, can_post_need
from registry.services import ServiceError, alerts, audit, search
from registry.services import matching as matching_service
from registry.services.companies import check_okved, split_okved
from registry.translation import lazy_gettext as _l


def validate_need_data(data: dict, *, partial: bool = False, current_deadline: date | None = None) -> dict:
    """The need's fields, checked all at once (every problem in one ServiceError); a deadline already past is
    refused unless it is the one the need already had."""
    errors: dict[str, list] = {}
    clean: dict = {}
    if "title" in data or not partial:
        clean["title"] = str(data.get("title") or "").strip()
        if not clean["title"]:
            errors["title"] = [_l("The title is required.")]
        elif len(clean["title"]) > 300:
            errors["title"] = [_l("The title is too long (300 characters at most).")]
    for key in ("text", "volume"):
        if data.get(key) is not None:
            clean[key] = str(data[key]).strip()
    if len(clean.get("volume") or "") > 200:
        errors["volume"] = [_l("Too long: at most %(limit)d characters.", limit=200)]
    if data.get("deadline") not in (None, ""):
        deadline = data["deadline"]
        if isinstance(deadline, str):
            try:
                deadline = date.fromisoformat(deadline)
            except ValueError:
                errors["deadline"] = [_l("Give the date as YYYY-MM-DD.")]
        clean["deadline"] = deadline
        if isinstance(deadline, date) and deadline != current_deadline and deadline < local_today():
            errors["deadline"] = [_l("This date has passed: give the date by which it is still needed.")]
    if data.get("okved") is not None:
        rows, unknown = check_okved(split_okved(data["okved"]))
        if unknown:
            errors["okved"] = [_l("Unknown OKVED2 codes: %(codes)s.", codes=", ".join(unknown))]
        clean["okved"] = rows
    if data.get("capabilities") is not None:
        clean["capabilities"] = data["capabilities"]
    if errors:
        raise ServiceError(_l("Please correct the marked fields."), errors=errors)
    return clean


def _apply(need: Need, clean: dict) -> dict:
    changed = {}
    for key in ("title", "text", "volume", "deadline"):
        if key in clean and audit.differs(getattr(need, key), clean[key]):
            setattr(need, key, clean[key])
            changed[key] = clean[key]
    if "okved" in clean and need.okved_codes != clean["okved"]:
        need.okved_codes = clean["okved"]
        changed["okved"] = [row.code for row in clean["okved"]]
    if "capabilities" in clean:
        nodes = _capability_nodes(clean["capabilities"])
        if need.capabilities != nodes:
            need.capabilities = nodes
            changed["capabilities"] = [node.code for node in nodes]
    if changed:
        need.updated_at = utcnow()
        search.refresh_need(need)
    return changed


def _capability_nodes(items) -> list:
    """Capability rows from node objects, or classified from free-text statements."""
    nodes = []
    for item in items:
        found = [item] if hasattr(item, "code") else matching_service.classify(str(item), limit=1)
        nodes += [node for node in found if node not in nodes]
    return nodes


def create_need(company: Company, data: dict, *, actor=None) -> Need:
    authorize(can_post_need(actor, company))
    clean = validate_need_data(data)
    need = Need(company=company, title=clean["title"], status="open")
    db.session.add(need)
    _apply(need, clean)
    search.refresh_need(need)
    db.session.flush()
    audit.record(actor, "need.create", need, title=need.title, company_id=company.id)
    alerts.need_posted_or_changed(need)
    alerts.new_in_region(need_ids=[need.id])
    return need


def update_need(need: Need, data: dict, *, actor=None) -> Need:
    authorize(can_manage_need(actor, need))
    changed = _apply(need, validate_need_data(data, partial=True, current_deadline=need.deadline))
    db.session.flush()
    if changed:
        audit.record(actor, "need.update", need, **changed)
        alerts.need_posted_or_changed(need)
    return need


def set_status(need: Need, status: str, *, actor=None) -> Need:
    authorize(can_manage_need(actor, need))
    if status not in NEED_STATUSES:
        raise ServiceError(_l("Unknown status."), "status")
    if need.status != status:
        need.status = status
        need.updated_at = utcnow()
        db.session.flush()
        audit.record(actor, "need.status", need, status=status)
        if status == "open":
            alerts.need_posted_or_changed(need)
    return need
