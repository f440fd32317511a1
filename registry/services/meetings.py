"""One-to-one meetings at an event: requests and answers, the schedule, hand moves, outcomes and
follow-ups, and the projects they start.

Firms act for themselves; whoever runs the event (`policy.can_run_event`) may act for any participant.
Every step that concerns the other side tells it (see `services/notifications.py`) and returns whom it
told, so that pages say exactly that.
"""

from datetime import date, datetime

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from registry.extensions import db
from registry.labels import MEETING_STATUS_LABELS, OUTCOME_LABELS
from registry.links import external_url
from registry.models import Company, Event, EventMeeting, EventParticipant, Need
from registry.models.base import utcnow
from registry.models.event import FOLLOW_UPS, OUTCOMES
from registry.policy import authorize, can_act_for_participant, can_manage_projects, can_run_event, represents
from registry.scheduling import solver
from registry.services import ServiceError, audit, projects
from registry.services.notifications import Recipients, notify_company
from registry.translation import lazy_gettext as _l

NOTE_MAX_LENGTH = 1000
MAX_PRIORITY = 10
# Added to a meeting's own priority when the schedule cannot place everything: officials' meetings first,
# then (if the event says so) meetings of firms from different regions.
OFFICIAL_PRIORITY = 20
CROSS_REGION_PRIORITY = 10
POSITIVE_OUTCOMES = ("possible_cooperation",)
POSITIVE_FOLLOW_UPS = ("negotiating", "agreement")
LIVE = ("requested", "accepted")  # a pair with such a meeting cannot be asked again


def participant(event: Event, company: Company) -> EventParticipant | None:
    return next((p for p in event.participants if p.company_id == company.id), None)


def _require_participants(event: Event, *firms: Company) -> None:
    for firm in firms:
        if participant(event, firm) is None:
            raise ServiceError(_l("%(company)s is not registered for this event.", company=firm.name), "company")


def _clean_note(note: str, field: str = "note") -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ServiceError(_l("The note is too long (at most %(max)d characters).", max=NOTE_MAX_LENGTH), field)
    return note


def expire_if_due(meeting: EventMeeting, now: datetime | None = None) -> bool:
    """An unanswered request lapses at the event's expiry time, so it holds none of the other side's slots."""
    deadline = meeting.event.requests_expire_at
    if meeting.status == "requested" and deadline is not None and (now or utcnow()) >= deadline:
        meeting.status = "expired"
        return True
    return False


def request_meeting(event: Event, requester: Company, invitee: Company, *, actor, note: str = "",
                    need: Need | None = None, priority: int = 0) -> tuple[EventMeeting, list[Recipients]]:
    """A firm asks another participant for a meeting; the invitee is told.

    An official who runs the event and does not speak for the requester adds a meeting they want to
    happen: it needs no answer, and both firms are told.
    """
    authorize(can_act_for_participant(actor, event, requester))
    if not event.matchmaking:
        raise ServiceError(_l("This event has no time slots and tables for meetings."))
    if requester.id == invitee.id:
        raise ServiceError(_l("A firm cannot meet itself."), "invitee_id")
    _require_participants(event, requester, invitee)
    if need is not None and need.company_id not in (requester.id, invitee.id):
        raise ServiceError(_l("The need must belong to one of the two firms."), "need_id")
    if not isinstance(priority, int) or not 0 <= priority <= MAX_PRIORITY:
        raise ServiceError(_l("The priority is a whole number from 0 to %(max)d.", max=MAX_PRIORITY), "priority")
    note = _clean_note(note)
    pair = db.session.scalars(select(EventMeeting).where(
        EventMeeting.event_id == event.id,
        or_((EventMeeting.requester_id == requester.id) & (EventMeeting.invitee_id == invitee.id),
            (EventMeeting.requester_id == invitee.id) & (EventMeeting.invitee_id == requester.id)))).all()
    for existing in pair:
        expire_if_due(existing)
        if existing.status in LIVE:
            raise ServiceError(_l("A meeting of these two firms is already %(status)s.",
                                  status=MEETING_STATUS_LABELS[existing.status]), "invitee_id")
    by_official = can_run_event(actor, event) and not represents(actor, requester)
    if not by_official and event.requests_expire_at is not None and utcnow() >= event.requests_expire_at:
        raise ServiceError(_l("Meeting requests for this event are closed."))
    # The unique key holds one row per ordered pair: a new request after a declined one reuses it.
    meeting = next((m for m in pair if m.requester_id == requester.id), None)
    if meeting is None:
        meeting = EventMeeting(event=event, requester=requester, invitee=invitee)
        db.session.add(meeting)
    meeting.need, meeting.note, meeting.priority, meeting.by_official = need, note, priority, by_official
    meeting.requested_by = actor if getattr(actor, "id", None) else None
    meeting.created_at = utcnow()
    meeting.status = "accepted" if by_official else "requested"
    meeting.answered_by, meeting.answered_at, meeting.answer_note = None, None, ""
    _unplace(meeting)
    db.session.flush()
    audit.record(actor, "meeting.request", meeting, event_id=event.id, requester_id=requester.id,
                 invitee_id=invitee.id, status=meeting.status, priority=priority)
    if by_official:
        subject = _l("A meeting at «%(event)s»", event=event.title)
        body = _l("The organisers of «%(event)s» have arranged a meeting of %(requester)s and %(invitee)s. "
                  "It will appear in both agendas once the schedule is built.",
                  event=event.title, requester=requester.name, invitee=invitee.name)
        return meeting, _notify(meeting, [requester, invitee], subject, [body, note] if note else body)
    subject = _l("A meeting request at «%(event)s»", event=event.title)
    body = _l("%(requester)s asks %(invitee)s for a one-to-one meeting at «%(event)s». Please accept or decline "
              "on the event's page.", requester=requester.name, invitee=invitee.name, event=event.title)
    return meeting, _notify(meeting, [invitee], subject, [body, note] if note else body)


def answer_meeting(meeting: EventMeeting, decision: str, *, actor, note: str = "") -> list[Recipients]:
    """The invitee (or whoever runs the event) accepts or declines; both firms are told.

    Giving the same answer again changes nothing. An accepted meeting may still be declined (plans
    change): it then leaves the schedule.
    """
    event = meeting.event
    if decision not in ("accepted", "declined"):
        raise ServiceError(_l("Choose to accept or to decline."), "decision")
    authorize(can_run_event(actor, event) or represents(actor, meeting.invitee)
              or (decision == "declined" and meeting.status == "accepted" and represents(actor, meeting.requester)))
    expire_if_due(meeting)
    if meeting.status == decision:
        return []
    if meeting.status in ("expired", "cancelled"):
        raise ServiceError(_l("This request is %(status)s and can no longer be answered.",
                              status=MEETING_STATUS_LABELS[meeting.status]))
    if meeting.status == "declined":
        raise ServiceError(_l("This request has been declined; ask for a new meeting instead."))
    if meeting.outcome is not None:
        raise ServiceError(_l("This meeting has already taken place."))
    note = _clean_note(note)
    meeting.status = decision
    meeting.answered_by = actor if getattr(actor, "id", None) else None
    meeting.answered_at = utcnow()
    meeting.answer_note = note
    if decision == "declined":
        _unplace(meeting)
    db.session.flush()
    audit.record(actor, "meeting.answer", meeting, status=decision)
    subject = _l("Meeting %(status)s: %(requester)s and %(invitee)s", status=MEETING_STATUS_LABELS[decision],
                 requester=meeting.requester.name, invitee=meeting.invitee.name)
    body = _l("The meeting of %(requester)s and %(invitee)s at «%(event)s» is now: %(status)s.",
              requester=meeting.requester.name, invitee=meeting.invitee.name, event=event.title,
              status=MEETING_STATUS_LABELS[decision])
    return _notify(meeting, list(meeting.firms), subject, [body, note] if note else body)


def cancel_meeting(meeting: EventMeeting, *, actor) -> list[Recipients]:
    """Whoever asked withdraws a request that has not been answered; the invitee is told."""
    authorize(can_run_event(actor, meeting.event) or represents(actor, meeting.requester))
    if meeting.status != "requested":
        raise ServiceError(_l("Only a request awaiting an answer can be withdrawn."))
    meeting.status = "cancelled"
    db.session.flush()
    audit.record(actor, "meeting.cancel", meeting, status="cancelled")
    subject = _l("Meeting request withdrawn: %(requester)s", requester=meeting.requester.name)
    body = _l("%(requester)s has withdrawn its request for a meeting at «%(event)s».",
              requester=meeting.requester.name, event=meeting.event.title)
    return _notify(meeting, [meeting.invitee], subject, body)


def withdraw_firm(event: Event, company: Company, *, actor) -> list[Recipients]:
    """A firm leaves the event (its registration withdrawn): its requests and meetings that have not taken
    place are cancelled, leave the schedule, and the other firms are told."""
    live = db.session.scalars(select(EventMeeting).where(
        EventMeeting.event_id == event.id, EventMeeting.status.in_(LIVE), EventMeeting.outcome.is_(None),
        (EventMeeting.requester_id == company.id) | (EventMeeting.invitee_id == company.id))).all()
    told = []
    for meeting in live:
        meeting.status = "cancelled"
        _unplace(meeting)
        audit.record(actor, "meeting.cancel", meeting, status="cancelled", reason="unregistered")
        subject = _l("Meeting cancelled: %(company)s left «%(event)s»", company=company.name, event=event.title)
        body = _l("%(company)s has withdrawn its registration for «%(event)s», so its meeting with you is cancelled.",
                  company=company.name, event=event.title)
        told += _notify(meeting, [meeting.other(company.id)], subject, body)
    db.session.flush()
    return told


def expire_requests(now: datetime | None = None) -> int:
    """Marks the lapsed requests of every event as expired and tells the firms that asked (a periodic job)."""
    now = now or utcnow()
    lapsed = db.session.scalars(
        select(EventMeeting).join(Event).where(EventMeeting.status == "requested",
                                               Event.requests_expire_at.is_not(None), Event.requests_expire_at <= now)
        .options(selectinload(EventMeeting.requester), selectinload(EventMeeting.invitee))).all()
    for meeting in lapsed:
        meeting.status = "expired"
        audit.record(None, "meeting.expire", meeting, status="expired")
        subject = _l("Meeting request expired: %(invitee)s", invitee=meeting.invitee.name)
        body = _l("%(invitee)s did not answer your request for a meeting at «%(event)s» in time, so the request "
                  "has expired.", invitee=meeting.invitee.name, event=meeting.event.title)
        _notify(meeting, [meeting.requester], subject, body)
    db.session.flush()
    return len(lapsed)


# --- The schedule -----------------------------------------------------------------------------

def _unplace(meeting: EventMeeting) -> None:
    meeting.slot = meeting.table_number = meeting.unscheduled_reason = None
    meeting.pinned = False


def schedule_priority(meeting: EventMeeting) -> int:
    """The meeting's own priority, plus officials' wishes, plus another region when the event says so."""
    value = meeting.priority
    if meeting.by_official:
        value += OFFICIAL_PRIORITY
    if meeting.event.cross_region_first and meeting.requester.region_id != meeting.invitee.region_id:
        value += CROSS_REGION_PRIORITY
    return value


def problem_for(event: Event, meetings: list[EventMeeting]) -> solver.Problem:
    """The event's accepted meetings as the solver's problem; hand-placed ones stay where they are."""
    unavailable = {p.company_id: set(p.unavailable_slots or ()) for p in event.participants if p.company_id}
    requests = [solver.Request(m.id, m.requester_id, m.invitee_id, schedule_priority(m),
                               (m.slot, m.table_number) if m.pinned and m.slot is not None else None)
                for m in meetings if m.status == "accepted"]
    return solver.Problem(len(event.slots), event.tables, requests, unavailable)


def build_schedule(event: Event, *, actor, time_limit: float | None = None) -> solver.Schedule:
    """Places every accepted meeting it can (as many as possible, the most important first) in a slot at a
    table; meetings moved by hand stay. Those left out keep the solver's reason."""
    authorize(can_run_event(actor, event))
    if not event.matchmaking:
        raise ServiceError(_l("Set the event's time slots and tables first."))
    meetings = _meetings(event)
    now = utcnow()
    for meeting in meetings:
        expire_if_due(meeting, now)
    limit = time_limit if time_limit is not None else current_app.config["SCHEDULE_TIME_LIMIT"]
    result = solver.solve(problem_for(event, meetings), time_limit=limit)
    for meeting in meetings:
        if meeting.id in result.placed:
            meeting.slot, meeting.table_number = result.placed[meeting.id]
            meeting.unscheduled_reason = None
        else:
            pinned = meeting.pinned and meeting.id in result.unscheduled
            _unplace(meeting)
            meeting.unscheduled_reason = result.unscheduled.get(meeting.id)
            if pinned:
                meeting.pinned = False
    event.scheduled_at = now
    event.schedule_upper_bound = result.upper_bound
    db.session.flush()
    audit.record(actor, "event.schedule", event, placed=len(result.placed), unscheduled=len(result.unscheduled),
                 upper_bound=result.upper_bound)
    return result


def _meetings(event: Event) -> list[EventMeeting]:
    return db.session.scalars(
        select(EventMeeting).where(EventMeeting.event_id == event.id)
        .options(selectinload(EventMeeting.requester), selectinload(EventMeeting.invitee))
        .order_by(EventMeeting.id)).all()


def _move_refusal(conflict: solver.Conflict, by_id: dict, meeting: EventMeeting):
    """The solver's conflict as a sentence naming the firms concerned."""
    names = {firm.id: firm.name for firm in meeting.firms}
    other = by_id.get(conflict.meeting)
    if conflict.kind == "unavailable":
        return _l("%(company)s is not available at that time.", company=names.get(conflict.firm, ""))
    if conflict.kind == "busy" and other is not None:
        return _l("%(company)s already meets %(other)s at that time.", company=names.get(conflict.firm, ""),
                  other=other.other(conflict.firm).name)
    if conflict.kind == "table_taken" and other is not None:
        return _l("The table is taken at that time by %(requester)s and %(invitee)s.",
                  requester=other.requester.name, invitee=other.invitee.name)
    if conflict.kind == "table_out_of_range":
        return _l("There is no such table.")
    return _l("There is no such time slot.")


def move_meeting(meeting: EventMeeting, slot: int, table: int, *, actor) -> EventMeeting:
    """An official places a meeting by hand; a move that would break a rule is refused with the reason.
    The meeting is then pinned: building the schedule again keeps it there."""
    event = meeting.event
    authorize(can_run_event(actor, event))
    if meeting.status != "accepted":
        raise ServiceError(_l("Only an accepted meeting can be placed in the schedule."), "slot")
    meetings = _meetings(event)
    placed = {m.id: (m.slot, m.table_number) for m in meetings
              if m.status == "accepted" and m.slot is not None and m.id != meeting.id}
    conflict = solver.check_move(problem_for(event, meetings), placed, meeting.id, slot, table)
    if conflict is not None:
        raise ServiceError(_move_refusal(conflict, {m.id: m for m in meetings}, meeting),
                           "table" if conflict.kind in ("table_out_of_range", "table_taken") else "slot")
    meeting.slot, meeting.table_number, meeting.pinned, meeting.unscheduled_reason = slot, table, True, None
    db.session.flush()
    audit.record(actor, "meeting.move", meeting, slot=slot, table=table)
    return meeting


def unschedule_meeting(meeting: EventMeeting, *, actor) -> EventMeeting:
    """Takes a meeting out of the schedule by hand (and unpins it)."""
    authorize(can_run_event(actor, meeting.event))
    _unplace(meeting)
    meeting.unscheduled_reason = "removed"
    db.session.flush()
    audit.record(actor, "meeting.unschedule", meeting)
    return meeting


# --- After the event --------------------------------------------------------------------------

def record_outcome(meeting: EventMeeting, outcome: str, *, actor, note: str = "",
                   start_project: bool = False) -> tuple[EventMeeting, list[Recipients]]:
    """Either firm, or whoever runs the event, says what came of a meeting; the other side is told.
    An official running the event may at once turn a positive outcome into a project (`start_project`);
    for anyone else the flag changes nothing, and the officials start it later."""
    event = meeting.event
    authorize(any(can_act_for_participant(actor, event, firm) for firm in meeting.firms))
    if outcome not in OUTCOMES:
        raise ServiceError(_l("Choose one of the outcomes."), "outcome")
    if meeting.status != "accepted":
        raise ServiceError(_l("Only an accepted meeting has an outcome."), "outcome")
    note = _clean_note(note, "note")
    if (meeting.outcome, meeting.outcome_note) != (outcome, note):
        meeting.outcome, meeting.outcome_note = outcome, note
        meeting.outcome_by = actor if getattr(actor, "id", None) else None
        meeting.outcome_at = utcnow()
        db.session.flush()
        audit.record(actor, "meeting.outcome", meeting, outcome=outcome, note=note)
    may_start = can_manage_projects(actor) and can_run_event(actor, event)
    if start_project and may_start and outcome in POSITIVE_OUTCOMES and meeting.project is None:
        start_meeting_project(meeting, actor=actor)
    others = [firm for firm in meeting.firms if not represents(actor, firm)]
    subject = _l("Outcome of your meeting at «%(event)s»", event=event.title)
    body = _l("The outcome of the meeting of %(requester)s and %(invitee)s was recorded: %(outcome)s.",
              requester=meeting.requester.name, invitee=meeting.invitee.name, outcome=OUTCOME_LABELS[outcome])
    return meeting, _notify(meeting, others, subject, [body, note] if note else body)


def can_start_project(meeting: EventMeeting) -> bool:
    """A meeting may become a project once a side saw cooperation in it, and only once."""
    positive = meeting.outcome in POSITIVE_OUTCOMES or bool(
        {meeting.requester_follow_up, meeting.invitee_follow_up} & set(POSITIVE_FOLLOW_UPS))
    return positive and meeting.project_id is None


def start_meeting_project(meeting: EventMeeting, *, actor):
    """A meeting with a positive outcome becomes a cooperation project at the proposal stage, with the
    event as its source."""
    authorize(can_manage_projects(actor) and can_run_event(actor, meeting.event))
    if meeting.project is not None:
        raise ServiceError(_l("This meeting already has a project."))
    if not can_start_project(meeting):
        raise ServiceError(_l("Record a positive outcome of the meeting first."), "outcome")
    need = meeting.need
    if need is not None:
        supplier = meeting.other(need.company_id)
        participants = [(need.company, "customer"), (supplier, "supplier")]
        title, direction = need.title, need.capabilities[0] if need.capabilities else None
    else:
        participants = [(meeting.requester, "partner"), (meeting.invitee, "partner")]
        title, direction = f"{meeting.requester.name} — {meeting.invitee.name}", None
    project = projects.create_project(
        title=title[:300], participants=participants, stage="proposal", direction=direction,
        description=meeting.outcome_note or meeting.note, source_event=meeting.event,
        responsible=actor if getattr(actor, "role", None) == "official" else None, actor=actor)
    meeting.project = project
    db.session.flush()
    audit.record(actor, "meeting.project", meeting, project_id=project.id)
    return project


def record_follow_up(meeting: EventMeeting, company: Company, answer: str, *, actor) -> EventMeeting:
    """Months later, each side says what became of the contact."""
    authorize(can_act_for_participant(actor, meeting.event, company))
    if company.id not in (meeting.requester_id, meeting.invitee_id):
        raise ServiceError(_l("This firm did not take part in the meeting."), "company_id")
    if answer not in FOLLOW_UPS:
        raise ServiceError(_l("Choose one of the answers."), "follow_up")
    if meeting.status != "accepted":
        raise ServiceError(_l("Only an accepted meeting has a follow-up."), "follow_up")
    column = "requester_follow_up" if company.id == meeting.requester_id else "invitee_follow_up"
    if getattr(meeting, column) != answer:
        setattr(meeting, column, answer)
        db.session.flush()
        audit.record(actor, "meeting.follow_up", meeting, company_id=company.id, follow_up=answer)
    return meeting


def send_follow_ups(today: date) -> int:
    """On each event's follow-up day, asks both sides of every meeting held what became of the contact
    (a periodic job; once per event). Returns how many firms were asked."""
    due = db.session.scalars(select(Event).where(Event.follow_up_on.is_not(None), Event.follow_up_on <= today,
                                                 Event.follow_up_sent_at.is_(None))).all()
    asked = 0
    for event in due:
        held = [m for m in _meetings(event) if m.status == "accepted" and m.outcome not in (None, "not_held")]
        firms = {firm.id: firm for meeting in held for firm in meeting.firms}
        for firm in firms.values():
            subject = _l("What came of your meetings at «%(event)s»?", event=event.title)
            body = _l("Some time ago %(company)s met other firms at «%(event)s». Please tell the organisers what "
                      "became of each contact: not continued, a valuable contact, negotiations started or an "
                      "agreement signed.", company=firm.name, event=event.title)
            notify_company(firm, subject, body, link=external_url("events.agenda", event_id=event.id,
                                                                  company_id=firm.id))
            asked += 1
        event.follow_up_sent_at = utcnow()
        audit.record(None, "event.follow_up", event, firms=len(firms))
    db.session.flush()
    return asked


def _notify(meeting: EventMeeting, firms: list[Company], subject, body) -> list[Recipients]:
    return [notify_company(firm, subject, body,
                           link=external_url("events.agenda", event_id=meeting.event_id, company_id=firm.id))
            for firm in firms]

