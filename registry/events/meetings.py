"""Meetings at an event: the requests page, answers, the schedule grid with hand moves, personal agendas
(page, PDF, XLSX), outcomes and follow-ups."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from registry.auth.permissions import require
from registry.events import bp
from registry.extensions import db
from registry.labels import FOLLOW_UP_LABELS, OUTCOME_LABELS
from registry.models import Company, Event, EventMeeting, EventParticipant, Need
from registry.models.event import FOLLOW_UPS, OUTCOMES
from registry.policy import can_act_for_participant, can_manage_projects, can_run_event, represents
from registry.services import Forbidden, ServiceError, agendas
from registry.services import meetings as meeting_service
from registry.services.notifications import describe_all
from registry.url_safety import safe_next

FIRM = (joinedload(EventMeeting.requester).joinedload(Company.region),
        joinedload(EventMeeting.invitee).joinedload(Company.region), joinedload(EventMeeting.need))


def load_event(event_id: int) -> Event:
    return db.one_or_404(select(Event).where(Event.id == event_id).options(
        joinedload(Event.region), selectinload(Event.slots),
        selectinload(Event.participants).joinedload(EventParticipant.company).joinedload(Company.region)))


def load_meeting(event: Event, meeting_id: int) -> EventMeeting:
    return db.one_or_404(select(EventMeeting).where(EventMeeting.id == meeting_id,
                                                    EventMeeting.event_id == event.id).options(*FIRM))


def own_company(event: Event) -> Company | None:
    """The firm a representative speaks for, if it takes part in the event."""
    company_id = getattr(current_user, "company_id", None)
    if company_id and represents(current_user, db.session.get(Company, company_id)):
        return next((p.company for p in event.participants if p.company_id == company_id), None)
    return None


def back(event: Event):
    return redirect(safe_next(request.form.get("next")) or url_for("events.meetings", event_id=event.id))


def refused(error: ServiceError) -> None:
    """A refused write: 403 when the policy said no, otherwise the reason as a message on the page."""
    db.session.rollback()
    if isinstance(error, Forbidden):
        abort(403)
    messages = [str(m) for messages in error.errors.values() for m in messages]
    flash(" ".join([str(error.message)] + [m for m in messages if m != str(error.message)]), "danger")


@bp.get("/<int:event_id>/meetings")
@login_required
def meetings(event_id: int):
    """A firm's requests (asked and received) for its representative; every meeting for the organisers."""
    event = load_event(event_id)
    runs = can_run_event(current_user, event)
    mine = own_company(event)
    require(runs or mine is not None)
    query = select(EventMeeting).where(EventMeeting.event_id == event.id).options(*FIRM).order_by(EventMeeting.id)
    if not runs:
        query = query.where((EventMeeting.requester_id == mine.id) | (EventMeeting.invitee_id == mine.id))
    items = db.session.scalars(query).all()
    firms = sorted((p.company for p in event.participants if p.company is not None), key=lambda c: c.name)
    return render_template("events/meetings.html", event=event, meetings=items, runs=runs, mine=mine, firms=firms,
                           can_projects=can_manage_projects(current_user), outcomes=OUTCOMES,
                           follow_ups=FOLLOW_UPS, can_start_project=meeting_service.can_start_project)


@bp.post("/<int:event_id>/meetings/request")
@login_required
def request_meeting(event_id: int):
    """A representative asks another participant for a meeting; an official may ask for any participant or
    add a meeting they want to happen."""
    event = load_event(event_id)
    requester_id = request.form.get("requester_id", type=int)
    requester = db.session.get(Company, requester_id) if requester_id else own_company(event)
    invitee = db.session.get(Company, request.form.get("invitee_id", type=int) or 0)
    if requester is None or invitee is None:
        abort(404)
    require(can_act_for_participant(current_user, event, requester))
    need = db.session.get(Need, request.form.get("need_id", type=int) or 0)
    try:
        meeting, told = meeting_service.request_meeting(
            event, requester, invitee, actor=current_user, note=request.form.get("note", ""), need=need,
            priority=request.form.get("priority", 0, type=int))
    except ServiceError as error:
        refused(error)
    else:
        db.session.commit()
        done = _("The meeting is added.") if meeting.status == "accepted" else _("The request is sent.")
        flash(f"{done} {describe_all(told)}", "success")
    return back(event)


@bp.post("/<int:event_id>/meetings/<int:meeting_id>/answer")
@login_required
def answer_meeting(event_id: int, meeting_id: int):
    event = load_event(event_id)
    meeting = load_meeting(event, meeting_id)
    require(can_run_event(current_user, event) or any(represents(current_user, f) for f in meeting.firms))
    try:
        told = meeting_service.answer_meeting(meeting, request.form.get("decision", ""), actor=current_user,
                                              note=request.form.get("note", ""))
    except ServiceError as error:
        refused(error)
    else:
        db.session.commit()
        flash(_("The answer is recorded.") + " " + (describe_all(told) if told else _("Nothing changed.")),
              "success")
    return back(event)


@bp.post("/<int:event_id>/meetings/<int:meeting_id>/cancel")
@login_required
def cancel_meeting(event_id: int, meeting_id: int):
    event = load_event(event_id)
    meeting = load_meeting(event, meeting_id)
    require(can_run_event(current_user, event) or represents(current_user, meeting.requester))
    try:
        told = meeting_service.cancel_meeting(meeting, actor=current_user)
    except ServiceError as error:
        refused(error)
    else:
        db.session.commit()
        flash(_("The request is withdrawn.") + " " + describe_all(told), "success")
    return back(event)


@bp.post("/<int:event_id>/schedule")
@login_required
def build_schedule(event_id: int):
    event = load_event(event_id)
    require(can_run_event(current_user, event))
    try:
        result = meeting_service.build_schedule(event, actor=current_user)
    except ServiceError as error:
        refused(error)
    else:
        db.session.commit()
        placed, left = len(result.placed), len(result.unscheduled)
        flash(_("The schedule is built: %(placed)s placed, %(left)s without a place; no schedule can place more "
                "than %(bound)s.", placed=placed, left=left, bound=result.upper_bound), "success")
    return redirect(url_for("events.schedule", event_id=event.id))


@bp.get("/<int:event_id>/schedule")
@login_required
def schedule(event_id: int):
    """The whole grid, slots by tables, with the meetings that found no place and why."""
    event = load_event(event_id)
    require(can_run_event(current_user, event))
    grid = agendas.grid(event)
    return render_template("events/schedule.html", event=event, grid=grid,
                           unscheduled_reason=agendas.unscheduled_reason)


@bp.get("/<int:event_id>/schedule.xlsx")
@login_required
def schedule_xlsx(event_id: int):
    event = load_event(event_id)
    require(can_run_event(current_user, event))
    return send_file(agendas.grid_xlsx(event), as_attachment=True, download_name=f"schedule-{event.id}.xlsx",
                     mimetype=agendas.XLSX)


@bp.post("/<int:event_id>/schedule/move")
@login_required
def move_meeting(event_id: int):
    event = load_event(event_id)
    meeting = load_meeting(event, request.form.get("meeting_id", type=int) or 0)
    require(can_run_event(current_user, event))
    slot = request.form.get("slot", type=int)
    table = request.form.get("table", type=int)
    try:
        if request.form.get("remove"):
            meeting_service.unschedule_meeting(meeting, actor=current_user)
        elif slot is None or table is None:
            raise ServiceError(_("Choose a time slot and a table."), "slot")
        else:
            meeting_service.move_meeting(meeting, slot, table, actor=current_user)
    except ServiceError as error:
        refused(error)
    else:
        db.session.commit()
        flash(_("The schedule is changed."), "success")
    return redirect(url_for("events.schedule", event_id=event.id))


def agenda_company(event: Event) -> Company:
    """The firm whose agenda is asked for: a representative's own, or any participant for the organisers."""
    company_id = request.args.get("company_id", type=int)
    mine = own_company(event)
    if company_id is None and mine is not None:
        return mine
    company = next((p.company for p in event.participants if p.company_id == company_id), None)
    if company is None:
        abort(404)
    require(can_act_for_participant(current_user, event, company))
    return company


@bp.get("/<int:event_id>/agenda")
@login_required
def agenda(event_id: int):
    """A firm's personal agenda: time, table, whom it meets and why, and what came of each meeting."""
    event = load_event(event_id)
    company = agenda_company(event)
    items = agendas.agenda(event, company)
    return render_template("events/agenda.html", event=event, company=company, items=items,
                           outcomes=OUTCOMES, follow_ups=FOLLOW_UPS, runs=can_run_event(current_user, event),
                           can_projects=can_manage_projects(current_user))


@bp.get("/<int:event_id>/agenda.<any(pdf, xlsx):fmt>")
@login_required
def agenda_file(event_id: int, fmt: str):
    event = load_event(event_id)
    company = agenda_company(event)
    items = agendas.agenda(event, company)
    data = agendas.agenda_pdf(event, company, items) if fmt == "pdf" else agendas.agenda_xlsx(event, company, items)
    return send_file(data, as_attachment=True, download_name=f"agenda-{event.id}-{company.id}.{fmt}",
                     mimetype=agendas.PDF if fmt == "pdf" else agendas.XLSX)


@bp.post("/<int:event_id>/meetings/<int:meeting_id>/outcome")
@login_required
def record_outcome(event_id: int, meeting_id: int):
    event = load_event(event_id)
    meeting = load_meeting(event, meeting_id)
    require(any(can_act_for_participant(current_user, event, firm) for firm in meeting.firms))
    try:
        meeting_service.record_outcome(meeting, request.form.get("outcome", ""), actor=current_user,
                                       note=request.form.get("note", ""),
                                       start_project=bool(request.form.get("start_project")))
    except ServiceError as error:
        refused(error)
    else:
        db.session.commit()
        flash(_("The outcome is recorded: %(outcome)s.", outcome=OUTCOME_LABELS[meeting.outcome]), "success")
        if meeting.project is not None:
            flash(_("The project «%(title)s» is started at the proposal stage.", title=meeting.project.title),
                  "success")
    return back(event)


@bp.post("/<int:event_id>/meetings/<int:meeting_id>/follow-up")
@login_required
def record_follow_up(event_id: int, meeting_id: int):
    event = load_event(event_id)
    meeting = load_meeting(event, meeting_id)
    company = db.session.get(Company, request.form.get("company_id", type=int) or 0)
    if company is None:
        abort(404)
    require(can_act_for_participant(current_user, event, company))
    try:
        meeting_service.record_follow_up(meeting, company, request.form.get("follow_up", ""), actor=current_user)
    except ServiceError as error:
        refused(error)
    else:
        db.session.commit()
        answer = meeting.requester_follow_up if company.id == meeting.requester_id else meeting.invitee_follow_up
        flash(_("Thank you: %(answer)s.", answer=FOLLOW_UP_LABELS[answer]), "success")
    return back(event)


@bp.post("/<int:event_id>/meetings/<int:meeting_id>/project")
@login_required
def start_project(event_id: int, meeting_id: int):
    event = load_event(event_id)
    meeting = load_meeting(event, meeting_id)
    require(can_manage_projects(current_user) and can_run_event(current_user, event))
    try:
        project = meeting_service.start_meeting_project(meeting, actor=current_user)
    except ServiceError as error:
        refused(error)
        return back(event)
    db.session.commit()
    flash(_("The project «%(title)s» is started at the proposal stage.", title=project.title), "success")
    return redirect(url_for("projects.detail", project_id=project.id))
