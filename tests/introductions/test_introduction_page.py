"""An introduction's page: who may see it, the receiving firm's answer, the message thread, and what
the flash messages say about who was told."""

import re

import pytest
from flask import current_app
from sqlalchemy import func, select

from registry.models import AuditEntry, Contact, Introduction, IntroductionMessage, OutboxMessage
from tests.factories import make_company, make_need, make_project, make_user, region
from tests.introductions.test_introductions import setup_pair
from tests.projects.query_counter import page_queries


@pytest.fixture
def pair(db):
    """A Mordovian customer's need and an Ulyanovsk supplier, each with one representative."""
    need, supplier, customer_rep, supplier_rep = setup_pair(db)
    need.company.name, supplier.name = "АО «Заказчик»", "ООО «Поставщик»"
    db.session.commit()
    return need, supplier, customer_rep, supplier_rep


@pytest.fixture
def asked(client, db, login, pair):
    """The customer's representative has expressed interest in the supplier: (introduction, *pair)."""
    need, supplier, customer_rep, _ = pair
    login(customer_rep)
    express(client, need, supplier)
    return (the_introduction(db), *pair)


def express(client, need, supplier):
    return client.post("/introductions/", data={"need_id": need.id, "supplier_id": supplier.id},
                       follow_redirects=True).get_data(as_text=True)


def the_introduction(db) -> Introduction:
    db.session.expire_all()
    return db.session.scalar(select(Introduction))


def recipients(db) -> list[str]:
    return sorted(db.session.scalars(select(OutboxMessage.recipient)))


def clear_outbox(db):
    db.session.execute(OutboxMessage.__table__.delete())
    db.session.commit()


# --- Interest says exactly who was told --------------------------------------------------------

def test_interest_names_the_representative_that_was_told(client, db, login, pair):
    need, supplier, customer_rep, _ = pair
    login(customer_rep)
    page = express(client, need, supplier)
    assert "Интерес отмечен. Уведомлён представитель ООО «Поставщик» (1 адрес)." in page
    assert recipients(db) == ["supplier@example.org"]
    body = db.session.scalar(select(OutboxMessage.body))
    # built from EXTERNAL_URL, never from the request's Host header
    assert f"{current_app.config['EXTERNAL_URL']}/introductions/{the_introduction(db).id}" in body
    again = express(client, need, supplier)
    assert "уже был отмечен" in again and recipients(db) == ["supplier@example.org"]


def test_interest_in_a_firm_without_contact_tells_its_official_and_says_so(client, db, login, pair):
    need, _, customer_rep, _ = pair
    silent = make_company(region_iso="RU-ULY", name="ООО «Немой»")
    make_user("official", region=region("RU-ULY"), email="official@example.org")
    login(customer_rep)
    page = express(client, need, silent)
    assert ("У ООО «Немой» нет ни пользователя, ни адреса e-mail; вместо него уведомлён ответственный чиновник "
            "региона Ульяновская область (1 адрес).") in page
    assert "Интерес отмечен, другая сторона уведомлена" not in page
    assert recipients(db) == ["official@example.org"]


def test_interest_in_a_firm_nobody_can_be_told_about_says_nobody_was_told(client, db, login, pair):
    need, _, customer_rep, _ = pair
    silent = make_company(region_iso="RU-SAM", name="ООО «Никто»")
    login(customer_rep)
    page = express(client, need, silent)
    assert "никто не уведомлён" in page and "Уведомлён" not in page
    assert recipients(db) == []


def test_an_officials_interest_tells_both_firms_through_contacts_when_needed(client, db, login, pair):
    need, supplier, _, _ = pair
    contacted = make_company(region_iso="RU-ULY", name="ООО «Контакт»")
    contacted.contacts.append(Contact(name="Иван", email="ivan@example.org"))
    login(make_user("official", region=region("RU-MO")))
    page = express(client, need, contacted)
    assert "Уведомлён представитель АО «Заказчик» (1 адрес)." in page
    assert "Уведомлены контакты ООО «Контакт» (1 адрес)." in page
    assert recipients(db) == ["customer@example.org", "ivan@example.org"]


# --- Who may see the page -------------------------------------------------------------------------

def test_the_page_is_for_both_firms_and_the_officials_of_their_regions(client, db, login, pair):
    need, supplier, customer_rep, supplier_rep = pair
    login(customer_rep)
    express(client, need, supplier)
    url = f"/introductions/{the_introduction(db).id}"
    admitted = [customer_rep, supplier_rep, make_user("official", region=region("RU-MO")),
                make_user("official", region=region("RU-ULY")), make_user("official"), make_user("admin")]
    for user in admitted:
        login(user)
        page = client.get(url)
        assert page.status_code == 200, user
        text = page.get_data(as_text=True)
        assert need.title in text and "АО «Заказчик»" in text and "ООО «Поставщик»" in text
        assert "ожидает ответа" in text and ">new<" not in text
    refused = [make_user("company"), make_user("official", region=region("RU-SAM")),
               make_user("company", company=supplier, company_approved=False)]
    for user in refused:
        login(user)
        assert client.get(url).status_code == 403, user
    client.post("/auth/logout")
    assert client.get(url).status_code == 302


# --- The answer -------------------------------------------------------------------------------------

def test_the_receiving_firm_accepts_with_a_note_and_both_firms_hear_of_it(client, db, login, asked):
    introduction, need, supplier, customer_rep, supplier_rep = asked
    clear_outbox(db)
    login(supplier_rep)
    page = client.get(f"/introductions/{introduction.id}").get_data(as_text=True)
    assert "Принять" in page and "Отклонить" in page
    response = client.post(f"/introductions/{introduction.id}/answer",
                           data={"decision": "accepted", "note": "Готовы обсудить, пришлите чертежи"},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Ответ сохранён." in text and "Уведомлён представитель АО «Заказчик» (1 адрес)." in text
    introduction = the_introduction(db)
    assert introduction.status == "accepted" and introduction.answered_by_id == supplier_rep.id
    assert introduction.answered_at is not None and introduction.answer_note == "Готовы обсудить, пришлите чертежи"
    assert recipients(db) == ["customer@example.org", "supplier@example.org"]
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "introduction.answer")) == 1
    assert "принято" in text and "Готовы обсудить, пришлите чертежи" in text and 'value="accepted"' not in text


def test_answering_twice_is_refused_with_a_clear_message(client, db, login, asked):
    introduction, need, supplier, customer_rep, supplier_rep = asked
    login(supplier_rep)
    client.post(f"/introductions/{introduction.id}/answer", data={"decision": "declined"})
    text = client.post(f"/introductions/{introduction.id}/answer", data={"decision": "accepted"},
                       follow_redirects=True).get_data(as_text=True)
    assert "уже получило ответ (отклонено" in text
    assert the_introduction(db).status == "declined"


def test_the_asking_firm_may_not_answer_its_own_interest(client, db, login, asked):
    introduction, need, supplier, customer_rep, supplier_rep = asked
    assert client.post(f"/introductions/{introduction.id}/answer", data={"decision": "accepted"}).status_code == 403
    assert "Принять" not in client.get(f"/introductions/{introduction.id}").get_data(as_text=True)
    assert the_introduction(db).status == "new"


def test_a_project_stage_introduction_needs_no_answer(client, db, login, asked):
    introduction, need, supplier, customer_rep, supplier_rep = asked
    introduction.status, introduction.project = "project", make_project((need.company, "customer"), (supplier, "supplier"))
    db.session.commit()
    login(supplier_rep)
    text = client.post(f"/introductions/{introduction.id}/answer", data={"decision": "accepted"},
                       follow_redirects=True).get_data(as_text=True)
    assert "уже стало проектом" in text and "передано в проект" in text
    assert the_introduction(db).status == "project"


def test_an_answer_must_be_accept_or_decline(client, db, login, asked):
    introduction, need, supplier, customer_rep, supplier_rep = asked
    login(supplier_rep)
    response = client.post(f"/introductions/{introduction.id}/answer", data={"decision": "maybe"})
    assert response.status_code == 400
    response = client.post(f"/introductions/{introduction.id}/answer", data={"decision": "accepted", "note": "x" * 1001})
    assert response.status_code == 400 and "Примечание слишком длинное" in response.get_data(as_text=True)
    assert the_introduction(db).status == "new"


# --- The thread -------------------------------------------------------------------------------------

def test_messages_are_kept_shown_and_mailed_to_the_other_firm(client, db, login, asked):
    introduction, need, supplier, customer_rep, supplier_rep = asked
    clear_outbox(db)
    text = client.post(f"/introductions/{introduction.id}/messages", data={"body": "Нужны 200 корпусов к маю"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Сообщение отправлено. Уведомлён представитель ООО «Поставщик» (1 адрес)." in text
    assert "Нужны 200 корпусов к маю" in text
    mail = db.session.scalar(select(OutboxMessage))
    assert mail.recipient == "supplier@example.org" and "Нужны 200 корпусов к маю" in mail.body
    assert "АО «Заказчик» пишет" in mail.body and f"/introductions/{introduction.id}" in mail.body
    login(supplier_rep)
    client.post(f"/introductions/{introduction.id}/messages", data={"body": "Пришлите чертежи"})
    assert recipients(db) == ["customer@example.org", "supplier@example.org"]
    page = client.get(f"/introductions/{introduction.id}").get_data(as_text=True)
    assert page.index("Нужны 200 корпусов к маю") < page.index("Пришлите чертежи")


def test_empty_and_overlong_messages_are_refused_in_russian(client, db, login, asked):
    introduction, need, supplier, customer_rep, supplier_rep = asked
    empty = client.post(f"/introductions/{introduction.id}/messages", data={"body": "   "})
    assert empty.status_code == 400 and "Напишите сообщение." in empty.get_data(as_text=True)
    long = client.post(f"/introductions/{introduction.id}/messages", data={"body": "я" * 2001})
    assert long.status_code == 400 and "Сообщение слишком длинное (не больше 2000 знаков)." in long.get_data(as_text=True)
    assert db.session.scalar(select(func.count(IntroductionMessage.id))) == 0


def test_a_third_firm_may_not_write_into_the_thread(client, db, login, asked):
    introduction, need, supplier, customer_rep, supplier_rep = asked
    login(make_user("company"))
    assert client.post(f"/introductions/{introduction.id}/messages", data={"body": "Я тоже"}).status_code == 403
    assert db.session.scalar(select(func.count(IntroductionMessage.id))) == 0


def test_the_forms_need_a_csrf_token(app, client, db, login, asked, monkeypatch):
    introduction, need, supplier, customer_rep, supplier_rep = asked
    login(supplier_rep)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    url = f"/introductions/{introduction.id}"
    assert client.post(url + "/messages", data={"body": "Без токена"}).status_code == 400
    assert client.post(url + "/answer", data={"decision": "accepted"}).status_code == 400
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)
    assert client.post(url + "/messages", data={"body": "С токеном", "csrf_token": token}).status_code == 302
    assert client.post(url + "/answer", data={"decision": "accepted", "csrf_token": token}).status_code == 302
    assert the_introduction(db).status == "accepted"


# --- Lists and query counts ------------------------------------------------------------------------

def test_representatives_list_their_firms_introductions_with_status_labels(client, db, login, pair):
    need, supplier, customer_rep, supplier_rep = pair
    other_need = make_need(supplier, title="Поставка резины")
    unrelated = make_need(make_company(), title="Чужая потребность")
    db.session.add_all([Introduction(need=other_need, supplier=need.company, requested_by=supplier_rep),
                        Introduction(need=unrelated, supplier=make_company(), status="declined")])
    login(customer_rep)
    express(client, need, supplier)
    page = client.get("/introductions/").get_data(as_text=True)
    assert need.title in page and "Поставка резины" in page and "Чужая потребность" not in page
    own = db.session.scalar(select(Introduction).where(Introduction.need_id == need.id))
    assert "ожидает ответа" in page and f'href="/introductions/{own.id}"' in page
    login(make_user("official", region=region("RU-MO")))
    page = client.get("/introductions/").get_data(as_text=True)
    assert need.title in page and "Чужая потребность" not in page
    login(make_user("admin"))
    page = client.get("/introductions/").get_data(as_text=True)
    assert "Чужая потребность" in page and "отклонено" in page and ">declined<" not in page
    login(make_user("company", company_approved=False))
    assert client.get("/introductions/").status_code == 403


def test_the_page_runs_the_same_number_of_queries_for_2_and_20_messages(client, db, login, asked):
    introduction, need, supplier, customer_rep, supplier_rep = asked
    counts = []
    for total in (2, 20):
        while len(introduction.messages) < total:
            author = (customer_rep, supplier_rep)[len(introduction.messages) % 2]
            introduction.messages.append(IntroductionMessage(author=author, body=f"Сообщение {len(introduction.messages)}"))
        db.session.commit()
        counts.append(page_queries(client, db.engine, f"/introductions/{introduction.id}"))
    assert counts[0] == counts[1]


def test_an_official_who_asked_across_regions_sees_the_introduction_they_made(client, db, login, pair):
    need, supplier, _, _ = pair
    asker = login(make_user("official", region=region("RU-SAM")))
    express(client, need, supplier)
    introduction = the_introduction(db)
    assert introduction.requested_by_id == asker.id
    assert need.title in client.get("/introductions/").get_data(as_text=True)
    assert client.get(f"/introductions/{introduction.id}").status_code == 200
    login(make_user("official", region=region("RU-SAM")))
    assert client.get(f"/introductions/{introduction.id}").status_code == 403
    assert need.title not in client.get("/introductions/").get_data(as_text=True)
