"""Round tables, delegation visits and fairs."""

from registry.extensions import db
from registry.models import Event, EventParticipant
from registry.models.event import EVENT_KINDS
from registry.policy import authorize, can_manage_events
from registry.services import ServiceError, audit
from registry.translation import lazy_gettext as _l

EVENT_FIELDS = ("kind", "title", "held_on", "date_note", "place", "region", "description")


def save_event(data: dict, *, event: Event | None = None, companies=(), actor=None) -> Event:
    """Creates an event, or changes `event`; `companies` replaces the participating companies."""
    authorize(can_manage_events(actor))
    title = (data.get("title") or "").strip()
    if not title:
        raise ServiceError(_l("The title is required."), "title")
    if data.get("kind", "round_table") not in EVENT_KINDS:
        raise ServiceError(_l("Unknown kind of event."), "kind")
    creating = event is None
    if creating:
        event = Event(title=title)
        db.session.add(event)
    changed = {}
    for key in EVENT_FIELDS:
        if key in data and audit.differs(getattr(event, key), data[key] if key != "title" else title):
            setattr(event, key, data[key] if key != "title" else title)
            changed[key] = getattr(data[key], "id", data[key])
    people = [p for p in event.participants if p.company_id is None]
    wanted = list(dict.fromkeys(companies))
    if [p.company for p in event.participants if p.company_id is not None] != wanted:
        # A firm that stays keeps its row, and with it its registration (what it brings, when it is busy).
        kept = {p.company_id: p for p in event.participants if p.company_id is not None}
        event.participants = people + [kept.get(company.id) or EventParticipant(company=company) for company in wanted]
        changed["companies"] = [company.id for company in wanted]
    db.session.flush()
    if creating or changed:
        audit.record(actor, "event.create" if creating else "event.update", event, **changed)
    return event
