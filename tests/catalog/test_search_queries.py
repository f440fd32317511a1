"""Full-text search and filters of the catalogue, at the query level (shared by pages, API and export)."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from registry import create_app
from registry.catalog.queries import CatalogFilters, company_query, need_query, root_of, search_terms
from registry.extensions import db as _db
from registry.models import CapabilityOffer, CompanyOkved, Region
from registry.services import search
from tests.conftest import make_config
from tests.factories import capability, make_company, make_need


def company_with(db, *, offer_text="", description="", **values):
    company = make_company(description=description, **values)
    if offer_text:
        company.offers.append(CapabilityOffer(text=offer_text))
    db.session.flush()
    search.refresh_company(company)
    db.session.commit()
    return company


def found(db, **filters) -> list[str]:
    return [c.name for c in db.session.scalars(company_query(CatalogFilters(**filters)).limit(50))]


def test_word_forms_of_one_root_find_each_other(db):
    company_with(db, name="Штампы и формы", offer_text="Изготавливаем штампы для холодной штамповки")
    company_with(db, name="Завод штампов", description="Ремонт штампов")
    company_with(db, name="Штамповочное производство", description="Штамповочное оборудование")
    company_with(db, name="Токарный цех", description="Токарная обработка валов")

    expected = {"Штампы и формы", "Завод штампов", "Штамповочное производство"}
    for query in ("штамповка", "штампы", "штампов", "штамповочное", "ШТАМПОВКА"):
        assert set(found(db, q=query)) == expected, query


def test_yo_and_ye_are_one_letter(db):
    company_with(db, name="Ёмкостное оборудование", description="Ёмкости и резервуары")
    assert found(db, q="емкость") == ["Ёмкостное оборудование"]
    assert found(db, q="ёмкости") == ["Ёмкостное оборудование"]


def test_the_company_with_every_query_word_ranks_first_and_unknown_words_find_nothing(db):
    company_with(db, name="Сварка и резка", description="Сварка металлоконструкций, лазерная резка")
    company_with(db, name="Только сварка", description="Сварочные работы")
    assert set(found(db, q="сварка")) == {"Сварка и резка", "Только сварка"}
    assert found(db, q="сварка лазерная") == ["Сварка и резка", "Только сварка"]
    assert found(db, q="криогеника") == []


def test_relevance_puts_the_exact_word_form_first(db):
    company_with(db, name="Б: много штампов", description="штамповочный цех, штамповочные прессы")
    company_with(db, name="А: штамповка", description="штамповка штамповка листовая штамповка")
    assert found(db, q="штамповка")[0] == "А: штамповка"


def test_punctuation_and_query_syntax_are_plain_words(db):
    company_with(db, name="Литейный завод", description="Литьё под давлением")
    for query in ('"литьё', "литье*", "литье OR", "(литье)", "литье)", "литье & | !", "-литье", "лит:*"):
        assert found(db, q=query) == ["Литейный завод"], query
    assert found(db, q="!!! ***") == found(db)  # no words: no search


def test_roots_come_from_derivational_suffixes_and_stay_long_enough():
    assert root_of("штамповк") == "штамп"
    assert root_of("штамповочн") == "штамп"
    assert root_of("сварочн") == "свар"
    assert root_of("лит") is None  # too short to widen
    assert root_of("12х18н10т") is None  # grades match exactly
    assert [term.stem for term in search_terms("Штамповка и ШТАМПЫ")] == ["штамповк", "штамп"]


def test_filters_by_region_district_capability_subtree_okved_and_verification(db):
    ulyanovsk = company_with(db, name="Ульяновский", region_iso="RU-ULY", verification="verified")
    saransk = company_with(db, name="Саранский", region_iso="RU-MO")
    moscow = company_with(db, name="Московский", region_iso="RU-MOW")
    ulyanovsk.offers.append(CapabilityOffer(capability=capability("metalworking.sheet.stamping"), text="штампы"))
    saransk.offers.append(CapabilityOffer(capability=capability("metalworking.welding"), text="сварка"))
    ulyanovsk.okveds.append(CompanyOkved(okved_code="25.62", is_main=True))
    moscow.okveds.append(CompanyOkved(okved_code="28.41", is_main=True))
    db.session.commit()

    assert found(db, region="RU-MO") == ["Саранский"]
    assert set(found(db, district="Приволжский федеральный округ")) == {"Ульяновский", "Саранский"}
    assert found(db, capability="metalworking.sheet") == ["Ульяновский"]  # the subtree counts
    assert set(found(db, capability="metalworking")) == {"Ульяновский", "Саранский"}
    assert found(db, okved="25") == ["Ульяновский"]  # a class finds its subgroups
    assert found(db, okved="25.6") == ["Ульяновский"]
    assert found(db, okved="25.61") == []
    assert found(db, okved="C") == ["Московский", "Ульяновский"]  # a section finds its codes
    assert found(db, verified_only=True) == ["Ульяновский"]
    assert found(db, region="RU-MO", capability="metalworking.sheet") == []


def test_inactive_companies_are_not_listed(db):
    company_with(db, name="Закрытое", active=False)
    company_with(db, name="Работающее")
    assert found(db) == ["Работающее"]


def test_sorting(db):
    first = company_with(db, name="Бета", region_iso="RU-ULY")
    company_with(db, name="Альфа", region_iso="RU-MO")
    assert found(db, sort="name") == ["Альфа", "Бета"]
    assert found(db, sort="region") == ["Альфа", "Бета"]  # Мордовия before Ульяновская
    first.city = "Димитровград"
    db.session.commit()
    assert found(db, sort="updated")[0] == "Бета"


def test_open_needs_search_and_filters(db):
    buyer = make_company(name="Покупатель", region_iso="RU-MO")
    wanted = make_need(buyer, title="Нужны штампы для вырубки", status="open")
    wanted.capabilities.append(capability("tooling.dies"))
    closed = make_need(buyer, title="Штамповка кронштейнов", status="closed")
    for need in (wanted, closed):
        search.refresh_need(need)
    db.session.commit()
    titles = [n.title for n in db.session.scalars(need_query(CatalogFilters(q="штамповка")))]
    assert titles == ["Нужны штампы для вырубки"]
    assert [n.title for n in db.session.scalars(need_query(CatalogFilters(region="RU-ULY")))] == []
    assert len(db.session.scalars(need_query(CatalogFilters(capability="tooling"))).all()) == 1


def test_search_index_follows_edits_and_deletes(db):
    company = company_with(db, name="Фрезерный цех", description="фрезерная обработка")
    assert found(db, q="фрезеровка") == ["Фрезерный цех"]
    company.description = "покраска"
    search.refresh_company(company)
    db.session.commit()
    assert found(db, q="фрезеровка") == ["Фрезерный цех"]  # still in the name
    assert found(db, q="обработка") == []
    db.session.delete(company)
    db.session.commit()
    assert found(db, q="фрезеровка") == []


def test_the_migration_builds_and_removes_the_fulltext_index(fresh_database_url):
    app = create_app(make_config(fresh_database_url()))
    with app.app_context():
        upgrade()
        with _db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                assert {"companies_fts", "needs_fts"} <= set(inspect(connection).get_table_names())
            else:
                columns = {c["name"] for c in inspect(connection).get_columns("companies")}
                assert "search_vector" in columns
                plan = connection.execute(text(
                    "EXPLAIN SELECT id FROM companies WHERE search_vector @@ to_tsquery('simple', 'штамп:*')"
                )).scalar()
                assert plan  # the query is valid against the generated column
        downgrade(revision="56cdf786473a")
        with _db.engine.connect() as connection:
            assert "companies_fts" not in inspect(connection).get_table_names()
            assert "search_vector" not in {c["name"] for c in inspect(connection).get_columns("companies")}
        _db.engine.dispose()


def test_regions_without_an_iso_code_are_filtered_by_their_two_digit_code(db):
    company_with(db, name="Крымское", region=db.session.scalar(select(Region).where(Region.inn_code == "91")))
    company_with(db, name="Ульяновское")
    assert found(db, region="91") == ["Крымское"]


def test_a_company_is_found_by_its_inn(db):
    from registry.catalog.queries import CatalogFilters, company_query
    from registry.services import search
    from tests.factories import make_company

    company = make_company(name="ООО «Поиск по ИНН»")
    search.refresh_company(company)
    db.session.commit()
    assert db.session.scalars(company_query(CatalogFilters(q=company.inn))).all() == [company]
