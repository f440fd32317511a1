"""The company page, and who may change a company through its edit forms."""

import pytest
from sqlalchemy import event, func, select

from registry.models import AuditEntry, CapabilityOffer, Company, CompanyOkved, Contact
from registry.policy import SYSTEM
from registry.services import companies
from tests.factories import capability, make_company, make_need, make_project, make_user, region


@pytest.fixture
def company(db):
    company = make_company(name="ООО «Штамп»", region_iso="RU-ULY", inn=None, ogrn=None, website="shtamp.example.ru",
                           employees=1250, source="illustrative: пример для реестра")
    company.okveds.append(CompanyOkved(okved_code="25.62", is_main=True))
    company.offers.append(CapabilityOffer(capability=capability("metalworking.sheet.stamping"), text="Штампы",
                                          equipment="Прессы КД2128", capacity="10 000 деталей в месяц",
                                          certifications="ISO 9001"))
    company.contacts.append(Contact(name="Иван Петров", position="директор", phone="+7 8422 000000"))
    db.session.commit()
    return company


def test_company_page_shows_profile_offers_needs_contacts_in_russian(client, db, company):
    make_need(company, title="Нужна оснастка", status="open")
    make_need(company, title="Закрытая потребность", status="closed")
    db.session.commit()
    html = client.get(f"/catalog/{company.id}").get_data(as_text=True)
    for text in ("ООО «Штамп»", "Ульяновская область", "Приволжский федеральный округ", "25.62",
                 "Обработка металлических изделий механическая", "Не проверено", "Иллюстративный пример",
                 "Листовая штамповка", "Прессы КД2128", "ISO 9001", "Нужна оснастка", "Иван Петров", "1\xa0250"):
        assert text in html, text
    assert "Закрытая потребность" not in html
    assert 'href="https://shtamp.example.ru"' in html


def test_unknown_company_is_404_in_russian(client, db):
    page = client.get("/catalog/999999")
    assert page.status_code == 404
    assert "Страница не найдена" in page.get_data(as_text=True)


def test_visitors_see_a_public_project_summary_and_staff_the_participants(client, db, login, company):
    partner = make_company(name="АО «Партнёр»", region_iso="RU-MO")
    make_project((company, "supplier"), (partner, "customer"), title="Поставка штампов",
                 direction=capability("tooling.dies"), value_rub=1_500_000)
    db.session.commit()
    public = client.get(f"/catalog/{company.id}").get_data(as_text=True)
    assert "Поставка штампов" in public and "Переговоры" in public
    assert "АО «Партнёр»" not in public and "1\xa0500\xa0000" not in public
    login(make_user("official", region=region("RU-ULY")))
    db.session.commit()
    staff = client.get(f"/catalog/{company.id}").get_data(as_text=True)
    assert "АО «Партнёр»" in staff and "1\xa0500\xa0000" in staff


def test_history_lists_changes_newest_first(client, db, login, company):
    admin = make_user("admin", email="admin@example.org")
    companies.update_company(company, {"city": "Димитровград"}, actor=admin)
    companies.set_verification(company, "verified", actor=admin)
    db.session.commit()
    html = client.get(f"/catalog/{company.id}").get_data(as_text=True)
    assert html.index("Изменён статус проверки") < html.index("Изменён профиль")
    assert "Город: Димитровград" in html
    assert "admin@example.org" not in html  # visitors do not see who
    login(admin)
    assert "admin@example.org" in client.get(f"/catalog/{company.id}").get_data(as_text=True)


def count_queries(app, client, url) -> int:
    from registry.extensions import db as _db
    statements = []

    def remember(*args):
        statements.append(args[2])

    event.listen(_db.engine, "before_cursor_execute", remember)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(_db.engine, "before_cursor_execute", remember)
    return len(statements)


def test_company_page_runs_a_fixed_number_of_queries(app, client, db, login, company):
    login(make_user("admin"))
    db.session.commit()

    def grow(count):
        for number in range(count):
            other = make_company(name=f"Партнёр {number}")
            make_project((company, "supplier"), (other, "customer"), direction=capability("tooling"))
            make_need(company, title=f"Потребность {number}")
            company.offers.append(CapabilityOffer(capability=capability("metalworking.welding"), text="сварка"))
            company.contacts.append(Contact(name=f"Контакт {number}"))
            companies.update_company(company, {"city": f"Город {number}"}, actor=SYSTEM)
        db.session.commit()

    grow(2)
    # The matching caches catch up with changed rows on the next request (a few queries per change, not
    # per row shown): warm them, then count what the page itself costs.
    client.get(f"/catalog/{company.id}")
    few = count_queries(app, client, f"/catalog/{company.id}")
    grow(20)
    client.get(f"/catalog/{company.id}")
    assert count_queries(app, client, f"/catalog/{company.id}") == few


# --- who may change a company -------------------------------------------------------------------

def snapshot(db, company_id):
    db.session.expire_all()
    company = db.session.get(Company, company_id)
    return (company.name, company.city, company.verification, [(o.text, o.equipment) for o in company.offers],
            [c.name for c in company.contacts], db.session.scalar(select(func.count(AuditEntry.id))))


def write_requests(company):
    offer = company.offers[0]
    base = f"/catalog/{company.id}"
    return {
        "profile": (f"{base}/edit", {"name": "ООО «Новое имя»", "region": "RU-ULY", "city": "Инза"}),
        "add offer": (f"{base}/offers/new", {"capability": "metalworking.welding", "text": "Сварка MIG/MAG"}),
        "edit offer": (f"{base}/offers/{offer.id}/edit", {"capability": "", "text": "Штампы и пресс-формы"}),
        "delete offer": (f"{base}/offers/{offer.id}/delete", {}),
        "contacts": (f"{base}/contacts", {"contacts-0-name": "Мария Иванова", "contacts-0-position": "инженер"}),
    }


ROUTES = ["profile", "add offer", "edit offer", "delete offer", "contacts"]


def make_actor(kind, company):
    if kind == "own representative":
        return make_user("company", company=company, company_approved=True)
    if kind == "unapproved representative":
        return make_user("company", company=company, company_approved=False)
    if kind == "other representative":
        return make_user("company")
    if kind == "official of the region":
        return make_user("official", region=region("RU-ULY"))
    if kind == "official of another region":
        return make_user("official", region=region("RU-MO"))
    return make_user("admin")


@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_visitors_are_sent_to_log_in_and_nothing_changes(client, db, company, route):
    url, data = write_requests(company)[route]
    before = snapshot(db, company.id)
    for method in ("get", "post") if route != "delete offer" else ("post",):
        answer = getattr(client, method)(url, data=data)
        assert answer.status_code == 302 and "/auth/login" in answer.headers["Location"]
    assert snapshot(db, company.id) == before


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("kind", ["other representative", "unapproved representative", "official of another region"])
def test_others_are_refused_and_nothing_changes(client, db, login, company, route, kind):
    login(make_actor(kind, company))
    db.session.commit()
    url, data = write_requests(company)[route]
    before = snapshot(db, company.id)
    if route != "delete offer":
        assert client.get(url).status_code == 403
    answer = client.post(url, data=data)
    assert answer.status_code == 403
    assert "У вас нет прав на это действие" in answer.get_data(as_text=True)
    assert snapshot(db, company.id) == before


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("kind", ["own representative", "official of the region", "admin"])
def test_the_company_its_official_and_admins_may_change_it(client, db, login, company, route, kind):
    login(make_actor(kind, company))
    db.session.commit()
    url, data = write_requests(company)[route]
    before = snapshot(db, company.id)
    if route != "delete offer":
        assert client.get(url).status_code == 200
    answer = client.post(url, data=data)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
    assert answer.headers["Location"].startswith(f"/catalog/{company.id}")
    after = snapshot(db, company.id)
    assert after != before and after[-1] > before[-1]  # changed, and the change is in the audit log


def test_profile_changes_are_applied(client, db, login, company):
    login(make_user("admin"))
    db.session.commit()
    client.post(f"/catalog/{company.id}/edit", data={
        "name": "ООО «Штамп-М»", "region": "RU-MO", "city": "Саранск", "okved": "25.62, 28.41", "employees": "30",
        "inn": "", "website": "https://shtamp.ru", "description": "Холодная штамповка"})
    db.session.expire_all()
    changed = db.session.get(Company, company.id)
    assert (changed.name, changed.region.iso_code, changed.city, changed.employees) == ("ООО «Штамп-М»", "RU-MO", "Саранск", 30)
    assert [link.okved_code for link in changed.okveds] == ["25.62", "28.41"]
    assert changed.inn is None


@pytest.mark.parametrize("data, message", [
    ({"name": "", "region": "RU-ULY"}, "Обязательное поле"),
    ({"name": "ООО «Х»", "region": "RU-ULY", "inn": "7300000001"}, "ИНН"),
    ({"name": "ООО «Х»", "region": "RU-ULY", "okved": "99.99"}, "Неизвестные коды ОКВЭД2: 99.99"),
    ({"name": "ООО «Х»", "region": "RU-ULY", "okved": "абв"}, "Это не код ОКВЭД2: абв"),
    ({"name": "ООО «Х»", "region": "RU-ULY", "employees": "много"}, "целое число"),
    ({"name": "ООО «Х»", "region": "XX-YYY"}, "Неверный вариант"),
    ({"name": "ООО «Х»", "region": "RU-ULY", "website": "not a site"}, "Укажите адрес сайта"),
])
def test_bad_profile_input_shows_russian_errors_and_changes_nothing(client, db, login, company, data, message):
    login(make_user("admin"))
    db.session.commit()
    before = snapshot(db, company.id)
    answer = client.post(f"/catalog/{company.id}/edit", data=data)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert "Исправьте отмеченные поля" in html
    assert message in html, html[html.find("invalid-feedback") - 300: html.find("invalid-feedback") + 500]
    assert snapshot(db, company.id) == before


def test_a_duplicate_inn_is_refused_next_to_the_field(client, db, login, company):
    other = make_company(name="Другое")
    login(make_user("admin"))
    db.session.commit()
    before = snapshot(db, company.id)
    answer = client.post(f"/catalog/{company.id}/edit", data={"name": "ООО «Х»", "region": "RU-ULY", "inn": other.inn})
    assert answer.status_code == 400
    assert f"Предприятие с ИНН {other.inn} уже зарегистрировано" in answer.get_data(as_text=True)
    assert snapshot(db, company.id) == before


def test_bad_offer_and_contact_input_changes_nothing(client, db, login, company):
    login(make_user("admin"))
    db.session.commit()
    before = snapshot(db, company.id)
    empty_offer = client.post(f"/catalog/{company.id}/offers/new", data={"capability": "", "text": " "})
    assert empty_offer.status_code == 400
    assert "Опишите компетенцию или выберите раздел классификатора" in empty_offer.get_data(as_text=True)
    bad_email = client.post(f"/catalog/{company.id}/contacts", data={"contacts-0-name": "Мария", "contacts-0-email": "мария@"})
    assert bad_email.status_code == 400
    assert "Это не адрес электронной почты" in bad_email.get_data(as_text=True)
    nameless = client.post(f"/catalog/{company.id}/contacts", data={"contacts-0-phone": "+7 900 000 00 00"})
    assert "Укажите имя контактного лица" in nameless.get_data(as_text=True)
    # Every problem of the form at once: the name, the phone and the e-mail.
    all_wrong = client.post(f"/catalog/{company.id}/contacts",
                            data={"contacts-0-phone": "звонить секретарю", "contacts-0-email": "мария@"})
    page = all_wrong.get_data(as_text=True)
    assert all_wrong.status_code == 400
    assert "Укажите имя контактного лица" in page and "Это не номер телефона" in page
    assert "Это не адрес электронной почты" in page
    assert snapshot(db, company.id) == before


def test_another_companys_offer_cannot_be_reached_through_this_company(client, db, login, company):
    other = make_company()
    other.offers.append(CapabilityOffer(text="чужое"))
    user = login(make_user("company", company=company, company_approved=True))
    db.session.commit()
    assert user.company_id == company.id
    assert client.post(f"/catalog/{company.id}/offers/{other.offers[0].id}/delete").status_code == 404
    assert client.post(f"/catalog/{other.id}/offers/{other.offers[0].id}/delete").status_code == 403


@pytest.mark.parametrize("kind, allowed", [
    ("own representative", False), ("other representative", False), ("official of another region", False),
    ("official of the region", True), ("admin", True),
])
def test_only_officials_of_the_region_and_admins_verify(client, db, login, company, kind, allowed):
    login(make_actor(kind, company))
    db.session.commit()
    answer = client.post(f"/catalog/{company.id}/verification", data={"state": "verified"})
    db.session.expire_all()
    state = db.session.get(Company, company.id).verification
    if allowed:
        assert answer.status_code == 302 and state == "verified"
        assert "Проверено" in client.get(f"/catalog/{company.id}").get_data(as_text=True)
    else:
        assert answer.status_code == 403 and state == "unverified"


def test_verification_form_is_shown_only_to_who_may_verify(client, db, login, company):
    assert "Сохранить статус проверки" not in client.get(f"/catalog/{company.id}").get_data(as_text=True)
    login(make_user("official", region=region("RU-ULY")))
    db.session.commit()
    assert "Сохранить статус проверки" in client.get(f"/catalog/{company.id}").get_data(as_text=True)


def test_a_company_name_with_markup_is_escaped_on_its_page(client, db):
    company = make_company(name='<script>alert("x")</script>', description="<b>жирный</b>")
    db.session.commit()
    html = client.get(f"/catalog/{company.id}").get_data(as_text=True)
    assert "<script>alert" not in html and "<b>жирный" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;жирный" in html


def test_every_problem_of_the_profile_form_shows_at_once(client, db, login, company):
    """The form's own checks (a name is required) and the service's (the INN's check digit) in one answer."""
    login(make_user("admin"))
    db.session.commit()
    before = snapshot(db, company.id)
    answer = client.post(f"/catalog/{company.id}/edit", data={"name": "", "inn": "7325000000",
                                                               "region": str(company.region_id)})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Обязательное поле" in page and "контрольн" in page.lower()
    assert snapshot(db, company.id) == before


def test_an_inn_issued_in_another_region_is_pointed_out_on_the_company_page(client, db):
    from tests.factories import valid_inn

    moved = make_company(name="ООО «Переехавшее»", region_iso="RU-ULY", inn=valid_inn("13"))
    local = make_company(name="ООО «Местное»", region_iso="RU-ULY", inn=valid_inn("73"))
    db.session.commit()
    page = client.get(f"/catalog/{moved.id}").get_data(as_text=True)
    assert 'id="inn-region-warning"' in page and "Республика Мордовия" in page and "(код 13)" in page
    assert 'id="inn-region-warning"' not in client.get(f"/catalog/{local.id}").get_data(as_text=True)
