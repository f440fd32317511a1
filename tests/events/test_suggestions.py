"""Whom to meet at an event: both directions, other regions first when asked, bounded queries."""

from registry.services import event_registration, event_suggestions
from registry.services.event_suggestions import THEY_SUPPLY, YOU_SUPPLY
from tests.events.helpers import firm, matchmaking_event, need_of
from tests.factories import make_user
from tests.projects.query_counter import count_queries


def register_all(event, *companies):
    official = make_user("admin")
    for company in companies:
        event_registration.register(event, company, {}, actor=official)


def test_both_directions_with_the_need_and_reasons(db):
    buyer = firm("RU-ULY", offers=[("rubber", "формовые РТИ, уплотнительные кольца и манжеты")])
    need = need_of(buyer, "Фрезерная обработка корпусов", "metalworking.milling", text="корпуса из алюминия")
    miller = firm("RU-MO", offers=[("metalworking.milling", "фрезерная обработка корпусов на станках с ЧПУ")])
    wants_rubber = firm("RU-MO", offers=[("casting.iron", "чугунное литьё")])
    rubber_need = need_of(wants_rubber, "Резиновые уплотнения", "rubber", text="кольца и манжеты из резины")
    bystander = firm("RU-MO", offers=[("casting.iron", "отливки из чугуна")])
    event = matchmaking_event()
    register_all(event, buyer, miller, wants_rubber, bystander)
    db.session.commit()

    suggestions = {s.company: s for s in event_suggestions.suggestions_for(event, buyer)}
    assert suggestions[miller].direction == THEY_SUPPLY and suggestions[miller].need == need
    assert suggestions[wants_rubber].direction == YOU_SUPPLY and suggestions[wants_rubber].need == rubber_need
    assert bystander not in suggestions and buyer not in suggestions
    assert any(r.kind.startswith("capability") for r in suggestions[miller].match.reasons)
    # And seen from the other side, the same pair the other way round.
    back = {s.company: s for s in event_suggestions.suggestions_for(event, miller)}
    assert back[buyer].direction == YOU_SUPPLY and back[buyer].need == need


def test_only_registered_firms_and_brought_needs_count(db):
    buyer = firm("RU-ULY")
    brought = need_of(buyer, "Фрезерная обработка корпусов", "metalworking.milling")
    need_of(buyer, "Литьё из чугуна", "casting.iron")  # open, but not brought
    miller = firm("RU-MO", offers=[("metalworking.milling", "фрезерная обработка")])
    caster = firm("RU-MO", offers=[("casting.iron", "чугунное литьё")])
    listed = firm("RU-MO", offers=[("metalworking.milling", "фрезеровка")])
    event = matchmaking_event(companies=[listed])
    register_all(event, miller, caster)
    event_registration.register(event, buyer, {"need_ids": [brought.id]}, actor=make_user("admin"))
    db.session.commit()
    found = [s.company for s in event_suggestions.suggestions_for(event, buyer)]
    assert found == [miller]


def test_other_regions_come_first_when_the_event_says_so(db):
    buyer = firm("RU-ULY")
    need_of(buyer, "Фрезерная обработка корпусов на ЧПУ", "metalworking.milling", text="корпуса из алюминия")
    neighbour = firm("RU-ULY", offers=[("metalworking.milling", "фрезерная обработка корпусов из алюминия на ЧПУ")])
    distant = firm("RU-MO", offers=[("metalworking", "металлообработка")])
    event = matchmaking_event(cross_region_first=True)
    register_all(event, buyer, neighbour, distant)
    db.session.commit()
    ranked = event_suggestions.suggestions_for(event, buyer)
    assert [s.company for s in ranked] == [distant, neighbour]
    assert ranked[1].score > ranked[0].score  # the neighbour scores higher, yet comes second
    event.cross_region_first = False
    assert [s.company for s in event_suggestions.suggestions_for(event, buyer)] == [neighbour, distant]


def test_the_suggestions_read_a_fixed_number_of_queries_however_many_firms_came(db):
    buyer = firm("RU-ULY", offers=[("rubber", "формовые РТИ")])
    need_of(buyer, "Фрезерная обработка корпусов", "metalworking.milling")
    event = matchmaking_event()
    register_all(event, buyer)
    counts = []
    for total in (2, 8):
        while len(event.participants) < total + 1:
            other = firm("RU-MO", offers=[("metalworking.milling", "фрезерная обработка")])
            need_of(other, "Резиновые кольца", "rubber")
            register_all(event, other)
        db.session.commit()
        db.session.expire_all()
        with count_queries(db.engine) as statements:
            found = event_suggestions.suggestions_for(event, buyer)
        assert len(found) == total
        counts.append(len(statements))
    assert counts[0] == counts[1]
