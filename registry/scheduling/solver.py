"""The meeting schedule of a matchmaking event, solved with OR-Tools CP-SAT (no Flask, no database).

Rules of a valid schedule:

* each placed request sits in exactly one slot (0..slots-1) at one table (1..tables);
* no firm is in two meetings in the same slot;
* no meeting is in a slot where either of its firms is unavailable;
* at most one meeting per table per slot;
* a pinned request stays exactly where it is pinned.

A pin that itself breaks a rule (slot or table out of range, a firm unavailable then, the two firms the
same, or a clash with another pin) is dropped and the request is scheduled like any other; between two
clashing pins the one of higher priority (then the lower id) is kept. Two requests with the same id are
refused (ValueError); two requests between the same firms are two meetings and may both be placed.

The objective is lexicographic: as many requests as possible, then the highest total priority.
Tables within a slot are interchangeable, so the model only chooses slots; tables are numbered afterwards.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

# Reason codes of unscheduled requests (the app translates them).
SAME_FIRM = "same_firm"
NO_COMMON_SLOT = "no_common_slot"
FIRM_FULL = "firm_full"
NO_ROOM = "no_room"

# Conflict codes of check_move and validate.
SLOT_OUT_OF_RANGE = "slot_out_of_range"
TABLE_OUT_OF_RANGE = "table_out_of_range"
UNAVAILABLE = "unavailable"
BUSY = "busy"
TABLE_TAKEN = "table_taken"
UNKNOWN_REQUEST = "unknown_request"  # validate only: a placed id that is not among the requests
PIN_MOVED = "pin_moved"  # validate only: a pin that breaks no rule is not where it was pinned


@dataclass(frozen=True)
class Request:
    id: int  # the meeting's id
    a: int  # one firm's id (the requester)
    b: int  # the other firm's id (the invitee); a != b
    priority: int = 0  # higher is more important; >= 0
    pinned: tuple[int, int] | None = None  # (slot, table) fixed by hand: kept as is if it breaks no rule


@dataclass
class Problem:
    slots: int  # slots are numbered 0..slots-1
    tables: int  # tables are numbered 1..tables (as printed on the tables)
    requests: list[Request]
    unavailable: dict[int, set[int]]  # firm id -> slot indexes the firm is not available for


@dataclass
class Schedule:
    placed: dict[int, tuple[int, int]]  # request id -> (slot, table)
    unscheduled: dict[int, str]  # request id -> reason code
    upper_bound: int  # a proven upper bound on how many requests any valid schedule can place
    optimal: bool  # len(placed) == upper_bound, or the solver proved the (count, priority) objective optimal
    seconds: float


@dataclass(frozen=True)
class Conflict:
    kind: str  # reason code
    firm: int | None = None
    meeting: int | None = None  # the request id in the way, if any


def _free(problem: Problem, firm: int, slot: int) -> bool:
    return slot not in problem.unavailable.get(firm, ())


def _by_id(problem: Problem) -> dict[int, Request]:
    requests = {}
    for request in problem.requests:
        if request.id in requests:
            raise ValueError(f"two requests with id {request.id}")
        requests[request.id] = request
    return requests


def kept_pins(problem: Problem) -> dict[int, tuple[int, int]]:
    """The pins that break no rule, by request id; the others are dropped (see the module docstring)."""
    kept: dict[int, tuple[int, int]] = {}
    busy: set[tuple[int, int]] = set()  # (firm, slot)
    taken: set[tuple[int, int]] = set()  # (slot, table)
    pinned = [r for r in problem.requests if r.pinned is not None]
    for request in sorted(pinned, key=lambda r: (-r.priority, r.id)):
        slot, table = request.pinned
        if (
            request.a == request.b
            or not 0 <= slot < problem.slots
            or not 1 <= table <= problem.tables
            or not (_free(problem, request.a, slot) and _free(problem, request.b, slot))
            or (request.a, slot) in busy
            or (request.b, slot) in busy
            or (slot, table) in taken
        ):
            continue
        kept[request.id] = (slot, table)
        busy.update({(request.a, slot), (request.b, slot)})
        taken.add((slot, table))
    return kept


def _greedy(candidates: dict[int, list[int]], requests: dict[int, Request], busy: set, room: list[int]):
    """A quick maximal schedule (request id -> slot): important, then hardest-to-place requests first.

    It is the solver's starting point, so a good answer exists even if time runs out."""
    busy, room = set(busy), list(room)
    chosen: dict[int, int] = {}
    order = sorted(candidates, key=lambda i: (-requests[i].priority, len(candidates[i]), i))
    for rid in order:
        a, b = requests[rid].a, requests[rid].b
        # The slot with the most free tables left spreads meetings, keeping scarce slots for others.
        options = [s for s in candidates[rid] if room[s] > 0 and (a, s) not in busy and (b, s) not in busy]
        if options:
            slot = max(options, key=lambda s: (room[s], -s))
            chosen[rid] = slot
            busy.update({(a, slot), (b, slot)})
            room[slot] -= 1
    return chosen


def _improve(candidates, requests, room, start: dict[int, int], deadline: float, goal: int) -> dict[int, int]:
    """Ejection-chain local search from `start` until `deadline` or `goal` requests placed.

    An unplaced request takes a slot where it is free to meet, or else one where it pushes out exactly
    one meeting (a firm's other meeting then, or, all tables taken, the slot's least important one),
    which moves next. The count never drops; a short tabu list stops a meeting from pushing straight
    back out the one that just pushed it. CP-SAT alone stalls on these edge-colouring-like instances
    (93 % of a feasible 1,000-meeting event in 10 s); this walk gets within a meeting or two of the
    bound in about a second."""
    rng = random.Random(0)  # the same answer for the same problem
    slot_of = dict(start)
    at: dict[tuple[int, int], int] = {}  # (firm, slot) -> the request meeting then
    in_slot: dict[int, set[int]] = defaultdict(set)
    for rid, slot in slot_of.items():
        at[requests[rid].a, slot] = at[requests[rid].b, slot] = rid
        in_slot[slot].add(rid)
    unplaced = [rid for rid in candidates if rid not in slot_of]
    tabu: dict[tuple[int, int], int] = {}  # (request, slot it was pushed out of) -> until which step
    step, chained = 0, False

    while unplaced and len(slot_of) < goal:
        step += 1
        if step % 256 == 0 and time.perf_counter() > deadline:
            break
        # Follow the chain: the meeting just pushed out moves next, most of the time.
        rid = unplaced.pop(-1 if chained and rng.random() < 0.9 else rng.randrange(len(unplaced)))
        a, b = requests[rid].a, requests[rid].b
        options = []
        for slot in candidates[rid]:
            if tabu.get((rid, slot), 0) > step:
                continue
            out = {at[f, slot] for f in (a, b) if (f, slot) in at}
            full = len(in_slot[slot]) - len(out) >= room[slot]
            if len(out) + full <= 1:
                options.append((len(out) + full, rng.random(), slot, out, full))
        if not options:
            unplaced.append(rid)
            chained = False
            continue
        _, _, slot, out, full = min(options)
        if full:  # every table taken: push out the slot's least important meeting
            out = {min(in_slot[slot], key=lambda o: (requests[o].priority, rng.random()))}
        for other in out:
            del at[requests[other].a, slot], at[requests[other].b, slot]
            in_slot[slot].discard(other)
            del slot_of[other]
            tabu[other, slot] = step + 10 + rng.randrange(10)
            unplaced.append(other)
        chained = bool(out)
        slot_of[rid] = slot
        at[a, slot] = at[b, slot] = rid
        in_slot[slot].add(rid)
    return slot_of


def _combinatorial_bound(
    candidates: dict[int, list[int]], requests: dict[int, Request], room: list[int]
) -> int:
    """Cheap proven bounds on how many of the candidate requests fit; the smallest of them."""
    if not candidates:
        return 0
    # Each slot holds at most its free tables and at most half the firms that could meet in it.
    firms_in_slot: dict[int, set[int]] = defaultdict(set)
    # Each firm meets at most once per slot it could meet in.
    degree: dict[int, int] = defaultdict(int)
    firm_slots: dict[int, set[int]] = defaultdict(set)
    for rid, slots in candidates.items():
        request = requests[rid]
        for firm in (request.a, request.b):
            degree[firm] += 1
            firm_slots[firm].update(slots)
        for slot in slots:
            firms_in_slot[slot].update((request.a, request.b))
    per_slot = sum(min(room[s], len(firms) // 2) for s, firms in firms_in_slot.items())
    # A request left out relieves at most two firms of one meeting too many each.
    excess = [max(0, degree[f] - len(firm_slots[f])) for f in degree]
    per_firm = len(candidates) - max(max(excess), math.ceil(sum(excess) / 2))
    return min(len(candidates), sum(room), per_slot, per_firm)


def solve(problem: Problem, *, time_limit: float = 10.0, workers: int = 2) -> Schedule:
    started = time.perf_counter()
    requests = _by_id(problem)
    pins = kept_pins(problem)

    unscheduled: dict[int, str] = {}
    busy: set[tuple[int, int]] = set()  # (firm, slot) taken by a kept pin
    room = [problem.tables] * max(problem.slots, 0)  # free tables per slot
    for rid, (slot, _table) in pins.items():
        busy.update({(requests[rid].a, slot), (requests[rid].b, slot)})
        room[slot] -= 1

    candidates: dict[int, list[int]] = {}  # request id -> the slots it could still take
    for request in problem.requests:
        if request.id in pins:
            continue
        if request.a == request.b:
            unscheduled[request.id] = SAME_FIRM
            continue
        common = [
            s for s in range(problem.slots) if _free(problem, request.a, s) and _free(problem, request.b, s)
        ]
        if not common:
            unscheduled[request.id] = NO_COMMON_SLOT
            continue
        slots = [
            s for s in common if room[s] > 0 and (request.a, s) not in busy and (request.b, s) not in busy
        ]
        if slots:
            candidates[request.id] = slots
        # else: a reason is given at the end, from the final schedule

    bound = _combinatorial_bound(candidates, requests, room)
    hint = _greedy(candidates, requests, busy, room)
    # Half the time for the local search, the rest for CP-SAT: priorities, the proof of the bound.
    hint = _improve(candidates, requests, room, hint, started + time_limit / 2, bound)
    chosen, optimal = hint, False
    if candidates:
        deadline = started + 0.95 * time_limit  # the rest: numbering tables and giving reasons
        chosen, optimal, bound = _cp_sat(candidates, requests, room, hint, bound, deadline, workers)

    placed = dict(pins)
    pinned_places = set(pins.values())
    by_slot: dict[int, list[int]] = defaultdict(list)
    for rid, slot in chosen.items():
        by_slot[slot].append(rid)
    for slot, rids in by_slot.items():
        # Pinned tables stay; the others get the free numbers in order.
        free_tables = (t for t in range(1, problem.tables + 1) if (slot, t) not in pinned_places)
        for rid, table in zip(sorted(rids), free_tables, strict=False):
            placed[rid] = (slot, table)

    meets: dict[int, set[int]] = defaultdict(set)  # firm -> slots it meets someone in
    for rid, (slot, _table) in placed.items():
        meets[requests[rid].a].add(slot)
        meets[requests[rid].b].add(slot)
    for request in problem.requests:
        if request.id in placed or request.id in unscheduled:
            continue
        full = any(
            all(s in meets[f] for s in range(problem.slots) if _free(problem, f, s))
            for f in (request.a, request.b)
        )
        unscheduled[request.id] = FIRM_FULL if full else NO_ROOM

    upper_bound = max(len(placed), len(pins) + bound)
    return Schedule(
        placed, unscheduled, upper_bound, optimal or len(placed) == upper_bound, time.perf_counter() - started
    )


def _cp_sat(candidates, requests, room, hint, bound, deadline, workers):
    """Chooses a slot per request with CP-SAT: returns (request id -> slot, optimal, count bound)."""
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    by_firm_slot: dict[tuple[int, int], list] = defaultdict(list)
    by_slot: dict[int, list] = defaultdict(list)
    for rid, slots in candidates.items():
        request = requests[rid]
        for slot in slots:
            var = x[rid, slot] = model.new_bool_var(f"x{rid}_{slot}")
            by_firm_slot[request.a, slot].append(var)
            by_firm_slot[request.b, slot].append(var)
            by_slot[slot].append(var)
            model.add_hint(var, hint.get(rid) == slot)
        model.add_at_most_one(x[rid, s] for s in slots)
    for variables in by_firm_slot.values():
        if len(variables) > 1:
            model.add_at_most_one(variables)
    for slot, variables in by_slot.items():
        if len(variables) > room[slot]:
            model.add(sum(variables) <= room[slot])

    # Size first: one more meeting outweighs any total of priorities.
    weight = sum(requests[rid].priority for rid in candidates) + 1
    count = sum(x.values())
    model.add(count <= bound)  # proven, and it helps the search prove optimality
    model.add(count >= len(hint))
    model.maximize(sum(var * (weight + requests[rid].priority) for (rid, _slot), var in x.items()))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, deadline - time.perf_counter())
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return hint, False, bound  # no solution within the time: the greedy one stands
    chosen = {rid: slot for (rid, slot), var in x.items() if solver.boolean_value(var)}
    # objective = count * weight + priorities, priorities < weight: count <= floor(bound / weight).
    # A small tolerance keeps a float bound like 4.9999999 * weight from rounding one meeting away.
    solver_bound = math.floor(solver.best_objective_bound / weight + 1e-9)
    return chosen, status == cp_model.OPTIMAL, min(bound, max(solver_bound, len(chosen)))


def check_move(
    problem: Problem, placed: dict[int, tuple[int, int]], request_id: int, slot: int, table: int
) -> Conflict | None:
    """Why moving this request to (slot, table) would break a rule, given the other placed requests.

    None if the move is allowed; an unknown request_id raises KeyError."""
    requests = _by_id(problem)
    request = requests[request_id]
    if not 0 <= slot < problem.slots:
        return Conflict(SLOT_OUT_OF_RANGE)
    if not 1 <= table <= problem.tables:
        return Conflict(TABLE_OUT_OF_RANGE)
    if request.a == request.b:
        return Conflict(SAME_FIRM, firm=request.a)
    for firm in (request.a, request.b):
        if not _free(problem, firm, slot):
            return Conflict(UNAVAILABLE, firm=firm)
    others = {rid: place for rid, place in placed.items() if rid != request_id and rid in requests}
    for firm in (request.a, request.b):
        for rid, (other_slot, _table) in sorted(others.items()):
            if other_slot == slot and firm in (requests[rid].a, requests[rid].b):
                return Conflict(BUSY, firm=firm, meeting=rid)
    for rid, place in sorted(others.items()):
        if place == (slot, table):
            return Conflict(TABLE_TAKEN, meeting=rid)
    return None


def validate(problem: Problem, placed: dict[int, tuple[int, int]]) -> list[Conflict]:
    """Every rule the schedule breaks (empty if none): each clash is reported once."""
    requests = _by_id(problem)
    conflicts: list[Conflict] = []
    seen_firm_slot: dict[tuple[int, int], int] = {}
    seen_table: dict[tuple[int, int], int] = {}
    for rid, (slot, table) in sorted(placed.items()):
        request = requests.get(rid)
        if request is None:
            conflicts.append(Conflict(UNKNOWN_REQUEST, meeting=rid))
            continue
        if not 0 <= slot < problem.slots:
            conflicts.append(Conflict(SLOT_OUT_OF_RANGE, meeting=rid))
        if not 1 <= table <= problem.tables:
            conflicts.append(Conflict(TABLE_OUT_OF_RANGE, meeting=rid))
        if request.a == request.b:
            conflicts.append(Conflict(SAME_FIRM, firm=request.a, meeting=rid))
        for firm in dict.fromkeys((request.a, request.b)):
            if not _free(problem, firm, slot):
                conflicts.append(Conflict(UNAVAILABLE, firm=firm, meeting=rid))
            if (firm, slot) in seen_firm_slot:
                conflicts.append(Conflict(BUSY, firm=firm, meeting=seen_firm_slot[firm, slot]))
            else:
                seen_firm_slot[firm, slot] = rid
        if (slot, table) in seen_table:
            conflicts.append(Conflict(TABLE_TAKEN, meeting=seen_table[slot, table]))
        else:
            seen_table[slot, table] = rid
    for rid, place in kept_pins(problem).items():
        if placed.get(rid) != place:
            conflicts.append(Conflict(PIN_MOVED, meeting=rid))
    return conflicts
