"""The public catalogue list: search, filters, pagination, escaping and a fixed number of queries."""

import re

import pytest
from sqlalchemy import event

from registry.models import CapabilityOffer, CompanyOkved
from registry.services import search
from tests.factories import capability, make_company


def add_company(db, name, *, text="", node=None, commit=True, **values):
    company = make_company(name=name, **values)
    if text:
        company.offers.append(CapabilityOffer(text=text, capability=capability(node) if node else None))
    company.okveds.append(CompanyOkved(okved_code="25.62", is_main=True))
    db.session.flush()
    search.refresh_company(company)
    if commit:
        db.session.commit()
    return company


def names_on(page_html: str) -> list[str]:
    return re.findall(r'<a href="/catalog/\d+">([^<]+)</a>', page_html)


def test_catalogue_is_russian_and_public(client, db):
    add_company(db, "ООО «Альфа»")
    page = client.get("/catalog/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Каталог предприятий" in html
    assert "Найдено 1 предприятие" in html
    assert "ООО «Альфа»" in html


def test_a_visitor_finds_stamps_by_another_word_form(client, db):
    add_company(db, "ООО «Штамп-Сервис»", text="Изготавливаем штампы и пресс-формы")
    add_company(db, "ООО «Токарь»", text="Токарные работы")
    html = client.get("/catalog/", query_string={"q": "штамповка"}).get_data(as_text=True)
    assert names_on(html) == ["ООО «Штамп-Сервис»"]


def test_yo_in_the_query_finds_ye_in_the_text(client, db):
    add_company(db, "ООО «Емкости»", text="емкости из нержавеющей стали")
    html = client.get("/catalog/", query_string={"q": "ёмкость"}).get_data(as_text=True)
    assert names_on(html) == ["ООО «Емкости»"]


@pytest.mark.parametrize("query, expected", [
    ({"region": "RU-MO"}, ["Мордовское"]),
    ({"district": "Центральный федеральный округ"}, ["Московское"]),
    ({"capability": "metalworking"}, ["Мордовское"]),
    ({"okved": "22"}, ["Московское"]),
    ({"verified": "y"}, ["Ульяновское"]),
])
def test_each_filter_narrows_the_list(client, db, query, expected):
    add_company(db, "Ульяновское", region_iso="RU-ULY", verification="verified")
    mordovia = add_company(db, "Мордовское", region_iso="RU-MO", text="штамповка", node="metalworking.sheet.stamping")
    moscow = make_company(name="Московское", region_iso="RU-MOW")
    moscow.okveds.append(CompanyOkved(okved_code="22.19", is_main=True))
    db.session.commit()
    assert mordovia.offers
    html = client.get("/catalog/", query_string=query).get_data(as_text=True)
    assert names_on(html) == expected


def test_unknown_okved_code_is_explained_in_russian(client, db):
    add_company(db, "ООО «Альфа»")
    page = client.get("/catalog/", query_string={"okved": "99.99.99"})
    assert page.status_code == 400
    assert "Неизвестный код ОКВЭД2" in page.get_data(as_text=True)


def test_pagination_keeps_the_filters(client, db, app):
    for number in range(app.config["PER_PAGE"] + 5):
        add_company(db, f"Предприятие {number:02d}", region_iso="RU-MO", commit=False)
    add_company(db, "Чужой регион", region_iso="RU-ULY")
    first = client.get("/catalog/", query_string={"region": "RU-MO", "sort": "name"}).get_data(as_text=True)
    assert len(names_on(first)) == app.config["PER_PAGE"]
    assert "region=RU-MO" in first and "page=2" in first
    second = client.get("/catalog/", query_string={"region": "RU-MO", "sort": "name", "page": 2}).get_data(as_text=True)
    assert names_on(second) == [f"Предприятие {n:02d}" for n in range(20, 25)]
    assert client.get("/catalog/", query_string={"page": 99}).status_code == 200


def test_a_company_name_with_markup_is_escaped(client, db):
    add_company(db, "<script>alert(1)</script> ООО")
    html = client.get("/catalog/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; ООО" in html


def count_queries(app, client, url, **params) -> int:
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    from registry.extensions import db as _db
    event.listen(_db.engine, "before_cursor_execute", remember)
    try:
        assert client.get(url, query_string=params).status_code == 200
    finally:
        event.remove(_db.engine, "before_cursor_execute", remember)
    return len(statements)


@pytest.mark.parametrize("params", [{}, {"q": "штамповка"}, {"capability": "metalworking", "okved": "25"}])
def test_the_list_runs_the_same_number_of_queries_for_5_and_50_companies(app, client, db, params):
    app.config["PER_PAGE"] = 100
    try:
        for number in range(5):
            add_company(db, f"Компания {number}", text="штампы", node="metalworking.sheet.stamping", commit=False)
        db.session.commit()
        few = count_queries(app, client, "/catalog/", **params)
        for number in range(5, 50):
            add_company(db, f"Компания {number}", text="штампы", node="metalworking.sheet.stamping", commit=False)
        db.session.commit()
        many = count_queries(app, client, "/catalog/", **params)
    finally:
        app.config["PER_PAGE"] = 20
    assert few == many


def test_the_catalogue_speaks_english_on_switch(client, db):
    add_company(db, "ООО «Альфа»", region_iso="RU-MO")
    client.post("/language/en", data={"next": "/catalog/"})
    html = client.get("/catalog/").get_data(as_text=True)
    assert "Company catalogue" in html and "1 company found" in html
    assert "Republic of Mordovia" in html and "Volga Federal District" in html


def test_a_page_past_the_last_shows_the_last_page_and_never_found_and_not_found_together(client, db, app,
                                                                                          monkeypatch):
    for number in range(3):
        make_company(name=f"ООО «Страница {number}»")
    db.session.commit()
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    page = client.get("/catalog/?page=999").get_data(as_text=True)
    assert "3 предприятия" in page
    assert "ни одного" not in page.lower() and "не найдено" not in page.lower()
    assert page.count('class="card mb-2"') == 1  # the last page holds the third firm
    for path in ("/needs/?page=999", "/events/?page=999", "/projects/?page=999"):
        assert client.get(path).status_code in (200, 302)
