"""Synthetic but plausible companies for load and speed work (`flask --app registry demo-data`).

Every generated record says what it is: company names end in «(демо)» and `source` starts with "demo:".
Rows go in around the per-record services on purpose (this is test data, not data anyone vouches for):
on PostgreSQL with COPY through the session's own connection, retrieval documents, postings and corpus
statistics included; on SQLite with plain bulk inserts, indexed by `retrieval.index_companies` /
`index_needs`. The COPY path writes exactly what those functions would: the same `Analyzer`, the same
profiles, the same running average length per chunk of `retrieval.BATCH` ids, the same stats increments.

The texts vary the way real profiles do: capability phrases in their many spellings, equipment models,
material grades, sizes, certificates, cities, industries served; some companies write in English, some
are traders and resellers; most sentences appear in a minority of profiles, so no word is everywhere.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, insert, select, text

from registry.extensions import db
from registry.matching import NEEDS, SUPPLIERS, NeedProfile, Offer, SupplierProfile
from registry.matching.engine import term_key
from registry.matching.text import stemmed_text
from registry.models import (
    Capability,
    CapabilityOffer,
    Company,
    CompanyOkved,
    Need,
    OkvedCode,
    Region,
    RetrievalStat,
)
from registry.models.base import utcnow
from registry.models.need import need_capability
from registry.services import matching, retrieval

SOURCE = "demo: synthetic data for load tests"

NAME_STEMS = ("Волга", "Сура", "Мокша", "Инза", "Свияга", "Алатырь", "Барыш", "Урал", "Заря", "Прогресс",
              "Техно", "Пром", "Маш", "Металл", "Лит", "Инструмент", "Агрегат", "Спектр", "Вектор", "Гранит",
              "Кама", "Ока", "Сок", "Зенит", "Атлант", "Ресурс", "Профиль", "Сплав", "Станко", "Гидро",
              "Энерго", "Электро", "Термо", "Поли", "Кварц", "Альфа", "Омега", "Север", "Восток", "Импульс")
NAME_ENDINGS = ("маш", "пром", "мет", "тех", "лит", "сервис", "комплект", "деталь", "снаб", "завод",
                "строй", "пласт", "гидравлика", "привод", "форм", "инжиниринг", "холдинг", "индустрия", "", "про")
EN_NAME_ENDINGS = ("Engineering", "Industries", "Machining", "Components", "Technologies", "Trade", "Systems")
LEGAL = ("ООО", "ООО", "ООО", "АО", "ЗАО", "ПАО", "ИП", "НПП", "ООО ПКФ", "ООО НПО", "ООО ТД")

# Where industry is: the regions a real registry would see most, weighted, with their towns.
REGION_WEIGHTS = {"RU-ULY": 6, "RU-MO": 5, "RU-SAM": 4, "RU-TA": 4, "RU-NIZ": 4, "RU-PNZ": 3, "RU-CU": 3,
                  "RU-MOW": 3, "RU-SVE": 3, "RU-BA": 2, "RU-PER": 2, "RU-CHE": 2}
CITIES = {
    "RU-ULY": ("Ульяновск", "Ульяновск", "Димитровград", "Инза", "Барыш", "Новоульяновск", "Сенгилей"),
    "RU-MO": ("Саранск", "Саранск", "Рузаевка", "Ковылкино", "Краснослободск", "Темников"),
    "RU-SAM": ("Самара", "Тольятти", "Сызрань", "Новокуйбышевск", "Чапаевск", "Отрадный", "Жигулёвск"),
    "RU-TA": ("Казань", "Набережные Челны", "Елабуга", "Альметьевск", "Зеленодольск", "Нижнекамск", "Бугульма"),
    "RU-NIZ": ("Нижний Новгород", "Дзержинск", "Арзамас", "Павлово", "Выкса", "Кстово", "Бор"),
    "RU-PNZ": ("Пенза", "Кузнецк", "Заречный", "Сердобск", "Каменка"),
    "RU-CU": ("Чебоксары", "Новочебоксарск", "Канаш", "Алатырь", "Шумерля"),
    "RU-MOW": ("Москва", "Зеленоград"),
    "RU-SVE": ("Екатеринбург", "Нижний Тагил", "Каменск-Уральский", "Первоуральск", "Верхняя Пышма", "Ревда"),
    "RU-BA": ("Уфа", "Стерлитамак", "Салават", "Нефтекамск", "Октябрьский"),
    "RU-PER": ("Пермь", "Березники", "Лысьва", "Соликамск", "Чайковский"),
    "RU-CHE": ("Челябинск", "Магнитогорск", "Миасс", "Златоуст", "Копейск", "Трёхгорный"),
}
ALL_CITIES = tuple(city for towns in CITIES.values() for city in dict.fromkeys(towns))
EN_CITIES = {"Ульяновск": "Ulyanovsk", "Саранск": "Saransk", "Самара": "Samara", "Тольятти": "Togliatti",
             "Казань": "Kazan", "Набережные Челны": "Naberezhnye Chelny", "Нижний Новгород": "Nizhny Novgorod",
             "Пенза": "Penza", "Чебоксары": "Cheboksary", "Москва": "Moscow", "Екатеринбург": "Yekaterinburg",
             "Уфа": "Ufa", "Пермь": "Perm", "Челябинск": "Chelyabinsk"}

EQUIPMENT = (
    "Haas VF-2", "Haas VF-4SS", "Haas ST-20Y", "Haas UMC-750", "DMG Mori CMX 600 V", "DMG Mori NLX 2500",
    "DMG Mori DMU 50", "Mazak QTN-250", "Mazak Variaxis i-700", "Okuma LB3000 EX", "Okuma Genos M560",
    "Doosan Lynx 220", "Doosan DNM 5700", "Hyundai WIA L230A", "Hermle C 42 U", "Chiron FZ 16", "Spinner TC 600",
    "Emco Maxxturn 65", "Knuth Roturn 400", "Citizen L20", "Star SR-20RIV", "Tornos Swiss GT 26", "Fanuc Robodrill",
    "Trumpf TruLaser 3030", "Trumpf TruBend 5130", "Trumpf TruPunch 1000", "Amada HFE 100", "Amada Ensis 3015",
    "Bystronic ByStar Fiber", "Bodor P3015", "HSG G3015C", "Yawei PBB-110", "Durma AD-R 30175", "Salvagnini P4",
    "Prima Power Shear Brilliance", "Kjellberg HiFocus 280i", "Fronius TPS 500i", "Kemppi X8 MIG Welder",
    "Lincoln Electric Power Wave", "ESAB Aristo 500", "Agie Charmilles CUT 200", "Sodick AQ537L",
    "Engel victory 200", "Arburg Allrounder 470", "Haitian MA 3200", "Battenfeld HM 110", "KraussMaffei CX 160",
    "Zeiss Contura", "Mitutoyo Crysta-Apex S", "Wenzel LH 87", "Stratasys F370", "EOS M 290",
    "16К20", "16А20Ф3", "1М63", "1К62", "6Р13", "6Т83Г", "2М55", "3Е711", "3М151", "ИЖ250", "ФП-17", "2А622",
    "КД2126", "КД2330", "К2130", "КШП-1000", "КГШП-2500", "ЛАРС-3015", "ИС2116", "СНО-8.16.5", "СШЦМ-6.12",
    "ТВЧ-160", "ПРВ-1000", "ВДУ-506", "ПДГ-500", "камера ДСП-1", "гальваническая линия ЛГ-12",
)
MATERIALS = (
    "сталь 09Г2С", "сталь 40Х", "сталь 45", "сталь 20", "Ст3сп", "сталь 65Г", "ШХ15", "30ХГСА", "Х12МФ",
    "38Х2МЮА", "12Х18Н10Т", "08Х18Н10", "AISI 304", "AISI 316L", "AISI 430", "20Х13", "40Х13", "10ХСНД",
    "алюминий АМг6", "АМг3", "Д16Т", "АД31", "В95", "титан ВТ1-0", "ВТ6", "ОТ4", "латунь Л63", "ЛС59-1",
    "бронза БрАЖ9-4", "БрОЦС5-5-5", "медь М1", "чугун СЧ20", "ВЧ50", "ВЧ60", "инконель 718", "Hastelloy C276",
    "полиамид ПА6", "капролон", "фторопласт Ф-4", "ПЭНД", "полипропилен", "АБС-пластик", "поликарбонат",
    "резина ИРП-1068", "силикон", "EPDM", "NBR", "стеклопластик", "углепластик", "текстолит", "паронит",
)
EN_MATERIALS = ("stainless steel 304", "316L stainless", "aluminium 6061", "aluminum 7075", "titanium Grade 5",
                "carbon steel", "tool steel D2", "brass CuZn37", "bronze", "PA6 nylon", "PEEK", "POM", "ABS",
                "Inconel 718", "cast iron", "copper C110", "spring steel")
CERTIFICATES = (
    "ISO 9001", "ГОСТ Р ИСО 9001-2015", "ISO 14001", "ISO 3834-2", "аттестация НАКС", "РМРС", "РС ФЖТ",
    "ISO/TS 22163", "IATF 16949", "EN 15085", "СТО Газпром 9001", "ГОСТ РВ 0015-002", "лицензия Ростехнадзора",
    "допуск СРО", "ТР ТС 010/2011", "ТР ТС 032/2013", "сертификат АО «РЖД»", "API Q1", "AS9100",
)
INDUSTRIES = (
    "автопрома", "железнодорожного транспорта", "нефтегазовой отрасли", "энергетики", "сельхозтехники",
    "авиастроения", "пищевой промышленности", "ЖКХ", "горнодобывающих предприятий", "судостроения",
    "приборостроения", "медицинской техники", "химических заводов", "металлургических комбинатов",
    "станкостроения", "строительной техники", "лифтового хозяйства", "мебельных фабрик", "ВПК",
)
EN_INDUSTRIES = ("automotive", "rail", "oil and gas", "power generation", "aerospace", "food processing",
                 "mining", "medical devices", "agricultural machinery", "shipbuilding")
BATCHES = ("серийно", "мелкими сериями", "единичные заказы и серии", "от 1 шт.", "партиями от 100 шт.",
           "опытные образцы", "крупные серии", "прототипы и малые серии")
TRADE_PREFIXES = ("оптовая продажа:", "официальный дилер:", "дистрибьютор:", "поставка со склада:",
                  "комплектация предприятий:", "торговый дом, продажа:", "реализация неликвидов:")
BRANDS = ("SKF", "FAG", "NSK", "Bosch Rexroth", "Festo", "Parker", "Siemens", "Schneider Electric", "ABB",
          "Omron", "Sandvik Coromant", "Iscar", "Mitsubishi Materials", "ГПЗ", "ЧТЗ", "КЭАЗ", "ИЭК", "Ридан",
          "Danfoss", "Grundfos", "Wilo", "ЛЕПСЕ", "Hilti", "Kennametal", "Hydac", "Camozzi", "SMC", "Weidmüller")
EN_BATCHES = ("small batches", "serial production", "prototypes", "one-off jobs", "high-volume runs")

_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


# One of these, chosen at random, says how big a shop's work can be.
_SIZES = (
    lambda rng: f"диаметр до {rng.choice((50, 80, 120, 200, 320, 400, 630, 1000, 1600))} мм",
    lambda rng: f"длина до {rng.choice((300, 500, 1000, 1500, 2000, 3000, 6000, 12000))} мм",
    lambda rng: f"толщина до {rng.choice((2, 3, 5, 8, 12, 16, 20, 25, 40))} мм",
    lambda rng: f"рабочее поле {rng.choice((600, 800, 1000, 1500, 3000))}×{rng.choice((400, 500, 1250, 1500, 2000))} мм",
    lambda rng: f"масса до {rng.choice((1, 5, 20, 50, 200, 500, 2000, 10000))} кг",
    lambda rng: f"точность {rng.choice(('0,01', '0,005', '0,02', '0,05'))} мм",
    lambda rng: f"квалитет IT{rng.randint(6, 11)}",
    lambda rng: f"усилие {rng.choice((40, 63, 100, 160, 250, 400, 1000))} тс",
)


def _size(rng: random.Random) -> str:
    return rng.choice(_SIZES)(rng)


class _Vocabulary:
    """Per capability node: its Russian and its English phrases."""

    def __init__(self, nodes):
        self.ru, self.en = {}, {}
        for node in nodes:
            words = [node.name_ru, *(node.synonyms or ())]
            self.ru[node.id] = [w for w in words if _CYRILLIC.search(w)] or [node.name_ru]
            self.en[node.id] = [w for w in [node.name_en, *(node.synonyms or ())] if w and not _CYRILLIC.search(w)] \
                or [node.name_en or node.name_ru]


def _offer_text(rng: random.Random, vocab: _Vocabulary, node, english: bool, trader: bool) -> tuple[str, str, str]:
    """One offer: its text, equipment and certifications."""
    if english:
        phrase = rng.choice(vocab.en[node.id])
        parts = [phrase[:1].upper() + phrase[1:]]
        if rng.random() < 0.4:
            parts.append(f"in {rng.choice(EN_MATERIALS)}")
        if rng.random() < 0.3:
            parts.append(rng.choice(EN_BATCHES))
        if rng.random() < 0.2:
            parts.append(f"for {rng.choice(EN_INDUSTRIES)}")
        equipment = ", ".join(rng.sample(EQUIPMENT[:52], rng.randint(1, 2))) if rng.random() < 0.35 else ""
        return ", ".join(parts), equipment, "ISO 9001" if rng.random() < 0.2 else ""
    phrases = vocab.ru[node.id]
    parts = [rng.choice(phrases)]
    if rng.random() < 0.3 and len(phrases) > 1:
        parts.append(rng.choice(phrases))
    if trader:
        parts.insert(0, rng.choice(TRADE_PREFIXES))
        parts.append(", ".join(rng.sample(BRANDS, rng.randint(1, 3))))
        return " ".join(parts[:2]) + ", " + ", ".join(parts[2:]), "", ""
    if rng.random() < 0.4:
        parts.append(", ".join(rng.sample(MATERIALS, rng.randint(1, 3))))
    if rng.random() < 0.3:
        parts.append(_size(rng))
    if rng.random() < 0.25:
        parts.append(rng.choice(BATCHES))
    if rng.random() < 0.2:
        parts.append(f"для {rng.choice(INDUSTRIES)}")
    equipment = ", ".join(rng.sample(EQUIPMENT, rng.randint(1, 3))) if rng.random() < 0.35 else ""
    certifications = ", ".join(rng.sample(CERTIFICATES, rng.randint(1, 2))) if rng.random() < 0.2 else ""
    return ", ".join(parts), equipment, certifications


def _description(rng: random.Random, city: str, english: bool, trader: bool) -> str:
    """A few sentences, each kind present in a minority of companies."""
    if english:
        sentences = []
        if rng.random() < 0.5:
            sentences.append(f"Located in {EN_CITIES.get(city, city)}, Russia.")
        if rng.random() < 0.3:
            sentences.append(f"Since {rng.randint(1992, 2021)}.")
        if rng.random() < 0.3:
            sentences.append(f"We serve {rng.choice(EN_INDUSTRIES)} and {rng.choice(EN_INDUSTRIES)} customers.")
        if rng.random() < 0.25:
            sentences.append(f"{rng.randint(12, 900)} employees.")
        return " ".join(sentences)
    sentences = []
    if trader:
        sentences.append(rng.choice((
            f"Торговая компания, склад в г. {city}.", "Собственного производства нет, работаем со складом.",
            f"Официальный представитель {rng.choice(BRANDS)} в регионе.", "Снабжение промышленных предприятий.",
            f"Отгрузка со склада в {city} в день оплаты.", "Перепродажа и комплектация, отсрочка платежа.")))
    if rng.random() < 0.25:
        sentences.append(rng.choice((f"Работаем с {rng.randint(1992, 2021)} года.", f"Основано в {rng.randint(1950, 2020)} г.",
                                     f"На рынке более {rng.randint(3, 30)} лет.")))
    if rng.random() < 0.25:
        sentences.append(rng.choice((f"Площадка в г. {city}, {rng.randint(3, 200) * 100} м².",
                                     f"Цех в {city}.", f"Производственная база: {city}.")))
    if rng.random() < 0.2:
        sentences.append(f"Штат {rng.randint(8, 1500)} человек.")
    if rng.random() < 0.2:
        sentences.append(f"Оборудование: {', '.join(rng.sample(EQUIPMENT, rng.randint(1, 3)))}.")
    if rng.random() < 0.15:
        sentences.append(f"Сертификаты: {', '.join(rng.sample(CERTIFICATES, rng.randint(1, 2)))}.")
    if rng.random() < 0.2:
        sentences.append(f"Заказчики: предприятия {rng.choice(INDUSTRIES)} и {rng.choice(INDUSTRIES)}.")
    if rng.random() < 0.1:
        sentences.append(rng.choice(("Собственное КБ, разработка КД.", "Конструкторский отдел, 3D-модели в SolidWorks.",
                                     "ОТК и измерительная лаборатория.", "Экспорт в Казахстан и Беларусь.",
                                     "Резидент технопарка.", "Участник программы импортозамещения.")))
    rng.shuffle(sentences)
    return " ".join(sentences)


def _need_text(rng: random.Random, vocab: _Vocabulary, node, english: bool) -> tuple[str, str, str]:
    """A need: title, text and volume."""
    if english:
        phrase = rng.choice(vocab.en[node.id])
        title = rng.choice(("Looking for {}", "RFQ: {}", "{} wanted", "Need {}")).format(phrase)
        text = ", ".join(filter(None, (f"material {rng.choice(EN_MATERIALS)}" if rng.random() < 0.5 else "",
                                       f"{rng.randint(10, 5000)} pcs" if rng.random() < 0.5 else "",
                                       f"lead time {rng.randint(2, 16)} weeks" if rng.random() < 0.3 else "")))
        return title, text, ""
    phrase = rng.choice(vocab.ru[node.id])
    title = rng.choice(("Требуется: {}", "Нужно: {}", "Ищем исполнителя: {}", "{}", "Закупка: {}",
                        "Запрос цен: {}", "{} по чертежам", "{} — срочно")).format(phrase)
    details = []
    if rng.random() < 0.45:
        details.append(rng.choice(("материал {}", "из {}", "марка {}", "{}", "{} или аналог")).format(rng.choice(MATERIALS)))
    if rng.random() < 0.3:
        details.append(_size(rng))
    if rng.random() < 0.25:
        details.append(rng.choice(("чертежи в приложении", "есть образец", "нужна КД", "возможна поставка в рассрочку",
                                   f"доставка до {rng.choice(ALL_CITIES)}", "приемка ОТК заказчика")))
    if rng.random() < 0.15:
        details.append(f"для {rng.choice(INDUSTRIES)}")
    volume = rng.choice(("", "", f"{rng.randint(1, 50) * 10} шт.", f"{rng.randint(1, 40)} т",
                         f"{rng.randint(1, 12)} партий в год", "разово"))
    return title[:300], ", ".join(details), volume


def generate(companies: int, *, seed: int = 1, needs_share: float = 0.2, batch: int = 5000,
             copy: bool | None = None, progress=None) -> dict[str, int]:
    """Adds `companies` demo companies (and open needs for about `needs_share` of them), indexed.

    `copy`: write with COPY (default: on PostgreSQL); False uses bulk inserts and the retrieval
    module's own indexing (the reference the COPY path must equal). `progress(done)` after each batch.
    """
    session = db.session
    if copy is None:
        copy = session.get_bind().dialect.name == "postgresql"
    rng = random.Random(seed)
    analyzer = matching.analyzer()
    nodes = session.scalars(select(Capability).order_by(Capability.id)).all()
    node_okved = {node.id: [code.code for code in node.okved_codes] for node in nodes}
    leaves = [node for node in nodes if not node.children] or nodes
    vocab = _Vocabulary(nodes)
    regions = session.scalars(select(Region).where(Region.iso_code.in_(REGION_WEIGHTS)).order_by(Region.id)).all()
    weights = [REGION_WEIGHTS[region.iso_code] for region in regions]
    known_okved = set(session.scalars(select(OkvedCode.code)))
    start = (session.scalar(select(func.max(Company.id))) or 0) + 1
    start_need = (session.scalar(select(func.max(Need.id))) or 0) + 1
    writer = _CopyWriter(session, analyzer) if copy else None
    now = utcnow()
    made = {"companies": 0, "offers": 0, "needs": 0}
    year = 365 * 24 * 3600
    for first in range(0, companies, batch):
        rows, links, offers, needs, need_links = [], [], [], [], []
        suppliers, wanted_by = {}, {}
        for number in range(first, min(first + batch, companies)):
            company_id = start + number
            # Spread over the past year, as a registry's rows are: not all written in one instant.
            stamp = now - timedelta(seconds=rng.randrange(year))
            region = rng.choices(regions, weights)[0]
            city = rng.choice(CITIES.get(region.iso_code, ("",)))
            english = rng.random() < 0.06
            trader = not english and rng.random() < 0.1
            chosen = rng.sample(leaves, rng.choices((1, 2, 3, 4), (40, 35, 18, 7))[0])
            made_offers = [(node, *_offer_text(rng, vocab, node, english, trader)) for node in chosen]
            description = _description(rng, city, english, trader)
            if english:
                name = f"{rng.choice(NAME_STEMS)} {rng.choice(EN_NAME_ENDINGS)} LLC-{company_id} (демо)"
            else:
                name = f"{rng.choice(LEGAL)} «{rng.choice(NAME_STEMS)}{rng.choice(NAME_ENDINGS)}-{company_id}» (демо)"
            verification = rng.choice(("verified", "unverified", "unverified"))
            rows.append({"id": company_id, "name": name, "region_id": region.id, "city": city,
                         "description": description, "verification": verification, "active": True,
                         "source": SOURCE, "created_at": stamp, "updated_at": stamp,
                         "search_text": stemmed_text(f"{name} {description} " + " ".join(n.name_ru for n in chosen))})
            codes = list(dict.fromkeys(c for node in chosen for c in node_okved[node.id] if c in known_okved))
            for index, code in enumerate(codes):
                links.append({"company_id": company_id, "okved_code": code, "is_main": index == 0})
            for node, offer_text, equipment, certifications in made_offers:
                offers.append({"company_id": company_id, "capability_id": node.id, "text": offer_text,
                               "equipment": equipment, "capacity": "", "certifications": certifications,
                               "created_at": stamp, "updated_at": stamp})
            # What retrieval.supplier_profiles would read back: offers in id order, main OKVED first.
            suppliers[company_id] = SupplierProfile(
                id=company_id, name=name, region_code=region.iso_code or region.inn_code,
                region_name_ru=region.name_ru, region_name_en=region.name_en, verified=verification == "verified",
                active=True, okved=tuple(codes[:1] + sorted(codes[1:])),
                offers=tuple(Offer(node_codes=(node.code,), text=" ".join(filter(None, texts)))
                             for node, *texts in made_offers),
                description=description)
            if rng.random() < needs_share:
                need_id = start_need + made["needs"] + len(needs)
                wanted = rng.choice(leaves)
                title, need_text, volume = _need_text(rng, vocab, wanted, english or rng.random() < 0.03)
                needs.append({"id": need_id, "company_id": company_id, "title": title, "text": need_text,
                              "volume": volume, "status": "open", "source": SOURCE, "created_at": stamp,
                              "updated_at": stamp, "search_text": stemmed_text(f"{title} {need_text}")})
                need_links.append({"need_id": need_id, "capability_id": wanted.id})
                wanted_by[need_id] = NeedProfile(
                    id=need_id, company_id=company_id, title=title, text=" ".join(filter(None, (need_text, volume))),
                    node_codes=(wanted.code,), okved=(), region_code=region.iso_code or region.inn_code,
                    region_name_ru=region.name_ru, region_name_en=region.name_en)
        if writer is not None:
            writer.write(rows, links, offers, needs, need_links, suppliers, wanted_by)
        else:
            for model, values in ((Company, rows), (CompanyOkved, links), (CapabilityOffer, offers), (Need, needs)):
                if values:
                    session.execute(insert(model), values)
            if need_links:
                session.execute(insert(need_capability), need_links)
            # Bulk rows bypass the ORM's hooks: index them here, batch by batch.
            retrieval.index_companies(session, analyzer, [row["id"] for row in rows])
            retrieval.index_needs(session, analyzer, [row["id"] for row in needs])
        made["companies"] += len(rows)
        made["offers"] += len(offers)
        made["needs"] += len(needs)
        if progress is not None:
            progress(made["companies"])
    if writer is not None:
        writer.finish()
    if session.get_bind().dialect.name == "postgresql":
        # Rows came with their ids (COPY or bulk inserts alike): move the sequences past them, or the next
        # company or need made in the app collides with a demo one.
        for table in (Company.__table__.name, Need.__table__.name):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT max(id) FROM {table}))"))
    return made


class _CopyWriter:
    """PostgreSQL: rows, documents and postings by COPY, stats by upsert, on the session's connection.

    The next batch is generated and analysed while a helper thread copies this one: the database and
    Python each keep one core busy. The session is not used by the generating thread meanwhile.
    """

    COLUMNS = {
        "companies": ("id", "name", "region_id", "city", "description", "verification", "active", "source",
                      "created_at", "updated_at", "search_text"),
        "company_okved": ("company_id", "okved_code", "is_main"),
        "capability_offers": ("company_id", "capability_id", "text", "equipment", "capacity", "certifications",
                              "created_at", "updated_at"),
        "needs": ("id", "company_id", "title", "text", "volume", "status", "source", "created_at", "updated_at",
                  "search_text"),
        "need_capability": ("need_id", "capability_id"),
    }
    INCREMENT = ("INSERT INTO retrieval_stats (side, key, df, total_length) VALUES (%s, %s, %s, %s) "
                 "ON CONFLICT (side, key) DO UPDATE SET df = retrieval_stats.df + excluded.df, "
                 "total_length = retrieval_stats.total_length + excluded.total_length")

    def __init__(self, session, analyzer):
        from concurrent.futures import ThreadPoolExecutor

        self.session, self.analyzer = session, analyzer
        self.tables = {"companies": Company.__table__.name, "company_okved": CompanyOkved.__table__.name,
                       "capability_offers": CapabilityOffer.__table__.name, "needs": Need.__table__.name,
                       "need_capability": need_capability.name}
        store = retrieval.DatabaseStore(session)
        self.corpus = {side: [stats.documents, stats.total_length]
                       for side, stats in ((side, store.stats(side, [])) for side in (SUPPLIERS, NEEDS))}
        self.connection = session.connection().connection.driver_connection
        self.pool, self.pending = ThreadPoolExecutor(1, thread_name_prefix="demo-copy"), None

    def write(self, rows, links, offers, needs, need_links, suppliers, wanted_by) -> None:
        copies = []
        for name, values in (("companies", rows), ("company_okved", links), ("capability_offers", offers),
                             ("needs", needs), ("need_capability", need_links)):
            columns = self.COLUMNS[name]
            copies.append((self.tables[name], columns,
                           "".join("\t".join(_tsv(value[c]) for c in columns) + "\n" for value in values)))
        analyzer = self.analyzer
        increments = []
        for side, analysed in ((SUPPLIERS, {i: analyzer.supplier(p) for i, p in suppliers.items()}),
                               (NEEDS, {i: analyzer.need(p) for i, p in wanted_by.items()})):
            increments.extend(self._index(side, analysed, copies))
        self._wait()
        self.pending = self.pool.submit(self._send, copies, increments)

    def _index(self, side: str, analysed: dict, copies: list) -> list[tuple]:
        """retrieval._write for new ids, chunk by chunk as index_companies/index_needs would call it."""
        analyzer, corpus = self.analyzer, self.corpus[side]
        ids = sorted(analysed)
        documents, postings, delta_df, increments = [], [], Counter(), []
        for first in range(0, len(ids), retrieval.BATCH):
            delta_docs, delta_length = 0, 0.0
            for entity_id in ids[first:first + retrieval.BATCH]:
                document = analysed[entity_id]
                delta_docs += 1
                delta_length += document.length
                average = (corpus[1] + delta_length) / max(corpus[0] + delta_docs, 1)
                stored = analyzer.stored(document, average)
                documents.append(f"{side}\t{entity_id}\t{_tsv(json.dumps(stored.to_dict()))}\n")
                # Keys are stems, node codes and OKVED prefixes: no tab, newline or backslash to escape.
                postings.extend(f"{side}\t{entity_id}\t{key}\t{weight!r}\n"
                                for key, weight in analyzer.postings(stored, side).items())
                delta_df.update(term_key(stem) for stem in stored.weights)
            # The corpus row gets one increment per chunk, so its float total adds up in the same order.
            increments.append((side, retrieval.CORPUS, delta_docs, delta_length))
            corpus[0] += delta_docs
            corpus[1] = corpus[1] + delta_length
        copies.append(("retrieval_documents", ("side", "entity_id", "document"), "".join(documents)))
        copies.append(("retrieval_postings", ("side", "entity_id", "key", "weight"), "".join(postings)))
        # The same increments as retrieval._write, df summed over the batch.
        increments.extend((side, key, count, 0.0) for key, count in sorted(delta_df.items()) if count)
        return increments

    def _send(self, copies, increments) -> None:
        with self.connection.cursor() as cursor:
            for table, columns, payload in copies:
                if payload:
                    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        copy.write(payload.encode())
            corpus = [row for row in increments if row[1] == retrieval.CORPUS]
            for row in corpus:  # one statement each: the same key twice in one statement would fail
                cursor.execute(self.INCREMENT, row)
            cursor.executemany(self.INCREMENT, [row for row in increments if row[1] != retrieval.CORPUS])

    def _wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()

    def finish(self) -> None:
        self._wait()
        self.pool.shutdown()


def _tsv(value) -> str:
    """One field in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if isinstance(value, float):
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def term_shares(session=None, side: str = SUPPLIERS, top: int = 5) -> tuple[int, list[tuple[str, float]]]:
    """The document count of a side and its most common terms with the share of documents holding each."""
    session = session or db.session
    documents = session.scalar(select(RetrievalStat.df).where(RetrievalStat.side == side,
                                                              RetrievalStat.key == retrieval.CORPUS)) or 0
    rows = session.execute(select(RetrievalStat.key, RetrievalStat.df)
                           .where(RetrievalStat.side == side, RetrievalStat.key.like("t:%"))
                           .order_by(RetrievalStat.df.desc()).limit(top)).all()
    return documents, [(key[2:], count / documents if documents else 0.0) for key, count in rows]
