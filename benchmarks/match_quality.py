"""Ranking quality of matching and catalogue search against a plain BM25 baseline.

    .venv/bin/python benchmarks/match_quality.py ../shared/data/match_dev.json [--verbose] [--direct]

By default the judged file goes into a fresh SQLite database through the registry's own import path
(the migrations, the seed data, then `services.companies.create_company` and `services.needs.create_need`,
which the JSON API and the spreadsheet import use). Three rankings are judged:

- matching: every need ranked by the matching service the need pages and the API call;
- search on need titles: each need's title typed into the catalogue search (`catalog.queries`);
- search on typed queries: the file's `queries` (short visitor input), if it has them.

`--direct` skips the database and feeds the engine straight from the file (matching only).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from registry.matching.engine import MatchIndex, NeedProfile, Offer, SupplierProfile  # noqa: E402
from registry.matching.evaluation import evaluate, ndcg_at_k  # noqa: E402
from registry.matching.taxonomy import Taxonomy, load_toml  # noqa: E402
from registry.matching.text import normalize  # noqa: E402

TAXONOMY_PATH = ROOT / "seeds" / "capabilities.toml"
K = 10


def load_dataset(path):
    """Reads a judged set: (suppliers, needs, judgements {need id: {supplier id: grade}}).

    Offers carry no capability codes: the engine classifies their text, as it
    must for companies that describe themselves in their own words.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    suppliers = [
        SupplierProfile(
            id=company["inn"],
            name=company["name"],
            region_code=company.get("region", ""),
            # The set names regions by ISO code only; the app fills in real names.
            region_name_ru=company.get("region", ""),
            region_name_en=company.get("region", ""),
            verified=True,
            active=True,
            okved=tuple(company.get("okved", ())),
            offers=tuple(Offer((), text) for text in company.get("capabilities", ())),
            description=company.get("description", ""),
        )
        for company in data["companies"]
    ]
    regions = {company["inn"]: company.get("region", "") for company in data["companies"]}
    needs = [
        NeedProfile(
            id=need["id"],
            company_id=need["company_inn"],
            title=need["title"],
            text=need.get("description", ""),
            region_code=regions.get(need["company_inn"], ""),
            region_name_ru=regions.get(need["company_inn"], ""),
            region_name_en=regions.get(need["company_inn"], ""),
        )
        for need in data["needs"]
    ]
    judgements = {need["id"]: dict(need.get("relevant", {})) for need in data["needs"]}
    return suppliers, needs, judgements


def load_through_app(path):
    """The same triple as `load_dataset`, but read back from a fresh database the app filled itself.

    Ids stay the file's INNs and need ids, so the judgements apply unchanged.
    """
    from fresh_app import fresh_app

    from registry.catalog.queries import search_companies
    from registry.extensions import db
    from registry.models import Company, Need
    from registry.policy import SYSTEM
    from registry.services import companies, needs
    from registry.services import matching as matching_service

    data = json.loads(Path(path).read_text(encoding="utf-8"))
    with fresh_app("match-quality").app_context():
        by_inn = {}
        for company in data["companies"]:
            by_inn[company["inn"]] = companies.create_company(company, actor=SYSTEM)
        need_ids = {}
        for need in data["needs"]:
            created = needs.create_need(by_inn[need["company_inn"]],
                                        {"title": need["title"], "text": need.get("description", "")}, actor=SYSTEM)
            need_ids[created.id] = need["id"]
        db.session.commit()
        inn_of = {company.id: company.inn for company in db.session.scalars(db.select(Company))}
        rankings, title_search, query_search = {}, {}, {}
        for need in db.session.scalars(db.select(Need)):
            ranked = matching_service.suppliers_for(need, limit=K)
            rankings[need_ids[need.id]] = [inn_of[company.id] for company, _ in ranked]
            found = search_companies(need.title).ids
            title_search[need_ids[need.id]] = [inn_of[i] for i in found if i != need.company_id][:K]
        for query in data.get("queries", []):
            query_search[query["id"]] = [inn_of[i] for i in search_companies(query["q"]).ids[:K]]
        rows = db.session.scalars(db.select(Company).options(*matching_service.COMPANY_LOAD)).all()
        suppliers = [replace(matching_service.supplier_profile(row), id=row.inn) for row in rows]
        need_rows = db.session.scalars(db.select(Need).options(*matching_service.NEED_LOAD)).all()
        need_profiles = [replace(matching_service.need_profile(row), id=need_ids[row.id],
                                 company_id=inn_of[row.company_id]) for row in need_rows]
        db.engine.dispose()
    judgements = {need["id"]: dict(need.get("relevant", {})) for need in data["needs"]}
    searches = {"titles": title_search, "queries": query_search,
                "query_judgements": {q["id"]: dict(q.get("relevant", {})) for q in data.get("queries", [])},
                "query_texts": {q["id"]: q["q"] for q in data.get("queries", [])}}
    return suppliers, need_profiles, judgements, rankings, searches


def supplier_text(supplier: SupplierProfile) -> str:
    return " . ".join([*(offer.text for offer in supplier.offers), supplier.description])


def need_text(need: NeedProfile) -> str:
    return f"{need.title} . {need.text}"


def rank_engine(suppliers, needs, taxonomy):
    index = MatchIndex(taxonomy)
    for supplier in suppliers:
        index.upsert(supplier)
    return {need.id: [match.id for match in index.rank(need, limit=K)] for need in needs}


def rank_bm25(suppliers, needs):
    from rank_bm25 import BM25Okapi

    corpus = [normalize(supplier_text(s)) for s in suppliers]
    bm25 = BM25Okapi(corpus)
    ids = [s.id for s in suppliers]
    rankings = {}
    for need in needs:
        scores = bm25.get_scores(normalize(need_text(need)))
        order = sorted(range(len(ids)), key=lambda i: -scores[i])
        rankings[need.id] = [ids[i] for i in order if ids[i] != need.company_id][:K]
    return rankings


def rank_bm25_queries(suppliers, queries: dict[str, str]):
    from rank_bm25 import BM25Okapi

    bm25 = BM25Okapi([normalize(supplier_text(s)) for s in suppliers])
    ids = [s.id for s in suppliers]
    rankings = {}
    for query_id, text in queries.items():
        scores = bm25.get_scores(normalize(text))
        order = sorted(range(len(ids)), key=lambda i: -scores[i])
        rankings[query_id] = [ids[i] for i in order if scores[i] > 0][:K]
    return rankings


def report(results: dict[str, dict[str, float]]) -> str:
    metrics = list(next(iter(results.values())))
    lines = [f"{'':12}" + "".join(f"{m:>12}" for m in metrics)]
    for name, values in results.items():
        lines.append(f"{name:12}" + "".join(f"{values[m]:>12.3f}" for m in metrics))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", help="JSON with companies, needs and graded judgements")
    parser.add_argument("--taxonomy", default=str(TAXONOMY_PATH))
    parser.add_argument("--verbose", action="store_true", help="print per-need nDCG and the top of each ranking")
    parser.add_argument("--direct", action="store_true", help="feed the engine from the file, without the app")
    args = parser.parse_args(argv)

    searches = None
    if args.direct:
        suppliers, needs, judgements = load_dataset(args.dataset)
        engine = rank_engine(suppliers, needs, Taxonomy(load_toml(args.taxonomy)))
        path = "direct: file → engine"
    else:
        suppliers, needs, judgements, engine, searches = load_through_app(args.dataset)
        path = "through the app: file → services → database → matching service"
    baseline = rank_bm25(suppliers, needs)
    print(f"{len(suppliers)} suppliers, {len(needs)} needs ({path})")
    print("matching (need → suppliers)")
    print(report({"engine": evaluate(engine, judgements, K), "bm25": evaluate(baseline, judgements, K)}))
    if searches is not None:
        titles = {need.id: need.title for need in needs}
        print("catalogue search on need titles")
        print(report({"search": evaluate(searches["titles"], judgements, K),
                      "bm25": evaluate(rank_bm25_queries(suppliers, titles), judgements, K)}))
        if searches["queries"]:
            print(f"catalogue search on typed queries ({len(searches['queries'])})")
            print(report({"search": evaluate(searches["queries"], searches["query_judgements"], K),
                          "bm25": evaluate(rank_bm25_queries(suppliers, searches["query_texts"]),
                                           searches["query_judgements"], K)}))
    if args.verbose:
        names = {s.id: s.name for s in suppliers}
        for need in needs:
            grades = judgements[need.id]
            print(
                f"\n{need.id} {need.title}: engine {ndcg_at_k(engine[need.id], grades, K):.3f}"
                f" bm25 {ndcg_at_k(baseline[need.id], grades, K):.3f}"
            )
            for supplier_id in engine[need.id][:5]:
                print(f"   {grades.get(supplier_id, 0)} {names[supplier_id]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
