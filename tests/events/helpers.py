"""Builders for the matchmaking tests: an event with slots, firms that offer and need things."""

from datetime import date, time

from registry.models import CapabilityOffer, Event, EventParticipant, EventSlot
from tests.factories import capability, make_company, make_need, region

SLOTS = [(time(10, 0), time(10, 15)), (time(10, 15), time(10, 30)), (time(10, 45), time(11, 0))]


def matchmaking_event(companies=(), **values) -> Event:
    """An open-for-registration event with three slots and 10 tables; `companies` are listed, not registered."""
    from registry.extensions import db

    values.setdefault("title", "Круглый стол по кооперации")
    values.setdefault("held_on", date(2031, 11, 9))
    values.setdefault("registration_open", True)
    values.setdefault("tables", 10)
    event = Event(**values)
    event.slots = [EventSlot(index=i, starts_at=start, ends_at=end) for i, (start, end) in enumerate(SLOTS)]
    event.participants = [EventParticipant(company=company) for company in companies]
    db.session.add(event)
    db.session.flush()
    return event


def firm(region_iso="RU-ULY", offers=(), **values):
    """A company with offers given as (capability code or None, text) pairs."""
    company = make_company(region_iso=region_iso, **values)
    for code, text in offers:
        company.offers.append(CapabilityOffer(capability=capability(code) if code else None, text=text))
    return company


def need_of(company, title, code=None, **values):
    need = make_need(company, title=title, **values)
    if code:
        need.capabilities.append(capability(code))
    return need


__all__ = ["SLOTS", "firm", "matchmaking_event", "need_of", "region"]
