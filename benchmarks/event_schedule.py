"""Quality and speed of the event meeting schedule (registry.scheduling.solver, CP-SAT).

    PYTHONPATH=. .venv/bin/python benchmarks/event_schedule.py [--seed 1] [--seeds 3] [--tables 84]

The target: "an event with 200 participants, 12 slots, 40 tables and 1,000 accepted requests that can all
be scheduled gets at least 99 % of them placed within 10 s, with no rule broken". 12 slots × 40 tables
are only 480 meeting places, so that event cannot hold 1,000 meetings; three cases are measured instead:

1. stated: the event as given. 480 requests are planted (a known schedule fills every table), the other
   520 are random pairs; every table should be filled and the bound should prove that nothing more fits.
2. feasible: the same event with enough tables (ceil(1000 / 12) = 84, or --tables): all 1,000 requests
   planted, so all can be placed; the target is >= 99 % placed within 10 s.
3. overloaded: 1,300 random requests (13 a firm, for 12 slots) with dense unavailability, not planted:
   not everything fits for reasons other than tables; the target is within 2 % of the proven bound.

Planting: for each slot, random disjoint pairs of firms (at most one per table), until the wanted number
of distinct pairs is reached; then each firm is made unavailable in some of the slots where it has no
planted meeting. Request order is shuffled, and some requests get a priority of 1..3.

Each row: scheduled / requested, the proven upper bound on what any schedule can place, the gap to it,
the solver's wall time (model building included) and how many rules `validate` finds broken (must be 0).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from registry.scheduling.solver import Problem, Request, solve, validate  # noqa: E402


def prioritised(pairs, rng: random.Random) -> list[Request]:
    """Requests in shuffled order, about a third of them with a priority of 1..3."""
    pairs = sorted(tuple(sorted(pair)) for pair in pairs)  # sets iterate in no set order: sort, then shuffle
    rng.shuffle(pairs)
    return [
        Request(id=i, a=a, b=b, priority=rng.randint(1, 3) if rng.random() < 0.3 else 0)
        for i, (a, b) in enumerate(pairs, start=1)
    ]


def random_pair(firms: int, rng: random.Random) -> tuple[int, int]:
    a, b = rng.sample(range(1, firms + 1), 2)
    return a, b


def planted(firms: int, slots: int, tables: int, requests: int, rng: random.Random, away: float) -> Problem:
    """An event with a known schedule for min(requests, what the tables hold) requests; the rest random."""
    pairs: set[frozenset] = set()
    meets: dict[int, set[int]] = {f: set() for f in range(1, firms + 1)}
    for slot in range(slots):
        quota = min(tables, firms // 2, math.ceil((requests - len(pairs)) / (slots - slot)))
        order = list(range(1, firms + 1))
        rng.shuffle(order)
        placed = 0
        for a, b in zip(order[::2], order[1::2], strict=False):
            if placed == quota:
                break
            if frozenset((a, b)) in pairs:
                continue
            pairs.add(frozenset((a, b)))
            meets[a].add(slot)
            meets[b].add(slot)
            placed += 1
    while len(pairs) < requests:  # more requests than the tables can hold: random pairs
        pairs.add(frozenset(random_pair(firms, rng)))
    unavailable = {
        firm: {s for s in range(slots) if s not in meets[firm] and rng.random() < away}
        for firm in range(1, firms + 1)
    }
    return Problem(slots, tables, prioritised(pairs, rng), unavailable)


def overloaded(
    firms: int, slots: int, tables: int, requests: int, rng: random.Random, away: float
) -> Problem:
    pairs: set[frozenset] = set()
    while len(pairs) < requests:
        pairs.add(frozenset(random_pair(firms, rng)))
    unavailable = {firm: {s for s in range(slots) if rng.random() < away} for firm in range(1, firms + 1)}
    return Problem(slots, tables, prioritised(pairs, rng), unavailable)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seeds", type=int, default=3, help="how many seeds, from --seed on")
    parser.add_argument("--tables", type=int, default=84, help="tables of the feasible case")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--away",
        type=float,
        default=0.5,
        help="share of a firm's slots without a planted meeting it is unavailable for",
    )
    parser.add_argument(
        "--dense-away",
        type=float,
        default=0.3,
        help="share of all slots each firm is unavailable for in the overloaded case",
    )
    args = parser.parse_args()

    header = (
        f"{'case':<11} {'seed':>4} {'firms':>5} {'slots':>5} {'tables':>6} {'requests':>8} "
        f"{'scheduled':>9} {'%':>6} {'bound':>5} {'gap %':>6} {'seconds':>7} {'optimal':>7} {'broken':>6}"
    )
    print(header)
    print("-" * len(header))
    for seed in range(args.seed, args.seed + args.seeds):
        cases = [
            ("stated", planted(200, 12, 40, 1000, random.Random(seed), args.away)),
            ("feasible", planted(200, 12, args.tables, 1000, random.Random(seed), args.away)),
            ("overloaded", overloaded(200, 12, args.tables, 1300, random.Random(seed), args.dense_away)),
        ]
        for name, problem in cases:
            schedule = solve(problem, time_limit=args.time_limit, workers=args.workers)
            placed, total = len(schedule.placed), len(problem.requests)
            firms = len({f for r in problem.requests for f in (r.a, r.b)})
            gap = (
                100 * (schedule.upper_bound - placed) / schedule.upper_bound if schedule.upper_bound else 0.0
            )
            broken = len(validate(problem, schedule.placed))
            print(
                f"{name:<11} {seed:>4} {firms:>5} {problem.slots:>5} {problem.tables:>6} {total:>8} "
                f"{placed:>9} {100 * placed / total:>6.1f} {schedule.upper_bound:>5} {gap:>6.2f} "
                f"{schedule.seconds:>7.2f} {'yes' if schedule.optimal else 'no':>7} {broken:>6}",
                flush=True,
            )


if __name__ == "__main__":
    main()
