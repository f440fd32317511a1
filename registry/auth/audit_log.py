"""The audit log as officials read it: who did what in their region (administrators: everywhere)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import joinedload

from registry.models import AuditEntry, Company, Event, Need, ProjectParticipant, User
from registry.policy import is_admin


@dataclass
class AuditFilters:
    person: str = ""  # part of the actor's e-mail
    entity_type: str = ""
    since: date | None = None
    until: date | None = None  # inclusive


def in_region(region_id: int):
    """Entries about the region's companies, their needs, projects they take part in, the region's events,
    and entries by the region's people (its officials, its companies' representatives)."""
    companies = select(Company.id).where(Company.region_id == region_id)
    return or_(
        (AuditEntry.entity_type == "company") & AuditEntry.entity_id.in_(companies),
        (AuditEntry.entity_type == "need") & AuditEntry.entity_id.in_(
            select(Need.id).where(Need.company_id.in_(companies))),
        (AuditEntry.entity_type == "project") & AuditEntry.entity_id.in_(
            select(ProjectParticipant.project_id).where(ProjectParticipant.company_id.in_(companies))),
        (AuditEntry.entity_type == "event") & AuditEntry.entity_id.in_(
            select(Event.id).where(Event.region_id == region_id)),
        AuditEntry.actor_id.in_(
            select(User.id).where(or_(User.region_id == region_id, User.company_id.in_(companies)))),
    )


def day_start(day: date) -> datetime:
    """Midnight of a day as the reader counts days (the registry's time zone)."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def visible_entries(user, filters: AuditFilters) -> Select:
    """Newest first; officials of one region see only what concerns it."""
    stmt = select(AuditEntry).options(joinedload(AuditEntry.actor))
    if not is_admin(user):
        if getattr(user, "role", None) != "official":
            stmt = stmt.where(false())
        elif user.region_id is not None:
            stmt = stmt.where(in_region(user.region_id))
    if filters.person.strip():
        stmt = stmt.where(AuditEntry.actor_id.in_(
            select(User.id).where(func.lower(User.email).contains(filters.person.strip().lower()))))
    if filters.entity_type:
        stmt = stmt.where(AuditEntry.entity_type == filters.entity_type)
    if filters.since:
        stmt = stmt.where(AuditEntry.created_at >= day_start(filters.since))
    if filters.until:
        stmt = stmt.where(AuditEntry.created_at < day_start(filters.until + timedelta(days=1)))
    return stmt.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
