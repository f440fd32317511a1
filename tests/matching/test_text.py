"""The one normaliser: folding, stemming, stop words."""

from registry.matching.text import normalize, stemmed_text


def test_folds_case_and_yo():
    assert normalize("ЁМКОСТЬ") == normalize("емкость") == normalize("Ёмкость")


def test_word_forms_share_a_stem():
    # What Snowball really gives: the noun's cases meet, derived adjectives do not.
    assert normalize("штамповка")[0] == normalize("штамповки")[0] == normalize("штамповку")[0]
    assert normalize("штамп")[0] == normalize("штампов")[0] == normalize("штампы")[0]
    assert normalize("штамповочное") != normalize("штамповка")
    assert normalize("тележки") != normalize("тележек")  # why the classifier also matches near stems


def test_english_words_are_stemmed_too():
    assert normalize("stamping") == normalize("stamped") == normalize("stamps")
    assert normalize("bogies") == normalize("bogie")


def test_grades_and_codes_are_kept_whole():
    assert "12х18н10т" in normalize("сталь 12Х18Н10Т")
    assert "pt100" in normalize("Pt100 RTD")
    assert "сч20" in normalize("чугун СЧ20")


def test_stop_words_are_dropped():
    assert normalize("и в на для the of") == []


def test_stemmed_text_is_the_space_joined_normal_form():
    text = "Фрезерная обработка алюминиевых корпусов"
    assert stemmed_text(text) == " ".join(normalize(text))
    assert stemmed_text(text) == stemmed_text(text.upper())
