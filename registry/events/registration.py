"""Event matchmaking pages: the official's settings, a firm's registration, a participants spreadsheet, and
whom a firm should meet."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from registry.auth.permissions import require
from registry.catalog.views import typed_company
from registry.events import bp
from registry.events.registration_forms import (
    MatchmakingForm,
    ParticipantsImportForm,
    RegistrationForm,
    UnregisterForm,
    local_naive,
)
from registry.extensions import db
from registry.i18n import local_zone, localized
from registry.models import CapabilityOffer, Company, Event, EventParticipant, Need
from registry.policy import can_act_for_participant, can_run_event
from registry.projects.views import show_service_error
from registry.services import ServiceError, event_suggestions
from registry.services import event_registration as service
from registry.services import matching as matching_service
from registry.services.imports import ImportFileError


def load_event(event_id: int) -> Event:
    return db.one_or_404(select(Event).options(selectinload(Event.slots)).where(Event.id == event_id))


def slot_label(slot) -> str:
    """Pages number slots from 1 (the API from 0)."""
    return _("Slot %(number)s · %(start)s–%(end)s", number=slot.index + 1, start=f"{slot.starts_at:%H:%M}",
             end=f"{slot.ends_at:%H:%M}")


@bp.route("/<int:event_id>/matchmaking", methods=["GET", "POST"])
def matchmaking(event_id: int):
    event = load_event(event_id)
    require(can_run_event(current_user, event))
    zone = local_zone()
    form = MatchmakingForm(obj=None if request.method == "POST" else event)
    if request.method == "GET":
        form.slots.data = "\n".join(f"{s.starts_at:%H:%M}-{s.ends_at:%H:%M}" for s in event.slots)
        form.requests_expire_at.data = local_naive(event.requests_expire_at, zone)
        form.tables.data = event.tables or None
    if request.method == "POST" and "generate" in request.form:
        # Fill the slots from the generator and show the form again; nothing is saved until «Save».
        if found := form.generator_input():
            try:
                pairs = service.generate_slots(*found)
                form.slots.data = "\n".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in pairs)
            except ServiceError as error:
                show_service_error(form, error)
        return render_template("events/matchmaking.html", form=form, event=event)
    if form.validate_on_submit():
        expires = form.requests_expire_at.data
        data = {"slots": form.slot_pairs, "tables": form.tables.data,
                "registration_open": form.registration_open.data,
                "registration_closes_on": form.registration_closes_on.data,
                "requests_expire_at": expires.replace(tzinfo=zone) if expires else None,
                "cross_region_first": form.cross_region_first.data, "follow_up_on": form.follow_up_on.data}
        try:
            service.configure_matchmaking(event, data, actor=current_user)
        except ServiceError as error:
            db.session.rollback()
            show_service_error(form, error)
        else:
            db.session.commit()
            flash(_("Matchmaking settings saved"), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/matchmaking.html", form=form, event=event), 400 if form.is_submitted() else 200


def chosen_company(event: Event) -> Company | None:
    """The firm a page is about: a representative's own; for whoever runs the event, the one named in the
    address by id (`company`) or by INN or exact name (`firm`)."""
    if can_run_event(current_user, event):
        if request.args.get("company", "").isdigit():
            return db.get_or_404(Company, int(request.args["company"]))
        if typed := request.args.get("firm", "").strip():
            return typed_company(typed)
        return None
    if current_user.is_authenticated and current_user.role == "company" and current_user.company_id:
        named = request.args.get("company", "")
        # Another firm named in the address is refused, never silently swapped for the own one.
        require(named in ("", str(current_user.company_id)))
        return db.get_or_404(Company, current_user.company_id)
    return None


@bp.route("/<int:event_id>/register", methods=["GET", "POST"])
def register(event_id: int):
    event = load_event(event_id)
    require(current_user.is_authenticated)
    company = chosen_company(event)
    if company is None:
        require(can_run_event(current_user, event))
        return render_template("events/register.html", event=event, company=None, form=None)
    require(can_act_for_participant(current_user, event, company))
    participant = service.participant_of(event, company)
    offers = db.session.scalars(select(CapabilityOffer).where(CapabilityOffer.company_id == company.id)
                                .options(joinedload(CapabilityOffer.capability)).order_by(CapabilityOffer.id)).all()
    needs = db.session.scalars(select(Need).where(Need.company_id == company.id, Need.status == "open")
                               .order_by(Need.created_at.desc())).all()
    registered = participant is not None and participant.registered_at is not None
    form = RegistrationForm(obj=None)
    form.offers.choices = [(o.id, " · ".join(filter(None, (localized(o.capability) if o.capability else "", o.text))))
                           for o in offers]
    form.needs.choices = [(n.id, n.title) for n in needs]
    form.unavailable.choices = [(s.index, slot_label(s)) for s in event.slots]
    if request.method == "GET" and registered:
        form.attendees.data = participant.attendees
        form.offers.data = [o.id for o in participant.offers]
        form.needs.data = [n.id for n in participant.needs]
        form.unavailable.data = list(participant.unavailable_slots or [])
    if form.validate_on_submit():
        try:
            service.register(event, company, {
                "attendees": form.attendees.data or "", "offer_ids": form.offers.data or [],
                "need_ids": form.needs.data or [], "unavailable_slots": form.unavailable.data or []},
                actor=current_user)
        except ServiceError as error:
            db.session.rollback()
            show_service_error(form, _rename(error))
        else:
            db.session.commit()
            flash(_("Registration saved") if registered else _("The firm is registered"), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    status = 400 if form.is_submitted() else 200
    return render_template("events/register.html", event=event, company=company, form=form, registered=registered,
                           open_now=service.registration_is_open(event), unregister_form=UnregisterForm()), status


def _rename(error: ServiceError) -> ServiceError:
    """The service names its inputs as the API does; the form's fields are named for people."""
    names = {"offer_ids": "offers", "need_ids": "needs", "unavailable_slots": "unavailable"}
    error.errors = {names.get(field, field): messages for field, messages in error.errors.items()}
    return error


@bp.post("/<int:event_id>/unregister")
def unregister(event_id: int):
    event = load_event(event_id)
    require(current_user.is_authenticated)
    company = chosen_company(event)
    require(company is not None and can_act_for_participant(current_user, event, company))
    if not UnregisterForm().validate_on_submit():
        abort(400)
    try:
        service.unregister(event, company, actor=current_user)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(_("The registration is withdrawn"), "success")
    return redirect(url_for("events.detail", event_id=event.id))


@bp.route("/<int:event_id>/participants/import", methods=["GET", "POST"])
def import_participants(event_id: int):
    event = load_event(event_id)
    require(can_run_event(current_user, event))
    request.max_content_length = max_upload_bytes() + 1024 * 1024
    form = ParticipantsImportForm()
    report = None
    if form.validate_on_submit():
        content = form.file.data.read()
        if len(content) > max_upload_bytes():
            form.file.errors.append(_("The file is larger than %(size)s MB.", size=max_upload_bytes() // (1024 * 1024)))
        else:
            try:
                report = service.import_participants(event, content, form.file.data.filename or "upload",
                                                     actor=current_user)
            except ImportFileError as error:
                form.file.errors.append(str(error.message))
            except ServiceError as error:  # a refused row of a file that passed the checks: nothing is kept
                db.session.rollback()
                form.file.errors.append(str(error.message))
        if report is not None and report.written:
            db.session.commit()
            flash(_("Participants imported: %(created)s registered, %(updated)s updated.",
                    created=report.created, updated=report.updated), "success")
            return redirect(url_for("events.detail", event_id=event.id))
        db.session.rollback()
    status = 400 if form.is_submitted() else 200
    return render_template("events/import.html", event=event, form=form, report=report), status


def max_upload_bytes() -> int:
    return int(current_app.config["TRANSFER_MAX_UPLOAD_MB"]) * 1024 * 1024


@bp.get("/<int:event_id>/suggestions")
def suggestions(event_id: int):
    event = load_event(event_id)
    require(current_user.is_authenticated)
    company = chosen_company(event)
    runs = can_run_event(current_user, event)
    if company is not None:
        require(can_act_for_participant(current_user, event, company))
    else:
        require(runs)
    registered = db.session.execute(
        select(Company.id, Company.name).join(EventParticipant, EventParticipant.company_id == Company.id)
        .where(EventParticipant.event_id == event.id, EventParticipant.registered_at.is_not(None))
        .order_by(Company.name)).all() if runs else []
    found = event_suggestions.suggestions_for(event, company) if company is not None else []
    return render_template("events/suggestions.html", event=event, company=company, suggestions=found,
                           registered=registered, explain=matching_service.explain,
                           # Meeting requests are another part of the registry: the button waits for it.
                           can_request="events.request_meeting" in current_app.view_functions)
