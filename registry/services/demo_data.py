"""Synthetic but plausible companies for load and speed work (`flask --app registry demo-data`).

Every generated record says what it is: names end in «(демо)» and `source` starts with "demo:".
Rows go in with bulk inserts (tens of thousands a second), bypassing the per-record services on purpose:
this is test data, not data anyone vouches for.
"""

import random
from datetime import timedelta

from sqlalchemy import func, insert, select

from registry.extensions import db
from registry.matching.text import stemmed_text
from registry.models import Capability, CapabilityOffer, Company, CompanyOkved, Need, OkvedCode, Region
from registry.models.base import utcnow
from registry.models.need import need_capability
from registry.services import matching, retrieval

NAME_STEMS = ("Волга", "Сура", "Мокша", "Инза", "Свияга", "Алатырь", "Барыш", "Урал", "Заря", "Прогресс",
              "Техно", "Пром", "Маш", "Металл", "Лит", "Инструмент", "Агрегат", "Спектр", "Вектор", "Гранит")
NAME_ENDINGS = ("маш", "пром", "мет", "тех", "лит", "сервис", "комплект", "деталь", "снаб", "завод")
DETAILS = ("по чертежам заказчика", "серийно и мелкими партиями", "с контролем ОТК", "по ГОСТ",
           "для машиностроения", "для железнодорожной отрасли", "для нефтехимии", "из стали 09Г2С",
           "из нержавеющей стали 12Х18Н10Т", "из алюминиевых сплавов", "с термообработкой", "с покраской")
# Where industry is: the regions a real registry would see most, weighted.
REGION_WEIGHTS = {"RU-ULY": 6, "RU-MO": 5, "RU-SAM": 4, "RU-TA": 4, "RU-NIZ": 4, "RU-PNZ": 3, "RU-CU": 3,
                  "RU-MOW": 3, "RU-SVE": 3, "RU-BA": 2, "RU-PER": 2, "RU-CHE": 2}


def generate(companies: int, *, seed: int = 1, needs_share: float = 0.2, batch: int = 5000) -> dict[str, int]:
    rng = random.Random(seed)
    analyzer = matching.analyzer()
    nodes = db.session.scalars(select(Capability)).all()
    node_okved = {node.id: [code.code for code in node.okved_codes] for node in nodes}
    leaves = [node for node in nodes if not node.children] or nodes
    regions = db.session.scalars(select(Region).where(Region.iso_code.in_(REGION_WEIGHTS))).all()
    weights = [REGION_WEIGHTS[region.iso_code] for region in regions]
    known_okved = set(db.session.scalars(select(OkvedCode.code)))
    start = (db.session.scalar(select(func.max(Company.id))) or 0) + 1
    start_need = (db.session.scalar(select(func.max(Need.id))) or 0) + 1
    now = utcnow()
    made = {"companies": 0, "offers": 0, "needs": 0}
    year = 365 * 24 * 3600
    for first in range(0, companies, batch):
        rows, links, offers, needs, need_links = [], [], [], [], []
        for number in range(first, min(first + batch, companies)):
            company_id = start + number
            # Spread over the past year, as a registry's rows are: not all written in one instant.
            stamp = now - timedelta(seconds=rng.randrange(year))
            region = rng.choices(regions, weights)[0]
            chosen = rng.sample(leaves, rng.randint(1, 3))
            texts = [_phrase(rng, node) for node in chosen]
            name = f"ООО «{rng.choice(NAME_STEMS)}{rng.choice(NAME_ENDINGS)}-{company_id}» (демо)"
            description = "; ".join(texts)
            rows.append({"id": company_id, "name": name, "region_id": region.id, "city": "", "description": description,
                         "verification": rng.choice(("verified", "unverified", "unverified")), "active": True,
                         "source": "demo: synthetic data for load tests", "created_at": stamp, "updated_at": stamp,
                         "search_text": stemmed_text(f"{name} {description} " + " ".join(n.name_ru for n in chosen))})
            codes = [c for node in chosen for c in node_okved[node.id] if c in known_okved]
            for index, code in enumerate(dict.fromkeys(codes)):
                links.append({"company_id": company_id, "okved_code": code, "is_main": index == 0})
            for node, text in zip(chosen, texts, strict=True):
                offers.append({"company_id": company_id, "capability_id": node.id, "text": text, "equipment": "",
                               "capacity": "", "certifications": "", "created_at": stamp, "updated_at": stamp})
            if rng.random() < needs_share:
                need_id = start_need + made["needs"] + len(needs)
                wanted = rng.choice(leaves)
                title = f"Требуется: {_phrase(rng, wanted)}"
                needs.append({"id": need_id, "company_id": company_id, "title": title[:300],
                              "text": f"Ищем поставщика, {rng.choice(DETAILS)}. (демо)", "volume": "", "status": "open",
                              "source": "demo: synthetic data for load tests", "created_at": stamp, "updated_at": stamp,
                              "search_text": stemmed_text(title)})
                need_links.append({"need_id": need_id, "capability_id": wanted.id})
        for model, values in ((Company, rows), (CompanyOkved, links), (CapabilityOffer, offers), (Need, needs)):
            if values:
                db.session.execute(insert(model), values)
        if need_links:
            db.session.execute(insert(need_capability), need_links)
        # Bulk rows bypass the ORM's hooks: index them here, batch by batch.
        retrieval.index_companies(db.session, analyzer, [row["id"] for row in rows])
        retrieval.index_needs(db.session, analyzer, [row["id"] for row in needs])
        made["companies"] += len(rows)
        made["offers"] += len(offers)
        made["needs"] += len(needs)
    return made


def _phrase(rng: random.Random, node: Capability) -> str:
    words = [node.name_ru, *node.synonyms[:4]]
    return f"{rng.choice(words)} {rng.choice(DETAILS)}"
