"""The participant picker's source: GET /catalog/suggest?q= answers [{id, name, inn, region}]."""

from registry.catalog.queries import SUGGESTIONS
from registry.services import search
from tests.factories import make_company


def indexed(db, **values):
    company = make_company(**values)
    search.refresh_company(company)
    db.session.commit()
    return company


def test_part_of_a_name_finds_the_company_with_its_inn_and_region(client, db):
    orbita = indexed(db, name="АО «Орбита»", region_iso="RU-MO")
    indexed(db, name="ООО «Резинотехника»")

    answer = client.get("/catalog/suggest?q=орбит").get_json()

    assert answer[0] == {"id": orbita.id, "name": "АО «Орбита»", "inn": orbita.inn, "region": "Республика Мордовия"}
    assert [item["name"] for item in answer] == ["АО «Орбита»"]


def test_a_partial_word_finds_the_whole_name(client, db):
    indexed(db, name="ООО «Резинотехника»")
    assert [item["name"] for item in client.get("/catalog/suggest?q=Резинотех").get_json()] == ["ООО «Резинотехника»"]


def test_an_inn_prefix_finds_the_company(client, db):
    company = indexed(db, name="ООО «Приборный завод»")
    answer = client.get(f"/catalog/suggest?q={company.inn[:6]}").get_json()
    assert company.id in [item["id"] for item in answer]


def test_inactive_companies_and_short_queries_are_not_suggested(client, db):
    indexed(db, name="ООО «Закрытое предприятие»", active=False)
    assert client.get("/catalog/suggest?q=Закрытое").get_json() == []
    assert client.get("/catalog/suggest?q=З").get_json() == []
    assert client.get("/catalog/suggest").get_json() == []


def test_suggestions_are_limited(client, db):
    for number in range(SUGGESTIONS + 3):
        indexed(db, name=f"ООО «Литейщик {number}»")
    assert len(client.get("/catalog/suggest?q=литейщик").get_json()) == SUGGESTIONS


def test_forms_that_take_companies_carry_the_picker(client, db, login):
    from tests.factories import make_user

    login(make_user("official"))
    page = client.get("/projects/new").get_data(as_text=True)
    assert page.count('data-picker="lines"') == 3
    assert "picker.js" in page and "accessible-autocomplete.min.js" in page
    assert 'data-suggest-url="/catalog/suggest"' in page
