"""Events: a public list and page; officials and administrators create and edit them."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from registry.auth.permissions import is_staff, roles_required
from registry.events import bp
from registry.events.forms import EventForm
from registry.extensions import db
from registry.models import CapabilityOffer, Company, Event, EventParticipant, Project, Region
from registry.pagination import paginate
from registry.policy import can_run_event
from registry.projects.forms import company_lines
from registry.projects.views import show_service_error
from registry.services import ServiceError, agendas
from registry.services import events as event_service
from registry.services.event_registration import registration_is_open


@bp.get("/")
def index():
    page = paginate(
        select(Event).options(joinedload(Event.region)).order_by(Event.held_on.desc().nulls_last(), Event.id.desc()))
    company_count = (select(func.count(EventParticipant.id))
                     .where(EventParticipant.event_id == Event.id, EventParticipant.company_id.is_not(None))
                     .correlate(Event).scalar_subquery())
    project_count = (select(func.count(Project.id)).where(Project.source_event_id == Event.id)
                     .correlate(Event).scalar_subquery())
    counts = {event_id: (companies, projects) for event_id, companies, projects in db.session.execute(
        select(Event.id, company_count, project_count).where(Event.id.in_([event.id for event in page.items])))}
    return render_template("events/index.html", page=page, counts=counts, can_edit=is_staff(current_user))


@bp.get("/<int:event_id>")
def detail(event_id: int):
    event = db.one_or_404(
        select(Event)
        .options(
            joinedload(Event.region),
            selectinload(Event.participants).joinedload(EventParticipant.company).joinedload(Company.region),
            selectinload(Event.participants).selectinload(EventParticipant.offers)
            .joinedload(CapabilityOffer.capability),
            selectinload(Event.participants).selectinload(EventParticipant.needs),
            selectinload(Event.projects),
            selectinload(Event.slots),
        )
        .where(Event.id == event_id)
    )
    own = None  # a representative's own firm: registered or not, and whether it still may register
    if current_user.is_authenticated and current_user.role == "company" and current_user.company_approved:
        own = next((p for p in event.participants if p.company_id == current_user.company_id), None)
    return render_template("events/detail.html", event=event, can_edit=is_staff(current_user),
                           runs_event=can_run_event(current_user, event), own=own,
                           may_register=(own is None or own.registered_at is None) and current_user.is_authenticated
                           and current_user.role == "company" and current_user.company_approved
                           and registration_is_open(event),
                           event_result=agendas.yield_of(event))


@bp.route("/new", methods=["GET", "POST"])
@roles_required("official", "admin")
def create():
    form = EventForm().fill_choices()
    if form.validate_on_submit() and (saved := save(form, None)):
        return saved
    return render_template("events/form.html", form=form, event=None), 400 if form.is_submitted() else 200


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@roles_required("official", "admin")
def edit(event_id: int):
    event = db.one_or_404(
        select(Event)
        .options(selectinload(Event.participants).joinedload(EventParticipant.company))
        .where(Event.id == event_id)
    )
    form = EventForm(obj=None if request.method == "POST" else event).fill_choices()
    if request.method == "GET":
        form.region.data = event.region_id
        form.companies.data = company_lines(p.company for p in event.participants if p.company is not None)
    if form.validate_on_submit() and (saved := save(form, event)):
        return saved
    return render_template("events/form.html", form=form, event=event), 400 if form.is_submitted() else 200


def save(form: EventForm, event: Event | None):
    """Calls the service; a redirect when saved, None (errors on the form) when refused."""
    data = {
        "kind": form.kind.data, "title": form.title.data, "held_on": form.held_on.data,
        "date_note": form.date_note.data or "", "place": form.place.data or "",
        "region": db.session.get(Region, form.region.data) if form.region.data else None,
        "description": form.description.data or "",
    }
    try:
        event = event_service.save_event(data, event=event, companies=form.companies.companies, actor=current_user)
    except ServiceError as error:
        show_service_error(form, error)
        return None
    db.session.commit()
    flash(_("Event saved"), "success")
    return redirect(url_for("events.detail", event_id=event.id))
