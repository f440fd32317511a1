"""Meeting requests and answers, the schedule, hand moves, outcomes into projects, follow-ups and expiry."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from registry.models import AuditEntry, OutboxMessage, Project
from registry.models.base import utcnow
from registry.models.event import Event, EventParticipant, EventSlot
from registry.services import Forbidden, ServiceError
from registry.services import meetings as service
from registry.services.notifications import REPRESENTATIVES
from tests.factories import make_company, make_need, make_user, region


def matchmaking_event(firms, *, slots=3, tables=2, **values) -> Event:
    values.setdefault("title", "Биржа деловых контактов")
    values.setdefault("region", region("RU-ULY"))
    event = Event(tables=tables, held_on=date(2026, 12, 20), **values)
    event.slots = [EventSlot(index=i, starts_at=time(10, 15 * i), ends_at=time(10, 15 * i + 15))
                   for i in range(slots)]
    event.participants = [EventParticipant(company=firm) for firm in firms]
    from registry.extensions import db

    db.session.add(event)
    db.session.flush()
    return event


@pytest.fixture
def world(db):
    uly = make_company(name="ООО «Ульяновский станкозавод»", region_iso="RU-ULY")
    mo = make_company(name="АО «Орбита»", region_iso="RU-MO")
    third = make_company(name="ООО «Третья фирма»", region_iso="RU-ULY")
    event = matchmaking_event([uly, mo, third])
    return {"uly": uly, "mo": mo, "third": third, "event": event,
            "uly_rep": make_user("company", company=uly), "mo_rep": make_user("company", company=mo),
            "official": make_user("official", region=region("RU-ULY")),
            "other_official": make_user("official", region=region("RU-MO"))}


def test_a_representative_requests_and_the_invitee_accepts_both_told(world, db):
    meeting, told = service.request_meeting(world["event"], world["uly"], world["mo"], actor=world["uly_rep"],
                                            note="Обсудить поставки РТИ")
    assert meeting.status == "requested" and not meeting.by_official
    assert [found.company for found in told] == [world["mo"]] and told[0].kind == REPRESENTATIVES
    assert db.session.scalar(select(OutboxMessage.recipient).order_by(OutboxMessage.id.desc())) \
        == world["mo_rep"].email
    with pytest.raises(Forbidden):  # the asker cannot accept its own request
        service.answer_meeting(meeting, "accepted", actor=world["uly_rep"])
    told = service.answer_meeting(meeting, "accepted", actor=world["mo_rep"])
    assert meeting.status == "accepted" and {found.company.id for found in told} == {world["uly"].id, world["mo"].id}
    assert service.answer_meeting(meeting, "accepted", actor=world["mo_rep"]) == []  # again: nothing changes
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "eventmeeting")).all()
    assert actions == ["meeting.request", "meeting.answer"]


def test_a_representative_acts_only_for_their_own_firm(world):
    with pytest.raises(Forbidden):
        service.request_meeting(world["event"], world["mo"], world["uly"], actor=world["uly_rep"])
    with pytest.raises(Forbidden):  # officials of another region do not run this event
        service.request_meeting(world["event"], world["mo"], world["uly"], actor=world["other_official"])


def test_requests_are_refused_with_reasons(world, db):
    event = world["event"]
    outsider = make_company(name="ООО «Не зарегистрирована»")
    with pytest.raises(ServiceError, match="не зарегистрировано|not registered"):
        service.request_meeting(event, world["uly"], outsider, actor=world["uly_rep"])
    with pytest.raises(ServiceError) as error:
        service.request_meeting(event, world["uly"], world["uly"], actor=world["uly_rep"])
    assert error.value.field == "invitee_id"
    service.request_meeting(event, world["uly"], world["mo"], actor=world["uly_rep"])
    with pytest.raises(ServiceError) as error:  # the same pair, either way round
        service.request_meeting(event, world["mo"], world["uly"], actor=world["mo_rep"])
    assert error.value.field == "invitee_id"
    with pytest.raises(ServiceError) as error:
        service.request_meeting(event, world["uly"], world["third"], actor=world["uly_rep"],
                                need=make_need(make_company()))
    assert error.value.field == "need_id"


def test_a_declined_pair_may_ask_again(world):
    meeting, _ = service.request_meeting(world["event"], world["uly"], world["mo"], actor=world["uly_rep"])
    service.answer_meeting(meeting, "declined", actor=world["mo_rep"], note="Не наш профиль")
    again, _ = service.request_meeting(world["event"], world["uly"], world["mo"], actor=world["uly_rep"])
    assert again.id == meeting.id and again.status == "requested" and again.answer_note == ""


def test_an_official_adds_a_meeting_that_needs_no_answer_and_tells_both(world):
    meeting, told = service.request_meeting(world["event"], world["uly"], world["mo"], actor=world["official"])
    assert meeting.status == "accepted" and meeting.by_official
    assert len(told) == 2
    assert service.schedule_priority(meeting) == service.OFFICIAL_PRIORITY + service.CROSS_REGION_PRIORITY


def test_unanswered_requests_expire_and_the_asker_is_told(world, db):
    event = world["event"]
    meeting, _ = service.request_meeting(event, world["uly"], world["mo"], actor=world["uly_rep"])
    event.requests_expire_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    assert service.expire_requests() == 1
    assert meeting.status == "expired"
    with pytest.raises(ServiceError):
        service.answer_meeting(meeting, "accepted", actor=world["mo_rep"])
    with pytest.raises(ServiceError):  # and no new requests after the deadline, but from the organisers
        service.request_meeting(event, world["uly"], world["third"], actor=world["uly_rep"])
    assert service.request_meeting(event, world["uly"], world["third"], actor=world["official"])[0].by_official


def accepted(world, a, b):
    meeting, _ = service.request_meeting(world["event"], world[a], world[b], actor=world["official"])
    return meeting


def test_the_schedule_places_accepted_meetings_without_breaking_a_rule(world, db):
    event = world["event"]
    first, second, third = accepted(world, "uly", "mo"), accepted(world, "uly", "third"), accepted(world, "mo", "third")
    fourth = make_company(name="ООО «Четвёртая»")
    event.participants.append(EventParticipant(company=fourth))
    rep = make_user("company", company=fourth)
    pending, _ = service.request_meeting(event, fourth, world["uly"], actor=rep)  # not answered: not placed
    participant = service.participant(event, world["uly"])
    participant.unavailable_slots = [0]
    result = service.build_schedule(event, actor=world["official"])
    assert set(result.placed) == {first.id, second.id, third.id} and result.upper_bound == 3
    assert first.slot != 0 and second.slot != 0 and first.slot != second.slot
    assert len({(m.slot, m.table_number) for m in (first, second, third)}) == 3
    assert pending.slot is None
    assert event.schedule_upper_bound == 3 and event.scheduled_at is not None
    with pytest.raises(Forbidden):
        service.build_schedule(event, actor=world["uly_rep"])


def test_a_meeting_without_a_common_free_slot_says_so(world):
    event = world["event"]
    meeting = accepted(world, "uly", "mo")
    service.participant(event, world["uly"]).unavailable_slots = [0, 1]
    service.participant(event, world["mo"]).unavailable_slots = [2]
    result = service.build_schedule(event, actor=world["official"])
    assert result.unscheduled == {meeting.id: "no_common_slot"}
    assert meeting.unscheduled_reason == "no_common_slot" and meeting.slot is None


def test_a_hand_move_that_breaks_a_rule_is_refused_with_the_reason(world):
    event = world["event"]
    first, second = accepted(world, "uly", "mo"), accepted(world, "uly", "third")
    service.build_schedule(event, actor=world["official"])
    with pytest.raises(ServiceError, match="Ульяновский станкозавод"):  # busy with the other meeting then
        service.move_meeting(second, first.slot, 2 if first.table_number == 1 else 1, actor=world["official"])
    with pytest.raises(ServiceError) as error:
        service.move_meeting(second, 7, 1, actor=world["official"])
    assert error.value.field == "slot"
    service.participant(event, world["third"]).unavailable_slots = [2]
    with pytest.raises(ServiceError, match="Третья фирма"):
        service.move_meeting(second, 2, 1, actor=world["official"])
    free = next(s for s in range(3) if s != first.slot)
    service.move_meeting(second, free, 2, actor=world["official"])
    assert (second.slot, second.table_number, second.pinned) == (free, 2, True)
    service.build_schedule(event, actor=world["official"])  # a new schedule keeps the hand move
    assert (second.slot, second.table_number) == (free, 2)
    with pytest.raises(Forbidden):
        service.move_meeting(second, free, 1, actor=world["uly_rep"])


def test_a_positive_outcome_becomes_a_project_with_the_event_as_source(world, db):
    event = world["event"]
    need = make_need(world["uly"], title="Манжеты резиновые для гидроцилиндров")
    meeting, _ = service.request_meeting(event, world["uly"], world["mo"], actor=world["uly_rep"], need=need)
    service.answer_meeting(meeting, "accepted", actor=world["mo_rep"])
    _, told = service.record_outcome(meeting, "possible_cooperation", actor=world["mo_rep"], note="Ждём чертежи",
                                     start_project=True)  # a firm cannot start a project: it is just recorded
    assert meeting.outcome == "possible_cooperation" and meeting.project is None
    assert [found.company for found in told] == [world["uly"]]
    project = service.start_meeting_project(meeting, actor=world["official"])
    assert project.stage == "proposal" and project.source_event is event and project.title == need.title
    assert {(p.company.id, p.role) for p in project.participants} == {(world["uly"].id, "customer"),
                                                                     (world["mo"].id, "supplier")}
    with pytest.raises(ServiceError):
        service.start_meeting_project(meeting, actor=world["official"])


def test_an_official_records_a_positive_outcome_and_starts_the_project_at_once(world, db):
    meeting = accepted(world, "mo", "third")
    service.record_outcome(meeting, "possible_cooperation", actor=world["official"], start_project=True)
    project = db.session.scalar(select(Project).where(Project.source_event_id == world["event"].id))
    assert meeting.project is project and project.stage == "proposal"


def test_no_project_from_an_outcome_without_interest(world):
    meeting = accepted(world, "mo", "third")
    service.record_outcome(meeting, "no_interest", actor=world["official"], start_project=True)
    assert meeting.project is None
    with pytest.raises(ServiceError):
        service.start_meeting_project(meeting, actor=world["official"])
    with pytest.raises(ServiceError) as error:
        service.record_outcome(meeting, "great", actor=world["official"])
    assert error.value.field == "outcome"


def test_follow_ups_are_asked_once_on_the_day_and_answered_per_side(world, db):
    event = world["event"]
    meeting = accepted(world, "uly", "mo")
    service.record_outcome(meeting, "useful_no_plans", actor=world["official"])
    event.follow_up_on = date(2027, 6, 20)
    db.session.flush()
    assert service.send_follow_ups(date(2027, 6, 19)) == 0
    before = db.session.scalar(select(func.count(OutboxMessage.id)))
    assert service.send_follow_ups(date(2027, 6, 20)) == 2
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == before + 2
    assert service.send_follow_ups(date(2027, 6, 21)) == 0  # once per event
    service.record_follow_up(meeting, world["mo"], "negotiating", actor=world["mo_rep"])
    with pytest.raises(Forbidden):
        service.record_follow_up(meeting, world["mo"], "agreement", actor=world["uly_rep"])
    assert (meeting.requester_follow_up, meeting.invitee_follow_up) == (None, "negotiating")
    assert service.can_start_project(meeting)  # negotiations started: the official may start a project


def test_a_firm_that_withdraws_its_registration_leaves_its_meetings_and_the_others_are_told(world, db):
    from registry.services import event_registration

    event = world["event"]
    event.registration_open = True
    event_registration.register(event, world["uly"], {"attendees": "Главный инженер"}, actor=world["uly_rep"])
    meeting, _ = service.request_meeting(event, world["uly"], world["mo"], actor=world["uly_rep"])
    service.answer_meeting(meeting, "accepted", actor=world["mo_rep"])
    service.build_schedule(event, actor=world["official"])
    assert meeting.slot is not None
    before = db.session.scalar(select(func.count(OutboxMessage.id)))
    event_registration.unregister(event, world["uly"], actor=world["uly_rep"])
    assert meeting.status == "cancelled" and meeting.slot is None
    assert db.session.scalar(select(OutboxMessage.recipient).order_by(OutboxMessage.id.desc())) == world["mo_rep"].email
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == before + 1
