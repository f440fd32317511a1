"""The matchmaking settings and registrations: who may, when, and what is refused."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from registry.models import AuditEntry, CapabilityOffer, EventMeeting, EventParticipant
from registry.services import Forbidden, ServiceError
from registry.services import event_registration as service
from tests.events.helpers import firm, matchmaking_event, need_of
from tests.factories import make_company, make_user, region
from tests.transfer.sheets import csv_bytes


@pytest.fixture
def people(db):
    own = firm(offers=[("metalworking.milling", "фрезеровка корпусов")])
    other = make_company(region_iso="RU-MO")
    return {
        "own": own, "other": other,
        "rep": make_user("company", company=own),
        "official": make_user("official", region=region("RU-ULY")),
        "stranger official": make_user("official", region=region("RU-MO")),
        "admin": make_user("admin"),
    }


def msgid(message) -> str:
    """The English message behind a translated one: the tests read the same in every language."""
    return message._args[0]


def audits(db, action):
    return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


# --- settings --------------------------------------------------------------------------------------

def test_official_of_the_events_region_sets_slots_in_time_order_and_it_is_audited(db, people):
    event = matchmaking_event(region=region("RU-ULY"))
    event.slots = []
    db.session.flush()
    expires = datetime(2031, 11, 8, 18, 0, tzinfo=UTC)
    service.configure_matchmaking(event, {
        "slots": [("11:00", "11:15"), (time(10, 0), time(10, 15)), ("10:15", "10:30")], "tables": 12,
        "registration_open": True, "registration_closes_on": date(2031, 11, 1), "requests_expire_at": expires,
        "cross_region_first": False, "follow_up_on": date(2032, 2, 1)}, actor=people["official"])
    assert [(s.index, s.starts_at, s.ends_at) for s in event.slots] == [
        (0, time(10, 0), time(10, 15)), (1, time(10, 15), time(10, 30)), (2, time(11, 0), time(11, 15))]
    assert event.tables == 12 and event.requests_expire_at == expires and not event.cross_region_first
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.matchmaking"))
    assert entry.changes["slots"] == ["10:00-10:15", "10:15-10:30", "11:00-11:15"] and entry.actor_id == people["official"].id


@pytest.mark.parametrize("slots, message", [
    ([("10:00", "10:00")], "must end after it starts"),
    ([("10:30", "10:00")], "must end after it starts"),
    ([("10:00", "10:20"), ("10:15", "10:30")], "overlap"),
    ([("25:00", "26:00")], "write its times"),
    ([("десять", "11:00")], "write its times"),
])
def test_bad_slots_are_refused_and_nothing_changes(db, people, slots, message):
    event = matchmaking_event()
    with pytest.raises(ServiceError) as refused:
        service.configure_matchmaking(event, {"slots": slots}, actor=people["admin"])
    assert refused.value.field == "slots" and message in msgid(refused.value.message)
    db.session.rollback()
    assert audits(db, "event.matchmaking") == 0


@pytest.mark.parametrize("tables", [0, 501, -1, True])
def test_tables_are_between_1_and_500(db, people, tables):
    with pytest.raises(ServiceError) as refused:
        service.configure_matchmaking(matchmaking_event(), {"tables": tables}, actor=people["admin"])
    assert refused.value.field == "tables"


def test_naive_expiry_and_a_closing_date_after_the_event_are_refused(db, people):
    event = matchmaking_event(held_on=date(2031, 11, 9))
    with pytest.raises(ServiceError) as refused:
        service.configure_matchmaking(event, {"requests_expire_at": datetime(2031, 11, 8, 18)}, actor=people["admin"])
    assert refused.value.field == "requests_expire_at"
    with pytest.raises(ServiceError) as refused:
        service.configure_matchmaking(event, {"registration_closes_on": date(2031, 11, 10)}, actor=people["admin"])
    assert refused.value.field == "registration_closes_on"


def test_only_who_runs_the_event_changes_its_settings(db, people):
    event = matchmaking_event(region=region("RU-ULY"))
    for who in ("rep", "stranger official"):
        with pytest.raises(Forbidden):
            service.configure_matchmaking(event, {"tables": 3}, actor=people[who])
    with pytest.raises(Forbidden):
        service.configure_matchmaking(event, {"tables": 3}, actor=None)
    service.configure_matchmaking(event, {"tables": 3}, actor=people["admin"])
    assert event.tables == 3


def test_slots_with_placed_meetings_cannot_change_but_busy_slots_follow_their_times(db, people):
    event = matchmaking_event(companies=[people["own"]])
    event.participants[0].unavailable_slots = [1, 2]
    db.session.flush()
    # The first slot goes: 10:15 becomes slot 0 and 10:45 slot 1; the busy marks follow them.
    service.configure_matchmaking(event, {"slots": [("10:15", "10:30"), ("10:45", "11:00"), ("12:00", "12:15")]},
                                  actor=people["admin"])
    assert event.participants[0].unavailable_slots == [0, 1]
    db.session.add(EventMeeting(event=event, requester=people["own"], invitee=people["other"], status="accepted", slot=0))
    db.session.flush()
    with pytest.raises(ServiceError) as refused:
        service.configure_matchmaking(event, {"slots": [("09:00", "09:15")]}, actor=people["admin"])
    assert "already placed" in msgid(refused.value.message)
    # The same slots again are no change, and other settings may still change.
    service.configure_matchmaking(event, {"slots": [("10:45", "11:00"), ("10:15", "10:30"), ("12:00", "12:15")],
                                          "tables": 4}, actor=people["admin"])
    assert event.tables == 4 and len(event.slots) == 3


def test_slots_are_generated_around_breaks():
    slots = service.generate_slots(time(10, 0), time(11, 0), 15, [(time(10, 30), time(10, 40))])
    assert [f"{a:%H:%M}-{b:%H:%M}" for a, b in slots] == ["10:00-10:15", "10:15-10:30", "10:40-10:55"]


# --- registration -----------------------------------------------------------------------------------

def test_a_representative_registers_the_own_firm_with_what_it_brings(db, people):
    own = people["own"]
    need = need_of(own, "Литьё корпусов")
    event = matchmaking_event(companies=[own])  # listed by an official, not yet registered
    participant = service.register(event, own, {"attendees": "Иванов И. И., главный инженер",
                                                "offer_ids": [own.offers[0].id], "need_ids": [need.id],
                                                "unavailable_slots": [2, 0, 2]}, actor=people["rep"])
    assert participant.registered_at is not None and participant.registered_by == people["rep"]
    assert participant.unavailable_slots == [0, 2] and participant.needs == [need]
    assert len(event.participants) == 1  # the listed row became the registration
    # Again: an update, and keys not given are kept.
    service.register(event, own, {"unavailable_slots": []}, actor=people["rep"])
    assert participant.unavailable_slots == [] and participant.needs == [need]
    assert audits(db, "event.register") == 1 and audits(db, "event.registration") == 1


def test_a_representative_may_not_register_another_firm(db, people):
    event = matchmaking_event()
    with pytest.raises(Forbidden):
        service.register(event, people["other"], {}, actor=people["rep"])
    assert db.session.scalar(select(func.count(EventParticipant.id))) == 0


@pytest.mark.parametrize("settings", [{"registration_open": False},
                                      {"registration_closes_on": date.today() - timedelta(days=2)}])
def test_a_representative_registers_only_while_open_an_official_at_any_time(db, people, settings):
    event = matchmaking_event(**settings)
    with pytest.raises(ServiceError) as refused:
        service.register(event, people["own"], {}, actor=people["rep"])
    assert "closed" in msgid(refused.value.message)
    with pytest.raises(ServiceError):
        service.register(event, people["own"], {}, actor=people["rep"])
    service.register(event, people["own"], {}, actor=people["official"])
    service.register(event, people["other"], {}, actor=people["official"])  # a firm without users
    assert {p.company for p in event.participants} == {people["own"], people["other"]}


def test_registration_is_open_on_its_closing_day():
    from registry.models import Event

    event = Event(registration_open=True, registration_closes_on=date(2031, 11, 1))
    assert service.registration_is_open(event, date(2031, 11, 1))
    assert not service.registration_is_open(event, date(2031, 11, 2))


def test_offers_and_needs_must_be_the_firms_own_and_slots_must_exist(db, people):
    own, other = people["own"], people["other"]
    other.offers.append(CapabilityOffer(text="чужое"))
    foreign_need = need_of(other, "Чужая потребность")
    closed = need_of(own, "Закрытая", status="closed")
    db.session.flush()
    event = matchmaking_event()
    for data, field in [({"offer_ids": [other.offers[0].id]}, "offer_ids"),
                        ({"need_ids": [foreign_need.id]}, "need_ids"),
                        ({"need_ids": [closed.id]}, "need_ids"),
                        ({"unavailable_slots": [3]}, "unavailable_slots"),
                        ({"unavailable_slots": ["x"]}, "unavailable_slots")]:
        with pytest.raises(ServiceError) as refused:
            service.register(event, own, data, actor=people["admin"])
        assert refused.value.field == field, data
        db.session.rollback()
    with pytest.raises(ServiceError) as refused:
        service.register(event, own, {"unavailable_slots": [3]}, actor=people["admin"])
    assert refused.value.message._kwargs["numbers"] == "4"  # slot numbers as pages show them, from 1


def test_unregister_keeps_the_firm_listed_without_its_registration(db, people):
    event = matchmaking_event()
    service.register(event, people["own"], {"offer_ids": [people["own"].offers[0].id], "unavailable_slots": [1]},
                     actor=people["rep"])
    participant = service.unregister(event, people["own"], actor=people["rep"])
    assert participant.registered_at is None and participant.offers == [] and participant.unavailable_slots == []
    with pytest.raises(ServiceError):
        service.unregister(event, people["own"], actor=people["rep"])
    with pytest.raises(Forbidden):
        service.unregister(event, people["own"], actor=make_user("company", company=people["other"]))


# --- import --------------------------------------------------------------------------------------------

HEADERS = ["ИНН", "Наименование", "Участники", "Недоступные слоты"]


def test_import_registers_every_row_by_inn_or_name(db, people):
    own, other = people["own"], people["other"]
    event = matchmaking_event(companies=[own])
    content = csv_bytes(HEADERS, [[own.inn, "", "Петров П. П.", "1, 3"], ["", other.name, "", ""]])
    report = service.import_participants(event, content, "участники.csv", actor=people["official"])
    assert report.ok and report.written and report.created == 2
    by_company = {p.company: p for p in event.participants}
    assert by_company[own].unavailable_slots == [0, 2] and by_company[own].attendees == "Петров П. П."
    assert by_company[other].registered_at is not None


def test_import_with_one_bad_row_writes_nothing_and_names_every_bad_row(db, people):
    own, other = people["own"], people["other"]
    event = matchmaking_event()
    content = csv_bytes(HEADERS, [[own.inn, "", "", "1"],  # row 2: good
                                  ["7300000000", "", "", ""],  # row 3: no such INN
                                  [other.inn, "", "", "4"],  # row 4: the event has 3 slots
                                  ["", "", "Кто-то", ""],  # row 5: no company at all
                                  [own.inn, "", "", ""]])  # row 6: a repeat of row 2
    report = service.import_participants(event, content, "участники.csv", actor=people["official"])
    assert not report.ok and not report.written
    assert [problem.row for problem in report.problems] == [3, 4, 5, 6]
    assert msgid(report.problems[1].message).startswith("No slot %(number)s: the event has slots 1 to")
    assert db.session.scalar(select(func.count(EventParticipant.id))) == 0
    assert audits(db, "event.register") == 0


def test_import_is_for_who_runs_the_event(db, people):
    event = matchmaking_event(region=region("RU-ULY"))
    with pytest.raises(Forbidden):
        service.import_participants(event, csv_bytes(HEADERS, [[people["own"].inn, "", "", ""]]), "a.csv",
                                    actor=people["rep"])


def test_editing_the_events_firms_keeps_the_registrations_of_those_that_stay(db, people):
    from registry.services import events

    event = matchmaking_event()
    service.register(event, people["own"], {"attendees": "Иванов", "unavailable_slots": [1]}, actor=people["admin"])
    third = make_company()
    events.save_event({"title": event.title}, event=event, companies=[people["own"], third], actor=people["admin"])
    kept = {p.company: p for p in event.participants}
    assert kept[people["own"]].attendees == "Иванов" and kept[people["own"]].unavailable_slots == [1]
    assert kept[third].registered_at is None
