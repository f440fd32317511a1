"""The one text normaliser: stored text, queries and full-text shadow columns.

Using the same function everywhere is what makes the in-process matcher,
SQLite FTS5 and PostgreSQL's `simple` tsvector rank alike.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-я]")
_LATIN = re.compile(r"[a-z]")

_russian = Stemmer.Stemmer("russian")
_english = Stemmer.Stemmer("english")

def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


# Function words only: domain words such as "изготовление" stay, BM25's idf
# already discounts them and the classifier needs them in phrases.
RUSSIAN_STOP_WORDS = _words(
    """
    а без более бы был была были было быть в вам вас весь во вот все всего всех вы
    где да даже для до его ее если есть еще же за здесь и из или им их к как ко
    когда кто ли либо мне может мы на над надо наш не него нее нет ни них но ну о
    об однако он она они оно от очень по под при про с со так также такой там те
    тем то того тоже той только том ты у уже хотя чего чей чем что чтобы чье чья
    эта эти это этого этой этом этот я шт г год гг т тыс млн руб мм м см кг др
    около свыше более менее наш нашего нашей наши
    """
)
ENGLISH_STOP_WORDS = _words(
    """
    a an and are as at be been but by for from has have he her his i if in into is
    it its of on or our she so such than that the their them then there these they
    this those to was we were what when where which while who will with would you
    your pcs pc per
    """
)
STOP_WORDS = RUSSIAN_STOP_WORDS | ENGLISH_STOP_WORDS


def fold(text: str) -> str:
    """Casefolds and folds "ё" to "е": people write both and mean one letter."""
    return text.casefold().replace("ё", "е")


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """Stems one folded token with the Snowball stemmer of its script.

    Tokens mixing scripts or carrying digits (12х18н10т, сч20, pt100, 3d) are
    grades and codes, kept whole.
    """
    if any(ch.isdigit() for ch in token):
        return token
    has_cyrillic = bool(_CYRILLIC.search(token))
    has_latin = bool(_LATIN.search(token))
    if has_cyrillic and not has_latin:
        return _russian.stemWord(token)
    if has_latin and not has_cyrillic:
        return _english.stemWord(token)
    return token


def tokens(text: str) -> list[str]:
    """Folded word tokens before stemming, stop words removed."""
    return [t for t in _TOKEN.findall(fold(text)) if t not in STOP_WORDS]


def normalize(text: str) -> list[str]:
    """Stemmed tokens of `text` in order, stop words dropped."""
    return [stem(t) for t in tokens(text)]


def stemmed_text(text: str) -> str:
    """Space-joined stems for a database full-text column (FTS5, tsvector)."""
    return " ".join(normalize(text))


# Words of any request or any offer, not of what is requested or offered:
# "партнёр", "поставщик", "деталь", "изготовление" earn no weight and no reason.
GENERIC_WORDS = frozenset(
    normalize(
        "нужен нужна нужно нужны требуется требуются необходим необходимо необходима необходимы "
        "ищем ищет ищу ищутся просим прошу предлагаем предлагает предложение предложения "
        "поставка поставки поставку поставщик поставщики поставщика поставщиков поставляем "
        "подрядчик подрядчика подрядчики исполнитель исполнителя партнер партнеры партнера партнеров "
        "сотрудничество сотрудничества кооперация кооперации "
        "изготовить изготовим изготовление изготовления изготавливаем изготовитель производитель "
        "производство производства производим выпускаем выпуск продукция продукции изделие изделия изделий "
        "деталь детали деталей услуга услуги услуг работа работы выполнение выполним выполняем обработка "
        "организация компания предприятие завод фирма заказ заказы заказчик заказчика клиент клиентов "
        "партия партии объем объемы срок сроки цена качество качественно быстро недорого "
        "год квартал месяц неделя штук шт любой любые различные широкий спектр индивидуальный подход "
        "возможность наличие имеется имеются россия рф регион "
        "need needs needed require required requires looking seek supplier suppliers supply contractor "
        "partner partners manufacture manufacturing manufacturer production products product parts part "
        "service services work works request quote company pieces year month quality"
    )
)
