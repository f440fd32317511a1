"""Ranking suppliers for needs and needs for suppliers, with explained scores."""

import pytest

from registry.matching.engine import W_REGION, MatchIndex, OpportunityIndex

from .helpers import need, seed_taxonomy, supplier

SUPPLIERS = [
    supplier("mill", "фрезерная обработка на станках с ЧПУ", "корпуса из алюминия Д16Т", region="RU-ULY", okved=["25.62"]),
    supplier("turn", "токарные работы", "валы и втулки", region="RU-MO", okved=["25.62"]),
    supplier("cast", "чугунное литьё СЧ20", "отливки корпусов насосов", region="RU-PNZ", okved=["24.51"]),
    supplier("rubber", "формовые РТИ", "кольца и манжеты", region="RU-TA", okved=["22.19"]),
    supplier("print", "горячее тиснение фольгой", "клише и штампы для тиснения", region="RU-SAM", okved=["18.12"]),
    supplier("stamp", "холодная листовая штамповка", "вырубка на прессах", region="RU-ULY", okved=["25.50"]),
    supplier("gone", "фрезерная обработка", "фрезеровка корпусов", region="RU-NIZ", active=False),
    supplier("fresh", "фрезеровка корпусных деталей", region="RU-NIZ", verified=False, okved=["25.62"]),
]


@pytest.fixture
def index():
    idx = MatchIndex(seed_taxonomy())
    for profile in SUPPLIERS:
        idx.upsert(profile)
    return idx


def ids(matches):
    return [m.id for m in matches]


def test_best_capability_comes_first(index):
    matches = index.rank(need("n1", "buyer", "Фрезеровка алюминиевых корпусов", "партия 200 шт."))
    assert matches[0].id in {"mill", "fresh"}
    assert set(ids(matches[:2])) == {"mill", "fresh"}
    assert ids(matches).index("turn") < ids(matches).index("rubber") if "rubber" in ids(matches) else True


def test_english_need_meets_russian_profiles(index):
    matches = index.rank(need("n2", "buyer", "Cast iron pump casings", "Grey iron castings, 300 pcs a year"))
    assert matches[0].id == "cast"


def test_metal_stamping_is_not_foil_stamping(index):
    matches = index.rank(need("n3", "buyer", "Штампованные кронштейны из листа 3 мм"))
    assert matches[0].id == "stamp"
    assert ids(matches).index("stamp") < ids(matches).index("print") if "print" in ids(matches) else True


def test_requester_never_matches_itself(index):
    assert "mill" not in ids(index.rank(need("n4", "mill", "Фрезерная обработка корпусов")))
    assert "turn" not in ids(index.rank(need("n4", "mill", "Фрезерная обработка"), exclude_company_id="turn"))


def test_inactive_suppliers_are_never_returned(index):
    assert "gone" not in ids(index.rank(need("n5", "buyer", "Фрезерная обработка корпусов"), limit=50))


def test_filters(index):
    wanted = need("n6", "buyer", "Фрезерная обработка корпусов", region="RU-ULY")
    assert "fresh" not in ids(index.rank(wanted, verified_only=True))
    assert all(m.id != "mill" and m.id != "stamp" for m in index.rank(wanted, other_regions_only=True))
    assert set(ids(index.rank(wanted, region="RU-NIZ"))) == {"fresh"}


def test_score_is_the_sum_of_reasons_and_within_bounds(index):
    for title in ["Фрезерная обработка корпусов", "РТИ для вагонов", "Литьё чугуна", "hot-dip galvanizing"]:
        for match in index.rank(need("q", "buyer", title), limit=20):
            assert 0 < match.score <= 1
            assert match.score == pytest.approx(round(sum(r.weight for r in match.reasons), 4), abs=1e-9)
            assert [r.weight for r in match.reasons] == sorted((r.weight for r in match.reasons), reverse=True)


def test_reasons_carry_what_a_sentence_needs(index):
    match = index.rank(need("n7", "buyer", "Фрезерная обработка алюминиевых корпусов", region="RU-MO"))[0]
    kinds = {r.kind: r for r in match.reasons}
    assert "capability_exact" in kinds
    capability = kinds["capability_exact"].data
    assert capability["node_code"] == "metalworking.milling"
    assert capability["node_name_ru"] and capability["node_name_en"]
    assert "text" in kinds and kinds["text"].data["terms"]
    # The need chose no OKVED codes: its side was derived from the classified node, and says so.
    assert kinds["okved"].data == {"wanted_okved": "25.62", "okved": "25.62", "wanted_inferred": True,
                                   "offered_inferred": False}
    region = kinds["region"].data
    assert region["region_code"] == match_region(match.id) and region["other_region_code"] == "RU-MO"


def match_region(supplier_id):
    return next(s.region_code for s in SUPPLIERS if s.id == supplier_id)


def test_region_bonus_is_small_and_never_beats_capability(index):
    wanted = need("n8", "buyer", "Токарные работы: валы", region="RU-ULY")
    matches = index.rank(wanted)
    assert matches[0].id == "turn"
    same_region = need("n8", "buyer", "Токарные работы: валы", region="RU-MO")
    assert index.rank(same_region)[0].id == "turn"
    region_weights = [r.weight for m in matches for r in m.reasons if r.kind == "region"]
    assert region_weights and max(region_weights) == W_REGION <= 0.05


def test_upsert_and_remove_are_incremental(index):
    wanted = need("n9", "buyer", "Лазерная резка листа")
    assert "turn" not in ids(index.rank(wanted)[:1])
    before = len(index)
    index.upsert(supplier("turn", "лазерная резка листового металла", region="RU-MO", okved=["25.62"]))
    assert len(index) == before
    assert index.rank(wanted)[0].id == "turn"
    assert index.remove("turn") is True
    assert index.remove("turn") is False
    assert "turn" not in ids(index.rank(wanted, limit=50))
    assert len(index) == before - 1


def test_explicit_nodes_count_when_text_says_little(index):
    index.upsert(supplier("coded", "участок 3", codes=("heat_treatment",), region="RU-MO"))
    matches = index.rank(need("n10", "buyer", "Термообработка валов", codes=("heat_treatment",)))
    assert matches[0].id == "coded"


def test_empty_index_and_empty_need():
    idx = MatchIndex(seed_taxonomy())
    assert idx.rank(need("n", "b", "Фрезеровка")) == []
    idx.upsert(SUPPLIERS[0])
    assert idx.rank(need("n", "b", "")) == []


def test_opportunities_rank_needs_for_a_supplier():
    taxonomy = seed_taxonomy()
    needs = OpportunityIndex(taxonomy)
    needs.upsert(need("castings", "pumpmaker", "Чугунные отливки корпусов насосов", region="RU-SAM"))
    needs.upsert(need("seals", "railway", "Резиновые уплотнения для вагонов", region="RU-MOW"))
    needs.upsert(need("own", "cast", "Отливки из чугуна", region="RU-PNZ"))
    foundry = SUPPLIERS[2]
    matches = needs.rank(foundry)
    assert matches[0].id == "castings"
    assert "own" not in ids(matches)  # a company's own need is not its opportunity
    assert all(0 < m.score <= 1 for m in matches)
    # The same scorer from either side: the pair scores alike.
    suppliers = MatchIndex(taxonomy)
    for profile in SUPPLIERS:
        suppliers.upsert(profile)
    castings = need("castings", "pumpmaker", "Чугунные отливки корпусов насосов", region="RU-SAM")
    forward = next(m for m in suppliers.rank(castings) if m.id == "cast")
    assert {r.kind for r in forward.reasons} == {r.kind for r in matches[0].reasons}
    needs.remove("castings")
    assert "castings" not in ids(needs.rank(foundry))


def test_opportunity_filters():
    needs = OpportunityIndex(seed_taxonomy())
    needs.upsert(need("a", "x", "Фрезерная обработка корпусов", region="RU-ULY"))
    needs.upsert(need("b", "y", "Фрезерная обработка корпусов", region="RU-MO"))
    mill = SUPPLIERS[0]  # in RU-ULY
    assert ids(needs.rank(mill, other_regions_only=True)) == ["b"]
    assert ids(needs.rank(mill, region="RU-ULY")) == ["a"]


def test_explain_many_gives_each_document_the_match_explain_gives_it_reading_the_store_once(index):
    wanted = need("n-many", "buyer", "Фрезеровка алюминиевых корпусов", "партия 200 шт.")
    query = index.analyzer.need(wanted)
    reads = []
    store = index.store
    documents, stats = store.documents, store.stats
    store.documents = lambda side, ids: reads.append("documents") or documents(side, ids)
    store.stats = lambda side, stems: reads.append("stats") or stats(side, stems)
    many = index.retriever.explain_many(query, index.side, ["mill", "turn", "rubber", "gone", "nobody"])
    assert reads == ["documents", "stats"]
    assert set(many) == {"mill", "turn", "rubber"}  # the inactive firm is not indexed, nobody is unknown
    store.documents, store.stats = documents, stats
    for entry_id, match in many.items():
        assert match == index.explain(wanted, entry_id)
    assert many["mill"].score > many["rubber"].score
    assert index.retriever.explain_many(query, index.side, []) == {}
