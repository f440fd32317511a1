"""A small judged fixture: the engine must rank the right suppliers first,
across languages and against look-alike words (тиснение ≠ штамповка)."""

from registry.matching.engine import MatchIndex
from registry.matching.evaluation import evaluate

from .helpers import need, seed_taxonomy, supplier

SUPPLIERS = [
    supplier("s1", "горячее цинкование металлоконструкций", "ванна 12 м", region="RU-MO", okved=["25.61"]),
    supplier("s2", "гальваническое цинкование мелкого крепежа", "никелирование", region="RU-SAM", okved=["25.61"]),
    supplier("s3", "горячее тиснение фольгой", "изготовление клише и штампов для тиснения", region="RU-SAM", okved=["18.12"]),
    supplier("s4", "холодная листовая штамповка", "вырубка, гибка", region="RU-ULY", okved=["25.50"]),
    supplier("s5", "термопреобразователи сопротивления", "термопары и защитные гильзы", region="RU-CU", okved=["26.51"]),
    supplier("s6", "монтаж кондиционеров", "датчики температуры для умного дома", region="RU-ULY", okved=["43.22"]),
    supplier("s7", "ремонт и перемотка электродвигателей", "ремонт статоров и роторов", region="RU-SAM", okved=["33.14"]),
    supplier("s8", "ремонт мотоциклов", "перемотка стартеров", region="RU-NIZ", okved=["45.40"]),
    supplier("s9", "внедрение CRM", "обработка данных", region="RU-PNZ", okved=["62.01"]),
    supplier("s10", "токарная и фрезерная обработка на станках с ЧПУ", "детали по чертежам", region="RU-ULY", okved=["25.62"]),
    supplier("s11", "формовые РТИ", "манжеты, кольца, прокладки", region="RU-TA", okved=["22.19"]),
    supplier("s12", "резиновые игрушки", "мячи из ПВХ", region="RU-PNZ", okved=["32.40"]),
]

NEEDS = [
    (need("q1", "x", "Оцинковать решётчатые опоры", "горячим способом, 80 т"), {"s1": 2, "s2": 1}),
    (need("q2", "x", "Штампованные кронштейны", "из листа 2 мм, 10 000 шт."), {"s4": 2}),
    (need("q3", "x", "Pt100 sensors with thermowells", "for chemical reactors"), {"s5": 2, "s6": 1}),
    (need("q4", "x", "Перемотка статора электродвигателя 0,4 кВ"), {"s7": 2}),
    (need("q5", "x", "CNC machining of steel shafts"), {"s10": 2}),
    (need("q6", "x", "Резиновые уплотнения и прокладки"), {"s11": 2}),
]


def test_engine_ranks_the_judged_suppliers_first():
    index = MatchIndex(seed_taxonomy())
    for profile in SUPPLIERS:
        index.upsert(profile)
    rankings = {n.id: [m.id for m in index.rank(n)] for n, _ in NEEDS}
    result = evaluate(rankings, {n.id: grades for n, grades in NEEDS})
    assert result["ndcg@10"] >= 0.95, rankings
    for n, grades in NEEDS:
        best = max(grades, key=grades.get)
        assert rankings[n.id][0] == best, (n.title, rankings[n.id])
