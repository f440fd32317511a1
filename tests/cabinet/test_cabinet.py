"""The cabinet: a representative's firm at a glance, an official's queue, and their bounded queries."""

from datetime import timedelta

from registry.models import CapabilityOffer, Company, CompanyOkved, Contact, Introduction
from registry.models.base import utcnow
from registry.policy import SYSTEM
from registry.services import companies as company_service
from tests.factories import capability, make_company, make_need, make_project, make_user, region, valid_inn
from tests.projects.query_counter import page_queries


def indexed_supplier(name, region_iso, statement):
    """A supplier written through the service, so that retrieval indexes it."""
    return company_service.create_company({"inn": valid_inn(region(region_iso).inn_code), "name": name,
                                           "region": region_iso, "okved": ["25.62"], "capabilities": [statement]},
                                          actor=SYSTEM)


def complete_profile(company: Company) -> None:
    company.description = "Механическая обработка деталей на станках с ЧПУ: фрезерование, точение. " * 3
    company.verification = "verified"
    company.okveds.append(CompanyOkved(okved_code="25.62", is_main=True))
    company.contacts.append(Contact(name="Иван Петров", email="ivan@example.org"))
    company.offers.append(CapabilityOffer(capability=None, text="фрезерная обработка"))


def test_a_bare_profile_lists_what_would_improve_its_matches_with_links(client, db, login):
    firm = make_company(name="ООО «Пустое»", city=None)
    login(make_user("company", company=firm))
    page = client.get("/cabinet/").get_data(as_text=True)
    assert "Что улучшит подбор партнёров" in page
    for hint, link in [("Нет предложений", f"/catalog/{firm.id}/offers/new"),
                       ("Нет кодов ОКВЭД2", f"/catalog/{firm.id}/edit#okved"),
                       ("Короткое описание", f"/catalog/{firm.id}/edit#description"),
                       ("Не указан город", f"/catalog/{firm.id}/edit#city"),
                       ("Нет контактов", f"/catalog/{firm.id}/contacts"),
                       ("Предприятие ещё не проверено", f"/catalog/{firm.id}")]:
        assert hint in page and f'href="{link}"' in page, hint


def test_a_complete_profile_has_no_hints_but_an_offer_without_capability_has_one(client, db, login):
    firm = make_company(name="ООО «Полное»")
    complete_profile(firm)
    login(make_user("company", company=firm))
    page = client.get("/cabinet/").get_data(as_text=True)
    assert "В предложениях не выбраны компетенции" in page
    firm.offers[0].capability = capability("metalworking.milling")
    db.session.commit()
    page = client.get("/cabinet/").get_data(as_text=True)
    assert "Профиль заполнен." in page and "Что улучшит подбор партнёров" not in page


def test_the_firm_sees_its_offers_needs_matches_opportunities_introductions_and_projects(client, db, login):
    firm = indexed_supplier("ООО «Фрезер»", "RU-ULY", "фрезерная обработка на станках с ЧПУ")
    lathe = indexed_supplier("ООО «Токарь»", "RU-MO", "токарная обработка валов на станках с ЧПУ")
    buyer = make_company(region_iso="RU-MO", name="АО «Покупатель»")
    wanted = make_need(buyer, title="Фрезерная обработка корпусов")
    own_need = make_need(firm, title="Токарная обработка валов")
    make_need(firm, title="Закрытая потребность", status="closed")
    rep = make_user("company", company=firm)
    buyer_rep = make_user("company", company=buyer)
    db.session.add_all([Introduction(need=wanted, supplier=firm, requested_by=buyer_rep),
                        Introduction(need=own_need, supplier=lathe, requested_by=rep, status="accepted")])
    make_project((firm, "supplier"), (buyer, "customer"), title="Корпуса для Саранска", stage="agreement")
    make_project((buyer, "customer"), (lathe, "supplier"), title="Чужой проект")
    login(rep)
    page = client.get("/cabinet/").get_data(as_text=True)
    assert "Моё предприятие" in page and "ООО «Фрезер»" in page
    assert "Токарная обработка валов" in page and "Закрытая потребность" in page  # needs, with their status
    matches = page[page.index('id="matches"'):page.index('id="opportunities"')]
    assert "ООО «Токарь»" in matches
    opportunities = page[page.index('id="opportunities"'):page.index('id="introductions"')]
    assert "Фрезерная обработка корпусов" in opportunities
    received, sent = page[page.index('id="introductions"'):page.index("Интерес, выраженный вами")], \
        page[page.index("Интерес, выраженный вами"):page.index('id="projects"')]
    assert "Фрезерная обработка корпусов" in received and "ожидает ответа" in received
    assert "Токарная обработка валов" in sent and "принято" in sent
    assert "/introductions/" in received
    projects = page[page.index('id="projects"'):]
    assert "Корпуса для Саранска" in projects and "Соглашение" in projects and "Чужой проект" not in projects


def test_a_representative_awaiting_approval_is_told_honestly_and_sees_nothing_of_the_firm(client, db, login):
    firm = make_company(name="ООО «Новое»", region_iso="RU-MO")
    make_need(firm, title="Секретная потребность", status="closed")
    login(make_user("company", company=firm, company_approved=False))
    page = client.get("/cabinet/").get_data(as_text=True)
    assert "Сотрудник региона Республика Мордовия должен подтвердить, что вы представляете ООО «Новое»" in page
    assert "Секретная потребность" not in page


def test_a_company_user_lands_in_the_cabinet_and_the_menu_names_it(client, db, login):
    rep = make_user("company")
    db.session.commit()
    response = client.post("/auth/login", data={"email": rep.email, "password": "correct horse battery"})
    assert response.headers["Location"].endswith("/cabinet/")
    assert "Моё предприятие" in client.get("/").get_data(as_text=True)
    official = make_user("official")
    db.session.commit()
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"email": official.email, "password": "correct horse battery"})
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Моё предприятие" not in home and "Мой кабинет" in home


def test_the_cabinet_asks_anonymous_visitors_to_log_in(client, db):
    assert "/auth/login" in client.get("/cabinet/").headers["Location"]


def test_an_officials_cabinet_shows_their_regions_queue(client, db, login):
    official = make_user("official", region=region("RU-ULY"))
    pending_firm = make_company(name="ООО «На проверке»", verification="pending")
    make_company(name="ООО «Чужая проверка»", verification="pending", region_iso="RU-MO")
    waiting = make_user("company", company=make_company(name="ООО «Ждущее»"), company_approved=False,
                        email="waiting@example.org")
    make_user("company", company=make_company(region_iso="RU-MO"), company_approved=False, email="far@example.org")
    need = make_need(make_company(region_iso="RU-MO"), title="Штамповка кронштейнов")
    introduction = Introduction(need=need, supplier=make_company(name="ООО «Штамп»"))
    answered = Introduction(need=make_need(make_company(), title="Уже отвеченное"), supplier=make_company(),
                            status="declined")
    db.session.add_all([introduction, answered])
    stale = make_project(title="Забытый проект", responsible=official)
    stale.updated_at = utcnow() - timedelta(days=90)
    make_project(title="Чужой забытый проект", responsible=make_user("official")).updated_at = utcnow() - timedelta(days=90)
    make_project(title="Свежий проект", responsible=official)
    login(official)
    page = client.get("/cabinet/").get_data(as_text=True)
    assert "Мой кабинет" in page and "Ульяновская область" in page
    assert f'href="/catalog/{pending_firm.id}#verify-heading"' in page and "ООО «Чужая проверка»" not in page
    assert waiting.email in page and 'href="/auth/representatives"' in page and "far@example.org" not in page
    db.session.refresh(introduction)
    assert f'href="/introductions/{introduction.id}"' in page and "Уже отвеченное" not in page
    assert "Забытый проект" in page and "Чужой забытый проект" not in page and "Свежий проект" not in page
    assert f'href="/projects/{stale.id}"' in page


def test_the_firms_cabinet_runs_a_bounded_number_of_queries(client, db, login):
    firm = indexed_supplier("ООО «Фрезер»", "RU-ULY", "фрезерная обработка на станках с ЧПУ")
    indexed_supplier("ООО «Токарь»", "RU-MO", "токарная обработка валов на станках с ЧПУ")
    rep = login(make_user("company", company=firm))
    counts = []
    for needs in (12, 30):
        while len(firm.needs) < needs:
            need = make_need(firm, title="Токарная обработка валов")
            partner = make_company(region_iso="RU-MO")
            db.session.add(Introduction(need=need, supplier=partner, requested_by=rep))
            make_project((firm, "customer"), (partner, "supplier"))
            firm.offers.append(CapabilityOffer(text=f"предложение {len(firm.needs)}"))
            db.session.flush()
        db.session.commit()
        counts.append(page_queries(client, db.engine, "/cabinet/"))
    assert counts[0] == counts[1], counts


def test_the_officials_cabinet_runs_the_same_number_of_queries_for_few_and_many_rows(client, db, login):
    official = login(make_user("official", region=region("RU-ULY")))
    counts = []
    for rows in (2, 20):
        for _ in range(rows - (2 if rows == 20 else 0)):
            firm = make_company(verification="pending")
            make_user("company", company=firm, company_approved=False)
            db.session.add(Introduction(need=make_need(firm), supplier=make_company()))
            make_project((firm, "customer"), responsible=official).updated_at = utcnow() - timedelta(days=60)
        db.session.commit()
        counts.append(page_queries(client, db.engine, "/cabinet/"))
    assert counts[0] == counts[1], counts


def test_each_cabinet_says_how_its_user_hears_of_news_and_links_to_change_it(client, db, login):
    rep = login(make_user("company"))
    page = client.get("/cabinet/").get_data(as_text=True)
    assert "Письма о новых потребностях, подходящих вашему предприятию: сразу, письмом на каждую." in page
    assert 'href="/auth/notifications"' in page
    rep.need_alerts = "off"
    db.session.commit()
    assert "подходящих вашему предприятию: выключены." in client.get("/cabinet/").get_data(as_text=True)
    login(make_user("official"))
    page = client.get("/cabinet/").get_data(as_text=True)
    assert "Письма о новых предприятиях и потребностях вашего региона: раз в день, сводкой." in page


def test_the_firm_sees_its_events_with_requests_to_answer_and_events_open_for_registration(client, db, login):
    from datetime import date, timedelta

    from registry.models import EventMeeting
    from registry.models.base import utcnow
    from tests.events.test_meetings import matchmaking_event

    firm, other = make_company(name="ООО «Фрезер»"), make_company(name="АО «Орбита»", region_iso="RU-MO")
    login(make_user("company", company=firm))
    counts, made = [], 0
    for events in (1, 4):
        while made < events:
            made += 1
            event = matchmaking_event([firm, other], title=f"Биржа контактов {made}")
            for participant in event.participants:
                participant.registered_at = utcnow()
            db.session.add(EventMeeting(event=event, requester=other, invitee=firm))
            open_event = matchmaking_event([], title=f"Открытая ярмарка {made}", registration_open=True)
            open_event.registration_closes_on = date.today() + timedelta(days=3)
        db.session.commit()
        counts.append(page_queries(client, db.engine, "/cabinet/"))
    page = client.get("/cabinet/").get_data(as_text=True)
    assert "Биржа контактов 4" in page and "Открытая ярмарка 4" in page
    assert "1 запрос на встречу ждёт вашего ответа" in page
    assert counts[0] == counts[1], counts
