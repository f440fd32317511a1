"""Meetings at an event: requests and answers, the schedule, hand moves, outcomes and follow-ups.

A firm's representative acts for their own firm; officials of the event's region and administrators
for any participant. The services check that (registry/policy.py); these views parse, call, commit, dump.
"""

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from registry.api import bp
from registry.api.errors import ErrorSchema
from registry.api.events import SlotSchema
from registry.api.schemas import JsonBool
from registry.api.views import refuse, token_required
from registry.extensions import db
from registry.labels import UNSCHEDULED_LABELS
from registry.models import Company, Event, EventMeeting, Need
from registry.models.event import FOLLOW_UPS, MEETING_STATUSES, OUTCOMES
from registry.policy import can_manage_projects, can_run_event
from registry.services import ServiceError
from registry.services import meetings as meeting_service


class MeetingIn(Schema):
    requester_id = fields.Int(required=True, metadata={"description": "the asking firm's company id"})
    invitee_id = fields.Int(required=True, metadata={"description": "the invited firm's company id"})
    note = fields.Str(load_default="", validate=validate.Length(max=meeting_service.NOTE_MAX_LENGTH))
    priority = fields.Int(load_default=0, validate=validate.Range(0, meeting_service.MAX_PRIORITY),
                          metadata={"description": "higher is placed first when not everything fits"})
    need_id = fields.Int(allow_none=True, load_default=None,
                         metadata={"description": "a need of either firm that the meeting is about"})


class AnswerIn(Schema):
    note = fields.Str(load_default="", validate=validate.Length(max=meeting_service.NOTE_MAX_LENGTH))


class MoveIn(Schema):
    slot = fields.Int(required=True, metadata={"description": "slot index, from 0"})
    table = fields.Int(required=True, metadata={"description": "table number, from 1"})


class OutcomeIn(Schema):
    outcome = fields.Str(required=True, validate=validate.OneOf(OUTCOMES))
    note = fields.Str(load_default="", validate=validate.Length(max=meeting_service.NOTE_MAX_LENGTH))
    start_project = JsonBool(load_default=None, metadata={
        "description": "turn a positive outcome into a project at the proposal stage; by default yes when "
                       "the caller runs the event and may manage projects"})


class FollowUpIn(Schema):
    company_id = fields.Int(required=True, metadata={"description": "the side that answers"})
    follow_up = fields.Str(required=True, validate=validate.OneOf(FOLLOW_UPS))


class MeetingSchema(Schema):
    id = fields.Int()
    event_id = fields.Int()
    requester_id = fields.Int()
    invitee_id = fields.Int()
    need_id = fields.Int(allow_none=True)
    note = fields.Str()
    priority = fields.Int()
    by_official = fields.Bool(metadata={"description": "added by an official: it needs no answer"})
    status = fields.Str(validate=validate.OneOf(MEETING_STATUSES))
    slot = fields.Int(allow_none=True)
    table = fields.Int(attribute="table_number", allow_none=True)
    pinned = fields.Bool(metadata={"description": "placed by hand: a new schedule keeps it there"})
    unscheduled_reason = fields.Str(allow_none=True)
    outcome = fields.Str(allow_none=True, validate=validate.OneOf(OUTCOMES))
    outcome_note = fields.Str()
    requester_follow_up = fields.Str(allow_none=True, validate=validate.OneOf(FOLLOW_UPS))
    invitee_follow_up = fields.Str(allow_none=True, validate=validate.OneOf(FOLLOW_UPS))
    project_id = fields.Int(allow_none=True)


class PlacedSchema(Schema):
    id = fields.Int()
    requester_id = fields.Int()
    invitee_id = fields.Int()
    slot = fields.Int()
    table = fields.Int()


class UnscheduledSchema(Schema):
    id = fields.Int()
    reason = fields.Str(metadata={"description": "same_firm, no_common_slot, firm_full, no_room, removed, or "
                                                           "not_scheduled (accepted since the schedule was built)"})
    reason_text = fields.Str(metadata={"description": "the reason in the caller's language"})


class ScheduleSchema(Schema):
    slots = fields.List(fields.Nested(SlotSchema))
    tables = fields.Int()
    meetings = fields.List(fields.Nested(PlacedSchema))
    unscheduled = fields.List(fields.Nested(UnscheduledSchema))
    upper_bound = fields.Int(allow_none=True, metadata={
        "description": "proven by the solver: no valid schedule places more meetings"})
    scheduled_at = fields.DateTime(allow_none=True)


def _event(event_id: int) -> Event:
    return db.one_or_404(select(Event).options(selectinload(Event.slots), selectinload(Event.participants))
                         .where(Event.id == event_id))


def _meeting(event_id: int, meeting_id: int) -> EventMeeting:
    return db.one_or_404(select(EventMeeting).where(EventMeeting.id == meeting_id,
                                                    EventMeeting.event_id == event_id))


def _company(company_id: int, field: str) -> Company:
    company = db.session.get(Company, company_id)
    if company is None:
        abort(422, message=str(_("Please correct the marked fields.")),
              errors={field: [str(_("No such company."))]})
    return company


def schedule_of(event: Event) -> dict:
    accepted = [m for m in event.meetings if m.status == "accepted"]
    return {
        "slots": list(event.slots),
        "tables": event.tables,
        "meetings": [{"id": m.id, "requester_id": m.requester_id, "invitee_id": m.invitee_id, "slot": m.slot,
                      "table": m.table_number} for m in accepted if m.slot is not None],
        # Accepted after the schedule was built: it has no reason yet, and saying "no room" would be untrue.
        "unscheduled": [{"id": m.id, "reason": m.unscheduled_reason or "not_scheduled",
                         "reason_text": str(UNSCHEDULED_LABELS[m.unscheduled_reason or "not_scheduled"])}
                        for m in accepted if m.slot is None and event.scheduled_at is not None],
        "upper_bound": event.schedule_upper_bound,
        "scheduled_at": event.scheduled_at,
    }


ERRORS = (401, 403, 404, 422)


def _responses(view):
    for status in ERRORS:
        view = bp.alt_response(status, schema=ErrorSchema)(view)
    return view


@bp.route("/events/<int:event_id>/meetings")
@token_required()
@bp.response(200, MeetingSchema(many=True))
@_responses
def list_meetings(event_id):
    """The event's meetings: all of them for whoever runs the event, a firm's own for its representative."""
    event = _event(event_id)
    query = select(EventMeeting).where(EventMeeting.event_id == event.id).order_by(EventMeeting.id)
    if not can_run_event(current_user, event):
        company_id = getattr(current_user, "company_id", None)
        query = query.where((EventMeeting.requester_id == company_id) | (EventMeeting.invitee_id == company_id))
    return db.session.scalars(query).all()


@bp.route("/events/<int:event_id>/meetings", methods=["POST"])
@token_required()
@bp.arguments(MeetingIn)
@bp.response(201, MeetingSchema)
@_responses
def request_meeting(data, event_id):
    """Asks another participant for a meeting (the invitee is told). An official running the event who does
    not speak for the requester adds a meeting they want to happen: it is accepted at once."""
    event = _event(event_id)
    requester = _company(data["requester_id"], "requester_id")
    invitee = _company(data["invitee_id"], "invitee_id")
    need = None
    if data["need_id"] is not None and (need := db.session.get(Need, data["need_id"])) is None:
        abort(422, message=str(_("Please correct the marked fields.")), errors={"need_id": [str(_("No such need."))]})
    try:
        meeting, _told = meeting_service.request_meeting(event, requester, invitee, actor=current_user,
                                                         note=data["note"], need=need, priority=data["priority"])
    except ServiceError as error:
        refuse(error)
    db.session.commit()
    return meeting


def _answer(event_id, meeting_id, decision, data):
    meeting = _meeting(event_id, meeting_id)
    try:
        meeting_service.answer_meeting(meeting, decision, actor=current_user, note=data["note"])
    except ServiceError as error:
        refuse(error)
    db.session.commit()
    return meeting


@bp.route("/events/<int:event_id>/meetings/<int:meeting_id>/accept", methods=["POST"])
@token_required()
@bp.arguments(AnswerIn)
@bp.response(200, MeetingSchema)
@_responses
def accept_meeting(data, event_id, meeting_id):
    """The invitee accepts (accepting again changes nothing); both firms are told."""
    return _answer(event_id, meeting_id, "accepted", data)


@bp.route("/events/<int:event_id>/meetings/<int:meeting_id>/decline", methods=["POST"])
@token_required()
@bp.arguments(AnswerIn)
@bp.response(200, MeetingSchema)
@_responses
def decline_meeting(data, event_id, meeting_id):
    """The invitee declines; an accepted meeting declined later leaves the schedule."""
    return _answer(event_id, meeting_id, "declined", data)


@bp.route("/events/<int:event_id>/schedule", methods=["POST"])
@token_required("admin", "official")
@bp.response(200, ScheduleSchema)
@_responses
def build_schedule(event_id):
    """Builds the schedule from the accepted meetings: as many as can be placed, officials' and (if the event
    says so) cross-region meetings first; hand-placed meetings stay. Returns it with the proven upper bound."""
    event = _event(event_id)
    try:
        meeting_service.build_schedule(event, actor=current_user)
    except ServiceError as error:
        refuse(error)
    db.session.commit()
    return schedule_of(event)


@bp.route("/events/<int:event_id>/schedule")
@bp.response(200, ScheduleSchema)
@bp.alt_response(404, schema=ErrorSchema)
def get_schedule(event_id):
    """The schedule: slots, tables, each placed meeting's slot and table, and why the rest found no place."""
    return schedule_of(_event(event_id))


@bp.route("/events/<int:event_id>/meetings/<int:meeting_id>/move", methods=["POST"])
@token_required("admin", "official")
@bp.arguments(MoveIn)
@bp.response(200, MeetingSchema)
@_responses
def move_meeting(data, event_id, meeting_id):
    """Places a meeting by hand; a move that breaks a rule is refused with the reason (422)."""
    meeting = _meeting(event_id, meeting_id)
    try:
        meeting_service.move_meeting(meeting, data["slot"], data["table"], actor=current_user)
    except ServiceError as error:
        refuse(error)
    db.session.commit()
    return meeting


@bp.route("/events/<int:event_id>/meetings/<int:meeting_id>/outcome", methods=["POST"])
@token_required()
@bp.arguments(OutcomeIn)
@bp.response(200, MeetingSchema)
@_responses
def record_outcome(data, event_id, meeting_id):
    """Records what came of a meeting. A positive outcome recorded by an official running the event becomes
    a project at the proposal stage with the event as its source, unless `start_project` is false."""
    meeting = _meeting(event_id, meeting_id)
    start = data["start_project"]
    if start is None:
        start = can_manage_projects(current_user) and can_run_event(current_user, meeting.event)
    try:
        meeting_service.record_outcome(meeting, data["outcome"], actor=current_user, note=data["note"],
                                       start_project=start)
    except ServiceError as error:
        refuse(error)
    db.session.commit()
    return meeting


@bp.route("/events/<int:event_id>/meetings/<int:meeting_id>/follow-up", methods=["POST"])
@token_required()
@bp.arguments(FollowUpIn)
@bp.response(200, MeetingSchema)
@_responses
def record_follow_up(data, event_id, meeting_id):
    """Months later, one side says what became of the contact."""
    meeting = _meeting(event_id, meeting_id)
    company = _company(data["company_id"], "company_id")
    try:
        meeting_service.record_follow_up(meeting, company, data["follow_up"], actor=current_user)
    except ServiceError as error:
        refuse(error)
    db.session.commit()
    return meeting


@bp.route("/events/<int:event_id>/meetings/<int:meeting_id>/project", methods=["POST"])
@token_required("admin", "official")
@bp.response(201, MeetingSchema)
@_responses
def start_project(event_id, meeting_id):
    """Turns a meeting with a positive outcome into a project at the proposal stage."""
    meeting = _meeting(event_id, meeting_id)
    try:
        meeting_service.start_meeting_project(meeting, actor=current_user)
    except ServiceError as error:
        refuse(error)
    db.session.commit()
    return meeting

