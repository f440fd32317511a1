"""Speed of the matching index on synthetic suppliers drawn from the taxonomy.

    .venv/bin/python benchmarks/match_speed.py [--suppliers 100000] [--queries 200] [--bm25-queries 20]

Prints index build time and peak memory, rank() latency (median, p95), the
latency of plain rank_bm25 over the same corpus, and one incremental upsert.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from registry.matching.engine import MatchIndex, NeedProfile, Offer, SupplierProfile  # noqa: E402
from registry.matching.taxonomy import Taxonomy, load_toml  # noqa: E402
from registry.matching.text import normalize  # noqa: E402

SEED = 20241109
REGIONS = [
    ("RU-ULY", "Ульяновская область", "Ulyanovsk Oblast"),
    ("RU-MO", "Республика Мордовия", "Republic of Mordovia"),
    ("RU-SAM", "Самарская область", "Samara Oblast"),
    ("RU-PNZ", "Пензенская область", "Penza Oblast"),
    ("RU-TA", "Республика Татарстан", "Republic of Tatarstan"),
    ("RU-CU", "Чувашская Республика", "Chuvash Republic"),
    ("RU-NIZ", "Нижегородская область", "Nizhny Novgorod Oblast"),
    ("RU-MOW", "Москва", "Moscow"),
]
FILLERS = [
    "серийное производство", "мелкие партии", "по чертежам заказчика", "собственный парк оборудования",
    "сертификат ISO 9001", "контроль качества", "доставка по России", "опыт более 10 лет",
    "сжатые сроки", "конкурентные цены", "склад готовой продукции", "работаем с НДС",
]
MATERIALS = ["сталь 09Г2С", "нержавеющая сталь 12Х18Н10Т", "алюминий Д16Т", "АМг6", "чугун СЧ20", "латунь", "титан", "сталь 40Х"]


def phrase_of(node, rng) -> str:
    choices = [node.name_ru, *node.synonyms] if rng.random() < 0.8 else [node.name_en, *node.synonyms]
    return rng.choice(choices)


def synthetic_suppliers(taxonomy: Taxonomy, count: int, rng: random.Random) -> list[SupplierProfile]:
    nodes = list(taxonomy.nodes.values())
    suppliers = []
    for i in range(count):
        offers = []
        for node in rng.sample(nodes, rng.randint(1, 4)):
            words = [phrase_of(node, rng) for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.5:
                words.append(rng.choice(MATERIALS))
            codes = (node.code,) if rng.random() < 0.5 else ()
            offers.append(Offer(codes, ", ".join(words)))
        primary = taxonomy.nodes[offers[0].node_codes[0]] if offers[0].node_codes else rng.choice(nodes)
        region = rng.choice(REGIONS)
        suppliers.append(
            SupplierProfile(
                id=i,
                name=f"ООО «Предприятие {i}»",
                region_code=region[0],
                region_name_ru=region[1],
                region_name_en=region[2],
                verified=rng.random() < 0.6,
                active=rng.random() < 0.95,
                okved=tuple(rng.sample(primary.okved, 1)) if primary.okved else (),
                offers=tuple(offers),
                description=f"{primary.name_ru}. {', '.join(rng.sample(FILLERS, 3))}.",
            )
        )
    return suppliers


def synthetic_needs(taxonomy: Taxonomy, count: int, rng: random.Random, companies: int) -> list[NeedProfile]:
    nodes = list(taxonomy.nodes.values())
    needs = []
    for i in range(count):
        node = rng.choice(nodes)
        region = rng.choice(REGIONS)
        needs.append(
            NeedProfile(
                id=f"N{i}",
                company_id=rng.randrange(companies),
                title=f"Требуется {phrase_of(node, rng)}",
                text=f"Нужен поставщик: {phrase_of(node, rng)}, {rng.choice(MATERIALS)}, партия {rng.randint(10, 5000)} шт.",
                region_code=region[0],
                region_name_ru=region[1],
                region_name_en=region[2],
            )
        )
    return needs


def percentile(values, share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suppliers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--bm25-queries", type=int, default=20)
    parser.add_argument("--tracemalloc", action="store_true", help="trace Python allocations during the build (slow)")
    args = parser.parse_args(argv)

    rng = random.Random(SEED)
    taxonomy = Taxonomy(load_toml(ROOT / "seeds" / "capabilities.toml"))
    suppliers = synthetic_suppliers(taxonomy, args.suppliers, rng)
    needs = synthetic_needs(taxonomy, args.queries, rng, args.suppliers)
    print(f"{len(suppliers)} synthetic suppliers, {len(needs)} needs, {len(taxonomy)} capability nodes")

    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if args.tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    index = MatchIndex(taxonomy)
    for supplier in suppliers:
        index.upsert(supplier)
    build = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"index build: {build:.1f} s, peak RSS {rss_after / 1024:.0f} MiB (+{(rss_after - rss_before) / 1024:.0f} MiB during build)")
    if args.tracemalloc:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak traced Python memory during build: {peak / 2**20:.0f} MiB")

    index.rank(needs[0])  # warm caches
    timings, stats = [], []
    for need in needs:
        started = time.perf_counter()
        index.rank(need, limit=10)
        timings.append((time.perf_counter() - started) * 1000)
        stats.append(index.last_query_stats)
    median, p95 = statistics.median(timings), percentile(timings, 0.95)
    print(f"engine rank top 10: median {median:.1f} ms, p95 {p95:.1f} ms over {len(timings)} needs")
    print(
        "  work per need: median {:.0f} candidates, {:.0f} fully scored; pruned in {:.0%} of needs".format(
            statistics.median(s["candidates"] for s in stats),
            statistics.median(s["scored"] for s in stats),
            sum(1 for s in stats if s["pruned"]) / len(stats),
        )
    )

    filtered = []
    for need in needs[:50]:
        started = time.perf_counter()
        index.rank(need, limit=10, other_regions_only=True, verified_only=True)
        filtered.append((time.perf_counter() - started) * 1000)
    print(f"engine rank, other regions + verified only: median {statistics.median(filtered):.1f} ms")

    edited = suppliers[12345 % len(suppliers)]
    edited = SupplierProfile(**{**edited.__dict__, "description": edited.description + " Освоили лазерную резку и порошковую покраску."})
    started = time.perf_counter()
    index.upsert(edited)
    print(f"upsert of one edited supplier: {(time.perf_counter() - started) * 1000:.2f} ms")

    try:
        from rank_bm25 import BM25Okapi
    except ImportError:
        print("rank_bm25 not installed; baseline skipped")
        return 0
    corpus = [normalize(" . ".join([*(o.text for o in s.offers), s.description])) for s in suppliers]
    started = time.perf_counter()
    bm25 = BM25Okapi(corpus)
    print(f"rank_bm25 build: {time.perf_counter() - started:.1f} s")
    bm25_timings = []
    for need in needs[: args.bm25_queries]:
        query = normalize(f"{need.title} . {need.text}")
        started = time.perf_counter()
        bm25.get_top_n(query, suppliers, n=10)
        bm25_timings.append((time.perf_counter() - started) * 1000)
    bm25_median = statistics.median(bm25_timings)
    print(
        f"rank_bm25 get_top_n: median {bm25_median:.1f} ms, p95 {percentile(bm25_timings, 0.95):.1f} ms"
        f" over {len(bm25_timings)} needs; engine is {bm25_median / median:.1f}x faster"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
