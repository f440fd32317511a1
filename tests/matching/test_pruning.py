"""The fast ranking (candidates from postings, weak evidence bounded) returns
exactly what scoring every supplier one by one would."""

import random

import pytest

from registry.matching.engine import MatchIndex

from .helpers import need, seed_taxonomy, supplier

REGIONS = ["RU-ULY", "RU-MO", "RU-SAM", "RU-PNZ", "RU-TA"]


def synthetic(count, rng):
    taxonomy = seed_taxonomy()
    nodes = list(taxonomy.nodes.values())
    out = []
    for i in range(count):
        offers = []
        for node in rng.sample(nodes, rng.randint(1, 3)):
            offers.append(", ".join(rng.choice([node.name_ru, node.name_en, *node.synonyms]) for _ in range(2)))
        primary = rng.choice(nodes)
        out.append(
            supplier(
                i,
                *offers,
                region=rng.choice(REGIONS),
                okved=primary.okved[:1],
                description=f"{primary.name_ru}, серийное производство, сталь 09Г2С",
                verified=rng.random() < 0.6,
                active=rng.random() < 0.9,
            )
        )
    return out


@pytest.mark.parametrize("filters", [{}, {"verified_only": True, "other_regions_only": True}, {"region": "RU-MO"}])
def test_fast_ranking_equals_exhaustive_scoring(filters):
    rng = random.Random(5)
    suppliers = synthetic(1500, rng)
    index = MatchIndex(seed_taxonomy())
    for profile in suppliers:
        index.upsert(profile)
    nodes = list(seed_taxonomy().nodes.values())
    for i in range(12):
        node = rng.choice(nodes)
        wanted = need(f"n{i}", rng.randrange(1500), f"Требуется {node.name_ru}", rng.choice(node.synonyms), region="RU-ULY")
        fast = index.rank(wanted, limit=10, **filters)
        exhaustive = []
        for profile in suppliers:
            if not profile.active or profile.id == wanted.company_id:
                continue
            if filters.get("verified_only") and not profile.verified:
                continue
            if filters.get("other_regions_only") and profile.region_code == wanted.region_code:
                continue
            if filters.get("region") and profile.region_code != filters["region"]:
                continue
            match = index.explain(wanted, profile.id)
            if match.score > 0:
                exhaustive.append(match.score)
        exhaustive.sort(reverse=True)
        assert [m.score for m in fast] == exhaustive[:10], wanted.title
