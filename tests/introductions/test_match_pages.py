"""Ranked, explained suppliers on a need's page, and opportunities on a company's page."""

from sqlalchemy import select

from registry.models import Company, Introduction
from registry.policy import SYSTEM
from registry.services import companies as company_service
from tests.factories import make_company, make_need, make_user, region, valid_inn


def supplier(name, region_iso, statements, okved=("25.62",)):
    return company_service.create_company({"inn": valid_inn(region(region_iso).inn_code), "name": name,
                                           "region": region_iso, "okved": list(okved), "capabilities": statements},
                                          actor=SYSTEM)


def test_need_page_ranks_suppliers_and_explains_them_in_russian(client, db):
    customer = make_company(region_iso="RU-MO", name="АО «Заказчик»")
    supplier("ООО «Фрезер»", "RU-ULY", ["фрезерная обработка на станках с ЧПУ"])
    supplier("ООО «Пекарня»", "RU-ULY", ["выпечка хлеба"], okved=("10.71",))
    need = make_need(customer, title="Фрезерная обработка корпусов", text="фрезеровка на ЧПУ, Д16Т")
    db.session.commit()
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Возможные поставщики" in page
    assert "ООО «Фрезер»" in page and "ООО «Пекарня»" not in page
    assert "Другой регион: Ульяновская область → Республика Мордовия" in page
    assert "Выразить интерес" not in page  # visitors see matches but cannot act on them


def test_match_filters_on_the_need_page(client, db):
    customer = make_company(region_iso="RU-MO")
    supplier("ООО «Местный»", "RU-MO", ["фрезерная обработка на станках с ЧПУ"])
    supplier("ООО «Дальний»", "RU-ULY", ["фрезерная обработка на станках с ЧПУ"])
    need = make_need(customer, title="Фрезерная обработка")
    db.session.commit()
    page = client.get(f"/needs/{need.id}?other_regions_only=y").get_data(as_text=True)
    assert "ООО «Дальний»" in page and "ООО «Местный»" not in page


def test_customer_expresses_interest_from_the_need_page(client, db, login):
    customer = make_company(region_iso="RU-MO")
    milling = supplier("ООО «Фрезер»", "RU-ULY", ["фрезерная обработка на станках с ЧПУ"])
    need = make_need(customer, title="Фрезерная обработка корпусов")
    login(make_user("company", company=customer))
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Выразить интерес" in page
    response = client.post("/introductions/", data={"need_id": need.id, "supplier_id": milling.id,
                                                    "next": f"/needs/{need.id}"}, follow_redirects=True)
    assert "Интерес выражен" in response.get_data(as_text=True)
    assert db.session.scalar(select(Introduction)).supplier_id == milling.id


def test_company_page_lists_its_opportunities(client, db):
    milling = supplier("ООО «Фрезер»", "RU-ULY", ["фрезерная обработка на станках с ЧПУ"])
    buyer = make_company(region_iso="RU-MO")
    make_need(buyer, title="Фрезерная обработка валов")
    make_need(buyer, title="Поставка хлеба")
    db.session.commit()
    page = client.get(f"/catalog/{milling.id}").get_data(as_text=True)
    assert "Возможности" in page and "Фрезерная обработка валов" in page and "Поставка хлеба" not in page


def test_rm_rail_needs_show_explained_suppliers(client, founding):
    rm_rail = founding.session.scalar(select(Company).where(Company.name == "УК «РМ Рейл»"))
    for need in rm_rail.needs:
        page = client.get(f"/needs/{need.id}").get_data(as_text=True)
        assert 'class="list-group-item d-flex flex-column flex-md-row gap-3 supplier-match"' in page, need.title
