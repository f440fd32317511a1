"""The capability tree and the classifier over it."""

import pytest

from registry.matching.taxonomy import CapabilityNode, Taxonomy

from .helpers import seed_taxonomy


def small_tree():
    return Taxonomy(
        [
            CapabilityNode("metal", "", "Металлообработка", "Metalworking", ("металлообработка",)),
            CapabilityNode("metal.milling", "metal", "Фрезерная обработка", "Milling", ("фрезеровка",)),
            CapabilityNode("metal.turning", "metal", "Токарная обработка", "Turning", ("токарные работы",)),
            CapabilityNode("metal.sheet", "metal", "Листовой металл", "Sheet metal", ()),
            CapabilityNode("metal.sheet.laser", "metal.sheet", "Лазерная резка", "Laser cutting", ()),
            CapabilityNode("rubber", "", "РТИ", "Rubber goods", (), ("РТИ",)),
        ]
    )


def test_ancestors_depth_and_closeness():
    tree = small_tree()
    assert tree.ancestors("metal.sheet.laser") == ("metal.sheet", "metal")
    assert tree.depth("metal") == 1 and tree.depth("metal.sheet.laser") == 3
    assert tree.closeness("metal.milling", "metal.milling") == 1.0
    assert tree.closeness("metal.milling", "metal.turning") == pytest.approx(1 / 2)
    assert tree.closeness("metal.sheet.laser", "metal.milling") == pytest.approx(1 / 3)
    assert tree.closeness("metal.sheet.laser", "metal.sheet") == pytest.approx(2 / 3)
    assert tree.closeness("metal.milling", "rubber") == 0.0


def test_relation_seen_from_the_buyer():
    tree = small_tree()
    assert tree.relation("metal.sheet", "metal.sheet.laser") == "exact"  # a more specific offer serves
    assert tree.relation("metal.sheet.laser", "metal.sheet") == "parent"
    assert tree.relation("metal.milling", "metal.turning") == "sibling"
    assert tree.relation("metal.milling", "rubber") is None


def test_rejects_broken_trees():
    with pytest.raises(ValueError):
        Taxonomy([CapabilityNode("a.b", "a", "А", "A")])
    with pytest.raises(ValueError):
        Taxonomy([CapabilityNode("a", "", "А", "A"), CapabilityNode("a", "", "Б", "B")])


def top(text):
    found = seed_taxonomy().classify(text, limit=3)
    return found[0][0] if found else None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Обработка на станках с ЧПУ", "metalworking.cnc"),
        ("РТИ", "rubber"),
        ("Поверка и ремонт КИПиА", "instruments"),
        ("Поставка РТИ для вагонов", "rubber"),
        ("закалка ТВЧ шестерён", "heat_treatment"),
        ("Разработка КД по ЕСКД", "engineering.documentation"),
        ("горячее цинкование металлоконструкций", "coatings.galvanizing.hot_dip"),
        ("перемотка статоров электродвигателей", "electrical.motors.repair"),
    ],
)
def test_abbreviations_and_russian_word_forms(text, code):
    assert top(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("CNC milling of aluminium housings", "metalworking.milling"),
        ("hot-dip galvanizing of lattice towers", "coatings.galvanizing.hot_dip"),
        ("Pt100 RTD assemblies with thermowells", "instruments.temperature.rtd"),
        ("investment casting of stainless parts", "casting.investment"),
        ("bogie repair for passenger coaches", "railcar.repair"),
        ("electric motor rewinding", "electrical.motors.repair"),
    ],
)
def test_english_text(text, code):
    codes = [c for c, _ in seed_taxonomy().classify(text, limit=3)]
    assert code in codes


def test_near_word_forms_still_match():
    # "фрезерование" and "фрезерный" stem apart; the classifier joins them.
    assert top("фрезерованные детали из Д16Т") == "metalworking.milling"
    codes = [code for code, _ in seed_taxonomy().classify("ремонт тележек", limit=2)]
    assert set(codes) == {"railcar.repair", "railcar.bogies"}
    # Fleeting vowels: "прокладок" is "прокладка", "сборок" is "сборка".
    assert top("поставка прокладок") == "rubber"
    assert top("изготовление кабельных сборок") == "electronics.cable_assemblies"


def test_unrelated_fields_land_in_their_own_branch():
    assert top("горячее тиснение фольгой, изготовление клише") == "printing.embossing"
    assert top("Внедрение CRM и автоматизация документооборота") == "it"
    assert top("Дизайн интерьеров квартир, 3D-визуализация") == "interior_design"


def test_confidences_are_ordered_and_bounded():
    found = seed_taxonomy().classify("лазерная резка и гибка листового металла, порошковая покраска")
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < score <= 1 for score in scores)


def test_nothing_to_classify():
    assert seed_taxonomy().classify("") == []
    assert seed_taxonomy().classify("и в на") == []


def test_a_phrase_inside_a_longer_phrase_of_another_field_counts_little():
    found = dict(seed_taxonomy().classify("литьё пластмасс под давлением"))
    assert max(found, key=found.get) == "plastics.injection"
    assert found.get("casting.die", 0) < 0.5
    assert top("литьё алюминия под давлением") == "casting.die"


def test_purpose_words_count_less_than_the_thing_asked_for():
    found = dict(seed_taxonomy().classify("Резиновые прокладки для ремонта пассажирских вагонов"))
    assert max(found, key=found.get) == "rubber"
    assert found.get("railcar.repair", 0) < found["rubber"]
