"""The event meeting-schedule engine (registry.scheduling.solver): pure, no app or database needed."""

import random

import pytest

from registry.scheduling.solver import Conflict, Problem, Request, check_move, solve, validate


def firms_in(problem, placed, slot):
    requests = {r.id: r for r in problem.requests}
    return [f for rid, (s, _t) in placed.items() if s == slot for f in (requests[rid].a, requests[rid].b)]


def random_problem(seed, firms=12, slots=4, tables=3, requests=30):
    rng = random.Random(seed)
    pairs = [tuple(rng.sample(range(1, firms + 1), 2)) for _ in range(requests)]
    unavailable = {f: {s for s in range(slots) if rng.random() < 0.25} for f in range(1, firms + 1)}
    return Problem(
        slots, tables, [Request(i, a, b, rng.randint(0, 3)) for i, (a, b) in enumerate(pairs, 1)], unavailable
    )


@pytest.mark.parametrize("seed", range(5))
def test_every_rule_holds_and_the_bound_is_reached_on_small_events(seed):
    problem = random_problem(seed)
    schedule = solve(problem, time_limit=5)

    assert validate(problem, schedule.placed) == []
    for slot in range(problem.slots):
        firms = firms_in(problem, schedule.placed, slot)
        assert len(firms) == len(set(firms))  # no firm in two meetings at once
        assert not any(slot in problem.unavailable[f] for f in firms)
        tables = [t for s, t in schedule.placed.values() if s == slot]
        assert len(tables) == len(set(tables)) <= problem.tables
        assert all(1 <= t <= problem.tables for t in tables)
    assert set(schedule.placed) | set(schedule.unscheduled) == {r.id for r in problem.requests}
    assert not set(schedule.placed) & set(schedule.unscheduled)
    assert schedule.upper_bound == len(schedule.placed)
    assert schedule.optimal


def test_pinned_requests_stay_where_they_were_pinned():
    problem = Problem(2, 3, [Request(1, 1, 2, pinned=(1, 3)), Request(2, 1, 3), Request(3, 2, 4)], {})
    schedule = solve(problem)
    assert schedule.placed[1] == (1, 3)
    assert schedule.placed[2][0] == 0 and schedule.placed[3][0] == 0  # firms 1 and 2 are busy in slot 1
    assert validate(problem, schedule.placed) == []


def test_a_pin_that_breaks_a_rule_is_dropped_and_the_request_scheduled_normally():
    problem = Problem(2, 1, [Request(1, 1, 2, pinned=(0, 1))], {2: {0}})
    schedule = solve(problem)
    assert schedule.placed == {1: (1, 1)}
    assert validate(problem, schedule.placed) == []


def test_unscheduled_reasons():
    problem = Problem(
        2,
        5,
        [
            Request(1, 7, 7),  # the same firm
            Request(2, 1, 2),  # firm 1 is free only in slot 0, firm 2 only in slot 1
            Request(3, 3, 4, priority=1),  # firm 3 is free only in slot 0
            Request(4, 3, 5),  # ...and meets firm 4 there, so it is full
        ],
        {1: {1}, 2: {0}, 3: {1}},
    )
    schedule = solve(problem)
    assert schedule.placed == {3: (0, 1)}
    assert schedule.unscheduled == {1: "same_firm", 2: "no_common_slot", 4: "firm_full"}


def test_priority_decides_who_gets_the_last_table():
    problem = Problem(1, 1, [Request(1, 1, 2, priority=0), Request(2, 3, 4, priority=2)], {})
    schedule = solve(problem)
    assert schedule.placed == {2: (0, 1)}
    assert schedule.unscheduled == {1: "no_room"}
    assert schedule.upper_bound == 1 and schedule.optimal


def test_more_meetings_win_over_more_priority():
    # Request 1 blocks both others; placing the two others beats placing the important one.
    problem = Problem(1, 5, [Request(1, 1, 2, priority=3), Request(2, 1, 3), Request(3, 2, 4)], {})
    schedule = solve(problem)
    assert set(schedule.placed) == {2, 3}
    assert schedule.unscheduled == {1: "firm_full"}


def greedy_in_order(problem):
    busy, used, placed = set(), {}, {}
    for r in problem.requests:
        for slot in range(problem.slots):
            free = all(
                slot not in problem.unavailable.get(f, ()) and (f, slot) not in busy for f in (r.a, r.b)
            )
            if free and used.get(slot, 0) < problem.tables:
                placed[r.id] = slot
                busy.update({(r.a, slot), (r.b, slot)})
                used[slot] = used.get(slot, 0) + 1
                break
    return placed


def test_the_schedule_is_maximum_where_greedy_in_input_order_is_not():
    # Greedy puts request 1 in slot 0, the only slot firm 3 can meet in; both fit the other way round.
    problem = Problem(2, 5, [Request(1, 1, 2), Request(2, 1, 3)], {3: {1}})
    assert len(greedy_in_order(problem)) == 1
    schedule = solve(problem)
    assert schedule.placed == {1: (1, 1), 2: (0, 1)}
    assert schedule.upper_bound == 2 and schedule.optimal


def test_the_bound_counts_the_tables_when_they_are_short():
    problem = random_problem(7, firms=20, slots=3, tables=2, requests=40)
    schedule = solve(problem, time_limit=5)
    assert len(schedule.placed) == schedule.upper_bound == 6
    assert validate(problem, schedule.placed) == []


def test_duplicate_request_ids_are_refused():
    with pytest.raises(ValueError):
        solve(Problem(1, 1, [Request(1, 1, 2), Request(1, 3, 4)], {}))


def test_check_move_codes():
    problem = Problem(3, 2, [Request(1, 1, 2), Request(2, 1, 3), Request(3, 4, 5)], {2: {2}})
    placed = {1: (0, 1), 2: (1, 1), 3: (1, 2)}
    assert check_move(problem, placed, 1, 3, 1) == Conflict("slot_out_of_range")
    assert check_move(problem, placed, 1, 0, 3) == Conflict("table_out_of_range")
    assert check_move(problem, placed, 1, 2, 1) == Conflict("unavailable", firm=2)
    assert check_move(problem, placed, 1, 1, 2) == Conflict("busy", firm=1, meeting=2)
    assert check_move(problem, placed, 3, 0, 1) == Conflict("table_taken", meeting=1)
    assert check_move(problem, placed, 3, 0, 2) is None
    assert check_move(problem, placed, 1, 0, 2) is None  # its own old place is no obstacle


def test_validate_finds_broken_rules():
    problem = Problem(2, 1, [Request(1, 1, 2), Request(2, 1, 3, pinned=(1, 1))], {3: {0}})
    kinds = {c.kind for c in validate(problem, {1: (0, 1), 2: (0, 1)})}
    assert kinds == {"unavailable", "busy", "table_taken", "pin_moved"}
