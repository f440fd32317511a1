"""Speed of the matching index on 100,000 synthetic suppliers.

    .venv/bin/python benchmarks/match_speed.py [--suppliers 100000] [--queries 200] [--bm25-queries 20] [--direct]

By default the suppliers come the way a deployment gets them: `flask --app registry demo-data` fills a fresh
SQLite database, and the matching service builds its index from the rows (timed), then refreshes it after
one company is edited through the services (timed: only that row is reloaded). `--direct` generates
profiles in memory and skips the database.

Prints index build time and peak memory, rank() latency (median, p95), the latency of plain rank_bm25 over
the same corpus, and the incremental refresh.
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

    parser.add_argument("--direct", action="store_true", help="profiles generated in memory, no database")
    args = parser.parse_args(argv)
    if not args.direct:
        return through_app(args)

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
    bm25_baseline(suppliers, needs, args.bm25_queries, median)
    return 0


def time_ranking(index, needs) -> float:
    """Prints and returns the median time to rank the top 10 suppliers for each need."""
    index.rank(needs[0])  # warm caches
    timings = []
    for need in needs:
        started = time.perf_counter()
        index.rank(need, limit=10)
        timings.append((time.perf_counter() - started) * 1000)
    median, p95 = statistics.median(timings), percentile(timings, 0.95)
    print(f"engine rank top 10: median {median:.1f} ms, p95 {p95:.1f} ms over {len(timings)} needs")
    return median


def through_app(args) -> int:
    """demo-data → database → the matching service's index, as the web pages and the API use it."""
    from fresh_app import fresh_app
    from sqlalchemy import select

    from registry.extensions import db
    from registry.models import Company, Need
    from registry.services import companies, demo_data
    from registry.services import matching as matching_service

    with fresh_app("match-speed").app_context():
        started = time.perf_counter()
        made = demo_data.generate(args.suppliers, seed=SEED)
        db.session.commit()
        print(f"demo-data: {made['companies']} companies, {made['needs']} open needs in "
              f"{time.perf_counter() - started:.1f} s")

        gc.collect()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        index = matching_service.supplier_index()
        build = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"index build from the database: {build:.1f} s, peak RSS {rss_after / 1024:.0f} MiB "
              f"(+{(rss_after - rss_before) / 1024:.0f} MiB during build)")
        db.session.expunge_all()

        rows = db.session.scalars(select(Need).options(*matching_service.NEED_LOAD).order_by(Need.id)
                                  .limit(args.queries)).all()
        needs = [matching_service.need_profile(row) for row in rows]
        median = time_ranking(index, needs)
        started = time.perf_counter()
        for row in rows[:50]:
            matching_service.suppliers_for(row, limit=10)
        print(f"whole service call (refresh check + rank + load 10 companies): "
              f"{(time.perf_counter() - started) * 1000 / min(50, len(rows)):.1f} ms on average")

        started = time.perf_counter()
        matching_service.supplier_index()
        print(f"refresh check with nothing changed: {(time.perf_counter() - started) * 1000:.2f} ms")
        company = db.session.scalar(select(Company).order_by(Company.id).offset(12345 % args.suppliers))
        companies.save_offer(company, text="лазерная резка листового металла и порошковая покраска")
        db.session.commit()
        started = time.perf_counter()
        matching_service.supplier_index()
        print(f"refresh after editing one company: {(time.perf_counter() - started) * 1000:.1f} ms "
              f"(one row reloaded, no rebuild)")

        suppliers = [matching_service.supplier_profile(row) for row in db.session.scalars(
            select(Company).options(*matching_service.COMPANY_LOAD))]
        bm25_baseline(suppliers, needs, args.bm25_queries, median)
        db.engine.dispose()
    return 0


def bm25_baseline(suppliers, needs, queries: int, engine_median: float) -> None:
    try:
        from rank_bm25 import BM25Okapi
    except ImportError:
        print("rank_bm25 not installed; baseline skipped")
        return
    corpus = [normalize(" . ".join([*(o.text for o in s.offers), s.description])) for s in suppliers]
    started = time.perf_counter()
    bm25 = BM25Okapi(corpus)
    print(f"rank_bm25 build: {time.perf_counter() - started:.1f} s")
    bm25_timings = []
    for need in needs[:queries]:
        query = normalize(f"{need.title} . {need.text}")
        started = time.perf_counter()
        bm25.get_top_n(query, suppliers, n=10)
        bm25_timings.append((time.perf_counter() - started) * 1000)
    bm25_median = statistics.median(bm25_timings)
    print(
        f"rank_bm25 get_top_n: median {bm25_median:.1f} ms, p95 {percentile(bm25_timings, 0.95):.1f} ms"
        f" over {len(bm25_timings)} needs; engine is {bm25_median / engine_median:.1f}x faster"
    )


if __name__ == "__main__":
    raise SystemExit(main())
