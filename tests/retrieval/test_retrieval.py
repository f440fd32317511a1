"""Retrieval served by the database: kept in step by every commit, shared by search and matching,
and holding nothing per company in the process."""

import gc
import re
import tracemalloc

from sqlalchemy import func, select

from registry.catalog.queries import search_companies
from registry.models import (
    CapabilityOffer,
    CompanyOkved,
    Need,
    RetrievalDocument,
    RetrievalPosting,
    RetrievalStat,
)
from registry.services import demo_data, matching, retrieval, search
from tests.factories import capability, make_company, make_need


def supplier(db, name, text, *, node=None, okved="25.62", region_iso="RU-ULY", description=""):
    company = make_company(name=name, region_iso=region_iso, description=description)
    company.offers.append(CapabilityOffer(text=text, capability=capability(node) if node else None))
    if okved:
        company.okveds.append(CompanyOkved(okved_code=okved, is_main=True))
    db.session.flush()
    search.refresh_company(company)
    db.session.commit()
    return company


def found(db, query):
    from registry.models import Company

    ids = search_companies(query).ids
    names = {c.id: c.name for c in db.session.scalars(select(Company).where(Company.id.in_(ids)))}
    return [names[i] for i in ids]


def stats_snapshot(db):
    rows = db.session.execute(select(RetrievalStat.side, RetrievalStat.key, RetrievalStat.df,
                                     func.round(RetrievalStat.total_length))
                              .where(RetrievalStat.side != retrieval.META, RetrievalStat.df != 0)).all()
    return sorted(tuple(row) for row in rows)


def test_every_commit_keeps_documents_postings_and_statistics_in_step(db):
    turner = supplier(db, "Токарь", "Токарная обработка валов и втулок")
    welder = supplier(db, "Сварщик", "Сварка металлоконструкций", okved="25.11")
    need = make_need(title="Нужна сварная рама", company=turner)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(RetrievalDocument)) == 3
    # An edit, a deactivation and a closed need change the index at once...
    welder.offers[0].text = "Сварка и лазерная резка"
    turner.active = False
    need.status = "closed"
    db.session.commit()
    incremental = stats_snapshot(db)
    assert db.session.scalar(select(RetrievalDocument.entity_id).where(RetrievalDocument.side == "supplier")) == welder.id
    assert not db.session.scalar(select(func.count()).select_from(RetrievalPosting)
                                 .where(RetrievalPosting.entity_id == turner.id, RetrievalPosting.side == "supplier"))
    # ...and leave the same statistics as a rebuild from scratch.
    retrieval.reindex_all(db.session, matching.analyzer())
    db.session.commit()
    assert stats_snapshot(db) == incremental


def test_an_edit_is_seen_by_the_next_search_and_match_without_any_cache(db):
    company = supplier(db, "Завод «Ока»", "Токарная обработка")
    buyer = make_company(name="Покупатель", region_iso="RU-MO")
    need = make_need(company=buyer, title="Гальваническое цинкование")
    db.session.commit()
    assert "Завод «Ока»" not in found(db, "цинкование")
    assert [c.name for c, _ in matching.suppliers_for(need, min_score=matching.MIN_SCORE_SHOWN)] == []
    company.offers.append(CapabilityOffer(text="Гальваническое цинкование, оцинковка крепежа"))
    db.session.commit()
    assert found(db, "цинкование")[0] == "Завод «Ока»"
    assert [c.name for c, _ in matching.suppliers_for(need, min_score=matching.MIN_SCORE_SHOWN)] == ["Завод «Ока»"]


def test_search_understands_the_taxonomy_like_matching(db):
    supplier(db, "Токарный цех", "Токарные работы по чертежам, валы", node="metalworking.turning")
    supplier(db, "Фрезерный участок", "Фрезеровка корпусных деталей из алюминия")
    supplier(db, "Титан-5", "Пятикоординатная фрезерная обработка на станках с ЧПУ, титан ВТ6 и нержавейка")
    supplier(db, "Резинщик", "Формовые резинотехнические изделия, манжеты, кольца", okved="22.19")
    supplier(db, "Типография", "Печать буклетов и визиток", okved="18.12")
    assert {"Токарный цех", "Фрезерный участок", "Титан-5"} <= set(found(db, "металлообработка"))
    assert "Типография" not in found(db, "металлообработка")
    assert found(db, "РТИ")[0] == "Резинщик"
    assert found(db, "ЧПУ фрезеровка титана")[0] == "Титан-5"
    assert found(db, "CNC milling")[0] in {"Титан-5", "Фрезерный участок"}


def test_an_inn_or_a_name_goes_straight_to_the_company(db):
    named = supplier(db, "Волгатехмаш", "Сварка")
    supplier(db, "Другой завод", "Сварка металлоконструкций, сварка рам")
    assert found(db, named.inn) == ["Волгатехмаш"]
    assert found(db, "волгатехмаш")[0] == "Волгатехмаш"


def test_search_results_say_why_they_were_found(client, db):
    supplier(db, "Резинщик", "Формовые резинотехнические изделия, манжеты", okved="22.19")
    html = client.get("/catalog/", query_string={"q": "РТИ"}).get_data(as_text=True)
    assert re.search(r"Найдено по:\s*Резинотехнические изделия", html)
    body = client.get("/api/v1/companies", query_string={"q": "РТИ"}).get_json()
    assert body["items"][0]["name"] == "Резинщик"
    assert "Резинотехнические изделия" in body["items"][0]["found_by"]


def test_a_workers_memory_does_not_grow_with_the_data(app, db):
    """The same queries at 60 and at 1,260 companies leave the process holding the same."""
    demo_data.generate(60, seed=3)
    db.session.commit()
    needs = db.session.scalars(select(Need).where(Need.status == "open").order_by(Need.id).limit(5)).all()
    queries = ["металлообработка", "РТИ", "сварка металлоконструкций"]
    need_ids = [need.id for need in needs]

    def run_and_measure() -> int:
        for need_id in need_ids:
            matching.suppliers_for(db.session.get(Need, need_id))
        for query in queries:
            search_companies(query)
        db.session.expunge_all()
        gc.collect()
        return tracemalloc.get_traced_memory()[0]

    tracemalloc.start()
    try:
        run_and_measure()  # the taxonomy and statement caches fill once, whatever the size
        small = run_and_measure()
        demo_data.generate(1200, seed=4)
        db.session.commit()
        db.session.expunge_all()
        gc.collect()
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        large = run_and_measure()
    finally:
        tracemalloc.stop()
    # Twenty times the companies. An index in the process would hold about 4.5 KB per company (5 MB
    # here); what the queries leave behind is bounded statement caches, whatever the size.
    assert large - before < 1_000_000
    assert large - small < 2_000_000


def test_migrate_then_seed_indexes_with_the_seeded_taxonomy(fresh_database_url):
    """The migration indexes an empty registry before any capability exists; the seed that follows
    must rebuild with the real taxonomy, and every later worker must see that one."""
    from flask_migrate import upgrade

    from registry import create_app
    from registry.extensions import db as database
    from registry.models import Company, RetrievalDocument
    from registry.services import seeding
    from tests.conftest import make_config

    app = create_app(make_config(fresh_database_url()))
    with app.app_context():
        upgrade()
        seeding.seed_all()
        database.session.commit()
        taxonomy = matching.load_taxonomy()
        assert len(taxonomy) > 100
        assert retrieval.indexed_taxonomy(database.session) == taxonomy.fingerprint
        rezina = database.session.scalar(select(Company.id).where(Company.name.contains("Резинотехника")))
        document = database.session.scalar(select(RetrievalDocument.document).where(
            RetrievalDocument.side == "supplier", RetrievalDocument.entity_id == rezina))
        assert "rubber" in document["nodes"]
        database.session.remove()
        database.engine.dispose()
