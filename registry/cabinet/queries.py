"""What the cabinet shows: a firm's own affairs, or an official's queue. Each list is capped, so a page
runs the same number of queries however many rows stand behind it."""

from dataclasses import dataclass
from datetime import timedelta

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from registry.dashboard.queries import stalled_projects
from registry.extensions import db
from registry.introductions.queries import newest_first, visible_introductions
from registry.models import (
    AuditEntry,
    Company,
    CompanyOkved,
    Event,
    EventMeeting,
    EventParticipant,
    Introduction,
    Need,
    Project,
    ProjectParticipant,
    ProjectTask,
    User,
)
from registry.models.base import utcnow
from registry.models.company import PENDING
from registry.services import matching
from registry.services.event_registration import registration_is_open
from registry.translation import lazy_gettext as _l

NEEDS_LISTED = 50
RENAMES_SHOWN_FOR = timedelta(days=30)
NEEDS_MATCHED = 10  # the most recent open needs get their best suppliers: one ranking each
MATCHES_PER_NEED = 3
OPPORTUNITIES_SHOWN = 10
ROWS_LISTED = 50
EVENTS_LISTED = 10
# Shorter descriptions give matching little text to read beyond the chosen capabilities.
DESCRIPTION_ENOUGH = 150


@dataclass
class Gap:
    """Something missing from a profile that would improve its matches, and where to fix it."""

    message: str
    url: str


def load_own_company(company_id: int) -> Company | None:
    return db.session.scalar(select(Company).where(Company.id == company_id).options(
        *matching.COMPANY_LOAD,
        selectinload(Company.okveds).joinedload(CompanyOkved.okved),
        selectinload(Company.contacts)))


def profile_gaps(company: Company) -> list[Gap]:
    """What the profile lacks, most useful to matching first; an empty list means nothing to improve."""
    edit = url_for("catalog.edit", company_id=company.id)
    gaps = []
    if not company.offers:
        gaps.append(Gap(_l("No offers: add what your company makes or does, so that buyers find it."),
                        url_for("catalog.edit_offer", company_id=company.id)))
    elif not any(offer.capability_id for offer in company.offers):
        gaps.append(Gap(_l("No capability chosen in your offers: choose one from the list for each offer."),
                        url_for("catalog.edit_offer", company_id=company.id, offer_id=company.offers[0].id)))
    if not company.okveds:
        gaps.append(Gap(_l("No OKVED2 codes: add your main and additional activity codes."), edit + "#okved"))
    if len((company.description or "").strip()) < DESCRIPTION_ENOUGH:
        gaps.append(Gap(_l("The description is short: say what you make, from which materials, on what equipment."),
                        edit + "#description"))
    if not company.city:
        gaps.append(Gap(_l("No city given."), edit + "#city"))
    if not any(contact.email or contact.phone for contact in company.contacts):
        gaps.append(Gap(_l("No contacts: add a person with an e-mail address, so that partners can reach you."),
                        url_for("catalog.edit_contacts", company_id=company.id)))
    if company.verification != "verified":
        gaps.append(Gap(_l("Not verified yet: an official of your region checks the company; verified firms come "
                           "first among equal matches."), url_for("catalog.detail", company_id=company.id)))
    return gaps


@dataclass
class FirmCabinet:
    company: Company
    gaps: list[Gap]
    needs: list[Need]
    matches: list[tuple[Need, list]]  # each recent open need with its best suppliers
    opportunities: list
    received: list[Introduction]
    sent: list[Introduction]
    projects: list[Project]
    events: "FirmEvents"


@dataclass
class FirmEvents:
    registered: list[Event]  # events the firm registered for, newest first
    open: list[Event]  # events it may still register for
    awaiting: dict  # event id -> meeting requests awaiting the firm's answer


def firm_events(company: Company) -> FirmEvents:
    """The firm's events and its meeting requests to answer, and events open for registration (three queries)."""
    registered = db.session.scalars(
        select(Event).join(EventParticipant)
        .where(EventParticipant.company_id == company.id, EventParticipant.registered_at.is_not(None))
        .options(selectinload(Event.slots)).order_by(Event.held_on.desc().nulls_first(), Event.id.desc()).limit(EVENTS_LISTED)).all()
    candidates = db.session.scalars(
        select(Event).where(Event.registration_open.is_(True), Event.id.not_in([e.id for e in registered]))
        .order_by(Event.held_on.nulls_last(), Event.id).limit(EVENTS_LISTED)).all()
    awaiting = dict(db.session.execute(
        select(EventMeeting.event_id, func.count(EventMeeting.id))
        .where(EventMeeting.invitee_id == company.id, EventMeeting.status == "requested")
        .group_by(EventMeeting.event_id)).tuples().all())
    return FirmEvents(registered, [e for e in candidates if registration_is_open(e)], awaiting)


def firm_cabinet(company: Company, user) -> FirmCabinet:
    needs = db.session.scalars(select(Need).where(Need.company_id == company.id)
                               .order_by(Need.created_at.desc(), Need.id.desc()).limit(NEEDS_LISTED)).all()
    open_needs = db.session.scalars(
        select(Need).where(Need.company_id == company.id, Need.status == "open").options(*matching.NEED_LOAD)
        .order_by(Need.created_at.desc(), Need.id.desc()).limit(NEEDS_MATCHED)).all()
    matches = [(need, matching.suppliers_for(need, limit=MATCHES_PER_NEED, min_score=matching.MIN_SCORE_SHOWN))
               for need in open_needs]
    opportunities = matching.opportunities_for(company, limit=OPPORTUNITIES_SHOWN,
                                               min_score=matching.MIN_SCORE_SHOWN) if company.active else []
    introductions = db.session.scalars(newest_first(visible_introductions(user), ROWS_LISTED)).all()
    projects = db.session.scalars(
        select(Project)
        .where(Project.id.in_(select(ProjectParticipant.project_id).where(ProjectParticipant.company_id == company.id)))
        .options(joinedload(Project.direction))
        .order_by(Project.updated_at.desc(), Project.id.desc()).limit(ROWS_LISTED)).all()
    return FirmCabinet(
        company=company, gaps=profile_gaps(company), needs=needs, matches=matches, opportunities=opportunities,
        received=[i for i in introductions if i.asking_company_id != company.id],
        sent=[i for i in introductions if i.asking_company_id == company.id],
        projects=projects, events=firm_events(company))


@dataclass
class OfficialCabinet:
    region_id: int | None  # None: every region
    companies_to_publish: list[Company]  # self-registered firms the public does not see until an official decides
    companies_to_verify: list[Company]
    pending_representatives: list[User]
    awaiting_answer: list[Introduction]
    stalled: list[Project]
    renamed: list[tuple[AuditEntry, Company]]  # recent renames: the old name is what officials knew the firm by
    tasks: list[ProjectTask]  # the user's open project tasks, the soonest due first


def official_cabinet(user, *, stalled_after_days: int) -> OfficialCabinet:
    region_id = user.region_id if user.role == "official" else None
    in_region = (Company.region_id == region_id,) if region_id else ()
    to_publish = db.session.scalars(
        select(Company).where(Company.publication == PENDING, *in_region).options(joinedload(Company.region))
        .order_by(Company.created_at, Company.id).limit(ROWS_LISTED)).all()
    # A firm under review is verified after it is published: it is listed once, above.
    companies = db.session.scalars(
        select(Company).where(Company.verification == "pending", Company.publication != PENDING, *in_region)
        .options(joinedload(Company.region)).order_by(Company.created_at, Company.id).limit(ROWS_LISTED)).all()
    representatives = db.session.scalars(
        select(User).join(Company, Company.id == User.company_id)
        .where(User.role == "company", User.company_approved.is_(False), User.active.is_(True), *in_region)
        .options(joinedload(User.company)).order_by(User.created_at, User.id).limit(ROWS_LISTED)).all()
    awaiting = db.session.scalars(
        newest_first(visible_introductions(user).where(Introduction.status == "new"), ROWS_LISTED)).all()
    # An official's stalled projects are those they are responsible for; an administrator sees them all.
    mine = (Project.responsible_id == user.id,) if user.role == "official" else ()
    stalled = stalled_projects(stalled_after_days=stalled_after_days, limit=ROWS_LISTED, where=mine)
    renamed = db.session.execute(
        select(AuditEntry, Company).join(Company, Company.id == AuditEntry.entity_id)
        .where(AuditEntry.action == "company.rename", AuditEntry.entity_type == "company",
               AuditEntry.created_at >= utcnow() - RENAMES_SHOWN_FOR, *in_region)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(ROWS_LISTED)).tuples().all()
    tasks = db.session.scalars(
        select(ProjectTask).where(ProjectTask.owner_id == user.id, ProjectTask.done_at.is_(None))
        .options(joinedload(ProjectTask.project))
        .order_by(ProjectTask.due_on.is_(None), ProjectTask.due_on, ProjectTask.id).limit(ROWS_LISTED)).all()
    return OfficialCabinet(region_id, to_publish, companies, representatives, awaiting, stalled, renamed, tasks)
