"""Firms that match a milling need well and poorly, their representatives, and the mails they got."""

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import OutboxMessage
from registry.policy import SYSTEM
from registry.services import companies
from tests.factories import make_user, valid_inn

MILLING_NEED = {
    "title": "Фрезерная обработка корпусов на станках с ЧПУ",
    "text": "Нужна фрезеровка корпусов из алюминиевого сплава Д16Т на 5-осевом фрезерном станке с ЧПУ, "
            "партия 200 шт, допуски по 7 квалитету.",
}


REGION_CODES = {"RU-ULY": "73", "RU-MO": "13", "RU-SAM": "63"}


def make_firm(name: str, region: str, capabilities: list[str], okved: str):
    return companies.create_company({"inn": valid_inn(REGION_CODES[region]), "name": name, "region": region,
                                     "capabilities": capabilities, "okved": okved}, actor=SYSTEM)


@pytest.fixture
def firms(db, run_jobs):
    """A customer, a milling shop that serves it well, and a sewing shop that does not."""
    customer = make_firm("АО «Ульяновский приборный завод»", "RU-ULY",
                         ["Фрезерная обработка на станках с ЧПУ", "Сборка приборов"], "26.51")
    good = make_firm("ООО «Саранский фрезерный центр»", "RU-MO",
                     ["Фрезерная обработка на 5-осевых обрабатывающих центрах с ЧПУ, алюминий и сталь",
                      "Токарная обработка с ЧПУ"], "25.62")
    poor = make_firm("ООО «Швейная фабрика Волга»", "RU-SAM", ["Пошив спецодежды и рабочих костюмов"], "14.12")
    people = {
        "customer": make_user("company", company=customer),
        "good": make_user("company", company=good),
        "poor": make_user("company", company=poor),
    }
    db.session.commit()
    run_jobs()  # the region's news of these firms: no one to tell yet
    return {"customer": customer, "good": good, "poor": poor}, people


def mails_to(user) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email)
                                   .order_by(OutboxMessage.id)))
