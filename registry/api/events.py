"""Events in the API: the list and one event, creating an event with its matchmaking, registering firms,
and whom a firm should meet. Slots are numbered from 0 here (pages show them from 1)."""

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from registry.api import bp
from registry.api.errors import ErrorSchema
from registry.api.schemas import CompanyRefSchema, JsonBool, PageQuery, ReasonSchema, id_field
from registry.api.views import paginate, reasons_of, refuse, region_or_422, token_required
from registry.extensions import db
from registry.models import Company, Event, EventParticipant
from registry.models.event import EVENT_KINDS
from registry.policy import authorize, can_act_for_participant
from registry.services import ServiceError, event_registration, event_suggestions
from registry.services import events as event_service
from registry.services.event_registration import MAX_ATTENDEES, MAX_SLOTS, MAX_TABLES

TIME = r"^\d{1,2}:\d{2}$"


class SlotSchema(Schema):
    index = fields.Int(metadata={"description": "From 0, in time order"})
    start = fields.Function(lambda slot: f"{slot.starts_at:%H:%M}", metadata={"example": "10:00"})
    end = fields.Function(lambda slot: f"{slot.ends_at:%H:%M}", metadata={"example": "10:15"})


class EventParticipantSchema(Schema):
    company = fields.Nested(CompanyRefSchema, allow_none=True)
    person_name = fields.Str()
    position = fields.Str()
    registered = fields.Function(lambda p: p.registered_at is not None)


class EventSchema(Schema):
    id = fields.Int()
    kind = fields.Str(validate=validate.OneOf(EVENT_KINDS))
    title = fields.Str()
    held_on = fields.Date(allow_none=True)
    date_note = fields.Str()
    place = fields.Str()
    region = fields.Function(lambda e: (e.region.iso_code or e.region.inn_code) if e.region else None, allow_none=True)
    description = fields.Str()
    participants = fields.List(fields.Nested(EventParticipantSchema))
    project_ids = fields.Function(lambda e: [p.id for p in e.projects])
    source = fields.Str(allow_none=True)
    slots = fields.List(fields.Nested(SlotSchema))
    tables = fields.Int()
    registration_open = fields.Bool()
    registration_closes_on = fields.Date(allow_none=True)
    requests_expire_at = fields.AwareDateTime(allow_none=True)
    cross_region_first = fields.Bool()
    follow_up_on = fields.Date(allow_none=True)


class EventPage(Schema):
    items = fields.List(fields.Nested(EventSchema))
    total = fields.Int()
    page = fields.Int()
    pages = fields.Int()


class SlotIn(Schema):
    start = fields.Str(required=True, validate=validate.Regexp(TIME), metadata={"example": "10:00"})
    end = fields.Str(required=True, validate=validate.Regexp(TIME), metadata={"example": "10:15"})


class EventIn(Schema):
    title = fields.Str(required=True, validate=validate.Length(min=1, max=300))
    kind = fields.Str(load_default="round_table", validate=validate.OneOf(EVENT_KINDS))
    held_on = fields.Date(load_default=None, allow_none=True)
    place = fields.Str(load_default="", validate=validate.Length(max=300))
    region = fields.Str(load_default="", validate=validate.Length(max=120),
                        metadata={"description": "ISO 3166-2 code, e.g. RU-ULY"})
    description = fields.Str(load_default="", validate=validate.Length(max=10000))
    # Matchmaking: any of these given sets it up (whoever runs the event's region may).
    slots = fields.List(fields.Nested(SlotIn), validate=validate.Length(max=MAX_SLOTS))
    tables = fields.Int(validate=validate.Range(1, MAX_TABLES))
    registration_open = JsonBool()
    registration_closes_on = fields.Date(allow_none=True)
    requests_expire_at = fields.AwareDateTime(allow_none=True)
    cross_region_first = JsonBool()
    follow_up_on = fields.Date(allow_none=True)


MATCHMAKING_KEYS = ("slots", "tables", "registration_open", "registration_closes_on", "requests_expire_at",
                    "cross_region_first", "follow_up_on")


class RegistrationIn(Schema):
    company_id = id_field(required=True)
    attendees = fields.Str(validate=validate.Length(max=MAX_ATTENDEES))
    offer_ids = fields.List(id_field(), validate=validate.Length(max=500))
    need_ids = fields.List(id_field(), validate=validate.Length(max=500))
    unavailable_slots = fields.List(fields.Int(validate=validate.Range(0, MAX_SLOTS)), validate=validate.Length(max=MAX_SLOTS),
                                    metadata={"description": "Slot indexes, from 0"})


class RegistrationSchema(Schema):
    event_id = fields.Int()
    company = fields.Nested(CompanyRefSchema)
    attendees = fields.Str()
    offer_ids = fields.Function(lambda p: [offer.id for offer in p.offers])
    need_ids = fields.Function(lambda p: [need.id for need in p.needs])
    unavailable_slots = fields.List(fields.Int())
    registered_at = fields.AwareDateTime(allow_none=True)


class SuggestionsQuery(Schema):
    company_id = id_field(required=True)
    limit = fields.Int(load_default=20, validate=validate.Range(1, 100))


class SuggestedNeedSchema(Schema):
    id = fields.Int()
    title = fields.Str()
    company_id = fields.Int()


class SuggestionSchema(Schema):
    company = fields.Nested(CompanyRefSchema)
    direction = fields.Str(validate=validate.OneOf((event_suggestions.THEY_SUPPLY, event_suggestions.YOU_SUPPLY)),
                           metadata={"description": "they_supply: the other firm can supply a need of this one; "
                                                    "you_supply: this firm can supply a need of the other"})
    need = fields.Nested(SuggestedNeedSchema)
    cross_region = fields.Bool()
    score = fields.Float(validate=validate.Range(0, 1))
    reasons = fields.List(fields.Nested(ReasonSchema))


class SuggestionsSchema(Schema):
    event_id = fields.Int()
    company_id = fields.Int()
    suggestions = fields.List(fields.Nested(SuggestionSchema))


EVENT_LOAD = (selectinload(Event.participants).joinedload(EventParticipant.company).joinedload(Company.region),
              selectinload(Event.projects), selectinload(Event.slots), joinedload(Event.region))


def field_error(field: str, message) -> None:
    abort(422, message=str(_("Please correct the marked fields.")), errors={field: [str(message)]})


@bp.route("/events")
@bp.arguments(PageQuery, location="query")
@bp.response(200, EventPage)
def list_events(args):
    query = select(Event).options(*EVENT_LOAD).order_by(Event.held_on.desc().nulls_last(), Event.id.desc())
    return paginate(query, args["page"], args["per_page"])


@bp.route("/events/<int:event_id>")
@bp.response(200, EventSchema)
@bp.alt_response(404, schema=ErrorSchema)
def get_event(event_id):
    return db.get_or_404(Event, event_id)


@bp.route("/events", methods=["POST"])
@token_required("admin", "official")
@bp.arguments(EventIn)
@bp.response(201, EventSchema)
@bp.alt_response(401, schema=ErrorSchema)
@bp.alt_response(403, schema=ErrorSchema)
@bp.alt_response(422, schema=ErrorSchema)
def create_event(data):
    """Creates an event; slots, tables and the registration settings set up its one-to-one meetings."""
    region = region_or_422(data["region"])
    try:
        event = event_service.save_event({**{key: data[key] for key in ("title", "kind", "held_on", "place",
                                                                        "description")}, "region": region},
                                         actor=current_user)
        settings = {key: data[key] for key in MATCHMAKING_KEYS if key in data}
        if "slots" in settings:
            settings["slots"] = [(slot["start"], slot["end"]) for slot in settings["slots"]]
        if settings:
            event_registration.configure_matchmaking(event, settings, actor=current_user)
    except ServiceError as error:
        refuse(error)
    db.session.commit()
    return event


@bp.route("/events/<int:event_id>/participants", methods=["POST"])
@token_required()
@bp.arguments(RegistrationIn)
@bp.response(201, RegistrationSchema)
@bp.alt_response(401, schema=ErrorSchema)
@bp.alt_response(403, schema=ErrorSchema)
@bp.alt_response(404, schema=ErrorSchema)
@bp.alt_response(422, schema=ErrorSchema)
def register_participant(data, event_id):
    """Registers a firm for the event (again: changes its registration; fields left out are kept).
    A representative registers the own firm while registration is open; whoever runs the event, any firm."""
    event = db.get_or_404(Event, event_id)
    company = db.session.get(Company, data["company_id"])
    if company is None:
        field_error("company_id", _("No such company."))
    try:
        participant = event_registration.register(
            event, company, {key: data[key] for key in ("attendees", "offer_ids", "need_ids", "unavailable_slots")
                             if key in data}, actor=current_user)
    except ServiceError as error:
        refuse(error)
    db.session.commit()
    return participant


@bp.route("/events/<int:event_id>/suggestions")
@token_required()
@bp.arguments(SuggestionsQuery, location="query")
@bp.response(200, SuggestionsSchema)
@bp.alt_response(401, schema=ErrorSchema)
@bp.alt_response(403, schema=ErrorSchema)
@bp.alt_response(404, schema=ErrorSchema)
@bp.alt_response(422, schema=ErrorSchema)
def event_suggestions_for(args, event_id):
    """Whom the firm should meet among the other registered firms, both ways, best first (other regions
    first when the event says so), with reasons. For the firm's representatives and whoever runs the event."""
    event = db.get_or_404(Event, event_id)
    company = db.session.get(Company, args["company_id"])
    if company is None:
        field_error("company_id", _("No such company."))
    try:
        authorize(can_act_for_participant(current_user, event, company))
    except ServiceError as error:
        refuse(error)
    found = event_suggestions.suggestions_for(event, company, limit=args["limit"])
    return {"event_id": event.id, "company_id": company.id, "suggestions": [
        {"company": s.company, "direction": s.direction, "cross_region": s.cross_region, "score": s.score,
         "need": {"id": s.need.id, "title": s.need.title, "company_id": s.need.company_id},
         "reasons": reasons_of(s.match)} for s in found]}
